"""Pydantic models of everything stored or exchanged: webhooks, call events, settings, deliveries.

A webhook is validated as a whole when it is saved: its trigger and action, an http(s) URL, and
every placeholder in URL and body against what its trigger offers. Errors carry the field name
so that the popup can show the message beside the right input.
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ucc_webhooks.engine.conditions import Conditions, check_conditions
from ucc_webhooks.engine.contacts import CONTACT_PLACEHOLDERS, MAP_KEYS, check_map
from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.events import Trigger
from ucc_webhooks.engine.http_rules import check_header, check_placeholder_positions, check_request_url, mask_url
from ucc_webhooks.engine.phone_numbers import DEFAULT_INTERNAL_MAX_DIGITS
from ucc_webhooks.engine.templates import Template, TemplateError, check_url, render_body, render_url
from ucc_webhooks.engine.triggers import Action, ContentType, actions_for
from ucc_webhooks.engine.values import sample_values

__all__ = ["MASK", "Conditions", "Settings", "Webhook", "WebhookInput", "needs_contact", "opens_contact_url"]

#: What header values and secrets look like when they leave the store.
MASK = "********"

_RESERVED_HEADERS = {"content-length", "host", "transfer-encoding", "connection",
                     "webhook-id", "webhook-timestamp", "webhook-signature"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=65536)


class Settings(_Model):
    """Host settings (`settings.get` / `settings.set`)."""

    default_region: str | None = Field(default="DE", description="ISO 3166 region for national numbers")
    max_age_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    request_timeout_s: float = Field(default=10.0, gt=0, le=300)
    lookup_timeout_s: float = Field(default=3.0, ge=0.5, le=8.0,
                                    description="a lookup's whole deadline; the call's other webhooks wait at most this long")
    internal_max_digits: int = Field(
        default=DEFAULT_INTERNAL_MAX_DIGITS, ge=1, le=15,
        description="numbers with at most this many digits are internal extensions (no E.164 form)")
    proxy: str | None = Field(default=None, description="HTTP(S) proxy for deliveries, e.g. http://proxy.example.com:3128")
    proxy_from_env: bool = Field(default=False, description="also honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY")

    @field_validator("proxy", mode="before")
    @classmethod
    def _proxy(cls, v: object) -> object:
        if v in (None, ""):
            return None
        if isinstance(v, str):
            check_request_url(v, "proxy")
        return v

    @field_validator("default_region", mode="before")
    @classmethod
    def _region(cls, v: object) -> object:
        if v in (None, ""):
            return None
        if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z]{2}", v):
            raise InvalidInput("default_region must be a two-letter country code such as DE, AT or CH",
                               "default_region", reason="region_format")
        import phonenumbers

        if v.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise InvalidInput(f"default_region {v!r} is not a region libphonenumber knows", "default_region",
                               reason="region_unknown", params={"region": v.upper()})
        return v.upper()


class WebhookInput(_Model):
    """A webhook as sent by `webhooks.save` or `ucc-webhooks add`; no `id` means new."""

    id: str | None = None
    name: str = Field(default="", max_length=200)
    trigger: Trigger
    action: Action
    url: str = Field(min_length=1, max_length=8192)
    body: str = ""
    content_type: ContentType = "application/json"
    enabled: bool = True
    headers: dict[str, str] = Field(default_factory=dict)
    secret: str | None = None  # "whsec_...", "generate", MASK (keep), None/"" (none)
    conditions: Conditions = Field(default_factory=Conditions)
    # the CRM loop (engine/contacts.py): a lookup's map, where a contact URL may point, a screen pop's fallback
    response_map: dict[str, str] = Field(default_factory=dict, max_length=len(MAP_KEYS))
    contact_hosts: list[str] = Field(default_factory=list, max_length=20)
    fallback_url: str = Field(default="", max_length=8192)

    # fields the store owns: accepted back from a listed webhook, ignored on save
    origin: str | None = Field(default=None, exclude=True)
    disabled_reason: str | None = Field(default=None, exclude=True)
    created_at: float | None = Field(default=None, exclude=True)
    updated_at: float | None = Field(default=None, exclude=True)

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str]) -> dict[str, str]:
        for name, value in v.items():
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"header {name} is set by the host itself and cannot be overridden")
            if value != MASK:
                check_header(name, value)
        return v

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        if v in (None, "", "generate", MASK):
            return v or None
        if not v.startswith("whsec_"):
            raise InvalidInput("secret must be whsec_ followed by base64 (or \"generate\" to make one)", "secret",
                               reason="secret_format")
        try:
            raw = base64.b64decode(v[len("whsec_"):], validate=True)
        except ValueError:
            raise InvalidInput("secret must be whsec_ followed by valid base64", "secret", reason="secret_format") from None
        if len(raw) < 24:
            raise InvalidInput("secret must hold at least 24 random bytes (use \"generate\")", "secret",
                               reason="secret_too_short")
        return v

    @field_validator("contact_hosts")
    @classmethod
    def _contact_hosts(cls, v: list[str]) -> list[str]:
        return check_contact_hosts(v)

    @model_validator(mode="after")
    def _templates(self) -> WebhookInput:
        check_action(self)
        check_templates(self)
        check_conditions(self.conditions, self.trigger)
        return self


def check_contact_hosts(hosts: list[str]) -> list[str]:
    """Host names only (`crm.example.com`): where a contact URL from a CRM answer may point."""
    out = []
    for host in hosts:
        name = host.strip().lower()
        try:
            check_request_url(f"https://{name}/", "contact_hosts")
            ok = bool(name) and "/" not in name and "@" not in name and ":" not in name
        except InvalidInput:
            ok = False
        if not ok:
            raise InvalidInput(f"contact_hosts: {host!r} is not a host name (write it as crm.example.com)",
                               "contact_hosts", "contact_hosts_invalid", {"host": host[:200]})
        out.append(name)
    return list(dict.fromkeys(out))


def _not_for(field: str, action: str, only: str) -> InvalidInput:
    return InvalidInput(f"{field} is only for {only} webhooks, not {action}: clear it", field, "field_not_for_action",
                        {"field": field, "action": action})


def check_action(w: WebhookInput | Webhook) -> None:
    """The action fits the trigger, and the CRM loop's fields stand only where they mean something."""
    if w.action not in actions_for(w.trigger):
        raise InvalidInput(f"a lookup runs on incoming_call_ringing, outgoing_call_started or an *_accepted trigger, "
                           f"where the rest of the call can use what it finds; not on {w.trigger}", "action",
                           "lookup_trigger", {"trigger": w.trigger})
    if w.action == "lookup":
        check_map(w.response_map)
    elif w.response_map:
        raise _not_for("response_map", w.action, "lookup")
    if w.fallback_url and w.action != "open_tab":
        raise _not_for("fallback_url", w.action, "open_tab")
    if w.contact_hosts and w.action not in ("lookup", "open_tab"):
        raise _not_for("contact_hosts", w.action, "lookup and open_tab")


