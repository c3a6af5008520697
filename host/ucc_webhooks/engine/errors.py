"""What the host refuses, as exceptions that every layer raises and every front end can show.

Each refusal carries an English message that names the field and the fix (`str(exc)`, what the
CLI prints), the `field`, and a stable `reason` code with `params` that the extension translates
(`_locales`, key `host_<reason>`). Which wire error code a refusal becomes is the protocol's
business (`native/dispatch.py`); the CLI exits 2 on any of them.

Exception tree::

    Refusal                       a request the host will not carry out
     ├── InvalidInput (ValueError)   input that cannot be used: a webhook, a setting, a template
     ├── NotFound                    no such webhook or delivery (or none that can be sent again)
     ├── ReadOnly                    an administrator's webhook, changed from the popup
     └── SwitchedOff                 webhooks are switched off for the installation (WEBHOOKS_ENABLED)
"""

from __future__ import annotations

__all__ = ["InvalidInput", "NotFound", "ReadOnly", "Refusal", "SwitchedOff"]


class Refusal(Exception):
    def __init__(self, message: str, field: str | None = None, reason: str | None = None,
                 params: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.params = dict(params or {})

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(Refusal, ValueError):
    """A ValueError too, so that pydantic validators may raise it and keep its reason."""


class NotFound(Refusal):
    pass


class ReadOnly(Refusal):
    pass


class SwitchedOff(Refusal):
    pass
