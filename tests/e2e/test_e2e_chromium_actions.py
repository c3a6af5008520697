"""The whole chain in headless Chromium, the actions and what surrounds a call: the three actions
(bodies escaped for their type, open_tab with the profile's cookies), a slow CRM, the policy
switch, pages and origins, a killed host, and doctor on the profile the browser really uses.
The triggers are in test_e2e_chromium.py.

One browser (and one host registration) per module; every test starts with no webhooks, no policy
file and a freshly registered softphone page.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.net import wait_until
from ucc_webhooks_dev.lab.receiver import Receiver

from .e2e_support import (
    CALLER,
    CALLER_NAME,
    assert_quiet,
    hook_all,
    one,
    q,
)

pytestmark = pytest.mark.browser


# -- the three actions -------------------------------------------------------------------------
def test_post_json_form_and_text_bodies_are_escaped_for_their_type(chromium, receiver, remote):
    host = chromium.host
    host.add("incoming_call_accepted", "post", receiver.url("/json"), content_type="application/json",
             body='{{"caller": "{caller}", "name": "{caller_name}", "time": {time}, "braces": "{{x}}"}}')
    host.add("incoming_call_accepted", "post", receiver.url("/form"),
             content_type="application/x-www-form-urlencoded", body="caller={caller}&name={caller_name}")
    host.add("incoming_call_accepted", "post", receiver.url("/text"), content_type="text/plain",
             body="Call from {caller_name} <{caller}>")
    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=500)
    chromium.page.wait_calls(1)
    chromium.page.answer()
    as_json = receiver.wait_for(1, path="/json")[0]
    form = receiver.wait_for(1, path="/form")[0]
    text = receiver.wait_for(1, path="/text")[0]
    run.wait()

    assert as_json.method == "POST" and as_json.header("content-type").startswith("application/json")
    payload = json.loads(as_json.text)
    assert payload["caller"] == CALLER and payload["name"] == CALLER_NAME and payload["braces"] == "{x}"
    assert isinstance(payload["time"], int)
    assert form.header("content-type").startswith("application/x-www-form-urlencoded")
    assert urllib.parse.parse_qs(form.text) == {"caller": [CALLER], "name": [CALLER_NAME]}
    assert text.header("content-type").startswith("text/plain")
    assert text.text == f"Call from {CALLER_NAME} <{CALLER}>"


def test_open_tab_opens_the_url_in_the_same_profile_with_its_cookies(chromium, receiver, remote):
    driver = chromium.driver
    # log in to the "CRM" first: a cookie for the receiver's origin in this profile
    chromium.ext.open_tab(receiver.url("/login"))
    driver.add_cookie({"name": "crm_session", "value": "s3cret", "path": "/"})
    chromium.ext.close_tab(chromium.page.handle)
    receiver.requests.clear()
    chromium.host.add("incoming_call_accepted", "open_tab",
                      receiver.url("/crm/contact") + "?phone={caller}&name={caller_name}")
    tabs_before = set(driver.window_handles)

    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=500)
    chromium.page.wait_calls(1)
    chromium.page.answer()
    visit = receiver.wait_for(1, path="/crm/contact")[0]
    run.wait()

    assert visit.method == "GET"
    assert q(visit) == {"phone": CALLER, "name": CALLER_NAME}
    assert "crm_session=s3cret" in (visit.header("cookie") or "")
    WebDriverWait(driver, 10).until(lambda d: len(set(d.window_handles) - tabs_before) == 1)
    (new_tab,) = set(driver.window_handles) - tabs_before
    driver.switch_to.window(new_tab)
    assert urllib.parse.urlsplit(driver.current_url).path == "/crm/contact"
    assert q(visit)["phone"] == urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query)["phone"][0]
    chromium.page.focus()


def test_disabled_webhook_fires_nothing(chromium, receiver, remote):
    chromium.host.add("incoming_call_ringing", "get", receiver.url("/off"), enabled=False)
    chromium.host.add("incoming_call_ringing", "get", receiver.url("/on"))
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    receiver.wait_for(1, path="/on")
    run.wait()
    assert_quiet(receiver, 1)


def test_a_slow_crm_does_not_hold_up_the_other_webhooks(chromium, receiver, remote):
    """One target answers after 5 s; the webhook to another target of the same call is not delayed."""
    with Receiver() as slow:
        slow.respond(default=200, delay=5.0)
        chromium.host.add("incoming_call_ringing", "get", slow.url("/slow"))
        chromium.host.add("incoming_call_ringing", "get", receiver.url("/fast"))
        run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=2000)
        slow.wait_for(1, path="/slow")
        fast = receiver.wait_for(1, path="/fast")[0]
        assert fast.received_at - slow.requests[0].received_at < 2.0
        run.wait()


# -- policy, host crash ------------------------------------------------------------------------
def test_policy_switched_off_while_the_browser_runs_fires_nothing(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    one(receiver, "incoming_call_missed")  # the host is up and firing
    run.wait()
    chromium.host.set_policy(False)
    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, talk_ms=500)
    chromium.page.wait_calls(2)
    chromium.page.answer(1)
    chromium.page.wait_event("ended", 1)
    run.wait()
    assert_quiet(receiver, 2)

    chromium.host.set_policy(True)  # switched on again: the very next call fires
    run = remote.call("agent200", "uac_cancel", caller="+4930777777", talk_ms=300)
    assert q(receiver.wait_for(2, path="/hook/incoming_call_missed")[-1])["caller"] == "+4930777777"
    run.wait()


def test_policy_switched_off_while_the_browser_runs_shows_the_banner(chromium, receiver, remote):
    """An administrator turns webhooks off on a running desktop: the popup opened afterwards says so."""
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    one(receiver, "incoming_call_missed")  # the extension is connected to the host
    run.wait()
    chromium.host.set_policy(False)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)  # an event the host refuses
    chromium.page.wait_event("failed", 1)
    run.wait()
    back = chromium.page.handle
    chromium.ext.open_tab(chromium.ext.popup_url)
    try:
        banner = chromium.driver.find_element(By.ID, "policy-banner")
        WebDriverWait(chromium.driver, 10).until(
            lambda d: banner.is_displayed(),
            message="policy banner hidden although WEBHOOKS_ENABLED is false in the policy file")
        assert "WEBHOOKS_ENABLED" in banner.text
    finally:
        chromium.ext.close_tab(back)


def test_call_answered_on_another_device_is_not_missed(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300,
                      cancel_headers={"Reason": 'SIP;cause=200;text="Call completed elsewhere"'})
    one(receiver, "incoming_call_ringing")
    chromium.page.wait_event("failed", 0)
    run.wait()
    assert_quiet(receiver, 1)


def test_page_bridge_event_fires_like_an_observed_call(chromium, receiver):
    """The page bridge, once switched on (it is off by default), fires like an observed call."""
    chromium.host.add("incoming_call_accepted", "get", receiver.url("/bridge?c={caller}&q={queue}&u={user}"))
    bridge = """
        window.dispatchEvent(new CustomEvent('ucc-webhooks:call', {detail: {
          trigger: 'incoming_call_accepted', call_id: 'bridge-1', direction: 'incoming', queue: null,
          callee: '200', caller: '+4930123456', caller_name: 'Bridge', user: 'agent200',
          started_at: Date.now() / 1000, answered_at: Date.now() / 1000, ended_at: null, duration: null}}));
    """
    chromium.page.js(bridge)
    assert_quiet(receiver, 0)  # off: nobody listens to the page's event
    chromium.ext.configure({"pageBridge": True}, wait_for_origins=False)
    try:
        def fired() -> bool:  # the page's content script takes the switch at its next storage change
            chromium.page.js(bridge)  # the same call and trigger again: the worker sends it once
            return bool([r for r in receiver.requests if r.path == "/bridge"])

        wait_until(fired, 10, "the page bridge to fire", interval=0.3)
        assert q(receiver.wait_for(1, path="/bridge")[0]) == {"c": CALLER, "q": "", "u": "agent200"}
        assert_quiet(receiver, 1)
    finally:
        chromium.ext.configure({"pageBridge": False}, wait_for_origins=False)


def test_a_page_outside_the_configured_origins_is_not_watched(chromium, receiver, remote):
    """Same softphone, served as http://localhost:PORT (not in uccOrigins): its calls fire nothing."""
    hook_all(chromium.host, receiver)
    page = chromium.page
    other = chromium.softphone.url(ws=chromium.sip.ws_url, user="agent200").replace("127.0.0.1", "localhost", 1)
    from ucc_webhooks_dev.lab.phonepage import PhonePage

    foreign = PhonePage(chromium.driver, other).open()
    try:
        run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
        foreign.wait_event("failed", 0)
        run.wait()
        assert_quiet(receiver, 0)
    finally:
        chromium.reload_page()  # register the watched page again
        assert page.handle == chromium.page.handle


