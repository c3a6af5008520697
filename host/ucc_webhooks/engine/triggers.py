"""The feature's vocabulary: triggers, actions, placeholders and which trigger offers which value.

UCware's manual of the built-in feature fixes six triggers and five placeholders with their
restrictions; we add triggers and placeholders beyond it with the same rules (ARCHITECTURE.md).
Everything that checks or offers a trigger, a placeholder or a condition (save-time validation,
the call event's checks, `hello` and through it the popup, the CLI's choices) reads these tables:
a new trigger is one `TriggerSpec` here, the page's state machine that emits it, and its labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from ucc_webhooks.engine.errors import InvalidInput

__all__ = [
    "ACTIONS",
    "CONTENT_TYPES",
    "KINDS",
    "NUMERIC_PLACEHOLDERS",
    "PLACEHOLDERS",
    "Action",
    "ContentType",
    "TriggerSpec",
    "actions_for",
    "allowed_placeholders",
    "conditions_for",
    "define",
    "known_trigger",
    "placeholder_kind",
    "spec",
    "trigger_ids",
    "unavailable_reason",
]

Direction = Literal["incoming", "outgoing", "either"]
#: The moment of a call a trigger marks; what is known of the call then follows from it.
Moment = Literal["started", "ringing", "accepted", "transferred", "missed", "answered_elsewhere", "ended"]


@dataclass(frozen=True)
class TriggerSpec:
    """One trigger: everything the host, the popup and the docs need to know of it follows from
    its direction, the moment it marks, and whether its calls can come through a queue."""

    id: str
    direction: Direction
    moment: Moment
    queue: Literal["never", "maybe", "always"]

    @property
    def ended(self) -> bool:
        return self.moment == "ended"

    @property
    def answered(self) -> bool:
        """The call was answered by then (`answered_at` is known)."""
        return self.moment in ("accepted", "transferred", "ended")

    @property
    def final(self) -> bool:
        """The call is over for this device (`ended_at`, `sip_status`)."""
        return self.moment in ("ended", "missed", "answered_elsewhere")


# The seed's six triggers, then ours (ARCHITECTURE.md, "The call model"). A transfer happens on
# incoming and outgoing calls alike: its events carry either direction.
_SPECS: dict[str, TriggerSpec] = {s.id: s for s in (
    TriggerSpec("outgoing_call_started", "outgoing", "started", "never"),
    TriggerSpec("incoming_call_accepted", "incoming", "accepted", "never"),
    TriggerSpec("queue_call_accepted", "incoming", "accepted", "always"),
    TriggerSpec("incoming_call_ended", "incoming", "ended", "never"),
    TriggerSpec("outgoing_call_ended", "outgoing", "ended", "never"),
    TriggerSpec("queue_call_ended", "incoming", "ended", "always"),
    TriggerSpec("incoming_call_ringing", "incoming", "ringing", "maybe"),
    TriggerSpec("incoming_call_missed", "incoming", "missed", "maybe"),
    TriggerSpec("incoming_call_answered_elsewhere", "incoming", "answered_elsewhere", "maybe"),
    TriggerSpec("call_transferred", "either", "transferred", "never"),
)}


def define(trigger: TriggerSpec) -> None:
    """Add a trigger (or replace one of the same id): every rule, `hello` and the popup take it
    from here. The page's state machine must emit it, and the extension's locales label it."""
    _SPECS[trigger.id] = trigger
    _OFFERED.clear()


def trigger_ids() -> tuple[str, ...]:
    return tuple(_SPECS)


def spec(trigger: str) -> TriggerSpec | None:
    return _SPECS.get(trigger)


def known_trigger(value: str) -> str:
    """The id itself, when the table knows it (pydantic models check their `trigger` with this)."""
    if value not in _SPECS:
        expected = ", ".join(_SPECS)
        raise InvalidInput(f"trigger must be one of {expected} (got {value!r})", "trigger", "not_one_of",
                           {"field": "trigger", "expected": expected, "got": str(value)[:80]})
    return value


Action = Literal["get", "post", "open_tab", "lookup"]
ContentType = Literal["application/json", "application/x-www-form-urlencoded", "text/plain"]

ACTIONS: tuple[str, ...] = get_args(Action)
CONTENT_TYPES: tuple[str, ...] = get_args(ContentType)

Offered = Callable[[TriggerSpec], bool]


def _all(t: TriggerSpec) -> bool:
    return True


def _incoming(t: TriggerSpec) -> bool:
    # The seed's "incoming" placeholders ({caller}, {user}) are known for a transferred call too: on an
    # outgoing call the caller is the agent's own number.
    return t.direction != "outgoing"


def _ended(t: TriggerSpec) -> bool:
    return t.ended


def _answered(t: TriggerSpec) -> bool:
    return t.answered


def _outcome(t: TriggerSpec) -> bool:
    return t.moment in ("ended", "missed")


def _final(t: TriggerSpec) -> bool:
    return t.final


def _ring_known(t: TriggerSpec) -> bool:
    return t.final or t.answered


def _transfer_known(t: TriggerSpec) -> bool:
    return t.moment in ("ended", "transferred")


_INCOMING_ONLY = "known only for incoming calls (incoming, queue, ringing and missed triggers)"

# name -> (description, which triggers offer it, why the others do not)
PLACEHOLDERS: dict[str, tuple[str, Offered, str]] = {
    "callee": ("number called, incoming or outgoing", _all, ""),
    "caller": ("number of the caller", _incoming, _INCOMING_ONLY),
    "duration": ("length of the call in whole seconds (talk time; 0 if never answered)", _ended,
                 "known only when a call has ended (*_ended triggers)"),
    "user": ("login name of the UCware user", _incoming, _INCOMING_ONLY),
    "time": ("start of the call, Unix timestamp (seconds)", _all, ""),
    "direction": ("incoming or outgoing", _all, ""),
    "queue": ("name of the queue for a queue call, else empty", _incoming, _INCOMING_ONLY),
    "caller_name": ("display name of the caller", _incoming, _INCOMING_ONLY),
    "call_id": ("SIP Call-ID, unique per call", _all, ""),
    "answered_at": ("time the call was answered, Unix timestamp (seconds); empty if never answered", _answered,
                    "known only once a call was answered (*_accepted, *_ended and call_transferred triggers)"),
    "ended_at": ("time the call ended, Unix timestamp (seconds)", _final,
                 "known only when a call has ended, was missed or was answered elsewhere"),
    "time_iso": ("start of the call, ISO 8601 in UTC (2026-11-25T07:17:46Z)", _all, ""),
    "caller_e164": ("caller's number in E.164 (+4930123456), empty if it cannot be parsed", _incoming,
                    _INCOMING_ONLY),
    "callee_e164": ("callee's number in E.164 (+4930123456), empty if it cannot be parsed", _all, ""),
    "event": ("the whole call event as a JSON object (JSON bodies, outside quotes)", _all, ""),
    "outcome": ("how the call ended: answered, missed, rejected, busy, no_answer or failed", _outcome,
                "known only when a call has ended or was missed (*_ended and incoming_call_missed triggers)"),
    "ended_by": ("who ended the call: local, remote, transfer, page_closed (its page was reloaded, closed or left) "
                 "or browser_closed (the browser ended during the call)", _ended,
                 "known only when a call has ended (*_ended triggers)"),
    "ring_seconds": ("whole seconds the call rang: start to answer, or to the end if never answered", _ring_known,
                     "known only once a call stopped ringing (not for *_started and ringing triggers)"),
    "sip_status": ("final SIP status of the call (200, 486, 603 ...) or the cause of the Reason header; "
                   "empty if unknown", _final,
                   "known only when a call has ended, was missed or was answered elsewhere"),
    "transfer_to": ("number the call was transferred to (Refer-To); empty if it was not transferred",
                    _transfer_known, "known only for call_transferred and *_ended triggers"),
    # The CRM loop: what the call's lookup found (engine/contacts.py); every webhook of the call may use them.
    "contact_id": ("the caller's id in the CRM, as the call's lookup found it; empty (null in JSON) if not found",
                   _all, ""),
    "contact_name": ("the contact's name, as the call's lookup found it", _all, ""),
    "contact_company": ("the contact's company, as the call's lookup found it", _all, ""),
    "contact_url": ("the contact's record in the CRM (a URL); alone as an open_tab URL it opens the record", _all, ""),
    "contact_found": ("true when the call's lookup found a contact, else false", _all, ""),
}

#: Values that are numbers: in a JSON body outside quotes they are written as JSON numbers.
NUMERIC_PLACEHOLDERS = frozenset({"duration", "time", "answered_at", "ended_at", "ring_seconds", "sip_status"})


#: name -> kind; the kind decides the formats a placeholder takes (engine/formats.py). Not listed:
#: "text" (no formats). A kind may be declared before its placeholder exists (ring_seconds).
KINDS: dict[str, str] = {
    "time": "time", "answered_at": "time", "ended_at": "time",
    "duration": "duration", "ring_seconds": "duration",
    "caller": "number", "callee": "number", "transfer_to": "number",
    "event": "event",
    "contact_found": "boolean",
}


def placeholder_kind(name: str) -> str:
    return KINDS.get(name, "text")


#: trigger -> the placeholders it offers: asked at every event, so worked out once per trigger
_OFFERED: dict[str, tuple[str, ...]] = {}


def allowed_placeholders(trigger: str) -> tuple[str, ...]:
    offered = _OFFERED.get(trigger)
    if offered is None:
        t = _SPECS.get(trigger)
        offered = () if t is None else tuple(name for name, (_, test, _) in PLACEHOLDERS.items() if test(t))
        _OFFERED[trigger] = offered
    return offered


def unavailable_reason(name: str, trigger: str) -> str | None:
    """None when `{name}` may be used with `trigger`, else a sentence saying why not."""
    if name not in PLACEHOLDERS:
        known = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
        return f"{{{name}}} is not a known placeholder; known placeholders are {known}"
    _, offered, why = PLACEHOLDERS[name]
    t = _SPECS.get(trigger)
    if t is not None and offered(t):
        return None
    return f"{{{name}}} is not available for trigger {trigger}: it is {why}"


def conditions_for(trigger: str) -> list[str]:
    """The conditions a webhook of this trigger may have (engine/conditions.py judges them):
    `numbers` always, `queues` where its calls can come through a queue, `min_duration` once the
    call has ended, `contact` (found or not by the call's lookup) always."""
    t = _SPECS.get(trigger)
    if t is None:
        return []
    return (["numbers"] + (["queues"] if t.queue != "never" else []) + (["min_duration"] if t.ended else [])
            + ["contact"])


#: The moments at which a lookup may run: before the call is answered (a screen pop and the caller
#: card need the contact then), or on answer for set-ups that look up only then.
_LOOKUP_MOMENTS = ("started", "ringing", "accepted")


def actions_for(trigger: str) -> list[str]:
    """The actions a webhook of this trigger may have: every one, but a lookup only where it can
    still serve the rest of the call."""
    t = _SPECS.get(trigger)
    if t is None:
        return []
    return [a for a in ACTIONS if a != "lookup" or t.moment in _LOOKUP_MOMENTS]
