"""The webhook requests: list, save, delete, test, and the presets to start from."""

from __future__ import annotations

import time

from pydantic import ValidationError

from ucc_webhooks.delivery.sender import Deliverer
from ucc_webhooks.engine.errors import ReadOnly
from ucc_webhooks.engine.http_rules import mask_url
from ucc_webhooks.engine.models import WebhookInput
from ucc_webhooks.engine.render import plan
from ucc_webhooks.engine.validation import invalid_input
from ucc_webhooks.engine.values import SAMPLE_CONTACT, event_values, sample_values
from ucc_webhooks.service.last_calls import LastCalls
from ucc_webhooks.service.lookups import Lookups
from ucc_webhooks.service.state import HostState
from ucc_webhooks.storage.outbox import new_delivery_id

__all__ = ["Webhooks"]


def _refuse_admin(webhook_id: object, verb: str) -> None:
    if isinstance(webhook_id, str) and webhook_id.startswith("admin_"):
        raise ReadOnly(f"this webhook is set by your administrator and cannot be {verb} here", reason="admin_read_only")


class Webhooks:
    def __init__(self, state: HostState, deliverer: Deliverer, last_calls: LastCalls, lookups: Lookups) -> None:
        self.state = state
        self.deliverer = deliverer
        self.last_calls = last_calls
        self.lookups = lookups

    def list(self) -> dict:
        return {"webhooks": [w.masked() for w in self.state.all_webhooks()]}

    def save(self, raw: dict) -> dict:
        """Create or update from what the popup sent; the secret is in the reply once when generated."""
        _refuse_admin(raw.get("id"), "changed")
        try:
            data = WebhookInput.model_validate(raw)
        except ValidationError as exc:
            raise invalid_input(exc) from None
        webhook, generated = self.state.store.save_webhook(data)
        if not webhook.enabled:
            self.deliverer.reconsider()  # its worker cancels what is pending before the next attempt
        result = webhook.masked()
        if generated:
            result["secret"] = generated  # shown once, so that the receiver can be configured
        return result

    def delete(self, webhook_id: str) -> dict:
        _refuse_admin(webhook_id, "deleted")
        self.state.store.delete_webhook(webhook_id)  # cancels its pending deliveries, forgets its secrets
        self.deliverer.reconsider()
        return {}

    async def test(self, webhook_id: str) -> dict:
        """One request now, with the last real call's values when there was one (else a sample)."""
        self.state.refuse_while_off()
        webhook = self.state.find(webhook_id)
        now = time.time()
        last = self.last_calls.get(webhook.trigger, now)
        settings = self.state.settings()
        values = (event_values(last, settings.default_region, settings.internal_max_digits,
                               self.lookups.known(last.call_id)) if last
                  else sample_values(webhook.trigger))
        values_from = "last_call" if last else "sample"
        if webhook.action == "lookup":
            return {**await self.lookups.test(webhook, values), "values_from": values_from}
        planned = plan(webhook, values, now, contact=SAMPLE_CONTACT if not last else self.lookups.known(last.call_id))
        if webhook.action == "open_tab":
            self.state.notify({"type": "open_tab", "url": planned.url, "webhook_id": webhook.id, "test": True})
            return {"ok": True, "action": "open_tab", "url": planned.url, "status": None, "latency_ms": None,
                    "error": None, "values_from": values_from}
        outcome = await self.deliverer.send(planned.method, planned.url, planned.headers, planned.body,
                                            new_delivery_id(), planned.secret)
        return {"ok": outcome.ok, "action": webhook.action, "url": mask_url(planned.url), "status": outcome.status,
                "latency_ms": round(outcome.latency_ms, 1), "error": outcome.error, "values_from": values_from}

    def try_map(self, response_map: dict[str, str], webhook_id: str | None, sample: str | None) -> dict:
        """`lookups.map`: what a response map finds in a sample, or in the webhook's last real answer."""
        return self.lookups.try_map(response_map, webhook_id, sample)

    def presets(self) -> dict:
        from ucc_webhooks.engine.presets import PRESETS

        return {"presets": [dict(preset) for preset in PRESETS]}
