"""The host's view of its settings and of the administrator's switch, as of now.

Settings are read from the store at every event and request (the store answers from memory
until the database changes, also from the CLI in another process); the delivery attempts that
follow use what the last event read, without asking the database again. The switch is read at
every event too (policy file and the browser's managed storage, told in `hello`), and a change
of it is told to the extension (the popup's banner).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ucc_webhooks.engine.errors import NotFound, SwitchedOff
from ucc_webhooks.engine.models import Settings, Webhook
from ucc_webhooks.engine.policy import Policy, read_policy
from ucc_webhooks.storage.database import Store

__all__ = ["HostState", "Notify"]

#: A notice to the extension (a message without an id): a delivery changed, a tab to open, the policy.
Notify = Callable[[dict], object]


class HostState:
    def __init__(self, store: Store, notify: Notify, policy_reader: Callable[[], Policy] = read_policy) -> None:
        self.store = store
        self.notify = notify
        self._read_policy = policy_reader
        self._managed_enabled: bool | None = None  # the browser's managed storage, told in hello
        self._settings: Settings | None = None
        self._policy_enabled: bool | None = None
        #: called when the switch turns off, so that pending deliveries are looked at again
        self.on_switched_off: Callable[[], None] = lambda: None

    # -- settings -----------------------------------------------------------------------------------
    def settings(self) -> Settings:
        self._settings = self.store.get_settings()
        return self._settings

    def settings_now(self) -> Settings:
        """For each attempt: the settings as the last event or request read them."""
        return self._settings or self.settings()

    def set_settings(self, changes: dict) -> Settings:
        self._settings = self.store.set_settings(changes)
        return self._settings

    # -- the administrator's switch -------------------------------------------------------------
    def set_managed_enabled(self, enabled: bool | None) -> None:
        """The browser's managed storage `WEBHOOKS_ENABLED`, as the extension told it in `hello`."""
        if enabled is not None:
            self._managed_enabled = enabled

    def policy(self) -> Policy:
        """The policy as of now: managed storage off switches webhooks off like the file."""
        policy = self._read_policy()
        if self._managed_enabled is False and policy.webhooks_enabled:
            policy = dataclasses.replace(policy, webhooks_enabled=False, source="managed storage")
        if self._policy_enabled is not None and policy.webhooks_enabled != self._policy_enabled:
            self.notify(policy.notice())
            if not policy.webhooks_enabled:
                self.on_switched_off()
        self._policy_enabled = policy.webhooks_enabled
        return policy

    def refuse_while_off(self) -> None:
        if not self.policy().webhooks_enabled:
            raise SwitchedOff("webhooks are switched off for this installation (WEBHOOKS_ENABLED); ask your administrator",
                              reason="disabled_by_policy")

    # -- webhooks ---------------------------------------------------------------------------------
    def all_webhooks(self, policy: Policy | None = None) -> list[Webhook]:
        """The administrator's presets, then the user's own."""
        policy = policy or self.policy()
        return policy.presets + self.store.list_webhooks()

    def find(self, webhook_id: str) -> Webhook:
        for w in self.all_webhooks():
            if w.id == webhook_id:
                return w
        raise NotFound(f"no webhook with id {webhook_id!r}; it may have been deleted elsewhere",
                       reason="webhook_not_found", params={"id": webhook_id})
