"""What the sender reports back, and the one question it asks before every attempt.

- `stop_reason`: may this webhook's pending deliveries still go (the switch, the webhook switched
  off or deleted)? Asked before every attempt except the first of a `FreshDelivery`.
- `changed`: a delivery changed state; the extension's log and badge hear of it.
- `gone`: the target answered 410 Gone; the webhook is switched off and its queue cancelled.
"""

from __future__ import annotations

from ucc_webhooks.engine.errors import NotFound
from ucc_webhooks.service.state import HostState
from ucc_webhooks.storage.outbox import Outbox

__all__ = ["Outcomes"]


class Outcomes:
    def __init__(self, state: HostState, outbox: Outbox) -> None:
        self.state = state
        self.outbox = outbox

    def stop_reason(self, webhook_id: str) -> str | None:
        policy = self.state.policy()
        if not policy.webhooks_enabled:
            return f"cancelled: webhooks were switched off (WEBHOOKS_ENABLED, {policy.source})"
        for w in self.state.all_webhooks(policy):
            if w.id == webhook_id:
                return None if w.enabled else "cancelled: the webhook was switched off"
        return "cancelled: the webhook was deleted"

    def changed(self, delivery_id: str) -> None:
        self.state.notify({"type": "delivery", "delivery": self.outbox.get(delivery_id),
                           "failed_count": self.outbox.failed_count()})

    def gone(self, webhook_id: str, reason: str) -> None:
        try:
            self.state.store.set_enabled(webhook_id, False, reason)
        except NotFound:
            return  # an admin preset or a deleted webhook: nothing to switch off here
        self.outbox.cancel_pending(reason, webhook_id)
