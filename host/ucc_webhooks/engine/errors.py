"""The one error type for input the host refuses, so that every refusal can be shown in the user's
language: `reason` is a stable code the extension translates (`_locales`, key `host_<reason>`),
`params` the values its message needs; `str(exc)` stays the English text the CLI prints."""

from __future__ import annotations

__all__ = ["InvalidInput"]


class InvalidInput(ValueError):
    def __init__(self, message: str, field: str | None = None, reason: str | None = None,
                 params: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.params = dict(params or {})
