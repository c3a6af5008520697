"""A call event, from its arrival to the requests on the wire.

For each event: its lookups start at once (service/lookups.py); then the webhooks enabled under
the switch whose trigger and conditions match, the request each makes (`engine.render`), all
committed in one transaction with the event's dedupe key (a second (call_id, trigger) is
dropped), and only then handed to the sender: a screen pop as an `open_tab` notice, the first
delivery of an idle webhook as a `FreshDelivery` that goes out at once, any other as work for
its webhook's queue.

An event with a webhook that uses what the call's lookup finds (a `{contact_*}` placeholder, the
contact condition) while that lookup still runs is accepted once the lookup has ended (bounded by
its deadline): it is planned, committed and acknowledged then, as a whole, so nothing of it is
acknowledged before it is stored. The frame loop goes on meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable

from ucc_webhooks.delivery.sender import Deliverer, FreshDelivery
from ucc_webhooks.engine.conditions import meeting_conditions
from ucc_webhooks.engine.contacts import Contact
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.models import Webhook, needs_contact
from ucc_webhooks.engine.render import PlannedDelivery, matching, plan_event
from ucc_webhooks.engine.values import event_values
from ucc_webhooks.service.last_calls import LastCalls
from ucc_webhooks.service.lookups import Lookups
from ucc_webhooks.service.outcomes import Outcomes
from ucc_webhooks.service.state import HostState
from ucc_webhooks.storage.outbox import Outbox

__all__ = ["PRUNE_EVERY", "CallEvents"]

log = logging.getLogger("ucc_webhooks.service.call_events")

#: The log is trimmed to its bounded size at start and after this many events.
PRUNE_EVERY = 500


class CallEvents:
    def __init__(self, state: HostState, outbox: Outbox, deliverer: Deliverer, outcomes: Outcomes,
                 last_calls: LastCalls, lookups: Lookups) -> None:
        self.state = state
        self.lookups = lookups
        self.outbox = outbox
        self.deliverer = deliverer
        self.outcomes = outcomes
        self.last_calls = last_calls
        self._since_prune = 0

    def accept(self, events: list[CallEvent]) -> list[dict | Awaitable[dict]]:
        """One result per event: its reply, or (an event waiting for its call's lookup) an awaitable of it."""
        generation = self.deliverer.generation  # before the switch and the webhooks are read (FreshDelivery)
        policy = self.state.policy()
        if not policy.webhooks_enabled:
            return [{"matched": 0, "disabled_by_policy": True} for _ in events]
        webhooks = self.state.all_webhooks(policy)
        settings = self.state.settings()
        now = time.time()
        waiting: dict[int, Awaitable[dict]] = {}
        ready: list[CallEvent] = []
        started: list[int] = []
        for n, event in enumerate(events):
            mine = matching(webhooks, event.trigger)
            lookups = self._start_lookups(event, mine, settings, now) if any(w.action == "lookup" for w in mine) else 0
            if self.lookups.running(event.call_id) and any(needs_contact(w) for w in mine if w.action != "lookup"):
                waiting[n] = self._after_lookups(event, lookups)
            else:
                ready.append(event)
                started.append(lookups)
        done = iter(self._accept_now(ready, webhooks, settings, generation, started) if ready else [])
        return [waiting[n] if n in waiting else next(done) for n in range(len(events))]

    def _start_lookups(self, event: CallEvent, mine: list[Webhook], settings, now: float) -> int:
        """Start the event's lookups whose conditions hold; how many."""
        if self.outbox.seen(event.call_id, event.trigger):  # a resend of an event accepted before
            return 0
        known = self.lookups.known(event.call_id)
        lookups = meeting_conditions([w for w in mine if w.action == "lookup"], event, settings.internal_max_digits, known)
        if lookups:
            values = event_values(event, settings.default_region, settings.internal_max_digits, known)
            self.lookups.start(event, lookups, values, now)
        return len(lookups)

    async def _after_lookups(self, event: CallEvent, lookups: int) -> dict:
        await self.lookups.settled(event.call_id)
        generation = self.deliverer.generation
        policy = self.state.policy()
        if not policy.webhooks_enabled:
            return {"matched": 0, "disabled_by_policy": True}
        return self._accept_now([event], self.state.all_webhooks(policy), self.state.settings(), generation, [lookups])[0]

    def _accept_now(self, events: list[CallEvent], webhooks: list[Webhook], settings, generation: int,
                    lookups: list[int]) -> list[dict]:
        """Plan, commit (durably, in one transaction), then start sending. `lookups`: how many lookups
        each event started (they count as matched)."""
        now = time.time()
        uses_contact = any(needs_contact(w) for w in webhooks if w.action != "lookup")
        batch: list[tuple[str, str, list[PlannedDelivery]]] = []
        # webhooks for an unknown caller (they create a contact): after one, the number is asked again
        creates = {w.id for w in webhooks if w.conditions.contact == "unknown_caller"}
        for event in events:
            planned = []
            contact: Contact | None = self.lookups.known(event.call_id) if uses_contact else None
            try:
                planned = plan_event(event, meeting_conditions(webhooks, event, settings.internal_max_digits, contact),
                                     settings.default_region, now, settings.internal_max_digits, contact)
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
        for event, (_, _, planned), rows, started in zip(events, batch, accepted, lookups, strict=False):
            if rows is None:
                results.append({"matched": 0, "duplicate": True})
                continue
            if creates and any(d.webhook_id in creates for d in planned if d.state in ("pending", "opened")):
                self.lookups.forget(event.caller if event.direction == "incoming" else event.callee)
            for row, d in zip(rows, planned, strict=False):
                if d.state == "opened":
                    # call_id: the extension charges the tab to the budget of the source that reported the call
                    self.state.notify({"type": "open_tab", "url": d.url, "webhook_id": d.webhook_id, "delivery_id": row.id,
                                       "call_id": event.call_id})
                elif d.state == "pending" and row.claimed_until is not None:
                    self.deliverer.send_fresh(FreshDelivery(row, d.parsed_url, generation))
                elif d.state == "pending":
                    self.deliverer.kick(d.webhook_id)
                else:
                    log.warning("%s", d.note)
                    if d.state == "failed":
                        self.outcomes.changed(row.id)
            results.append({"matched": len(planned) + started})
        return results
