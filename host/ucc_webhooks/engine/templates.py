"""Webhook templates: `{name}` placeholders in URLs and bodies, `{{`/`}}` for literal braces.

Values are encoded for where they land, so a caller id like `+49 30 & "Co"` can never break
the request: percent-encoding in URLs, JSON escaping in JSON bodies (numbers as numbers and a
missing value as `null` where a placeholder stands outside quotes), form encoding in form bodies.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from dataclasses import dataclass

from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.http_rules import check_request_url
from ucc_webhooks.engine.triggers import NUMERIC_PLACEHOLDERS, unavailable_reason

__all__ = ["Template", "TemplateError", "check_url", "render_body", "render_url"]

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")


class TemplateError(InvalidInput):
    """A template that cannot be used; `field` names the webhook field it came from."""

    def __init__(self, message: str, field: str = "url", placeholder: str | None = None,
                 reason: str | None = None, params: dict[str, str] | None = None) -> None:
        super().__init__(message, field, reason, params)
        self.field: str = field
        self.placeholder = placeholder


@dataclass(frozen=True)
class Template:
    """A parsed template: literal text and placeholder names, in order."""

    parts: tuple[tuple[bool, str], ...]  # (is_placeholder, text-or-name)

    @classmethod
    def parse(cls, text: str, field: str = "url") -> Template:
        return _parse(cls, text, field)

    @classmethod
    def _parse_uncached(cls, text: str, field: str) -> Template:
        parts: list[tuple[bool, str]] = []
        literal: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            literal.append(text[pos:m.start()])
            tok = m.group(0)
            if tok in ("{{", "}}"):
                literal.append(tok[0])
            elif m.group(1):
                parts.append((False, "".join(literal)))
                literal = []
                parts.append((True, m.group(1)))
            else:
                raise TemplateError(
                    f"single '{tok}' at position {m.start() + 1} of the {field}: write {{{{ and }}}} for literal "
                    f"braces and {{name}} for a placeholder, e.g. {{{{\"from\": \"{{caller}}\"}}}}",
                    field,
                )
            pos = m.end()
        literal.append(text[pos:])
        parts.append((False, "".join(literal)))
        return cls(tuple(p for p in parts if p[0] or p[1]))

    @property
    def placeholders(self) -> list[str]:
        return [text for is_ph, text in self.parts if is_ph]

    def check(self, trigger: str, field: str = "url") -> None:
        for name in self.placeholders:
            reason = unavailable_reason(name, trigger)
            if reason:
                raise TemplateError(reason, field, name)


@functools.lru_cache(maxsize=1024)
def _parse(cls: type, text: str, field: str) -> Template:
    """Templates are parsed at every event that fires them: parse each text once."""
    return cls._parse_uncached(text, field)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_url(template: Template, values: dict[str, object]) -> str:
    out = []
    for is_ph, text in template.parts:
        out.append(urllib.parse.quote(_text(values.get(text)), safe="") if is_ph else text)
    return "".join(out)


def check_url(url: str, field: str = "url") -> None:
    """Only absolute http(s) URLs that HTTP can carry, for every action (`open_tab` included):
    the rules of `http_rules.check_request_url`, raised as a TemplateError."""
    try:
        check_request_url(url, field)
    except TemplateError:
        raise
    except InvalidInput as exc:
        raise TemplateError(str(exc), field, reason=exc.reason, params=exc.params) from None


def render_body(template: Template, values: dict[str, object], content_type: str) -> str:
    if content_type == "application/json":
        return _render_json(template, values)
    out = []
    for is_ph, text in template.parts:
        if not is_ph:
            out.append(text)
        elif content_type == "application/x-www-form-urlencoded":
            out.append(urllib.parse.quote_plus(_text(values.get(text))))
        else:
            out.append(_text(values.get(text)))
    return "".join(out)


def _render_json(template: Template, values: dict[str, object]) -> str:
    out: list[str] = []
    in_string = False  # whether the literal text so far leaves us inside a JSON string
    for is_ph, text in template.parts:
        if not is_ph:
            in_string = _json_string_state(text, in_string)
            out.append(text)
            continue
        value = values.get(text)
        if in_string:
            out.append(json.dumps(_text(value), ensure_ascii=False)[1:-1])
        elif value is None or value == "":
            out.append("null")
        elif text in NUMERIC_PLACEHOLDERS:
            out.append(_text(value))
        else:
            out.append(json.dumps(_text(value), ensure_ascii=False))
    return "".join(out)


def _json_string_state(text: str, in_string: bool) -> bool:
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and in_string:
            escaped = True
        elif ch == '"':
            in_string = not in_string
    return in_string
