"""A call event, from its arrival to the requests on the wire.

For each event: the webhooks enabled under the switch whose trigger and conditions match, the
request each makes (`engine.render`), all committed in one transaction with the event's dedupe
key (a second (call_id, trigger) is dropped), and only then handed to the sender: a screen pop
as an `open_tab` notice, the first delivery of an idle webhook as a `FreshDelivery` that goes out
at once, any other as work for its webhook's queue.
"""

from __future__ import annotations

import logging
import time

from ucc_webhooks.delivery.sender import Deliverer, FreshDelivery
from ucc_webhooks.engine.conditions import meeting_conditions
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.render import PlannedDelivery, plan_event
from ucc_webhooks.service.last_calls import LastCalls
from ucc_webhooks.service.outcomes import Outcomes
from ucc_webhooks.service.state import HostState
from ucc_webhooks.storage.outbox import Outbox

__all__ = ["PRUNE_EVERY", "CallEvents"]

log = logging.getLogger("ucc_webhooks.service.call_events")

#: The log is trimmed to its bounded size at start and after this many events.
PRUNE_EVERY = 500


class CallEvents:
    def __init__(self, state: HostState, outbox: Outbox, deliverer: Deliverer, outcomes: Outcomes,
                 last_calls: LastCalls) -> None:
        self.state = state
        self.outbox = outbox
        self.deliverer = deliverer
        self.outcomes = outcomes
        self.last_calls = last_calls
        self._since_prune = 0

    def accept(self, events: list[CallEvent]) -> list[dict]:
        """Plan, commit (durably, in one transaction), then start sending. One result per event."""
        generation = self.deliverer.generation  # before the switch and the webhooks are read (FreshDelivery)
        policy = self.state.policy()
        if not policy.webhooks_enabled:
            return [{"matched": 0, "disabled_by_policy": True} for _ in events]
        webhooks = self.state.all_webhooks(policy)
        settings = self.state.settings()
        now = time.time()
        batch: list[tuple[str, str, list[PlannedDelivery]]] = []
        for event in events:
            planned = []
            try:
                planned = plan_event(event, meeting_conditions(webhooks, event, settings.internal_max_digits),
                                     settings.default_region, now, settings.internal_max_digits)
            except Exception:
                log.exception("could not render webhooks for %s %s", event.trigger, event.call_id)
            batch.append((event.call_id, event.trigger, planned))
            self.last_calls.remember(event, now)
        accepted = self.outbox.accept_many(batch, settings.max_age_hours * 3600, now,
                                           claim=self.deliverer.claim_for_fresh(now))
        self._since_prune += len(events)
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            self.outbox.prune(now)
        results = []
        for (_, _, planned), rows in zip(batch, accepted, strict=False):
            if rows is None:
                results.append({"matched": 0, "duplicate": True})
                continue
            for row, d in zip(rows, planned, strict=False):
                if d.state == "opened":
                    self.state.notify({"type": "open_tab", "url": d.url, "webhook_id": d.webhook_id, "delivery_id": row.id})
                elif d.state == "pending" and row.claimed_until is not None:
                    self.deliverer.send_fresh(FreshDelivery(row, d.parsed_url, generation))
                elif d.state == "pending":
                    self.deliverer.kick(d.webhook_id)
                else:
                    log.warning("%s", d.note)
                    if d.state == "failed":
                        self.outcomes.changed(row.id)
            results.append({"matched": len(planned)})
        return results
