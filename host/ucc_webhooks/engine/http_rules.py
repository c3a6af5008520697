"""What HTTP can carry: the one set of rules the save applies and the sender applies again.

Whatever is accepted when a webhook is saved can be sent, so a value HTTP cannot carry is refused
at save time, naming the field, instead of wedging a delivery later:
- header names are tokens; values are plain ASCII (RFC 9110; `“` or `ö` are refused) without control
  characters;
- a URL is absolute http(s) with a valid host (IDNA, `xn--` labels checked), a port 1-65535 and no
  control characters, spaces or `.`/`..` path segments;
- placeholders stand in the path, query or fragment only, never in the scheme, host or port, so a
  caller id can never choose where a request goes.
`mask_url` hides credentials in a URL wherever one is shown; `unmask_url` puts them back when a
masked URL comes back unchanged from a form.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import urllib.parse
from typing import TYPE_CHECKING

from ucc_webhooks.engine.errors import InvalidInput

if TYPE_CHECKING:
    import httpx

__all__ = ["MASK", "check_header", "check_headers", "check_placeholder_positions", "check_request_url",
           "mask_url", "unmask_url"]

MASK = "********"

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?::[^{}]*)?\}")
_AUTHORITY_CLOSED = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*[/?#]")
_SECRET_NAME = re.compile(r"token|secret|passw|pwd|api[-_]?key|access[-_]?key|auth|signature|session|credential"
                          r"|^sig$|^key$|^pass$", re.IGNORECASE)


def _refuse(message: str, field: str, reason: str, **params: object) -> InvalidInput:
    return InvalidInput(message, field, reason, {"field": field, **{k: str(v) for k, v in params.items()}})


# -- headers -------------------------------------------------------------------------------------
def check_header(name: str, value: str, field: str = "headers") -> None:
    if not _HEADER_NAME.match(name):
        raise _refuse(f"header name {name!r} is not a valid HTTP header name (letters, digits and - only)",
                      field, "header_name_invalid", name=name)
    if _CONTROL.search(value):
        raise _refuse(f"header {name} contains a control character or line break, which HTTP cannot carry",
                      field, "header_value_control", name=name)
    try:  # RFC 9110 keeps field values to ASCII (obs-text is legacy), and so does httpx
        value.encode("ascii")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise _refuse(f"header {name} contains {bad!r}, which HTTP headers cannot carry; use plain quotes "
                      "and letters without accents (or percent-encode the value)",
                      field, "header_value_not_ascii", name=name, character=bad) from None


def check_headers(headers: dict[str, str], field: str = "headers") -> None:
    for name, value in headers.items():
        check_header(name, value, field)


# -- URLs ----------------------------------------------------------------------------------------
def check_request_url(url: str, field: str = "url") -> httpx.URL:
    """An absolute http(s) URL that can be sent as it is (after placeholders were filled in).

    Returns the URL as httpx parsed it (an `httpx.URL`): the sender can send that object, so a
    delivery planned in this process is parsed once, not again before it goes out."""
    if _URL_CONTROL.search(url):
        raise _refuse(f"the {field} contains a control character, which a URL cannot carry", field, "url_control_character")
    if " " in url or "\t" in url:
        raise _refuse(f"the {field} contains spaces or line breaks: encode them as %20", field, "url_spaces")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise _refuse(f"the {field} is not a valid URL: {exc}", field, "url_invalid", detail=exc) from None
    if parts.scheme.lower() not in ("http", "https"):
        got = parts.scheme + ":" if parts.scheme else "no scheme"
        raise _refuse(f"the {field} must start with http:// or https:// (got {got})", field, "url_scheme", scheme=got)
    if not parts.hostname:
        raise _refuse(f"the {field} has no host name: write it as https://crm.example.com/...", field, "url_no_host")
    _check_host(parts.hostname, field)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        given = parts.netloc.rpartition(":")[2]
        raise _refuse(f"the {field} has port {given}; a port is a number from 1 to 65535", field, "url_bad_port", port=given)
    for segment in parts.path.split("/"):
        if ("." in segment or "%" in segment) and urllib.parse.unquote(segment) in (".", ".."):
            raise _refuse(f"the {field} has a {segment!r} path segment, which would send the request to another "
                          "path; a value filled in there was a dot", field, "url_dot_segment", segment=segment)
    try:  # the parser the sender uses has the last word
        import httpx

        return httpx.URL(url)
    except Exception as exc:
        raise _refuse(f"the {field} is not a valid URL: {exc}", field, "url_invalid", detail=exc) from None


@functools.lru_cache(maxsize=256)
def _check_host(host: str, field: str) -> None:
    """Raises for a host HTTP cannot reach; kept per host (a refusal is not kept: it raises)."""
    if ":" in host:  # an IPv6 literal
        try:
            ipaddress.IPv6Address(host.split("%")[0])
            return
        except ValueError:
            raise _refuse(f"the {field} has an invalid IPv6 address {host!r}", field, "url_bad_host", host=host) from None
    try:
        ascii_host = host.encode("ascii").decode()
    except UnicodeEncodeError:
        try:
            import idna

            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except Exception:
            raise _refuse(f"the {field} has the host {host!r}, which is not a valid international domain name",
                          field, "url_bad_host", host=host) from None
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse(f"the {field} has the host {host!r}, which is not a valid host name", field, "url_bad_host", host=host)
    for label in labels:
        if label.startswith("xn--"):
            try:
                import idna

                idna.decode(label)
            except Exception:
                raise _refuse(f"the {field} has the host {host!r}, whose {label!r} is not valid punycode",
                              field, "url_bad_host", host=host) from None


def check_placeholder_positions(template: str, field: str = "url") -> None:
    """Placeholders only after the authority (scheme://host:port): in the path, query or fragment."""
    text = template.replace("{{", "__").replace("}}", "__")
    m = _PLACEHOLDER.search(text)
    if m is None:
        return
    if not _AUTHORITY_CLOSED.match(text[: m.start()]):
        raise _refuse(f"the placeholder {m.group(0)} stands in the scheme, host or port of the {field}; placeholders "
                      "may stand in the path, query or fragment only (write https://crm.example.com/calls?from={caller})",
                      field, "url_placeholder_in_host", placeholder=m.group(0))


# -- masking ---------------------------------------------------------------------------------------
def mask_url(url: str) -> str:
    """The URL with its user:password and secret-looking query values (`token=`, `api_key=`, ...) masked."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{hostport}" if colon else f"{MASK}@{hostport}"
    query = "&".join(_mask_pair(pair) for pair in parts.query.split("&")) if parts.query else parts.query
    if netloc == parts.netloc and query == parts.query:
        return url
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _mask_pair(pair: str) -> str:
    name, eq, value = pair.partition("=")
    if eq and value and _SECRET_NAME.search(urllib.parse.unquote_plus(name)):
        return f"{name}={MASK}"
    return pair


def unmask_url(new: str, old: str | None) -> str:
    """`new` with masked parts taken from `old` (a form sent back a listed URL)."""
    if not old or MASK not in new:
        return new
    try:
        n, o = urllib.parse.urlsplit(new), urllib.parse.urlsplit(old)
    except ValueError:
        return new
    netloc = n.netloc
    if "@" in netloc and "@" in o.netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        old_userinfo = o.netloc.rpartition("@")[0]
        user, colon, password = userinfo.partition(":")
        if userinfo == MASK or (colon and password == MASK and old_userinfo.partition(":")[0] == user):
            netloc = f"{old_userinfo}@{hostport}"
    old_values: dict[str, list[str]] = {}
    for pair in o.query.split("&"):
        name, _, value = pair.partition("=")
        old_values.setdefault(name, []).append(value)
    pairs = []
    for pair in n.query.split("&") if n.query else []:
        name, eq, value = pair.partition("=")
        if eq and value == MASK and old_values.get(name):
            value = old_values[name].pop(0)
        pairs.append(f"{name}{eq}{value}")
    return urllib.parse.urlunsplit((n.scheme, netloc, n.path, "&".join(pairs), n.fragment))
