"""The delivery log's requests: a page of it, and "send again"."""

from __future__ import annotations

from ucc_webhooks.delivery.sender import Deliverer
from ucc_webhooks.service.state import HostState
from ucc_webhooks.storage.outbox import Outbox

__all__ = ["LIST_BUDGET_BYTES", "Deliveries"]

#: A page stops adding rows past this many bytes of JSON: a reply always fits the 1 MiB frame.
LIST_BUDGET_BYTES = 512 * 1024


class Deliveries:
    def __init__(self, state: HostState, outbox: Outbox, deliverer: Deliverer) -> None:
        self.state = state
        self.outbox = outbox
        self.deliverer = deliverer

    def list(self, limit: int, webhook_id: str | None = None, before: int | None = None) -> dict:
        rows, next_before = self.outbox.page(limit, webhook_id, before, LIST_BUDGET_BYTES)
        return {"deliveries": rows, "next_before": next_before, "failed_count": self.outbox.failed_count()}

    def retry(self, delivery_id: str) -> dict:
        self.state.refuse_while_off()
        webhook_id = self.outbox.retry(delivery_id, self.state.settings().max_age_hours * 3600)
        self.deliverer.kick(webhook_id)
        return {}
