"""The core of the chain in headless Firefox ESR: the add-on (installed temporarily through
geckodriver), the host registered under a throwaway HOME, an incoming call answered and ended, an
outgoing call, with a GET, a POST and an open_tab."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import CALLER, CALLER_NAME, assert_quiet, hook_url, one, q

pytestmark = pytest.mark.browser


def test_incoming_call_answered_and_ended_get_and_post(firefox, receiver, remote):
    assert firefox.page.observed()  # geckodriver's scripts see the page through a sandbox of their own
    host = firefox.host
    for trigger in ("incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"):
        host.add(trigger, "get", hook_url(receiver, trigger))
    host.add("incoming_call_ended", "post", receiver.url("/log"), content_type="application/json",
             body='{{"caller": "{caller}", "name": "{caller_name}", "duration": {duration}}}')
    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=1200)
    ringing = one(receiver, "incoming_call_ringing")
    firefox.page.answer()
    accepted = one(receiver, "incoming_call_accepted")
    ended = one(receiver, "incoming_call_ended")
    posted = receiver.wait_for(1, path="/log")[0]
    run.wait()
    for request in (ringing, accepted, ended):
        assert request.method == "GET"
        assert q(request)["caller"] == CALLER and q(request)["caller_name"] == CALLER_NAME
        assert q(request)["user"] == "agent200" and q(request)["direction"] == "incoming"
    assert 1 <= int(q(ended)["duration"]) <= 3
    assert posted.method == "POST"
    body = json.loads(posted.text)
    assert body["caller"] == CALLER and body["name"] == CALLER_NAME and 1 <= body["duration"] <= 3
    assert_quiet(receiver, 4)


def test_outgoing_call_fires_and_open_tab_carries_the_cookie(firefox, receiver, remote):
    driver = firefox.driver
    firefox.ext.open_tab(receiver.url("/login"))
    driver.add_cookie({"name": "crm_session", "value": "ff-s3cret", "path": "/"})
    firefox.ext.close_tab(firefox.page.handle)
    receiver.requests.clear()
    firefox.host.add("outgoing_call_started", "open_tab", receiver.url("/crm/dial") + "?to={callee}")
    firefox.host.add("outgoing_call_ended", "get", hook_url(receiver, "outgoing_call_ended"))
    tabs_before = set(driver.window_handles)

    target = remote.serve("uas_answer_hangup", number="0301234567", talk_ms=1200)
    index = firefox.page.call(target.uri)
    visit = receiver.wait_for(1, path="/crm/dial")[0]
    ended = one(receiver, "outgoing_call_ended")
    target.wait()
    firefox.page.wait_event("ended", index)

    assert q(visit) == {"to": "0301234567"}
    assert "crm_session=ff-s3cret" in (visit.header("cookie") or "")
    WebDriverWait(driver, 10).until(lambda d: len(set(d.window_handles) - tabs_before) == 1)
    (new_tab,) = set(driver.window_handles) - tabs_before
    driver.switch_to.window(new_tab)
    assert urllib.parse.urlsplit(driver.current_url).path == "/crm/dial"
    firefox.page.focus()
    assert q(ended)["callee"] == "0301234567" and 1 <= int(q(ended)["duration"]) <= 3


def test_host_killed_the_add_on_reconnects_and_the_next_call_fires(firefox, receiver, remote):
    firefox.host.add("incoming_call_missed", "get", receiver.url("/missed?c={caller}"))
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    receiver.wait_for(1, path="/missed")
    run.wait()
    killed = firefox.host.kill_hosts()
    assert killed, "no host process found: the add-on never started one?"
    run = remote.call("agent200", "uac_cancel", caller="+4930888888", talk_ms=300)
    assert q(receiver.wait_for(2, path="/missed")[-1])["c"] == "+4930888888"
    run.wait()
