"""Calls as desks make them, in headless Chromium with Kamailio + SIPp: end-of-call data (outcome,
ended_by, ring_seconds, sip_status), answered elsewhere, busy, the agent rejecting, P-Asserted-Identity,
hold/resume and a blind transfer."""

from __future__ import annotations

import pytest

from ucc_webhooks_dev.lab.receiver import Receiver

from .e2e_support import CALLER, assert_quiet, fired, one, q

pytestmark = pytest.mark.browser

END = "outcome={outcome}&ended_by={ended_by}&ring_seconds={ring_seconds}&sip_status={sip_status}&duration={duration}"


def hook(host, receiver: Receiver, trigger: str, query: str) -> None:
    host.add(trigger, "get", receiver.url(f"/hook/{trigger}") + "?" + query, name=f"e2e {trigger}")


def test_answered_on_another_device_fires_answered_elsewhere_never_missed(chromium, receiver, remote):
    hook(chromium.host, receiver, "incoming_call_missed", "caller={caller}")
    hook(chromium.host, receiver, "incoming_call_answered_elsewhere",
         "caller={caller}&sip_status={sip_status}&ring_seconds={ring_seconds}")
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=1200,
                      cancel_headers={"Reason": 'SIP;cause=200;text="Call completed elsewhere"'})
    elsewhere = q(one(receiver, "incoming_call_answered_elsewhere"))
    run.wait()
    assert elsewhere["caller"] == CALLER and elsewhere["sip_status"] == "200"
    assert 1 <= int(elsewhere["ring_seconds"]) <= 3
    assert_quiet(receiver, 1)


def test_outgoing_busy_is_outcome_busy_ended_by_remote(chromium, receiver, remote):
    hook(chromium.host, receiver, "outgoing_call_ended", END)
    target = remote.serve("uas_reject", number="302")
    chromium.page.call(target.uri)
    ended = q(one(receiver, "outgoing_call_ended"))
    target.wait()
    assert (ended["outcome"], ended["ended_by"], ended["sip_status"], ended["duration"]) == ("busy", "remote", "486", "0")


def test_agent_rejects_is_missed_with_outcome_rejected(chromium, receiver, remote):
    hook(chromium.host, receiver, "incoming_call_missed", "outcome={outcome}&sip_status={sip_status}")
    run = remote.call("agent200", "uac_rejected", caller=CALLER)
    chromium.page.wait_calls(1)
    chromium.page.reject(status=486)
    missed = q(one(receiver, "incoming_call_missed"))
    run.wait()
    assert (missed["outcome"], missed["sip_status"]) == ("rejected", "486")


def test_p_asserted_identity_wins_and_hold_resume_change_nothing(chromium, receiver, remote):
    for trigger in ("incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"):
        hook(chromium.host, receiver, trigger, "caller={caller}&caller_name={caller_name}" +
             ("&" + END if trigger.endswith("_ended") else ""))
    run = remote.call("agent200", "uac_page_hangup", caller="999", caller_name="Trunk",
                      headers={"P-Asserted-Identity": '"Erika Muster" <sip:+4940555777@127.0.0.1>'})
    ringing = q(one(receiver, "incoming_call_ringing"))
    assert (ringing["caller"], ringing["caller_name"]) == ("+4940555777", "Erika Muster")
    chromium.page.answer()
    one(receiver, "incoming_call_accepted")
    chromium.page.hold()
    chromium.page.unhold()
    chromium.page.hangup()
    ended = q(one(receiver, "incoming_call_ended"))
    run.wait()
    assert (ended["outcome"], ended["ended_by"], ended["sip_status"]) == ("answered", "local", "200")
    assert_quiet(receiver, 3)
    assert fired(receiver) == ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]


def test_blind_transfer_fires_call_transferred_then_ended_by_transfer(chromium, receiver, remote):
    hook(chromium.host, receiver, "call_transferred", "transfer_to={transfer_to}&direction={direction}")
    hook(chromium.host, receiver, "incoming_call_ended", END + "&transfer_to={transfer_to}")
    run = remote.call("agent200", "uac_transfer", caller=CALLER)
    chromium.page.wait_calls(1)
    chromium.page.answer()
    chromium.page.wait_event("confirmed", 0)
    chromium.page.refer("201")
    transferred = q(one(receiver, "call_transferred"))
    ended = q(one(receiver, "incoming_call_ended"))
    run.wait()
    assert (transferred["transfer_to"], transferred["direction"]) == ("201", "incoming")
    assert (ended["ended_by"], ended["transfer_to"], ended["outcome"]) == ("transfer", "201", "answered")
    assert_quiet(receiver, 2)


def test_407_challenged_invite_is_one_call(chromium, receiver, remote):
    hook(chromium.host, receiver, "outgoing_call_started", "callee={callee}")
    hook(chromium.host, receiver, "outgoing_call_ended", END)
    target = remote.serve("uas_challenge", number="0301234567", talk_ms=1200)
    chromium.page.call(target.uri)
    one(receiver, "outgoing_call_started")
    ended = q(one(receiver, "outgoing_call_ended"))
    target.wait()
    assert (ended["outcome"], ended["ended_by"], ended["sip_status"]) == ("answered", "remote", "200")
    assert 1 <= int(ended["duration"]) <= 3
    assert_quiet(receiver, 2)


def test_compact_headers_with_p_asserted_identity(chromium, receiver, remote):
    for trigger in ("incoming_call_ringing", "incoming_call_ended"):
        hook(chromium.host, receiver, trigger, "caller={caller}&caller_name={caller_name}&callee={callee}")
    run = remote.call("agent200", "uac_compact", caller="0800", caller_name="Gateway", talk_ms=800,
                      headers={"P-Asserted-Identity": '"Bernd Sohn" <tel:+49-221-555>'})
    ringing = q(one(receiver, "incoming_call_ringing"))
    assert (ringing["caller"], ringing["caller_name"], ringing["callee"]) == ("+49221555", "Bernd Sohn", "agent200")
    chromium.page.answer()
    assert q(one(receiver, "incoming_call_ended"))["caller"] == "+49221555"
    run.wait()
