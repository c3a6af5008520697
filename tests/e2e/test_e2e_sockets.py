"""Every socket a web phone may use, in headless Chromium and Firefox with Kamailio + SIPp: a SIP WebSocket in a
dedicated Worker, in a SharedWorker, and one made with the WebSocket constructor of a fresh iframe."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import CALLER, CALLER_NAME, assert_quiet, fired, hook_all, one, q

pytestmark = pytest.mark.browser


def _open_sockets_page(lab, mode: str, user: str) -> None:
    driver = lab.driver
    driver.switch_to.new_window("tab")
    driver.get(lab.softphone.sockets_url(ws=lab.sip.ws_url, mode=mode, user=user, autoanswer="1"))
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return window.labPhone && window.labPhone.events.some(e => e.type === 'registered')"))


@pytest.mark.parametrize("mode,user", [("worker", "agent201"), ("shared", "agent202"), ("iframe", "agent203")])
def test_socket_outside_the_page_is_observed(chromium, receiver, remote, mode, user):
    _call_is_observed(chromium, receiver, remote, mode, user)


@pytest.mark.parametrize("mode,user", [("worker", "agent204"), ("shared", "agent205"), ("iframe", "agent206")])
def test_socket_outside_the_page_is_observed_in_firefox(firefox, receiver, remote, mode, user):
    _call_is_observed(firefox, receiver, remote, mode, user)


def _call_is_observed(lab, receiver, remote, mode: str, user: str) -> None:
    hook_all(lab.host, receiver)
    _open_sockets_page(lab, mode, user)
    run = remote.call(user, "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=1000)
    ringing = one(receiver, "incoming_call_ringing")
    accepted = one(receiver, "incoming_call_accepted")
    ended = one(receiver, "incoming_call_ended")
    run.wait()
    for request in (ringing, accepted, ended):
        assert q(request)["caller"] == CALLER and q(request)["callee"] == user
    assert q(ringing)["caller_name"] == CALLER_NAME
    assert 0 <= int(q(ended)["duration"]) <= 3
    assert_quiet(receiver, 3)
    assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]


def _shared_by_two_tabs(lab, receiver, remote, user: str) -> None:
    """Two tabs of the web phone share one SharedWorker (one socket, one registration): each call
    fires once, not once per tab, and closing the tab that started the worker does not blind us."""
    hook_all(lab.host, receiver)
    _open_sockets_page(lab, "shared", user)
    first = lab.driver.current_window_handle
    _open_sockets_page(lab, "shared", user)
    second = lab.driver.current_window_handle
    run = remote.call(user, "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=600)
    one(receiver, "incoming_call_ended")
    run.wait()
    assert_quiet(receiver, 3)
    assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]

    lab.driver.switch_to.window(first)
    lab.driver.close()
    lab.driver.switch_to.window(second)
    receiver.requests.clear()
    run = remote.call(user, "uac_remote_hangup", caller="+4930999999", caller_name=CALLER_NAME, talk_ms=600)
    ended = one(receiver, "incoming_call_ended")
    run.wait()
    assert q(ended)["caller"] == "+4930999999"
    assert_quiet(receiver, 3)
    assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]


def test_a_shared_worker_of_two_tabs_fires_once_per_call(chromium, receiver, remote):
    _shared_by_two_tabs(chromium, receiver, remote, "agent207")


def test_a_shared_worker_of_two_tabs_fires_once_per_call_in_firefox(firefox, receiver, remote):
    _shared_by_two_tabs(firefox, receiver, remote, "agent208")
