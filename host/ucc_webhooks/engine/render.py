"""From a webhook and a call event to the request it makes (or the tab it opens)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.http_rules import check_placeholder_positions, mask_url
from ucc_webhooks.engine.models import Webhook
from ucc_webhooks.engine.phone_numbers import DEFAULT_INTERNAL_MAX_DIGITS
from ucc_webhooks.engine.templates import Template, check_url, render_body, render_url
from ucc_webhooks.engine.values import event_values

if TYPE_CHECKING:
    import httpx

__all__ = ["OPEN_TAB_MAX_DELAY_S", "PlannedDelivery", "matching", "plan"]

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


def plan(webhook: Webhook, values: dict[str, object], now: float,
         occurred_at: float | None = None) -> PlannedDelivery:
    check_placeholder_positions(webhook.url)  # a webhook stored by an older version, too
    url = render_url(Template.parse(webhook.url), values)
    parsed_url = check_url(url)  # never let a filled-in value turn the URL into something else
    method, body, headers = "GET", None, dict(webhook.headers)
    if webhook.action == "post":
        method = "POST"
        body = render_body(Template.parse(webhook.body, "body"), values, webhook.content_type).encode("utf-8")
        ct = "text/plain; charset=utf-8" if webhook.content_type == "text/plain" else webhook.content_type
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = ct
    state, note = "pending", None
    if webhook.action == "open_tab":
        late = now - occurred_at if occurred_at else 0.0
        if late > OPEN_TAB_MAX_DELAY_S:
            state, note = "dropped", f"screen pop dropped: it would have opened {late:.0f} s after the call event"
        else:
            state = "opened"
    return PlannedDelivery(webhook_id=webhook.id, webhook_name=webhook.name, action=webhook.action, method=method,
                           url=url, headers=headers, body=body, secret=webhook.secret, state=state, note=note,
                           parsed_url=parsed_url)


def plan_event(event: CallEvent, webhooks: list[Webhook], region: str | None, now: float,
               internal_max_digits: int = DEFAULT_INTERNAL_MAX_DIGITS) -> list[PlannedDelivery]:
    values = event_values(event, region, internal_max_digits)
    return [_plan_one(w, values, now, event.occurred_at) for w in matching(webhooks, event.trigger)]


def _plan_one(webhook: Webhook, values: dict[str, object], now: float, occurred_at: float | None) -> PlannedDelivery:
    """Each webhook on its own: one that cannot be rendered becomes a failed delivery that says why
    (in the log and on the badge), and costs the event's other webhooks nothing."""
    try:
        return plan(webhook, values, now, occurred_at)
    except Exception as exc:
        log.warning("webhook %s not sent: %s", webhook.id, exc)
        return PlannedDelivery(webhook_id=webhook.id, webhook_name=webhook.name, action=webhook.action,
                               method="POST" if webhook.action == "post" else "GET", url=mask_url(webhook.url),
                               headers={}, body=None, secret=None, state="failed",
                               note=f"not sent: {exc}")
