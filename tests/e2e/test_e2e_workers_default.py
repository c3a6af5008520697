"""Workers by default, in headless Chromium and Firefox with Kamailio + SIPp: a web phone whose SIP socket lives
in a Worker or SharedWorker works exactly as without the extension and nothing of it is seen; the popup offers to
watch that origin's workers, and once the agent accepts, the next call on the reloaded page fires."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.patterns import WATCHING_ID, watch_workers

from .e2e_support import CALLER, CALLER_NAME, assert_quiet, fired, hook_all, one
from .popup_support import close_popup, open_popup
from .test_e2e_sockets import _open_sockets_page

pytestmark = pytest.mark.browser


def _phone_in_a_worker_works_unwatched(lab, receiver, remote, mode: str, user: str) -> None:
    hook_all(lab.host, receiver)
    _open_sockets_page(lab, mode, user)
    run = remote.call(user, "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=600)
    WebDriverWait(lab.driver, 15).until(
        lambda d: d.execute_script("return window.labPhone.events.some(e => e.type === 'ended')"), "the phone never got the call")
    run.wait()
    assert [e["type"] for e in lab.driver.execute_script("return window.labPhone.events")][-3:] == ["ringing", "answered", "ended"]
    assert_quiet(receiver, 0)
    assert lab.driver.execute_script("return typeof window.__uccWebhooks") == "undefined"


@pytest.mark.parametrize("mode,user", [("worker", "agent221"), ("shared", "agent222")])
def test_a_phone_in_a_worker_works_unwatched_by_default(chromium, receiver, remote, mode, user):
    _phone_in_a_worker_works_unwatched(chromium, receiver, remote, mode, user)


def test_a_phone_in_a_worker_works_unwatched_by_default_in_firefox(firefox, receiver, remote):
    _phone_in_a_worker_works_unwatched(firefox, receiver, remote, "worker", "agent223")


def test_the_popup_offers_watching_workers_and_the_next_call_is_seen(chromium, receiver, remote):
    """The page's report (workers, no SIP socket of its own) reaches the worker through the page
    bridge, which page/main.js and content.js wire (see the next test); here it is put where the
    worker keeps it. Everything after that is the product: the popup, the switch, the reload, a call."""
    lab = chromium
    hook_all(lab.host, receiver)
    _open_sockets_page(lab, "worker", "agent224")
    phone = lab.driver.current_window_handle
    tab = lab.ext.tab_id(lab.softphone.origin + "/sockets.html")
    lab.ext.session_set({"pageStates": {str(tab): {"workers": 1, "sipSeen": False, "url": "", "at": 0}}})
    try:
        driver = open_popup(lab)
        box = driver.find_element(By.ID, "onboarding")
        WebDriverWait(driver, 15).until(lambda d: box.get_attribute("data-step") == "workers_unwatched" and box.is_displayed(),
                                        message=f"onboarding step {box.get_attribute('data-step')!r}")
        text = driver.find_element(By.ID, "onboarding-text").text
        assert "runs workers" in text and lab.softphone.match_pattern in text, text
        action = driver.find_element(By.ID, "onboarding-action")
        assert action.text == "Watch workers and reload"
        action.click()
        WebDriverWait(driver, 20).until(lambda d: not box.is_displayed(), message="the offer stayed after the switch")
        assert lab.ext.storage(["watchWorkerOrigins"])["watchWorkerOrigins"] == [lab.softphone.match_pattern]
        close_popup(lab)
        lab.driver.switch_to.window(phone)
        WebDriverWait(lab.driver, 15).until(
            lambda d: d.execute_script("return window.labPhone && window.labPhone.events.some(e => e.type === 'registered')"))
        run = remote.call("agent224", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=600)
        one(receiver, "incoming_call_ended")
        run.wait()
        assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]
    finally:
        watch_workers(lab, on=False)


def test_a_page_that_runs_workers_without_a_sip_socket_is_reported(chromium):
    lab = chromium
    _open_sockets_page(lab, "worker", "agent225")
    tab = lab.ext.tab_id(lab.softphone.origin + "/sockets.html")
    WebDriverWait(lab.driver, 10, 0.5).until(lambda d: str(tab) in lab.ext.page_states(), "no report of the page's workers")
    assert lab.ext.page_states()[str(tab)]["sipSeen"] is False


def test_the_options_page_switches_watching_workers_per_address(chromium):
    """The switch beside each UCC address, with what a watched worker can notice beside it."""
    lab = chromium
    origin = lab.softphone.match_pattern
    back = lab.driver.current_window_handle
    lab.ext.open_tab(lab.ext.options_url)
    driver = lab.driver
    try:
        row = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, f'li[data-origin="{origin}"]'))
        switch = row.find_element(By.CSS_SELECTOR, '[data-testid="watch-workers"]')
        assert not switch.is_selected(), "off by default"
        help_text = driver.find_element(By.ID, "watch-workers-help").text
        assert "self.location" in help_text and "SharedWorker" in help_text and "isTrusted" in help_text
        assert switch.get_attribute("aria-describedby") == "watch-workers-help"
        switch.click()
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "settings-state").text == "Saved")
    finally:
        lab.ext.close_tab(back)
    try:
        assert lab.ext.storage(["watchWorkerOrigins"])["watchWorkerOrigins"] == [origin]
        lab.ext.wait_registered([origin], script_id=WATCHING_ID)
    finally:
        watch_workers(lab, on=False)
