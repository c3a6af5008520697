"""`{placeholder:format}`: one value written the way a receiver wants it.

Which formats a placeholder takes follows from its kind in triggers.KINDS (time, duration,
number, text), so a placeholder added there with a kind gets that kind's formats. Formats need
the raw values and a little context (the host's `default_region`, `internal_max_digits`, the
call event itself); values.py puts that context into the values under keys that start with `@`,
which no placeholder name can.
"""

from __future__ import annotations

import datetime

from ucc_webhooks.engine.phone_numbers import DEFAULT_INTERNAL_MAX_DIGITS, e164, is_internal
from ucc_webhooks.engine.triggers import placeholder_kind

__all__ = ["EVENT_KEY", "FORMATS", "INTERNAL_KEY", "REGION_KEY", "apply_format", "formats_for", "slack_escape"]

REGION_KEY = "@region"
INTERNAL_KEY = "@internal_max_digits"
EVENT_KEY = "@event"

#: kind -> its formats, the default first. `datetime`, `iso_offset` and `minsec` go beyond the
#: three the issue named: Pipedrive wants `2026-11-25 07:17:46`, Zoho `…+00:00` and `m:ss`.
#: `slack` writes text (and a number as it came) for a Slack mrkdwn message: `&`, `<` and `>`
#: escaped as Slack asks, because `<!channel>`, `<@U…>` and `<https://…|label>` in a caller's
#: name would otherwise ping a whole channel or show a link the caller chose.
#: `nsn` and `national_digits` are for CRM searches that compare digits: `nsn` (the national
#: significant number, `301234567`) is contained in the digits of `030 1234567`, `+49 30 1234567`
#: and `0049 30 1234567` alike; `national_digits` (`0301234567`) equals the digits of a number
#: stored the national way. `int` writes an id a CRM wants as a JSON number (Pipedrive's
#: person_id): `"42"` becomes 42, anything but digits becomes empty; `{contact_id}` only.
FORMATS: dict[str, tuple[str, ...]] = {
    "time": ("unix", "ms", "iso", "iso_offset", "datetime"),
    "duration": ("s", "ms", "minsec"),
    "number": ("e164", "digits", "national", "nsn", "national_digits", "slack"),
    "text": ("slack", "int"),
}

#: time placeholder -> the CallEvent field with its full precision (values hold whole seconds)
_EVENT_TIME = {"time": "started_at", "answered_at": "answered_at", "ended_at": "ended_at"}


#: formats that fit only some placeholders of their kind: `int` is for ids, not for names
_ONLY_FOR: dict[str, frozenset[str]] = {"int": frozenset({"contact_id"})}


def formats_for(name: str) -> tuple[str, ...]:
    return tuple(f for f in FORMATS.get(placeholder_kind(name), ()) if name in _ONLY_FOR.get(f, (name,)))


def apply_format(name: str, fmt: str | None, values: dict[str, object]) -> object:
    """The value of `{name:fmt}` (`fmt` None: the plain value); None or "" when there is none."""
    value = values.get(name)
    if fmt is None or value in (None, ""):
        return value
    if fmt == "slack":
        return slack_escape(str(value))
    if fmt == "int":
        text = str(value).strip()
        return int(text) if text.isascii() and text.isdigit() else None
    kind = placeholder_kind(name)
    if kind == "time":
        return _time(name, fmt, value, values)
    if kind == "duration":
        seconds = int(float(str(value)))
        if fmt == "ms":
            return seconds * 1000
        if fmt == "minsec":
            return f"{seconds // 60}:{seconds % 60:02d}"
        return seconds
    if kind == "number":
        return _number(str(value), fmt, values)
    return value


def slack_escape(text: str) -> str:
    """Slack's three control characters (api.slack.com, "Formatting text: escaping")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _time(name: str, fmt: str, value: object, values: dict[str, object]) -> object:
    event = values.get(EVENT_KEY)
    exact = event.get(_EVENT_TIME.get(name, "")) if isinstance(event, dict) else None
    ts = float(exact) if isinstance(exact, int | float) else float(str(value))
    if fmt == "ms":
        return round(ts * 1000)
    if fmt == "unix":
        return int(ts)
    moment = datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc)
    if fmt == "iso":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "iso_offset":
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _number(number: str, fmt: str, values: dict[str, object]) -> str:
    region = values.get(REGION_KEY)
    region = region if isinstance(region, str) else None
    max_digits = values.get(INTERNAL_KEY)
    max_digits = max_digits if isinstance(max_digits, int) else DEFAULT_INTERNAL_MAX_DIGITS
    full = e164(number, region, max_digits)
    if fmt == "e164":
        return full
    if fmt == "digits":
        return full.lstrip("+") if full else _digits(number)
    if not full or is_internal(number, max_digits):
        return number if fmt == "national" else _digits(number)
    import phonenumbers

    parsed = phonenumbers.parse(full, None)
    if fmt == "nsn":
        return phonenumbers.national_significant_number(parsed)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _digits(national) if fmt == "national_digits" else national


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isascii() and c.isdigit())
