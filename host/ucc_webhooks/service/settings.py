"""The host's settings as the popup reads and writes them: a proxy's password never leaves the host."""

from __future__ import annotations

from pydantic import ValidationError

from ucc_webhooks.engine.http_rules import mask_url
from ucc_webhooks.engine.validation import invalid_input
from ucc_webhooks.service.state import HostState

__all__ = ["HostSettings"]


def _shown(settings: dict) -> dict:
    """A proxy's password masked (`Store.set_settings` puts it back when the mask comes back)."""
    if settings.get("proxy"):
        settings["proxy"] = mask_url(settings["proxy"])
    return settings


class HostSettings:
    def __init__(self, state: HostState) -> None:
        self.state = state

    def get(self) -> dict:
        return {"settings": _shown(self.state.settings().model_dump())}

    def set(self, changes: dict) -> dict:
        try:
            settings = self.state.set_settings(changes)
        except ValidationError as exc:
            raise invalid_input(exc) from None
        return {"settings": _shown(settings.model_dump())}
