"""Reply envelopes and the stable error codes (PROTOCOL.md); no pydantic, so that the host can
answer before the heavy modules have loaded.

Exception tree::

    ProtocolError            -> {"ok": false, "error": {"code", "message", "field"?, "reason"?, "params"?}}

`reason` (with `params`) says which refusal it is, in a stable code the extension translates.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ERROR_CODES", "ProtocolError", "error_reply", "ok_reply"]

#: Stable error codes. Only ever append.
ERROR_CODES = (
    "invalid_frame",
    "invalid_json",
    "unknown_type",
    "validation_error",
    "not_found",
    "too_large",
    "disabled_by_policy",
    "internal",
    "read_only",
)


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, reason: str | None = None,
                 params: dict[str, str] | None = None) -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        self.reason, self.params = reason, params


def ok_reply(request_id: Any, result: dict) -> dict:
    return {"id": request_id, "ok": True, "result": result}


def error_reply(request_id: Any, code: str, message: str, field: str | None = None, reason: str | None = None,
                params: dict[str, str] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    if reason:
        error["reason"] = reason
        error["params"] = params or {}
    return {"id": request_id, "ok": False, "error": error}


