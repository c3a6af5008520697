"""Conditions of a webhook: whose calls it fires for (3CX's `SkipIf`, Wildix's "not for internal
callers"). A webhook whose conditions do not hold for an event fires nothing and logs nothing.

- `numbers`: `any`, `external` or `internal`, judged on the other party's number (the caller of
  an incoming call, the callee of an outgoing one); internal = 1 to `internal_max_digits` digits,
  the rule that also decides who gets no E.164 form (values.is_internal).
- `queues`: queue names (compared without regard to case); empty = any call. Only for triggers
  that can carry a queue: the queue triggers, ringing and missed.
- `min_duration`: seconds of talk time at least; only for `*_ended` triggers.
- `contact`: `any`, `found`, `not_found` or `unknown_caller`: whether the call's lookup found the
  caller in the CRM ("log on the contact when found, without it when not"); `unknown_caller` only
  when the CRM answered that it does not know the number ("create the contact"): not for a
  withheld number, nor when the lookup failed, nor for a call no lookup ran for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.phone_numbers import DEFAULT_INTERNAL_MAX_DIGITS, is_internal
from ucc_webhooks.engine.triggers import conditions_for

if TYPE_CHECKING:
    from ucc_webhooks.engine.contacts import Contact
    from ucc_webhooks.engine.events import CallEvent

__all__ = ["Conditions", "check_conditions", "conditions_hold", "meeting_conditions"]

class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: Literal["any", "external", "internal"] = "any"
    queues: list[str] = Field(default_factory=list, max_length=100)
    min_duration: int | None = Field(default=None, ge=0, le=86400)
    contact: Literal["any", "found", "not_found", "unknown_caller"] = "any"

    @field_validator("queues")
    @classmethod
    def _queues(cls, v: list[str]) -> list[str]:
        names = [q.strip() for q in v]
        if any(not q or len(q) > 200 for q in names):
            raise ValueError("queue names must be 1 to 200 characters")
        return list(dict.fromkeys(names))

    @property
    def is_default(self) -> bool:
        return self.numbers == "any" and not self.queues and self.min_duration is None and self.contact == "any"


def check_conditions(conditions: Conditions, trigger: str) -> None:
    """Save time: refuse conditions that could never be judged for the trigger."""
    allowed = conditions_for(trigger)
    if conditions.min_duration is not None and "min_duration" not in allowed:
        raise InvalidInput(
            f"conditions.min_duration needs a trigger where the call has ended (*_ended), not {trigger}",
            "conditions", "conditions_min_duration_trigger", {"trigger": trigger})
    if conditions.queues and "queues" not in allowed:
        raise InvalidInput(
            f"conditions.queues needs a trigger that can carry a queue (queue, ringing, missed), not {trigger}",
            "conditions", "conditions_queues_trigger", {"trigger": trigger})


def conditions_hold(conditions: Conditions, event: CallEvent,
                    internal_max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS, contact: Contact | None = None) -> bool:
    """`contact`: what the call's lookup found (None: no lookup ran for the call, so nothing was found)."""
    if conditions.contact == "unknown_caller":
        if not (contact and contact.unknown_caller):
            return False
    elif conditions.contact != "any" and (conditions.contact == "found") != bool(contact and contact.found):
        return False
    if conditions.numbers != "any":
        other = event.caller if event.direction == "incoming" else event.callee
        if is_internal(other, internal_max_digits) != (conditions.numbers == "internal"):
            return False
    if conditions.queues:
        queue = (event.queue or "").casefold()
        if queue not in {q.casefold() for q in conditions.queues}:
            return False
    return conditions.min_duration is None or (event.duration or 0) >= conditions.min_duration


def meeting_conditions(webhooks: list, event: CallEvent, internal_max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS,
                       contact: Contact | None = None) -> list:
    """The webhooks (engine.models.Webhook) whose conditions hold for `event`."""
    return [w for w in webhooks if conditions_hold(w.conditions, event, internal_max_digits, contact)]
