"""The host's parts, put together once per process: what `native/` dispatches to, and what
`ucc-webhooks test` runs a webhook with."""

from __future__ import annotations

from collections.abc import Callable

from ucc_webhooks.delivery.http import network_from
from ucc_webhooks.delivery.sender import Deliverer
from ucc_webhooks.engine.policy import Policy, read_policy
from ucc_webhooks.service.call_events import CallEvents
from ucc_webhooks.service.deliveries import Deliveries
from ucc_webhooks.service.last_calls import LastCalls
from ucc_webhooks.service.lookups import Lookups
from ucc_webhooks.service.outcomes import Outcomes
from ucc_webhooks.service.settings import HostSettings
from ucc_webhooks.service.state import HostState, Notify
from ucc_webhooks.service.webhooks import Webhooks
from ucc_webhooks.storage.database import Store
from ucc_webhooks.storage.lookups import LookupStore
from ucc_webhooks.storage.outbox import Outbox

__all__ = ["App"]


class App:
    def __init__(self, store: Store, notify: Notify, policy_reader: Callable[[], Policy] = read_policy) -> None:
        self.store = store
        self.state = state = HostState(store, notify, policy_reader)
        self.outbox = outbox = Outbox(store)
        self.outcomes = outcomes = Outcomes(state, outbox)
        self.deliverer = deliverer = Deliverer(
            outbox, timeout=lambda: state.settings_now().request_timeout_s, on_update=outcomes.changed,
            on_gone=outcomes.gone, stop_reason=outcomes.stop_reason, network=lambda: network_from(state.settings_now()))
        state.on_switched_off = deliverer.reconsider
        last_calls = LastCalls()
        self.lookups = lookups = Lookups(state, LookupStore(store), deliverer, outcomes)
        self.call_events = CallEvents(state, outbox, deliverer, outcomes, last_calls, lookups)
        self.webhooks = Webhooks(state, deliverer, last_calls, lookups)
        self.deliveries = Deliveries(state, outbox, deliverer)
        self.settings = HostSettings(state)

    @classmethod
    def open(cls, notify: Notify) -> App:
        """On the user's store (the data folder, or UCC_WEBHOOKS_HOME)."""
        return cls(Store(), notify)

    def start(self) -> None:
        """Once the store is open: trim the log, resume what a previous run left pending."""
        self.outbox.prune()
        self.deliverer.resume()

    async def close(self, grace_s: float) -> None:
        """Requests on the wire get their deadline plus `grace_s`; what waits stays in the outbox."""
        await self.deliverer.close(self.state.settings().request_timeout_s + grace_s)
        self.store.close()
