"""The requests between extension and host (PROTOCOL.md), as pydantic models, one per message
type. Replies and error codes: replies.py; a refused request's words: engine/validation.py."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ucc_webhooks.engine.events import CallEvent

__all__ = ["REQUESTS", "CallEventRequest", "DeliveriesListRequest", "DeliveryIdRequest", "EmptyRequest",
           "HelloRequest", "LookupMapRequest", "Request", "SaveRequest", "SettingsSetRequest", "WebhookIdRequest"]

class Request(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | str
    type: str


class HelloRequest(Request):
    extension_version: str = ""
    #: the browser's managed storage `WEBHOOKS_ENABLED` (an administrator's policy), when set
    managed_webhooks_enabled: bool | None = None


class EmptyRequest(Request):
    pass


class SaveRequest(Request):
    webhook: dict[str, Any]


class WebhookIdRequest(Request):
    webhook_id: str


class CallEventRequest(Request):
    event: CallEvent


class DeliveriesListRequest(Request):
    limit: int = Field(default=50, ge=1, le=1000)
    webhook_id: str | None = None
    before: int | None = None  # `next_before` of the previous page


class DeliveryIdRequest(Request):
    delivery_id: str


class SettingsSetRequest(Request):
    settings: dict[str, Any]


class LookupMapRequest(Request):
    response_map: dict[str, str]
    webhook_id: str | None = None
    sample: str | None = Field(default=None, max_length=512 * 1024)


#: message type -> request model (dispatch.py maps the same types to their handler)
REQUESTS: dict[str, type[Request]] = {
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
    "lookups.map": LookupMapRequest,
}
