"""The feature's vocabulary: triggers, actions, placeholders and which trigger offers which value.

UCware's manual of the built-in feature fixes six triggers and five placeholders with their
restrictions; we add triggers and placeholders beyond it with the same rules (ARCHITECTURE.md). Everything that checks
or offers a placeholder (save-time validation, the popup's chips, `hello`) reads this one table.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ACTIONS",
    "CONTENT_TYPES",
    "EITHER_DIRECTION_TRIGGERS",
    "INCOMING_TRIGGERS",
    "KINDS",
    "NUMERIC_PLACEHOLDERS",
    "OUTGOING_TRIGGERS",
    "PLACEHOLDERS",
    "TRIGGERS",
    "Action",
    "ContentType",
    "Trigger",
    "allowed_placeholders",
    "placeholder_kind",
    "unavailable_reason",
]

Trigger = Literal[
    "outgoing_call_started",
    "incoming_call_accepted",
    "queue_call_accepted",
    "incoming_call_ended",
    "outgoing_call_ended",
    "queue_call_ended",
    "incoming_call_ringing",
    "incoming_call_missed",
    "incoming_call_answered_elsewhere",
    "call_transferred",
]
Action = Literal["get", "post", "open_tab"]
ContentType = Literal["application/json", "application/x-www-form-urlencoded", "text/plain"]

TRIGGERS: tuple[str, ...] = get_args(Trigger)
ACTIONS: tuple[str, ...] = get_args(Action)
CONTENT_TYPES: tuple[str, ...] = get_args(ContentType)

OUTGOING_TRIGGERS = frozenset({"outgoing_call_started", "outgoing_call_ended"})
#: A transfer happens on incoming and outgoing calls alike: its events carry either direction.
EITHER_DIRECTION_TRIGGERS = frozenset({"call_transferred"})
# The seed's "incoming" placeholders ({caller}, {user}) are known for a transferred call too: on an
# outgoing call the caller is the agent's own number.
INCOMING_TRIGGERS = frozenset(TRIGGERS) - OUTGOING_TRIGGERS
_ENDED = frozenset(t for t in TRIGGERS if t.endswith("_ended"))
_ANSWERED = _ENDED | {"incoming_call_accepted", "queue_call_accepted", "call_transferred"}
_ALL = frozenset(TRIGGERS)
# The call is over (or, for a transfer, leaves the agent): its end-of-call data is known.
_OUTCOME = _ENDED | {"incoming_call_missed"}
_FINAL = _OUTCOME | {"incoming_call_answered_elsewhere"}
_RING_KNOWN = _FINAL | {"incoming_call_accepted", "queue_call_accepted", "call_transferred"}

_INCOMING_ONLY = "known only for incoming calls (incoming, queue, ringing and missed triggers)"

# name -> (description, triggers that offer it, why the others do not)
PLACEHOLDERS: dict[str, tuple[str, frozenset[str], str]] = {
    "callee": ("number called, incoming or outgoing", _ALL, ""),
    "caller": ("number of the caller", INCOMING_TRIGGERS, _INCOMING_ONLY),
    "duration": ("length of the call in whole seconds (talk time; 0 if never answered)", _ENDED,
                 "known only when a call has ended (*_ended triggers)"),
    "user": ("login name of the UCware user", INCOMING_TRIGGERS, _INCOMING_ONLY),
    "time": ("start of the call, Unix timestamp (seconds)", _ALL, ""),
    "direction": ("incoming or outgoing", _ALL, ""),
    "queue": ("name of the queue for a queue call, else empty", INCOMING_TRIGGERS, _INCOMING_ONLY),
    "caller_name": ("display name of the caller", INCOMING_TRIGGERS, _INCOMING_ONLY),
    "call_id": ("SIP Call-ID, unique per call", _ALL, ""),
    "answered_at": ("time the call was answered, Unix timestamp (seconds); empty if never answered", _ANSWERED,
                    "known only once a call was answered (*_accepted, *_ended and call_transferred triggers)"),
    "ended_at": ("time the call ended, Unix timestamp (seconds)", _FINAL,
                 "known only when a call has ended, was missed or was answered elsewhere"),
    "time_iso": ("start of the call, ISO 8601 in UTC (2026-11-25T07:17:46Z)", _ALL, ""),
    "caller_e164": ("caller's number in E.164 (+4930123456), empty if it cannot be parsed", INCOMING_TRIGGERS,
                    _INCOMING_ONLY),
    "callee_e164": ("callee's number in E.164 (+4930123456), empty if it cannot be parsed", _ALL, ""),
    "event": ("the whole call event as a JSON object (JSON bodies, outside quotes)", _ALL, ""),
    "outcome": ("how the call ended: answered, missed, rejected, busy, no_answer or failed", _OUTCOME,
                "known only when a call has ended or was missed (*_ended and incoming_call_missed triggers)"),
    "ended_by": ("who ended the call: local, remote, transfer, page_closed (its page was reloaded, closed or left) "
                 "or browser_closed (the browser ended during the call)", _ENDED,
                 "known only when a call has ended (*_ended triggers)"),
    "ring_seconds": ("whole seconds the call rang: start to answer, or to the end if never answered", _RING_KNOWN,
                     "known only once a call stopped ringing (not for *_started and ringing triggers)"),
    "sip_status": ("final SIP status of the call (200, 486, 603 ...) or the cause of the Reason header; "
                   "empty if unknown", _FINAL,
                   "known only when a call has ended, was missed or was answered elsewhere"),
    "transfer_to": ("number the call was transferred to (Refer-To); empty if it was not transferred",
                    _ENDED | {"call_transferred"},
                    "known only for call_transferred and *_ended triggers"),
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
}


def placeholder_kind(name: str) -> str:
    return KINDS.get(name, "text")


def allowed_placeholders(trigger: str) -> list[str]:
    return [name for name, (_, triggers, _) in PLACEHOLDERS.items() if trigger in triggers]


def unavailable_reason(name: str, trigger: str) -> str | None:
    """None when `{name}` may be used with `trigger`, else a sentence saying why not."""
    if name not in PLACEHOLDERS:
        known = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
        return f"{{{name}}} is not a known placeholder; known placeholders are {known}"
    _, triggers, why = PLACEHOLDERS[name]
    if trigger in triggers:
        return None
    return f"{{{name}}} is not available for trigger {trigger}: it is {why}"
