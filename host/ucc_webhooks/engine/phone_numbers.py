"""Phone numbers: which are internal extensions, and the E.164 form of the others (libphonenumber).

One rule for conditions (`numbers: internal`), for `{caller_e164}` and for the number formats, so
that a number is never internal for one and public for another.
"""

from __future__ import annotations

import functools

__all__ = ["DEFAULT_INTERNAL_MAX_DIGITS", "e164", "is_internal"]

#: Settings.internal_max_digits' default: extensions of up to four digits are internal.
DEFAULT_INTERNAL_MAX_DIGITS = 4


def is_internal(number: str, max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS) -> bool:
    """An internal extension: 1 to `max_digits` digits. The one rule for conditions and E.164;
    a withheld number (`anonymous`, no digits) comes from outside."""
    return 0 < sum(c.isdigit() for c in number) <= max_digits


@functools.lru_cache(maxsize=4096)
def e164(number: str, region: str | None, internal_max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS) -> str:
    """`+4930123456` for what PBXs send (`030…`, `0049…`, `+49…`, digits without `+`), else ""."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    if not digits.lstrip("+") or is_internal(number, internal_max_digits):  # never a public number
        return ""
    import phonenumbers

    readings = [(number, region), ("+" + digits.lstrip("+"), None)]
    # PBXs write a national number with its trunk 0 (`030…`); digits without "+" or 0 that start with
    # the region's country code (`4917…` in DE) are an international number whose "+" was dropped,
    # even where a national reading would be valid too (0491 is an area code in DE)
    if region and not digits.startswith(("+", "0")):
        code = str(phonenumbers.country_code_for_region(region.upper()))
        if code != "0" and digits.startswith(code):
            readings.reverse()
    for candidate, reg in readings:
        try:
            parsed = phonenumbers.parse(candidate, reg)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return ""
