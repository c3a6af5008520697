"""From a CallEvent to the values of its placeholders, as the README's placeholder table documents them."""

from __future__ import annotations

import datetime
import time

from ucc_webhooks.engine.contacts import NOT_FOUND, Contact, contact_values
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.formats import EVENT_KEY, INTERNAL_KEY, REGION_KEY
from ucc_webhooks.engine.phone_numbers import DEFAULT_INTERNAL_MAX_DIGITS, e164
from ucc_webhooks.engine.triggers import allowed_placeholders, spec

__all__ = ["SAMPLE_CONTACT", "event_values", "sample_values"]

def _whole(ts: float | None) -> int | None:
    return None if ts is None else int(ts)


def _ring_seconds(event: CallEvent) -> int | None:
    """Start to answer, or start to end for a call never answered; None while it still rings."""
    if event.started_at is None:
        return None
    stop = event.answered_at if event.answered_at is not None else event.ended_at
    return None if stop is None else max(0, int(stop - event.started_at))


def event_values(event: CallEvent, region: str | None, internal_max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS,
                 contact: Contact | None = None) -> dict[str, object]:
    """Only the placeholders the trigger offers get a value; the save-time check keeps others out.
    `contact` is what the call's lookup found (None: no lookup, nothing found).
    Keys starting with `@` carry what formats and `{event}` need (engine/formats.py)."""
    started = event.started_at
    values: dict[str, object] = {
        "callee": event.callee,
        "caller": event.caller,
        "duration": event.duration if event.duration is not None else 0,
        "user": event.user,
        "time": _whole(started),
        "direction": event.direction,
        "queue": event.queue or "",
        "caller_name": event.caller_name,
        "call_id": event.call_id,
        "answered_at": _whole(event.answered_at),
        "ended_at": _whole(event.ended_at),
        "time_iso": (
            datetime.datetime.fromtimestamp(started, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if started is not None else ""
        ),
        "caller_e164": e164(event.caller, region, internal_max_digits) if event.caller else "",
        "callee_e164": e164(event.callee, region, internal_max_digits) if event.callee else "",
        "outcome": event.outcome or "",
        "ended_by": event.ended_by or "",
        "ring_seconds": _ring_seconds(event),
        "sip_status": event.sip_status,
        "transfer_to": event.transfer_to,
        **contact_values(contact or NOT_FOUND),
    }
    result = {k: values[k] for k in allowed_placeholders(event.trigger) if k in values}  # {event}: EVENT_KEY below
    result.update({REGION_KEY: region, INTERNAL_KEY: internal_max_digits,
                   EVENT_KEY: event.model_dump(mode="json")})
    return result


#: What a sample call's lookup found: save-time checks and tests see real-looking contact values.
SAMPLE_CONTACT = Contact(True, "1001", "Anna Müller", "Example GmbH", "https://crm.example.com/contacts/1001")

#: moment -> the end-of-call data a sample call carries then
_SAMPLE_END: dict[str, dict[str, object]] = {
    "missed": {"outcome": "missed", "sip_status": 487},
    "answered_elsewhere": {"sip_status": 200},
    "transferred": {"transfer_to": "201"},
    "ended": {"outcome": "answered", "ended_by": "remote", "sip_status": 200},
}


def sample_values(trigger: str) -> dict[str, object]:
    """Values used by `webhooks.test` and by the save-time check of JSON bodies."""
    now = time.time()
    t = spec(trigger)
    incoming = t is None or t.direction != "outgoing"
    event = CallEvent(
        trigger=trigger,
        call_id="test-call@ucc-webhooks",
        direction="incoming" if incoming else "outgoing",
        queue="Support" if t is not None and t.queue == "always" else None,
        callee="200" if incoming else "+49 30 1234567",
        caller="+49 30 1234567" if incoming else "200",
        caller_name="Anna Müller" if incoming else "",
        user="agent200",
        started_at=now - 65, answered_at=now - 60, ended_at=now,
        duration=60 if t is not None and t.ended else None,
    ).model_copy(update=_SAMPLE_END.get(t.moment if t is not None else "", {}))
    return event_values(event, "DE", contact=SAMPLE_CONTACT)
