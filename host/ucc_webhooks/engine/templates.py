"""Webhook templates: `{name}` and `{name:format}` placeholders in URLs and bodies.

Braces are read the way people write them: `{name}` / `{name:format}` with a known placeholder
name is a placeholder, every other brace is literal text, so a JSON body is written as JSON
(`{"caller": "{caller}"}`). Templates written for the earlier rule, where every literal brace was
doubled, keep their meaning: a template with no lone brace reads `{{` and `}}` as one brace each
(`{{"caller": "{caller}"}}` sends `{"caller": ...}`). In either reading `{{word}}` is the literal
text `{word}`. A `{word}` that is no known placeholder is refused when the webhook is saved.

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
from typing import TYPE_CHECKING

from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.formats import EVENT_KEY, apply_format, formats_for
from ucc_webhooks.engine.http_rules import check_request_url
from ucc_webhooks.engine.triggers import NUMERIC_PLACEHOLDERS, PLACEHOLDERS, spec, unavailable_reason

if TYPE_CHECKING:
    import httpx

__all__ = ["Template", "TemplateError", "check_url", "render_body", "render_url"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SAFE_INTEGER = re.compile(r"-?[1-9][0-9]{0,14}|0")
#: the earlier rule's tokens; a lone brace (the last alternative) means the template is new-style
_LEGACY = re.compile(r"\{\{|\}\}|\{(" + _NAME + r")(?::([A-Za-z0-9_]+))?\}|[{}]")
#: new-style tokens: `{{word}}` (literal `{word}`) and `{word}` / `{word:format}`
_MODERN = re.compile(r"\{\{(" + _NAME + r"(?::[A-Za-z0-9_]+)?)\}\}|\{(" + _NAME + r")(?::([A-Za-z0-9_]+))?\}")


class TemplateError(InvalidInput):
    """A template that cannot be used; `field` names the webhook field it came from."""

    def __init__(self, message: str, field: str = "url", placeholder: str | None = None,
                 reason: str | None = None, params: dict[str, str] | None = None) -> None:
        super().__init__(message, field, reason, params)
        self.field: str = field
        self.placeholder = placeholder


@dataclass(frozen=True)
class Template:
    """A parsed template: literal text and placeholder names, in order.

    `formats` runs beside `parts`: the format of each placeholder (`{time:iso}` -> "iso"), None
    for literal text and for placeholders without one.
    """

    parts: tuple[tuple[bool, str], ...]  # (is_placeholder, text-or-name)
    formats: tuple[str | None, ...] = ()

    @classmethod
    def parse(cls, text: str, field: str = "url") -> Template:
        return _parse(cls, text, field)  # type: ignore[arg-type]  # a class is hashable

    @classmethod
    def _parse_uncached(cls, text: str, field: str) -> Template:
        tokens = list(_LEGACY.finditer(text))
        if any(m.group(0) in "{}" for m in tokens):
            tokens = list(_MODERN.finditer(text))
        parts: list[tuple[bool, str]] = []
        formats: list[str | None] = []
        literal: list[str] = []
        pos = 0

        def flush() -> None:
            if literal:
                parts.append((False, "".join(literal)))
                formats.append(None)
                literal.clear()

        for m in tokens:
            literal.append(text[pos:m.start()])
            tok = m.group(0)
            if tok in ("{{", "}}"):
                literal.append(tok[0])
            elif tok.startswith("{{"):
                literal.append(tok[1:-1])
            else:
                name, fmt = (m.group(1), m.group(2)) if m.re is _LEGACY else (m.group(2), m.group(3))
                flush()
                parts.append((True, name))
                formats.append(fmt)
            pos = m.end()
        literal.append(text[pos:])
        flush()
        kept = [(p, f) for p, f in zip(parts, formats, strict=True) if p[0] or p[1]]
        return cls(tuple(p for p, _ in kept), tuple(f for _, f in kept))

    @property
    def placeholders(self) -> list[str]:
        return [text for is_ph, text in self.parts if is_ph]

    def _format(self, index: int) -> str | None:
        return self.formats[index] if index < len(self.formats) else None

    def check(self, trigger: str, field: str = "url", content_type: str | None = None) -> None:
        """Refuse unknown or unavailable placeholders, formats that do not apply, and `{event}`
        anywhere but outside quotes in a JSON body (or in a plain-text body)."""
        json_body = field == "body" and content_type == "application/json"
        in_string = False
        for i, (is_ph, name) in enumerate(self.parts):
            if not is_ph:
                if json_body:
                    in_string = _json_string_state(name, in_string)
                continue
            _check_name(name, trigger, field)
            fmt = self._format(i)
            if fmt is not None:
                allowed = formats_for(name)
                if not allowed:
                    raise TemplateError(
                        f"{{{name}:{fmt}}}: {{{name}}} takes no format; write {{{name}}}",
                        field, name, "template_no_formats", {"name": name, "format": fmt})
                if fmt not in allowed:
                    raise TemplateError(
                        f"{{{name}:{fmt}}}: the format {fmt} does not apply to {{{name}}}; it takes "
                        + ", ".join(allowed), field, name, "template_format_not_applicable",
                        {"name": name, "format": fmt, "formats": ", ".join(allowed)})
            if name == "event" and not ((json_body and not in_string) or (field == "body" and content_type == "text/plain")):
                raise TemplateError(
                    "{event} (the whole call event as JSON) stands only in a JSON body, outside quotes: "
                    '{"call": {event}}', field, name, "template_event_position", {"field": field})


def _check_name(name: str, trigger: str, field: str) -> None:
    why = unavailable_reason(name, trigger)
    if why is None:
        return
    if name not in PLACEHOLDERS:
        raise TemplateError(
            f"{why}. To send the text {{{name}}} itself, write {{{{{name}}}}}",
            field, name, "template_unknown_placeholder", {"name": name})
    raise TemplateError(why, field, name, "template_unavailable_placeholder",
                        {"name": name, "trigger": trigger if spec(trigger) else str(trigger)})


@functools.lru_cache(maxsize=1024)
def _parse(cls: type[Template], text: str, field: str) -> Template:
    """Templates are parsed at every event that fires them: parse each text once."""
    return cls._parse_uncached(text, field)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(template: Template, index: int, values: dict[str, object]) -> object:
    return apply_format(template.parts[index][1], template._format(index), values)


def render_url(template: Template, values: dict[str, object]) -> str:
    out = []
    for i, (is_ph, text) in enumerate(template.parts):
        out.append(urllib.parse.quote(_text(_value(template, i, values)), safe="") if is_ph else text)
    return "".join(out)


def check_url(url: str, field: str = "url") -> httpx.URL:
    """Only absolute http(s) URLs that HTTP can carry, for every action (`open_tab` included):
    the rules of `http_rules.check_request_url`, raised as a TemplateError. Returns the parsed URL."""
    try:
        return check_request_url(url, field)
    except TemplateError:
        raise
    except InvalidInput as exc:
        raise TemplateError(str(exc), field, reason=exc.reason, params=exc.params) from None


def render_body(template: Template, values: dict[str, object], content_type: str) -> str:
    if content_type == "application/json":
        return _render_json(template, values)
    out = []
    for i, (is_ph, text) in enumerate(template.parts):
        if not is_ph:
            out.append(text)
        elif text == "event":
            out.append(json.dumps(values.get(EVENT_KEY), ensure_ascii=False))
        elif content_type == "application/x-www-form-urlencoded":
            out.append(urllib.parse.quote_plus(_text(_value(template, i, values))))
        else:
            out.append(_text(_value(template, i, values)))
    return "".join(out)


def _render_json(template: Template, values: dict[str, object]) -> str:
    out: list[str] = []
    in_string = False  # whether the literal text so far leaves us inside a JSON string
    for i, (is_ph, text) in enumerate(template.parts):
        if not is_ph:
            in_string = _json_string_state(text, in_string)
            out.append(text)
            continue
        if text == "event":
            out.append(json.dumps(values.get(EVENT_KEY), ensure_ascii=False))
            continue
        value = _value(template, i, values)
        if in_string:
            out.append(json.dumps(_text(value), ensure_ascii=False)[1:-1])
        elif value is None or value == "":
            out.append("null")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        elif isinstance(value, int | float) or (text in NUMERIC_PLACEHOLDERS and template._format(i) is None):
            out.append(_text(value))
        elif text == "contact_id" and _SAFE_INTEGER.fullmatch(_text(value)):
            # a CRM's numeric id (Pipedrive's person_id) as a JSON number; a longer one stays a string,
            # which JSON readers in JavaScript would otherwise round
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
