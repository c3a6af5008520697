"""The host's state and one handler per message type, dispatched from a table.

Handlers take a validated request and return the reply's `result`, or raise ProtocolError.
`call_event` requests are handled in groups (`accept_events`) so that frames arriving together
share one durable commit.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from ucc_webhooks.delivery.http import network_from
from ucc_webhooks.delivery.sender import Deliverer
from ucc_webhooks.engine.conditions import meeting_conditions
from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.http_rules import mask_url
from ucc_webhooks.engine.models import Settings, Webhook, WebhookInput
from ucc_webhooks.engine.policy import Policy, read_policy
from ucc_webhooks.engine.render import PlannedDelivery, plan, plan_event
from ucc_webhooks.engine.values import event_values, sample_values
from ucc_webhooks.native import protocol as p
from ucc_webhooks.native.hello import hello_result
from ucc_webhooks.native.last_call import LastCalls
from ucc_webhooks.storage.database import NotFound, Store
from ucc_webhooks.storage.outbox import Outbox

__all__ = ["App"]

log = logging.getLogger("ucc_webhooks.native.handlers")
Notify = Callable[[dict], object]
#: The log is trimmed to its bounded size at start and after this many events.
PRUNE_EVERY = 500
#: deliveries.list stops adding rows past this many bytes of JSON: a reply always fits the 1 MiB frame.
LIST_BUDGET_BYTES = 512 * 1024


def _shown(settings: dict) -> dict:
    """Settings as the popup sees them: a proxy's password masked (`Store.set_settings` puts it back)."""
    if settings.get("proxy"):
        settings["proxy"] = mask_url(settings["proxy"])
    return settings


