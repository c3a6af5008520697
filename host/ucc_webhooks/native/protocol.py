"""The requests between extension and host (PROTOCOL.md), as pydantic models, and how a
validation error becomes a `validation_error` reply. Replies and error codes: replies.py."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.native.replies import ERROR_CODES, ProtocolError, error_reply, ok_reply

__all__ = ["ERROR_CODES", "REQUESTS", "ProtocolError", "error_reply", "from_validation_error", "ok_reply"]

class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | str
    type: str


class HelloRequest(_Request):
    extension_version: str = ""
    #: the browser's managed storage `WEBHOOKS_ENABLED` (an administrator's policy), when set
    managed_webhooks_enabled: bool | None = None


class EmptyRequest(_Request):
    pass


class SaveRequest(_Request):
    webhook: dict[str, Any]


class WebhookIdRequest(_Request):
    webhook_id: str


class CallEventRequest(_Request):
    event: CallEvent


class DeliveriesListRequest(_Request):
    limit: int = Field(default=50, ge=1, le=1000)
    webhook_id: str | None = None
    before: int | None = None  # `next_before` of the previous page


class DeliveryIdRequest(_Request):
    delivery_id: str


class SettingsSetRequest(_Request):
    settings: dict[str, Any]


#: message type -> request model (handlers.py maps the same types to their handler)
REQUESTS: dict[str, type[_Request]] = {
    "hello": HelloRequest,
    "webhooks.list": EmptyRequest,
    "webhooks.save": SaveRequest,
    "webhooks.delete": WebhookIdRequest,
    "webhooks.test": WebhookIdRequest,
    "presets.list": EmptyRequest,
    "call_event": CallEventRequest,
    "deliveries.list": DeliveriesListRequest,
    "deliveries.retry": DeliveryIdRequest,
    "settings.get": EmptyRequest,
    "settings.set": SettingsSetRequest,
}


def from_validation_error(exc: ValidationError, prefix: tuple = ()) -> ProtocolError:
    """The first error, with the field it belongs to, in words a person can act on."""
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
    if loc[: len(prefix)] == prefix:
        loc = loc[len(prefix):]
    original = (err.get("ctx") or {}).get("error")
    field = getattr(original, "field", None) or (str(loc[0]) if loc else None)
    message = str(original) if original is not None else err["msg"]
    if loc and original is None:
        message = f"{'.'.join(map(str, loc))}: {message}"
        if err["type"] == "literal_error":
            message += f" (got {err.get('input')!r})"
    return ProtocolError("validation_error", message, field, getattr(original, "reason", None),
                         getattr(original, "params", None))
