"""Reply envelopes and the stable error codes (PROTOCOL.md); no pydantic, so that the host can
answer before the heavy modules have loaded.

Two kinds of error reply: a frame the protocol itself cannot take (`ProtocolError`: no id, an
unknown type, a store that cannot open), and a request the host refuses (an
`engine.errors.Refusal`, raised by any layer below; `REFUSAL_CODES` says which code each kind is).
Both become {"ok": false, "error": {"code", "message", "field"?, "reason"?, "params"?}}, where
`reason` (with `params`) says which refusal it is, in a stable code the extension translates.
"""

from __future__ import annotations

from typing import Any

from ucc_webhooks.engine.errors import InvalidInput, NotFound, ReadOnly, Refusal, SwitchedOff

__all__ = ["ERROR_CODES", "REFUSAL_CODES", "ProtocolError", "error_reply", "ok_reply", "refusal_reply"]

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


#: Each kind of refusal and its wire code.
REFUSAL_CODES: dict[type[Refusal], str] = {
    InvalidInput: "validation_error",
    NotFound: "not_found",
    ReadOnly: "read_only",
    SwitchedOff: "disabled_by_policy",
}


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


def refusal_reply(request_id: Any, refusal: Refusal) -> dict:
    code = next((c for kind, c in REFUSAL_CODES.items() if isinstance(refusal, kind)), "validation_error")
    return error_reply(request_id, code, refusal.message, refusal.field, refusal.reason, refusal.params)
