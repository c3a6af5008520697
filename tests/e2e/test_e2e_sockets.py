"""Every socket a web phone may use, in headless Chromium and Firefox with Kamailio + SIPp: a SIP WebSocket in a
dedicated Worker, in a SharedWorker (both where the origin opts in to watching workers, `watchWorkerOrigins`),
and one made with the WebSocket constructor of a fresh iframe. By default workers run as they are: a phone in a
worker works, nothing of it is seen, and the popup offers to watch that origin's workers."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.patterns import watch_workers

from .e2e_support import CALLER, CALLER_NAME, assert_quiet, fired, hook_all, one, q

pytestmark = pytest.mark.browser
@pytest.fixture
def watching(request):
    """The test's lab (its `chromium` or `firefox` fixture) with workers watched, for this test only."""
    lab = request.getfixturevalue("firefox" if "firefox" in request.fixturenames else "chromium")
    watch_workers(lab)
    yield lab
    watch_workers(lab, on=False)


def _open_sockets_page(lab, mode: str, user: str, **extra: str) -> None:
    driver = lab.driver
    driver.switch_to.new_window("tab")
    driver.get(lab.softphone.sockets_url(ws=lab.sip.ws_url, mode=mode, user=user, autoanswer="1", **extra))
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return window.labPhone && window.labPhone.events.some(e => e.type === 'registered')"))


@pytest.mark.parametrize("mode,user", [("worker", "agent201"), ("shared", "agent202")])
def test_socket_in_a_worker_is_observed_where_workers_are_watched(chromium, watching, receiver, remote, mode, user):
    _call_is_observed(chromium, receiver, remote, mode, user)


@pytest.mark.parametrize("mode,user", [("worker", "agent204"), ("shared", "agent205")])
def test_socket_in_a_worker_is_observed_where_workers_are_watched_in_firefox(firefox, watching, receiver, remote, mode, user):
    _call_is_observed(firefox, receiver, remote, mode, user)


def test_socket_from_a_fresh_iframe_is_observed(chromium, receiver, remote):
    _call_is_observed(chromium, receiver, remote, "iframe", "agent203")


def test_socket_from_a_fresh_iframe_is_observed_in_firefox(firefox, receiver, remote):
    _call_is_observed(firefox, receiver, remote, "iframe", "agent206")


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


def test_a_shared_worker_of_two_tabs_fires_once_per_call(chromium, watching, receiver, remote):
    _shared_by_two_tabs(chromium, receiver, remote, "agent207")


def test_a_shared_worker_of_two_tabs_fires_once_per_call_in_firefox(firefox, watching, receiver, remote):
    _shared_by_two_tabs(firefox, receiver, remote, "agent208")


NO_BLOB_WORKERS = "worker-src 'self'"


def _phone_in_a_worker_the_csp_keeps_from_blob_still_phones(lab, receiver, remote, mode: str, user: str) -> None:
    """A UCC server whose Content-Security-Policy refuses blob: workers: the bootstrap cannot start,
    so the page's own worker runs unwatched. The phone must work as without the extension (it
    registers, answers, hangs up); what happens in that worker cannot be seen, so nothing fires."""
    hook_all(lab.host, receiver)
    _open_sockets_page(lab, mode, user, csp=NO_BLOB_WORKERS)
    run = remote.call(user, "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=600)
    WebDriverWait(lab.driver, 15).until(
        lambda d: d.execute_script("return window.labPhone.events.some(e => e.type === 'ended')"), "the phone never got the call")
    run.wait()
    assert [e["type"] for e in lab.driver.execute_script("return window.labPhone.events")][-3:] == ["ringing", "answered", "ended"]
    assert_quiet(receiver, 2)
    # ... and the popup's log says why (the drop counts, under their own reason)
    assert lab.ext.drops()["byReason"].get("worker_unwatched_csp", 0) >= 1


@pytest.mark.parametrize("mode,user", [("worker", "agent213"), ("shared", "agent214")])
def test_a_csp_without_blob_workers_leaves_the_phone_working(chromium, watching, receiver, remote, mode, user):
    _phone_in_a_worker_the_csp_keeps_from_blob_still_phones(chromium, receiver, remote, mode, user)


@pytest.mark.parametrize("mode,user", [("worker", "agent215"), ("shared", "agent216")])
def test_a_csp_without_blob_workers_leaves_the_phone_working_in_firefox(firefox, watching, receiver, remote, mode, user):
    _phone_in_a_worker_the_csp_keeps_from_blob_still_phones(firefox, receiver, remote, mode, user)


def test_a_csp_that_allows_blob_workers_is_observed(chromium, watching, receiver, remote):
    """The control: with `blob:` allowed, the same page is observed as without a CSP."""
    hook_all(chromium.host, receiver)
    _open_sockets_page(chromium, "worker", "agent217", csp="worker-src 'self' blob:")
    run = remote.call("agent217", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=600)
    one(receiver, "incoming_call_ended")
    run.wait()