class App:
    def __init__(self, store: Store, notify: Notify, policy_reader: Callable[[], Policy] = read_policy) -> None:
        self.store = store
        self.outbox = Outbox(store)
        self.notify = notify
        self.read_policy = policy_reader
        self.deliverer = Deliverer(self.outbox, timeout=lambda: self._settings_now().request_timeout_s,
                                   on_update=self._delivery_changed, on_gone=self._switch_off,
                                   stop_reason=self._stop_reason, network=lambda: network_from(self._settings_now()))
        self._managed_enabled: bool | None = None  # the browser's managed storage, told in hello
        self._settings_cache: Settings | None = None
        self._accepted_since_prune = 0
        self._policy_enabled: bool | None = None
        self.last_calls = LastCalls()
        self.handlers: dict[str, Callable[..., Awaitable[dict]]] = {
            "hello": self.hello,
            "webhooks.list": self.webhooks_list,
            "webhooks.save": self.webhooks_save,
            "webhooks.delete": self.webhooks_delete,
            "webhooks.test": self.webhooks_test,
            "presets.list": self.presets_list,
            "deliveries.list": self.deliveries_list,
            "deliveries.retry": self.deliveries_retry,
            "settings.get": self.settings_get,
            "settings.set": self.settings_set,
        }

    def _settings(self):
        # The store keeps them until the database changes (also from the CLI in another process).
        self._settings_cache = self.store.get_settings()
        return self._settings_cache

    def _settings_now(self):
        """For each attempt: the settings as the last event or request read them, without asking
        the database again (three times per delivery, on the way to the receiver)."""
        return self._settings_cache or self._settings()

    def _all_webhooks(self, policy: Policy | None = None) -> list[Webhook]:
        policy = policy or self.read_policy()
        return policy.presets + self.store.list_webhooks()

    def _find(self, webhook_id: str) -> Webhook:
        for w in self._all_webhooks():
            if w.id == webhook_id:
                return w
        raise p.ProtocolError("not_found", f"no webhook with id {webhook_id!r}; it may have been deleted elsewhere",
                              reason="webhook_not_found", params={"id": webhook_id})

    # -- handlers ----------------------------------------------------------------------------------
    async def hello(self, req: p.HelloRequest) -> dict:
        if req.managed_webhooks_enabled is not None:
            self._managed_enabled = req.managed_webhooks_enabled
        return hello_result(self._policy(), self.outbox.failed_count())

    async def webhooks_list(self, req) -> dict:
        return {"webhooks": [w.masked() for w in self._all_webhooks()]}

    async def webhooks_save(self, req: p.SaveRequest) -> dict:
        webhook_id = req.webhook.get("id")
        if isinstance(webhook_id, str) and webhook_id.startswith("admin_"):
            raise p.ProtocolError("read_only", "this webhook is set by your administrator and cannot be changed here",
                                  reason="admin_read_only")
        try:
            data = WebhookInput.model_validate(req.webhook)
        except ValidationError as exc:
            raise p.from_validation_error(exc) from None
        try:
            webhook, generated = self.store.save_webhook(data)
        except NotFound as exc:
            raise p.ProtocolError("not_found", str(exc), reason="webhook_not_found",
                                  params={"id": str(data.id)}) from None
        if not webhook.enabled:
            self.deliverer.kick_all()  # its worker cancels what is pending before the next attempt
        result = webhook.masked()
        if generated:
            result["secret"] = generated  # shown once, so that the receiver can be configured
        return result

    async def webhooks_delete(self, req: p.WebhookIdRequest) -> dict:
        if req.webhook_id.startswith("admin_"):
            raise p.ProtocolError("read_only", "this webhook is set by your administrator and cannot be deleted here",
                                  reason="admin_read_only")
        try:
            self.store.delete_webhook(req.webhook_id)  # cancels its pending deliveries, forgets its secrets
        except NotFound as exc:
            raise p.ProtocolError("not_found", str(exc), reason="webhook_not_found",
                                  params={"id": req.webhook_id}) from None
        self.deliverer.kick_all()
        return {}

    def _refuse_while_off(self) -> None:
        if not self._policy().webhooks_enabled:
            raise p.ProtocolError("disabled_by_policy", "webhooks are switched off for this installation "
                                  "(WEBHOOKS_ENABLED); ask your administrator", reason="disabled_by_policy")

    async def webhooks_test(self, req: p.WebhookIdRequest) -> dict:
        self._refuse_while_off()
        webhook = self._find(req.webhook_id)
        now = time.time()
        last = self.last_calls.get(webhook.trigger, now)
        settings = self._settings()
        values = (event_values(last, settings.default_region, settings.internal_max_digits) if last
                  else sample_values(webhook.trigger))
        values_from = "last_call" if last else "sample"
        try:
            planned = plan(webhook, values, now)
        except InvalidInput as exc:
            raise p.ProtocolError("validation_error", str(exc), exc.field, exc.reason, exc.params) from None
        if webhook.action == "open_tab":
            self.notify({"type": "open_tab", "url": planned.url, "webhook_id": webhook.id, "test": True})
            return {"ok": True, "action": "open_tab", "url": planned.url, "status": None, "latency_ms": None,
                    "error": None, "values_from": values_from}
        from ucc_webhooks.storage.outbox import new_delivery_id

        outcome = await self.deliverer.send(planned.method, planned.url, planned.headers, planned.body,
                                            new_delivery_id(), planned.secret)
        return {"ok": outcome.ok, "action": webhook.action, "url": mask_url(planned.url), "status": outcome.status,
                "latency_ms": round(outcome.latency_ms, 1), "error": outcome.error, "values_from": values_from}

    async def presets_list(self, req) -> dict:
        from ucc_webhooks.engine.presets import PRESETS

        return {"presets": [dict(preset) for preset in PRESETS]}

    async def deliveries_list(self, req: p.DeliveriesListRequest) -> dict:
        rows, next_before = self.outbox.page(req.limit, req.webhook_id, req.before, LIST_BUDGET_BYTES)
        return {"deliveries": rows, "next_before": next_before, "failed_count": self.outbox.failed_count()}

    async def deliveries_retry(self, req: p.DeliveryIdRequest) -> dict:
        self._refuse_while_off()
        try:
            webhook_id = self.outbox.retry(req.delivery_id, self._settings().max_age_hours * 3600)
        except NotFound as exc:
            raise p.ProtocolError("not_found", str(exc), reason="delivery_not_retryable",
                                  params={"id": req.delivery_id}) from None
        self.deliverer.kick(webhook_id)
        return {}

    async def settings_get(self, req) -> dict:
        return {"settings": _shown(self._settings().model_dump())}

    async def settings_set(self, req: p.SettingsSetRequest) -> dict:
        try:
            self._settings_cache = self.store.set_settings(req.settings)
        except ValidationError as exc:
            raise p.from_validation_error(exc) from None
        return {"settings": _shown(self._settings_cache.model_dump())}

    # -- call events -------------------------------------------------------------------------------
    def _policy(self) -> Policy:
        """The policy as of now; a change of the switch is told to the extension (popup banner).

        Managed storage off (told by the extension in `hello`) switches webhooks off like the file."""
        policy = self.read_policy()
        if self._managed_enabled is False and policy.webhooks_enabled:
            policy = dataclasses.replace(policy, webhooks_enabled=False, source="managed storage")
        if self._policy_enabled is not None and policy.webhooks_enabled != self._policy_enabled:
            self.notify(policy.notice())
            if not policy.webhooks_enabled:
                self.deliverer.kick_all()
        self._policy_enabled = policy.webhooks_enabled
        return policy

    def _stop_reason(self, webhook_id: str) -> str | None:
        """Why a webhook's pending deliveries must not go any more (checked before every attempt)."""
        policy = self._policy()
        if not policy.webhooks_enabled:
            return f"cancelled: webhooks were switched off (WEBHOOKS_ENABLED, {policy.source})"
        for w in self._all_webhooks(policy):
            if w.id == webhook_id:
                return None if w.enabled else "cancelled: the webhook was switched off"
        return "cancelled: the webhook was deleted"

    def accept_events(self, events: list[CallEvent]) -> list[dict]:
        """Plan, commit (durably, in one transaction), then start sending. One result per event."""
        policy = self._policy()
        if not policy.webhooks_enabled:
            return [{"matched": 0, "disabled_by_policy": True} for _ in events]
        webhooks = self._all_webhooks(policy)
        settings = self._settings()
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
        self._accepted_since_prune += len(events)
        if self._accepted_since_prune >= PRUNE_EVERY:
            self._accepted_since_prune = 0
            self.outbox.prune(now)
        results = []
        for (call_id, _, planned), rows in zip(batch, accepted, strict=False):
            if rows is None:
                results.append({"matched": 0, "duplicate": True})
                continue
            for row, d in zip(rows, planned, strict=False):
                if d.state == "opened":
                    self.notify({"type": "open_tab", "url": d.url, "webhook_id": d.webhook_id, "delivery_id": row.id,
                                 "call_id": call_id})  # the extension's tab budget is per source of the call
                elif d.state == "pending":
                    self.deliverer.kick(d.webhook_id, row)
                else:
                    log.warning("%s", d.note)
                    if d.state == "failed":
                        self._delivery_changed(row.id)
            results.append({"matched": len(planned)})
        return results

    # -- callbacks from the deliverer ------------------------------------------------------------
    def _delivery_changed(self, delivery_id: str) -> None:
        self.notify({"type": "delivery", "delivery": self.outbox.get(delivery_id),
                     "failed_count": self.outbox.failed_count()})

    def _switch_off(self, webhook_id: str, reason: str) -> None:
        try:
            self.store.set_enabled(webhook_id, False, reason)
        except NotFound:
            return  # an admin preset or a deleted webhook: nothing to switch off here
        self.outbox.cancel_pending(reason, webhook_id)
