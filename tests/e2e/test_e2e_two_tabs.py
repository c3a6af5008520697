"""Two tabs of the UCC client receive the same call (the proxy forks one Call-ID to both): one event
per trigger, and the tab that did not answer fires nothing (headless Chromium, Kamailio + SIPp)."""

from __future__ import annotations

import pytest

from ucc_webhooks_dev.lab.phonepage import PhonePage

from .e2e_support import CALLER, assert_quiet, fired, hook_all, one

pytestmark = pytest.mark.browser


def test_a_call_forked_to_two_tabs_fires_once_and_not_missed_in_the_other(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    for trigger in ("incoming_call_answered_elsewhere",):
        chromium.host.add(trigger, "get", receiver.url(f"/hook/{trigger}"), name=f"e2e {trigger}")
    driver = chromium.driver
    tabs = []
    for user in ("agent301", "agent302"):
        driver.switch_to.new_window("tab")
        tabs.append(PhonePage(driver, chromium.softphone.url(ws=chromium.sip.ws_url, user=user)).open())
    run = remote.call("team", "uac_remote_hangup", caller=CALLER, talk_ms=1000)
    for tab in tabs:
        tab.focus()
        tab.wait_calls(1)
    one(receiver, "incoming_call_ringing")
    tabs[0].focus()
    tabs[0].answer()
    one(receiver, "incoming_call_accepted")
    one(receiver, "incoming_call_ended")
    run.wait()
    tabs[1].focus()
    tabs[1].wait_event("failed", 0)  # the other tab heard the CANCEL (completed elsewhere)
    assert_quiet(receiver, 3, within=2.5)  # longer than the worker's 1.5 s hold of the other tab's event
    assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]
