"""The call event: what the extension saw in the page, validated on arrival."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ucc_webhooks.engine.triggers import Trigger

__all__ = ["ENDED_BY", "OUTCOMES", "CallEvent"]

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

    @property
    def occurred_at(self) -> float | None:
        """When the trigger's moment happened: used to drop screen pops that would come too late."""
        if self.trigger.endswith("_ended") or self.trigger in ("incoming_call_missed", "incoming_call_answered_elsewhere"):
            return self.ended_at or self.started_at
        if self.trigger == "call_transferred":
            return self.ended_at or self.answered_at or self.started_at
        if self.trigger.endswith("_accepted"):
            return self.answered_at or self.started_at
        return self.started_at
