"""From a webhook and a call event to the request it makes (or the tab it opens)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ucc_webhooks.engine.contacts import NOT_FOUND, Contact, url_allowed
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.http_rules import check_placeholder_positions, mask_url
from ucc_webhooks.engine.models import Webhook, opens_contact_url
from ucc_webhooks.engine.phone_numbers import DEFAULT_INTERNAL_MAX_DIGITS
from ucc_webhooks.engine.templates import Template, check_url, render_body, render_url
from ucc_webhooks.engine.values import event_values

if TYPE_CHECKING:
    import httpx

__all__ = ["OPEN_TAB_MAX_DELAY_S", "PlannedDelivery", "matching", "plan", "plan_event"]

log = logging.getLogger("ucc_webhooks.engine.render")

#: A screen pop later than this after the moment it belongs to is dropped, not opened.
OPEN_TAB_MAX_DELAY_S = 30.0

USER_AGENT = "ucc-webhooks"


@dataclass(frozen=True)
class PlannedDelivery:
    webhook_id: str
    webhook_name: str
    action: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    secret: str | None
    state: str = "pending"  # or "opened" / "dropped" for open_tab (never retried), "failed" if it cannot be made
    note: str | None = None
    #: `url` as the sender's parser read it when `plan` checked it (http_rules.check_request_url):
    #: this process sends it without checking and parsing it a second time. Never stored.
    parsed_url: httpx.URL | None = field(default=None, compare=False, repr=False)


def matching(webhooks: list[Webhook], trigger: str) -> list[Webhook]:
    return [w for w in webhooks if w.enabled and w.trigger == trigger]


def plan(webhook: Webhook, values: dict[str, object], now: float, occurred_at: float | None = None,
         contact: Contact | None = None) -> PlannedDelivery:
    """The request a webhook makes with these values (`contact`: what the call's lookup found)."""
    if webhook.action == "open_tab":
        return _plan_tab(webhook, values, now, occurred_at, contact or NOT_FOUND)
    check_placeholder_positions(webhook.url)  # a webhook stored by an older version, too
    url = render_url(Template.parse(webhook.url), values)
    parsed_url = check_url(url)  # never let a filled-in value turn the URL into something else
    method, body, headers = "GET", None, dict(webhook.headers)
    if webhook.action == "post" or (webhook.action == "lookup" and webhook.body.strip()):
        method = "POST"
        body = render_body(Template.parse(webhook.body, "body"), values, webhook.content_type).encode("utf-8")
        ct = "text/plain; charset=utf-8" if webhook.content_type == "text/plain" else webhook.content_type
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = ct
    return PlannedDelivery(webhook_id=webhook.id, webhook_name=webhook.name, action=webhook.action, method=method,
                           url=url, headers=headers, body=body, secret=webhook.secret, parsed_url=parsed_url)


def _plan_tab(webhook: Webhook, values: dict[str, object], now: float, occurred_at: float | None,
              contact: Contact) -> PlannedDelivery:
    """A screen pop: its URL, the found record (`{contact_url}` alone, checked here against the hosts
    the integrator named), or the fallback when nothing was found; dropped when it would come late."""
    note = None
    if opens_contact_url(webhook):
        url = contact.url
        why = url_allowed(url, (*contact.hosts, *webhook.contact_hosts)) if contact.found else "no contact was found"
        if why:
            if not webhook.fallback_url:
                return _tab(webhook, mask_url(url) if url else "", "dropped", f"screen pop not opened: {why}")
            url, note = _render_checked(webhook.fallback_url, "fallback_url", values), f"opened the fallback: {why}"
        else:
            check_url(url)
    elif webhook.fallback_url and not contact.found:
        url, note = _render_checked(webhook.fallback_url, "fallback_url", values), "opened the fallback: no contact was found"
    else:
        url = _render_checked(webhook.url, "url", values)
    late = now - occurred_at if occurred_at else 0.0
    if late > OPEN_TAB_MAX_DELAY_S:
        return _tab(webhook, url, "dropped", f"screen pop dropped: it would have opened {late:.0f} s after the call event")
    return _tab(webhook, url, "opened", note)


def _render_checked(template: str, field: str, values: dict[str, object]) -> str:
    check_placeholder_positions(template, field)
    url = render_url(Template.parse(template, field), values)
    check_url(url, field)
    return url


def _tab(webhook: Webhook, url: str, state: str, note: str | None) -> PlannedDelivery:
    return PlannedDelivery(webhook_id=webhook.id, webhook_name=webhook.name, action="open_tab", method="GET", url=url,
                           headers={}, body=None, secret=None, state=state, note=note)


def plan_event(event: CallEvent, webhooks: list[Webhook], region: str | None, now: float,
               internal_max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS, contact: Contact | None = None
               ) -> list[PlannedDelivery]:
    """The deliveries of an event's webhooks (lookups are not deliveries: `service/lookups.py` runs them)."""
    values = event_values(event, region, internal_max_digits, contact)
    return [_plan_one(w, values, now, event.occurred_at, contact) for w in matching(webhooks, event.trigger)
            if w.action != "lookup"]


def _plan_one(webhook: Webhook, values: dict[str, object], now: float, occurred_at: float | None,
              contact: Contact | None) -> PlannedDelivery:
    """Each webhook on its own: one that cannot be rendered becomes a failed delivery that says why
    (in the log and on the badge), and costs the event's other webhooks nothing."""
    try:
        return plan(webhook, values, now, occurred_at, contact)
    except Exception as exc:
        log.warning("webhook %s not sent: %s", webhook.id, exc)
        return PlannedDelivery(webhook_id=webhook.id, webhook_name=webhook.name, action=webhook.action,
                               method="POST" if webhook.action == "post" else "GET", url=mask_url(webhook.url),
                               headers={}, body=None, secret=None, state="failed",
                               note=f"not sent: {exc}")
