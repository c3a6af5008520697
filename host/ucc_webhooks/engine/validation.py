"""A pydantic validation error in words a person can act on: the first error, with the field it
belongs to, and a reason code with params for the extension to translate (ours when a validator
raised an InvalidInput, else one of PYDANTIC_REASONS)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ucc_webhooks.engine.errors import InvalidInput

__all__ = ["PYDANTIC_REASONS", "invalid_input"]


#: pydantic's own error types -> our reason codes (the extension translates `host_<reason>`).
#: Every reason gets `field`; the others are named in the comment. Unlisted types: `invalid_value`.
PYDANTIC_REASONS: dict[str, str] = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "literal_error": "not_one_of",  # expected, got
    "enum": "not_one_of",
    "string_too_long": "too_long",  # max
    "too_long": "too_long",
    "string_too_short": "too_short",  # min
    "too_short": "too_short",
    "greater_than": "out_of_range",  # limit
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "string_type": "wrong_type",  # expected
    "int_type": "wrong_type",
    "int_parsing": "wrong_type",
    "float_type": "wrong_type",
    "float_parsing": "wrong_type",
    "bool_type": "wrong_type",
    "bool_parsing": "wrong_type",
    "dict_type": "wrong_type",
    "list_type": "wrong_type",
    "model_type": "wrong_type",
    "model_attributes_type": "wrong_type",
    "value_error": "invalid_value",  # message (a validator of ours that gave no reason)
}
_EXPECTED = {"string": "text", "int": "number", "float": "number", "bool": "true/false", "dict": "object",
             "list": "list", "model": "object", "model_attributes": "object"}


def _pydantic_params(err: Any, field: str) -> tuple[str, dict[str, str]]:
    kind = err["type"]
    reason = PYDANTIC_REASONS.get(kind, "invalid_value")
    ctx = err.get("ctx") or {}
    params = {"field": field}
    if reason == "not_one_of":
        params["expected"] = str(ctx.get("expected", ""))
        params["got"] = str(err.get("input"))[:80]
    elif reason == "too_long":
        params["max"] = str(ctx.get("max_length", ""))
    elif reason == "too_short":
        params["min"] = str(ctx.get("min_length", ""))
    elif reason == "out_of_range":
        params["limit"] = " ".join(f"{k} {v}" for k, v in ctx.items())
    elif reason == "wrong_type":
        params["expected"] = _EXPECTED.get(kind.rsplit("_", 1)[0], kind.rsplit("_", 1)[0])
    else:
        params["message"] = str(err.get("msg", ""))
    return reason, params


def invalid_input(exc: ValidationError, prefix: tuple = ()) -> InvalidInput:
    """The first error, with the field it belongs to, in words a person can act on, and a reason
    code with params for the extension to translate (ours from InvalidInput, else PYDANTIC_REASONS)."""
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
    if loc[: len(prefix)] == prefix:
        loc = loc[len(prefix):]
    original = (err.get("ctx") or {}).get("error")
    field = getattr(original, "field", None) or (str(loc[0]) if loc else None)
    message = str(original) if original is not None else err["msg"]
    if loc and original is None:
        message = f"{'.'.join(map(str, loc))}: {message}"
        if err["type"] == "literal_error":
            message += f" (got {err.get('input')!r})"
    reason = getattr(original, "reason", None)
    params = getattr(original, "params", None)
    if not reason:
        reason, params = _pydantic_params(err, ".".join(map(str, loc)) or (field or ""))
        if original is not None:
            params["message"] = str(original)
    return InvalidInput(message, field, reason, params)
