"""One handler per message type, dispatched from a table: each takes the validated request,
calls the service (`service/`) and returns the reply's `result`.

A refusal raised below (`engine.errors.Refusal`) becomes an error reply in `serve.py`.
`call_event` is not in the table: consecutive events share one commit (`serve._flush_events`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ucc_webhooks.native import protocol as p
from ucc_webhooks.native.hello import hello_result
from ucc_webhooks.service.app import App

__all__ = ["BESIDE_THE_LOOP", "HANDLERS"]

Handler = Callable[[App, Any], Awaitable[dict]]


async def _hello(app: App, req: p.HelloRequest) -> dict:
    app.state.set_managed_enabled(req.managed_webhooks_enabled)
    return hello_result(app.state.policy(), app.outbox.failed_count())


async def _webhooks_list(app: App, req: p.EmptyRequest) -> dict:
    return app.webhooks.list()


async def _webhooks_save(app: App, req: p.SaveRequest) -> dict:
    return app.webhooks.save(req.webhook)


async def _webhooks_delete(app: App, req: p.WebhookIdRequest) -> dict:
    return app.webhooks.delete(req.webhook_id)


async def _webhooks_test(app: App, req: p.WebhookIdRequest) -> dict:
    return await app.webhooks.test(req.webhook_id)


async def _presets_list(app: App, req: p.EmptyRequest) -> dict:
    return app.webhooks.presets()


async def _deliveries_list(app: App, req: p.DeliveriesListRequest) -> dict:
    return app.deliveries.list(req.limit, req.webhook_id, req.before)


async def _deliveries_retry(app: App, req: p.DeliveryIdRequest) -> dict:
    return app.deliveries.retry(req.delivery_id)


async def _settings_get(app: App, req: p.EmptyRequest) -> dict:
    return app.settings.get()


async def _settings_set(app: App, req: p.SettingsSetRequest) -> dict:
    return app.settings.set(req.settings)


async def _lookups_map(app: App, req: p.LookupMapRequest) -> dict:
    return app.webhooks.try_map(req.response_map, req.webhook_id, req.sample)


#: message type -> handler; protocol.REQUESTS has the same types (and call_event) with their models.
HANDLERS: dict[str, Handler] = {
    "hello": _hello,
    "webhooks.list": _webhooks_list,
    "webhooks.save": _webhooks_save,
    "webhooks.delete": _webhooks_delete,
    "webhooks.test": _webhooks_test,
    "presets.list": _presets_list,
    "deliveries.list": _deliveries_list,
    "deliveries.retry": _deliveries_retry,
    "settings.get": _settings_get,
    "settings.set": _settings_set,
    "lookups.map": _lookups_map,
}

#: Requests that may wait on a receiver: run as tasks beside the frame loop, never awaited in it,
#: so that a silent or trickling receiver cannot delay the reply to a call event.
BESIDE_THE_LOOP = frozenset({"webhooks.test", "deliveries.retry"})
