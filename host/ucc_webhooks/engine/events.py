"""The call event: what the extension saw in the page, validated on arrival."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.triggers import known_trigger, spec

__all__ = ["ENDED_BY", "OUTCOMES", "CallEvent", "Trigger"]

#: A trigger id, checked against the trigger table (engine/triggers.py) when a model is validated.
Trigger = Annotated[str, AfterValidator(known_trigger)]

Outcome = Literal["answered", "missed", "rejected", "busy", "no_answer", "failed"]
EndedBy = Literal["local", "remote", "transfer", "page_closed", "browser_closed"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ENDED_BY: tuple[str, ...] = get_args(EndedBy)


class CallEvent(BaseModel):
    """What the extension saw in the page (ARCHITECTURE.md, "The call model")."""

    model_config = ConfigDict(extra="ignore", str_max_length=4096)

    trigger: Trigger
    call_id: str = Field(min_length=1, max_length=512)
    direction: Literal["incoming", "outgoing"]
    queue: str | None = None
    callee: str = ""
    caller: str = ""
    caller_name: str = ""
    user: str = ""
    started_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    duration: int | None = Field(default=None, ge=0)
    # End-of-call data (absent from older extensions: None, rendered empty).
    outcome: Outcome | None = None
    ended_by: EndedBy | None = None
    sip_status: int | None = Field(default=None, ge=100, le=699)
    transfer_to: str = Field(default="", max_length=256)

    @field_validator("callee", "caller", "caller_name", "user", "transfer_to", mode="before")
    @classmethod
    def _none_is_empty(cls, v: object) -> object:
        return "" if v is None else v

    @model_validator(mode="after")
    def _fits_its_trigger(self) -> CallEvent:
        """The direction, queue and duration its trigger implies (call_transferred carries either direction)."""
        t = spec(self.trigger)
        if t is not None and t.direction != "either" and self.direction != t.direction:
            raise InvalidInput(f"direction must be {t.direction} for {self.trigger}", "direction", "event_direction",
                               {"trigger": self.trigger, "direction": t.direction})
        if t is not None and t.queue == "always" and not self.queue:
            raise InvalidInput(f"{self.trigger} needs the queue name", "queue", "event_queue_missing",
                               {"trigger": self.trigger})
        if t is not None and t.ended != (self.duration is not None):
            raise InvalidInput(f"duration: whole seconds are required for {self.trigger}" if t.ended else
                               f"duration: only *_ended triggers carry a duration, not {self.trigger}",
                               "duration", "event_duration", {"trigger": self.trigger})
        return self

    @property
    def occurred_at(self) -> float | None:
        """When the trigger's moment happened: used to drop screen pops that would come too late."""
        t = spec(self.trigger)
        moment = t.moment if t is not None else "started"
        if t is not None and t.final:
            return self.ended_at or self.started_at
        if moment == "transferred":
            return self.ended_at or self.answered_at or self.started_at
        if moment == "accepted":
            return self.answered_at or self.started_at
        return self.started_at