def test_host_killed_extension_reconnects_and_next_call_fires(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    one(receiver, "incoming_call_missed")
    run.wait()
    killed = chromium.host.kill_hosts()
    assert killed, "no host process found for this lab: the extension never started one?"
    WebDriverWait(chromium.driver, 5).until(lambda d: not set(killed) & set(chromium.host.host_pids()))

    run = remote.call("agent200", "uac_cancel", caller="+4930999999", talk_ms=300)
    receiver.wait_for(2, path="/hook/incoming_call_missed")
    run.wait()
    assert q(receiver.requests[-1])["caller"] == "+4930999999"
    assert set(chromium.host.host_pids()) - set(killed), "a new host process serves the extension"


def test_doctor_agrees_with_the_running_browser(chromium, receiver, remote):
    """The profile the browser really uses passes `doctor`; the policy switch is its one FAIL."""
    chromium.host.add("incoming_call_ringing", "get", receiver.url("/ring"))
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    receiver.wait_for(1, path="/ring")  # the chain doctor checks is the one that just fired
    run.wait()
    ok = chromium.host.cli("doctor", "--profile-dir", str(chromium.profile_dir), check=False)
    assert ok.returncode == 0 and "Looks good" in ok.stdout, ok.stdout + ok.stderr
    chromium.host.set_policy(False)
    off = chromium.host.cli("doctor", "--profile-dir", str(chromium.profile_dir), check=False)
    assert off.returncode != 0
    assert [line for line in off.stdout.splitlines() if "FAIL" in line and "WEBHOOKS_ENABLED" in line]
