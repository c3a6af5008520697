"""The whole chain in headless Chromium: JsSIP page -> Kamailio <-> SIPp, the extension watching
the page's WebSocket, the native host firing webhooks at a local receiver.

One browser (and one host registration) per module; every test starts with no webhooks, no policy
file and a freshly registered softphone page.
"""

from __future__ import annotations

import time
import urllib.parse

import pytest

from ucc_webhooks_dev.lab.extension import DEFAULT_QUEUE_RULE

from .e2e_support import (
    CALLER,
    CALLER_NAME,
    TRIGGERS,
    assert_quiet,
    fired,
    hook_all,
    one,
    q,
    raw_query_value,
)

pytestmark = pytest.mark.browser


def _timestamps_ok(query: dict[str, str], t0: float, t1: float) -> None:
    assert t0 - 2 <= int(query["time"]) <= t1 + 1, (query["time"], t0, t1)


# -- the eight triggers ------------------------------------------------------------------------
def test_incoming_direct_call_fires_ringing_accepted_ended(chromium, receiver, remote):
    assert chromium.page.observed()
    hook_all(chromium.host, receiver)
    t0 = time.time()
    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=1500)
    ringing = one(receiver, "incoming_call_ringing")
    chromium.page.answer()
    accepted = one(receiver, "incoming_call_accepted")
    ended = one(receiver, "incoming_call_ended")
    run.wait()
    t1 = time.time()

    for request in (ringing, accepted, ended):
        assert request.method == "GET"
        query = q(request)
        assert query["caller"] == CALLER
        assert raw_query_value(request, "caller") == "%2B4930123456"  # "+" would read as a space
        assert query["caller_name"] == CALLER_NAME
        assert "&" not in urllib.parse.unquote_plus(raw_query_value(request, "caller_name")).replace(CALLER_NAME, "")
        assert query["callee"] == "agent200"
        assert query["user"] == "agent200"
        assert query["direction"] == "incoming"
        assert query["queue"] == ""
        assert query["call_id"] == chromium.page.calls()[0]["callId"]
        _timestamps_ok(query, t0, t1)
        assert request.header("webhook-id") and request.header("webhook-timestamp")
    assert 1 <= int(q(ended)["duration"]) <= 3
    assert len({r.header("webhook-id") for r in (ringing, accepted, ended)}) == 3
    assert_quiet(receiver, 3)
    assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]


def test_queue_call_by_header_fires_queue_triggers_and_hold_fires_nothing(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_page_hangup", caller=CALLER, caller_name="Anna",
                      headers={"X-Queue": "Support"})
    assert q(one(receiver, "incoming_call_ringing"))["queue"] == "Support"
    chromium.page.answer()
    accepted = one(receiver, "queue_call_accepted")
    assert q(accepted)["queue"] == "Support" and q(accepted)["caller"] == CALLER
    chromium.page.hold()  # re-INVITE inside the dialog: not a new call
    chromium.page.wait_event("hold", 0)
    chromium.page.unhold()
    chromium.page.wait_event("unhold", 0)
    chromium.page.hangup()
    ended = one(receiver, "queue_call_ended")
    run.wait()
    assert q(ended)["queue"] == "Support"
    assert_quiet(receiver, 3)
    assert sorted(fired(receiver)) == ["incoming_call_ringing", "queue_call_accepted", "queue_call_ended"]


def test_queue_call_by_display_name_rule(chromium, receiver, remote):
    chromium.ext.configure({"queueRule": {"header": None, "displayNamePattern": "^(Hotline):"}}, wait_for_origins=False)
    try:
        chromium.reload_page()  # the page gets the rule with its observer
        hook_all(chromium.host, receiver)
        run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, caller_name="Hotline: Anna",
                          headers={"X-Queue": "Ignored"}, talk_ms=800)
        one(receiver, "incoming_call_ringing")
        chromium.page.answer()
        assert q(one(receiver, "queue_call_accepted"))["queue"] == "Hotline"
        assert q(one(receiver, "queue_call_ended"))["queue"] == "Hotline"
        run.wait()
        assert_quiet(receiver, 3)
    finally:
        chromium.ext.configure({"queueRule": DEFAULT_QUEUE_RULE}, wait_for_origins=False)


