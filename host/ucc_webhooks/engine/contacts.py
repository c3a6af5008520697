"""The CRM loop's rules: a lookup's response map, the contact it finds, the contact's placeholder
values, and where a contact URL from a CRM answer may point.

A response map turns a CRM's JSON answer into the call's contact, one JMESPath expression per
field (https://jmespath.org/specification.html: a language with a specification and a compliance
suite, so an integrator's expression means the same in every tool that speaks it):
`{"contact_id": "results[0].id", "contact_name": "join(' ', [results[0].properties.firstname,
results[0].properties.lastname])"}`. `contact_url` may instead be a URL template over the found
values (`https://crm.example.com/person/{contact_id}`). A contact is found when `contact_id`
gives a non-empty value.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import Any

from ucc_webhooks.engine.errors import InvalidInput

__all__ = ["CONTACT_PLACEHOLDERS", "MAP_KEYS", "NOT_FOUND", "UNANSWERED", "Contact", "apply_map", "check_map", "contact_values",
           "host_of", "is_contact_url_template", "url_allowed"]

MAP_KEYS = ("contact_id", "contact_name", "contact_company", "contact_url")
CONTACT_PLACEHOLDERS = ("contact_id", "contact_name", "contact_company", "contact_url", "contact_found")
#: Longest text of one contact field: a CRM answer cannot fill a request or a notice without bound.
FIELD_LIMIT = 1024
_TEMPLATE_FIELD = re.compile(r"\{(contact_id|contact_name|contact_company)\}")


@dataclass(frozen=True)
class Contact:
    """The call's contact as its lookup found it; `hosts` are where its URL may point."""

    found: bool
    id: str = ""
    name: str = ""
    company: str = ""
    url: str = ""
    hosts: tuple[str, ...] = field(default=(), compare=False)
    #: the CRM answered (found, or "no such contact"); False when the lookup failed or was not made
    #: (a withheld number): then nobody knows whether the caller is in the CRM
    answered: bool = True

    def shown(self) -> dict[str, str] | None:
        """For the delivery log, a notice, a test: the fields, or None when nothing was found."""
        if not self.found:
            return None
        return {"id": self.id, "name": self.name, "company": self.company, "url": self.url}

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "hosts": list(self.hosts)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Contact:
        data = json.loads(text)
        return cls(bool(data.get("found")), str(data.get("id", "")), str(data.get("name", "")),
                   str(data.get("company", "")), str(data.get("url", "")), tuple(data.get("hosts") or ()),
                   bool(data.get("answered", True)))

    @property
    def unknown_caller(self) -> bool:
        """The CRM was asked about the caller's number and does not know it: a contact to create."""
        return self.answered and not self.found


NOT_FOUND = Contact(False)
#: A lookup that failed (an error, the deadline) or could not be made: not found, and not known to be absent.
UNANSWERED = Contact(False, answered=False)


def is_contact_url_template(expression: str) -> bool:
    return expression.lstrip().lower().startswith(("http://", "https://"))


def check_map(response_map: dict[str, str]) -> None:
    """Save time: every key known, `contact_id` there, every expression compiles."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    for key in response_map:
        if key not in MAP_KEYS:
            raise InvalidInput(f"response_map.{key} is not a contact field; the fields are {', '.join(MAP_KEYS)}",
                               "response_map", "lookup_map_unknown_key", {"key": key})
    if not str(response_map.get("contact_id") or "").strip():
        raise InvalidInput("a lookup needs response_map.contact_id: a JMESPath expression that gives the "
                           "contact's id in the CRM's answer, e.g. results[0].id", "response_map", "lookup_map_missing")
    for key, expression in response_map.items():
        if not expression.strip():
            continue
        if key == "contact_url" and is_contact_url_template(expression):
            unknown = set(re.findall(r"\{([^{}]*)\}", expression)) - {"contact_id", "contact_name", "contact_company"}
            if unknown:
                raise InvalidInput(f"response_map.contact_url may use {{contact_id}}, {{contact_name}} and "
                                   f"{{contact_company}}, not {{{sorted(unknown)[0]}}}", "response_map",
                                   "lookup_map_invalid", {"key": key, "error": f"unknown {{{sorted(unknown)[0]}}}"})
            continue
        try:
            jmespath.compile(expression)
        except JMESPathError as exc:
            raise InvalidInput(f"response_map.{key} is not a JMESPath expression: {exc}", "response_map",
                               "lookup_map_invalid", {"key": key, "error": str(exc).splitlines()[0]}) from None


def _text(value: Any) -> str:
    """A found value as text: numbers as written, lists and objects not at all (a map should pick one)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:FIELD_LIMIT]


def apply_map(response_map: dict[str, str], answer: Any, hosts: tuple[str, ...] = ()) -> Contact:
    """The contact the map finds in a parsed JSON answer (raises JMESPathError on a runtime error)."""
    import jmespath

    found: dict[str, str] = {}
    for key in ("contact_id", "contact_name", "contact_company"):
        expression = (response_map.get(key) or "").strip()
        found[key] = _text(jmespath.search(expression, answer)) if expression else ""
    if not found["contact_id"]:
        return NOT_FOUND
    url_expr = (response_map.get("contact_url") or "").strip()
    if is_contact_url_template(url_expr):
        url = _TEMPLATE_FIELD.sub(lambda m: urllib.parse.quote(found[m.group(1)], safe=""), url_expr)
        hosts = (*hosts, host_of(url_expr))
    else:
        url = _text(jmespath.search(url_expr, answer)) if url_expr else ""
    return Contact(True, found["contact_id"], found["contact_name"], found["contact_company"], url[:8192],
                   tuple(h for h in hosts if h))


def contact_values(contact: Contact) -> dict[str, object]:
    """The five placeholders' values (an id nobody found is empty: `null` outside quotes in JSON)."""
    return {"contact_id": contact.id, "contact_name": contact.name, "contact_company": contact.company,
            "contact_url": contact.url, "contact_found": contact.found}


def host_of(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def url_allowed(url: str, hosts: tuple[str, ...] | list[str]) -> str | None:
    """None when a contact URL may be opened: http or https, and its host one the integrator named
    (the lookup's own host, the host of a contact_url template, or one listed in contact_hosts);
    else why not."""
    if not url:
        return "no contact URL"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "the contact URL is not a URL"
    if parts.scheme.lower() not in ("http", "https"):
        return f"the contact URL is not http or https ({parts.scheme or 'no scheme'}:)"
    host = (parts.hostname or "").lower()
    allowed = {h.lower() for h in hosts if h}
    if host not in allowed:
        return f"the contact URL points at {host or 'no host'}, which is not a host this webhook names ({', '.join(sorted(allowed)) or 'none'})"
    return None
