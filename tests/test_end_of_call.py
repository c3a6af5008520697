"""End-of-call data (outcome, ended_by, ring_seconds, sip_status, transfer_to) and the two new triggers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.models import WebhookInput
from ucc_webhooks.engine.triggers import allowed_placeholders, trigger_ids
from ucc_webhooks.engine.values import event_values, sample_values
from ucc_webhooks.native.hello import vocabulary

TRIGGERS = trigger_ids()

ENDED = {"incoming_call_ended", "outgoing_call_ended", "queue_call_ended"}

OFFERED = {  # placeholder -> the triggers that offer it (the table)
    "outcome": ENDED | {"incoming_call_missed"},
    "ended_by": ENDED,
    "sip_status": ENDED | {"incoming_call_missed", "incoming_call_answered_elsewhere"},
    "transfer_to": ENDED | {"call_transferred"},
    "ring_seconds": set(TRIGGERS) - {"outgoing_call_started", "incoming_call_ringing"},
}


@pytest.mark.parametrize("name", list(OFFERED))
def test_end_of_call_placeholders_are_offered_where_known(name):
    for trigger in TRIGGERS:
        assert (name in allowed_placeholders(trigger)) == (trigger in OFFERED[name]), (name, trigger)
        url = f"https://crm.example.com/log?v={{{name}}}"
        if trigger in OFFERED[name]:
            WebhookInput(trigger=trigger, action="get", url=url)
        else:
            with pytest.raises(ValidationError, match=rf"\{{{name}\}} is not available for trigger {trigger}"):
                WebhookInput(trigger=trigger, action="get", url=url)


def test_hello_names_the_new_triggers_and_their_direction():
    by_id = {t["id"]: t for t in vocabulary()["triggers"]}
    assert by_id["incoming_call_answered_elsewhere"]["direction"] == "incoming"
    assert by_id["call_transferred"]["direction"] == "either"
    assert "transfer_to" in by_id["call_transferred"]["placeholders"]
    assert "outcome" in by_id["incoming_call_answered_elsewhere"]["unavailable"]


def event(trigger: str, **kw) -> CallEvent:
    base = {"call_id": "c1", "direction": "outgoing" if trigger.startswith("outgoing") else "incoming",
            "callee": "200", "caller": "100", "started_at": 1000.4}
    return CallEvent(trigger=trigger, **{**base, **kw})


def test_values_of_a_busy_outgoing_call():
    values = event_values(event("outgoing_call_ended", ended_at=1007.9, duration=0, outcome="busy",
                                ended_by="remote", sip_status=486), None)
    assert values["outcome"] == "busy" and values["ended_by"] == "remote" and values["sip_status"] == 486
    assert values["ring_seconds"] == 7  # never answered: start to end
    assert values["transfer_to"] == ""


def test_ring_seconds_is_start_to_answer_for_an_answered_call():
    values = event_values(event("incoming_call_ended", answered_at=1012.0, ended_at=1100.0, duration=88,
                                outcome="answered", ended_by="transfer", sip_status=200, transfer_to="201"), None)
    assert values["ring_seconds"] == 11 and values["ended_by"] == "transfer" and values["transfer_to"] == "201"


@pytest.mark.parametrize("ended_by", ["page_closed", "browser_closed"])
def test_an_end_the_extension_made_up_for_a_page_or_browser_that_went_away(ended_by):
    """bg/open_calls.js ends a call whose page went away (reload, close) or whose browser ended."""
    values = event_values(event("incoming_call_ended", answered_at=1010.0, ended_at=1040.5, duration=30,
                                outcome="answered", ended_by=ended_by, sip_status=200), None)
    assert values["ended_by"] == ended_by and values["duration"] == 30


def test_an_old_extension_without_end_of_call_data_renders_empty():
    values = event_values(event("incoming_call_missed", ended_at=1003.0), None)
    assert values["outcome"] == "" and values["sip_status"] is None and values["ring_seconds"] == 2


@pytest.mark.parametrize("bad", [{"outcome": "hung_up"}, {"ended_by": "nobody"}, {"sip_status": 42},
                                 {"transfer_to": "9" * 300}])
def test_bad_end_of_call_fields_are_refused(bad):
    with pytest.raises(ValidationError):
        event("outgoing_call_ended", ended_at=1001.0, duration=0, **bad)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_trigger_has_sample_values_for_what_it_offers(trigger):
    # `@` keys carry what formats and {event} need; {event} itself is filled from `@event`
    offered = {k for k in sample_values(trigger) if not k.startswith("@")} | {"event"}
    assert offered == set(allowed_placeholders(trigger))