def test_outgoing_call_fires_started_and_ended_with_duration(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    target = remote.serve("uas_answer_hangup", number="0301234567", talk_ms=1500)
    t0 = time.time()
    index = chromium.page.call(target.uri)
    started = one(receiver, "outgoing_call_started")
    ended = one(receiver, "outgoing_call_ended")
    target.wait()
    assert chromium.page.wait_event("ended", index)
    for request in (started, ended):
        query = q(request)
        assert query["callee"] == "0301234567" and query["direction"] == "outgoing"
        assert "caller" not in query  # not offered for outgoing triggers
        _timestamps_ok(query, t0, time.time())
    assert 1 <= int(q(ended)["duration"]) <= 3
    assert_quiet(receiver, 2)


def test_outgoing_call_on_hold_fires_only_started_and_ended(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    target = remote.serve("uas_answer", number="304")
    index = chromium.page.call(target.uri)
    chromium.page.wait_event("confirmed", index)
    chromium.page.hold(index)
    chromium.page.wait_event("hold", index)
    chromium.page.unhold(index)
    chromium.page.wait_event("unhold", index)
    chromium.page.hangup(index)
    one(receiver, "outgoing_call_ended")
    target.wait()
    assert_quiet(receiver, 2)
    assert fired(receiver) == ["outgoing_call_started", "outgoing_call_ended"]


def test_outgoing_call_rejected_486_ends_with_duration_zero(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    target = remote.serve("uas_reject", number="302")
    index = chromium.page.call(target.uri)
    one(receiver, "outgoing_call_started")
    assert q(one(receiver, "outgoing_call_ended"))["duration"] == "0"
    target.wait()
    assert chromium.page.wait_event("failed", index)[0]["detail"]["status"] == 486
    assert_quiet(receiver, 2)


def test_outgoing_call_cancelled_by_the_page_ends(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    target = remote.serve("uas_ring", number="303")
    index = chromium.page.call(target.uri)
    one(receiver, "outgoing_call_started")
    chromium.page.wait_event("progress", index)
    chromium.page.hangup(index)
    assert q(one(receiver, "outgoing_call_ended"))["duration"] == "0"
    target.wait()
    assert_quiet(receiver, 2)


def test_incoming_call_cancelled_by_the_caller_is_missed(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, caller_name=CALLER_NAME, talk_ms=500)
    one(receiver, "incoming_call_ringing")
    missed = one(receiver, "incoming_call_missed")
    run.wait()
    assert q(missed)["caller"] == CALLER and q(missed)["caller_name"] == CALLER_NAME
    assert_quiet(receiver, 2)


def test_incoming_call_rejected_with_486_is_missed(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_rejected", caller=CALLER)
    one(receiver, "incoming_call_ringing")
    chromium.page.reject(status=486)
    assert q(one(receiver, "incoming_call_missed"))["caller"] == CALLER
    run.wait()
    assert_quiet(receiver, 2)


def test_queue_call_missed_carries_the_queue(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    run = remote.call("agent200", "uac_cancel", caller=CALLER, headers={"X-Queue": "Sales"}, talk_ms=500)
    assert q(one(receiver, "incoming_call_missed"))["queue"] == "Sales"
    run.wait()


def test_two_calls_at_once_each_fire_their_own(chromium, receiver, remote):
    hook_all(chromium.host, receiver)
    first = remote.call("agent200", "uac_page_hangup", caller="+4930111111", caller_name="First")
    second = remote.call("agent200", "uac_page_hangup", caller="+4930222222", caller_name="Second")
    page = chromium.page
    page.wait_calls(2)
    receiver.wait_for(2, path="/hook/incoming_call_ringing")
    by_caller = {c["remote"]: c["index"] for c in page.calls()}
    page.answer(by_caller["+4930111111"])
    page.answer(by_caller["+4930222222"])
    accepted = receiver.wait_for(2, path="/hook/incoming_call_accepted")
    page.hangup(by_caller["+4930222222"])
    page.hangup(by_caller["+4930111111"])
    ended = receiver.wait_for(2, path="/hook/incoming_call_ended")
    first.wait()
    second.wait()
    call_ids = {c["remote"]: c["callId"] for c in page.calls()}
    for requests in (accepted, ended):
        assert {(q(r)["caller"], q(r)["call_id"]) for r in requests} == set(call_ids.items())
    assert_quiet(receiver, 6)


def test_p_asserted_identity_wins_over_from_and_numbers_get_e164(chromium, receiver, remote):
    """A PBX puts the real caller in P-Asserted-Identity and dials national numbers ("030…")."""
    chromium.host.add("incoming_call_ringing", "get",
                      receiver.url("/pai?c={caller}&e={caller_e164}&n={caller_name}"))
    run = remote.call("agent200", "uac_cancel", caller="trunk", caller_name="Trunk", talk_ms=300,
                      headers={"P-Asserted-Identity": '"Bäckerei Schmidt" <sip:030123456@127.0.0.1>'})
    got = q(receiver.wait_for(1, path="/pai")[0])
    run.wait()
    assert got == {"c": "030123456", "e": "+4930123456", "n": "Bäckerei Schmidt"}


def test_user_name_setting_overrides_the_registered_user(chromium, receiver, remote):
    chromium.ext.configure({"userName": "anna.schmidt"}, wait_for_origins=False)
    try:
        chromium.reload_page()
        chromium.host.add("incoming_call_ringing", "get", receiver.url("/ring?user={user}"))
        run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
        assert q(receiver.wait_for(1, path="/ring")[0])["user"] == "anna.schmidt"
        run.wait()
    finally:
        chromium.ext.configure({"userName": ""}, wait_for_origins=False)


def test_every_trigger_is_covered_above():
    """Guard: if a ninth trigger appears, this module must grow a test for it."""
    assert len(TRIGGERS) == 8