def needs_contact(w: WebhookInput | Webhook) -> bool:
    """Whether the webhook uses what the call's lookup finds (then it waits for that lookup)."""
    if w.conditions.contact != "any" or w.action == "lookup":
        return w.conditions.contact != "any"
    return _uses_contact(w.url, w.body, w.fallback_url)


@functools.lru_cache(maxsize=1024)
def _uses_contact(url: str, body: str, fallback_url: str) -> bool:
    """Asked for every webhook at every event: worked out once per text."""
    texts = ((url, "url"), (body, "body"), (fallback_url, "fallback_url"))
    return any(n in CONTACT_PLACEHOLDERS for text, field in texts if text for n in Template.parse(text, field).placeholders)


def opens_contact_url(w: WebhookInput | Webhook) -> bool:
    """An open_tab whose URL is the found record itself: checked when the tab would open (url_allowed)."""
    return w.action == "open_tab" and w.url.strip() == "{contact_url}"


def _check_url_template(w: WebhookInput | Webhook, text: str, field: str, samples: dict[str, object]) -> Template:
    check_placeholder_positions(text, field)
    url = Template.parse(text, field)
    url.check(w.trigger, field)
    check_url(text.replace("{", "").replace("}", ""), field)
    check_url(render_url(url, samples), field)
    return url


def check_templates(w: WebhookInput | Webhook) -> None:
    """Raise TemplateError unless URL and body work for the webhook's trigger and action."""
    samples = sample_values(w.trigger)
    if opens_contact_url(w):
        Template.parse(w.url, "url").check(w.trigger, "url")
    else:
        _check_url_template(w, w.url, "url", samples)
    if w.fallback_url:
        _check_url_template(w, w.fallback_url, "fallback_url", samples)
    if w.action == "lookup":  # a lookup cannot use what it is about to find
        for field, text in (("url", w.url), ("body", w.body)):
            used = [n for n in Template.parse(text, field).placeholders if n in CONTACT_PLACEHOLDERS]
            if used:
                raise TemplateError(f"{{{used[0]}}} is what a lookup finds; the lookup itself cannot use it",
                                    field, used[0], "lookup_uses_contact", {"name": used[0]})
    if w.action in ("post", "lookup") and (w.action == "post" or w.body.strip()):
        body = Template.parse(w.body, "body")
        body.check(w.trigger, "body", w.content_type)
        if w.content_type == "application/json" and w.body.strip():
            import json

            try:
                json.loads(render_body(body, samples, w.content_type))
            except ValueError as exc:
                raise TemplateError(
                    f"the body is not valid JSON once sample values are filled in ({exc}); "
                    'write it as JSON with placeholders where values go: {"caller": "{caller}"}', "body", None,
                    "body_not_json", {"error": str(exc)}) from None
    elif w.body.strip():
        raise TemplateError(f"only POST sends a body; the {w.action} action has none: clear the body", "body", None,
                            "body_without_post", {"action": w.action})


class Webhook(_Model):
    """A stored webhook. `headers` values and `secret` are write-only: see `masked()`."""

    id: str
    name: str = ""
    trigger: Trigger
    action: Action
    url: str
    body: str = ""
    content_type: ContentType = "application/json"
    enabled: bool = True
    headers: dict[str, str] = Field(default_factory=dict)
    secret: str | None = None
    conditions: Conditions = Field(default_factory=Conditions)
    response_map: dict[str, str] = Field(default_factory=dict)
    contact_hosts: list[str] = Field(default_factory=list)
    fallback_url: str = ""
    origin: Literal["user", "admin"] = "user"
    disabled_reason: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    def masked(self) -> dict:
        data = self.model_dump()
        data["url"] = mask_url(self.url)  # user:password@ and ?token=... are write-only too
        data["headers"] = {k: MASK for k in self.headers}
        data["secret"] = MASK if self.secret else None
        return data
