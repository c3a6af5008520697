"""The CRM loop's lookups: who is calling, asked of the CRM while the call rings.

A lookup goes out at once when its trigger fires, with a short deadline (`lookup_timeout_s`), and
is never queued or retried: a contact found after the call is of no use. No match (an empty list,
404, an empty `204`) is "not found"; an error or a timeout is "not found" too, logged as failed
with its reason. The same number looked up by the same webhook within `REUSE_S` reuses the answer.
Each call's contact is kept (storage/lookups.py) for the call's later webhooks, which wait for the
call's running lookups (service/call_events.py). A lookup on a ringing call ends with a `contact`
notice: the extension's caller card.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections import OrderedDict
from typing import Any

from ucc_webhooks.delivery.http import Answer
from ucc_webhooks.delivery.sender import Deliverer
from ucc_webhooks.engine.contacts import NOT_FOUND, UNANSWERED, Contact, apply_map, check_map, host_of, url_allowed
from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.http_rules import mask_url
from ucc_webhooks.engine.models import Webhook
from ucc_webhooks.engine.render import plan
from ucc_webhooks.service.outcomes import Outcomes
from ucc_webhooks.service.state import HostState
from ucc_webhooks.storage.lookups import LookupStore
from ucc_webhooks.storage.outbox import new_delivery_id

__all__ = ["REUSE_S", "Lookups"]

log = logging.getLogger("ucc_webhooks.service.lookups")

#: An answer for one number is reused this long (a caller who rings again at once, a hunt group).
REUSE_S = 60.0
#: Calls whose contact is kept in memory; older ones are read back from the store.
MEMORY = 500
#: Characters of a raw answer shown by a test.
ANSWER_HEAD = 2000


def _number(event: CallEvent) -> str:
    return event.caller if event.direction == "incoming" else event.callee


def _outcome(answer: Answer, webhook: Webhook, hosts: tuple[str, ...]) -> tuple[str, Contact, str | None, Any]:
    """(state, contact, error, parsed answer) of one answer."""
    if answer.status is None or answer.error:
        return "failed", UNANSWERED, answer.error or "no answer", None
    body = answer.body or b""
    if answer.status == 404 or answer.status == 204 or (200 <= answer.status < 300 and not body.strip()):
        return "not_found", NOT_FOUND, None, None
    if not 200 <= answer.status < 300:
        return "failed", UNANSWERED, f"HTTP {answer.status}", None
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        return "failed", UNANSWERED, f"the answer is not JSON: {exc}", None
    try:
        contact = apply_map(webhook.response_map, parsed, hosts)
    except Exception as exc:  # a JMESPath function given the wrong type at run time
        return "failed", UNANSWERED, f"the response map failed on this answer: {exc}", parsed
    return ("found" if contact.found else "not_found"), contact, None, parsed


class Lookups:
    def __init__(self, state: HostState, store: LookupStore, deliverer: Deliverer, outcomes: Outcomes) -> None:
        self.state = state
        self.store = store
        self.deliverer = deliverer
        self.outcomes = outcomes
        self._calls: OrderedDict[str, Contact] = OrderedDict()
        self._running: dict[str, set[asyncio.Task]] = {}
        self._reuse: dict[tuple[str, str], tuple[float, Contact]] = {}
        self._answers: dict[str, bytes] = {}  # webhook id -> its last real answer, in memory only
        self._started: OrderedDict[tuple[str, str, str], None] = OrderedDict()  # (call, trigger, webhook): once

    # -- the call's contact ----------------------------------------------------------------------
    def start(self, event: CallEvent, lookups: list[Webhook], values: dict[str, object], now: float) -> None:
        """Run the event's lookups (in the background; `running` says until when)."""
        for webhook in lookups:
            key = (event.call_id, event.trigger, webhook.id)
            if key in self._started:  # the same event again (a resend after a reconnect): asked already
                continue
            self._started[key] = None
            if len(self._started) > MEMORY * 4:
                self._started.popitem(last=False)
            task = asyncio.get_running_loop().create_task(self._run(event, webhook, values, now))
            self._running.setdefault(event.call_id, set()).add(task)
            task.add_done_callback(functools.partial(self._done, event.call_id))

    def _done(self, call_id: str, task: asyncio.Task) -> None:
        tasks = self._running.get(call_id)
        if tasks is not None:
            tasks.discard(task)
            if not tasks:
                del self._running[call_id]

    def forget(self, number: str) -> None:
        """A contact was created for this number (a webhook for an unknown caller went out): the next
        call asks the CRM again instead of reusing "not found"."""
        self._reuse = {k: v for k, v in self._reuse.items() if k[1] != number or v[1].found}

    def running(self, call_id: str) -> bool:
        return bool(self._running.get(call_id))

    async def settled(self, call_id: str) -> None:
        """Once the call's lookups have ended (each is bounded by its deadline; this by it too)."""
        tasks = list(self._running.get(call_id, ()))
        if tasks:
            await asyncio.wait(tasks, timeout=self.state.settings_now().lookup_timeout_s + 1.0)

    def known(self, call_id: str) -> Contact | None:
        """What the call's lookups found so far (None: no lookup ran for it)."""
        contact = self._calls.get(call_id)
        return contact if contact is not None else self.store.contact(call_id)

    def _keep(self, call_id: str, contact: Contact) -> Contact:
        kept = self.store.save_contact(call_id, contact)
        self._calls[call_id] = kept
        self._calls.move_to_end(call_id)
        while len(self._calls) > MEMORY:
            self._calls.popitem(last=False)
        return kept

    # -- one lookup --------------------------------------------------------------------------------
    def _hosts(self, webhook: Webhook) -> tuple[str, ...]:
        return (host_of(webhook.url), *webhook.contact_hosts)

    async def _run(self, event: CallEvent, webhook: Webhook, values: dict[str, object], now: float) -> Contact:
        number = _number(event)
        reused = self._reuse.get((webhook.id, number))
        status: int | None = None
        error: str | None
        latency: float | None = 0.0
        method, url = "GET", mask_url(webhook.url)
        try:
            if not any(c.isdigit() for c in number):  # withheld ("anonymous"): nothing to look up
                contact, state, error, latency = UNANSWERED, "not_found", "no number to look up (withheld)", None
            elif reused is not None and now - reused[0] < REUSE_S:
                contact = reused[1]
                state = "found" if contact.found else "not_found"
                error = f"the answer of {now - reused[0]:.0f} s ago was used again"
            else:
                state, contact, status, error, latency, method, url = await self._ask(webhook, values)
                if state != "failed" and number:
                    if len(self._reuse) > 1000:
                        self._reuse = {k: v for k, v in self._reuse.items() if now - v[0] < REUSE_S}
                    self._reuse[(webhook.id, number)] = (now, contact)
            delivery_id = new_delivery_id()
            if event.trigger == "incoming_call_ringing":  # the caller card first: the agent waits for it
                known = self._calls.get(event.call_id)
                self._card(event, webhook, known if known is not None and known.found and not contact.found else contact,
                           delivery_id)
            kept = self._keep(event.call_id, contact)
            self.store.record(webhook_id=webhook.id, webhook_name=webhook.name, trigger=event.trigger,
                              call_id=event.call_id, method=method, url=url, state=state, status=status,
                              error=error, latency_ms=latency, contact=contact, delivery_id=delivery_id)
        except Exception:
            log.exception("lookup %s for call %s failed inside the host", webhook.id, event.call_id)
            return NOT_FOUND
        self.outcomes.changed(delivery_id)
        return kept

    async def _ask(self, webhook: Webhook, values: dict[str, object]
                   ) -> tuple[str, Contact, int | None, str | None, float | None, str, str]:
        try:
            planned = plan(webhook, values, time.time())
        except InvalidInput as exc:
            return "failed", NOT_FOUND, None, f"not sent: {exc}", None, "GET", mask_url(webhook.url)
        answer = await self.deliverer.fetch(planned.method, planned.url, planned.headers, planned.body,
                                            new_delivery_id(), planned.secret,
                                            self.state.settings_now().lookup_timeout_s, planned.parsed_url)
        if answer.body is not None:
            self._answers[webhook.id] = answer.body
        state, contact, error, _ = _outcome(answer, webhook, self._hosts(webhook))
        return state, contact, answer.status, error, round(answer.latency_ms, 1), planned.method, mask_url(planned.url)

    def _card(self, event: CallEvent, webhook: Webhook, contact: Contact, delivery_id: str) -> None:
        """The caller card: who rings, and the record to open when the agent clicks it."""
        url = contact.url if contact.found and url_allowed(contact.url, contact.hosts) is None else None
        self.state.notify({"type": "contact", "call_id": event.call_id, "found": contact.found,
                           "name": contact.name or None, "company": contact.company or None, "url": url,
                           "number": event.caller, "webhook_id": webhook.id, "delivery_id": delivery_id})

    # -- for the integrator: test and try ------------------------------------------------------
    async def test(self, webhook: Webhook, values: dict[str, object]) -> dict:
        """`webhooks.test` on a lookup: the real request, and what the map made of its answer."""
        try:
            planned = plan(webhook, values, time.time())
        except InvalidInput:
            raise
        answer = await self.deliverer.fetch(planned.method, planned.url, planned.headers, planned.body,
                                            new_delivery_id(), planned.secret,
                                            self.state.settings().lookup_timeout_s, planned.parsed_url)
        if answer.body is not None:
            self._answers[webhook.id] = answer.body
        state, contact, error, _ = _outcome(answer, webhook, self._hosts(webhook))
        return {"ok": state != "failed", "action": "lookup", "url": mask_url(planned.url), "status": answer.status,
                "latency_ms": round(answer.latency_ms, 1), "error": error, "found": contact.found,
                "contact": contact.shown(), "answer_head": (answer.body or b"")[:ANSWER_HEAD].decode("utf-8", "replace")}

    def try_map(self, response_map: dict[str, str], webhook_id: str | None, sample: str | None) -> dict:
        """`lookups.map`: the map applied to a pasted sample, or to the webhook's last real answer."""
        check_map(response_map)
        if sample is not None:
            source, raw = "sample", sample.encode("utf-8")
        elif webhook_id and webhook_id in self._answers:
            source, raw = "last_call", self._answers[webhook_id]
        else:
            return {"found": False, "contact": None, "answer_from": "none", "answer_head": ""}
        try:
            parsed = json.loads(raw) if raw.strip() else None
        except ValueError as exc:
            if source == "sample":
                raise InvalidInput(f"the sample is not JSON: {exc}", "sample", "lookup_sample_not_json",
                                   {"error": str(exc)}) from None
            parsed = None
        try:
            contact = apply_map(response_map, parsed) if parsed is not None else NOT_FOUND
        except Exception as exc:
            raise InvalidInput(f"the response map failed on this answer: {exc}", "response_map", "lookup_map_invalid",
                               {"key": "", "error": str(exc)}) from None
        return {"found": contact.found, "contact": contact.shown(), "answer_from": source,
                "answer_head": raw[:ANSWER_HEAD].decode("utf-8", "replace")}
