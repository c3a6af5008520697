"""Ready-made webhooks for the CRMs and chat tools integrators use most (`presets.list`,
`ucc-webhooks presets`, `ucc-webhooks add --preset ID`).

Each preset follows the request its vendor documents (`doc_url`); `url` and `headers` hold
`<...>` where the integrator fills in their own account's value. Bodies are written as the
vendor's JSON with placeholders where call values go, the way a person would write them. The CRM
presets (one module per vendor) close the CRM loop: a lookup while the call rings, call logs on
the contact it found (and valid without one), a screen pop of the record, a new contact for an
unknown caller; besides the webhook fields they carry `response_map`, `conditions`,
`fallback_url` where they need them.
tests/test_presets.py renders every body with sample values and checks it against a JSON Schema
transcribed from the vendor's page.
"""

from __future__ import annotations

import re

from ucc_webhooks.engine.presets_hubspot import PRESETS as HUBSPOT
from ucc_webhooks.engine.presets_pipedrive import PRESETS as PIPEDRIVE
from ucc_webhooks.engine.presets_salesforce import PRESETS as SALESFORCE
from ucc_webhooks.engine.presets_zoho import PRESETS as ZOHO

__all__ = ["PRESETS", "preset", "unfilled"]

#: what marks a part of a preset's URL or header the integrator must fill in
# What the user fills in: `<...>` in a path or a header value, `your-...` as a host label (a host
# name cannot hold `<`, and a preset must save as it is, switched off, for the popup to open it).
_UNFILLED = re.compile(r"<[^>]*>|//your-[a-z-]+[./]")


def unfilled(text: str) -> bool:
    """Whether `text` still holds a part the user has to fill in."""
    return bool(_UNFILLED.search(text))

#: CRM presets live with their vendor (presets_<vendor>.py); chat tools and the generic one here
_OTHERS: tuple[dict, ...] = (
    {
        "id": "teams-missed-call",
        "name": "Microsoft Teams: missed call message",
        "vendor": "Microsoft",
        "description": "Posts an Adaptive Card to a channel's incoming webhook (or a Workflows "
                       "webhook, which takes the same message) when a call was missed.",
        "doc_url": "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/"
                   "how-to/add-incoming-webhook",
        "trigger": "incoming_call_missed",
        "action": "post",
        "url": "https://your-tenant.webhook.office.com/webhookb2/<webhook-path>",
        "headers": {},
        "content_type": "application/json",
        "body": '{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", '
                '"contentUrl": null, "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", '
                '"type": "AdaptiveCard", "version": "1.2", "body": ['
                '{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "text": "Missed call from {caller_name} {caller}"}, '
                '{"type": "FactSet", "facts": [{"title": "Number", "value": "{caller}"}, {"title": "Queue", "value": "{queue}"}, '
                '{"title": "For", "value": "{user}"}, {"title": "At (UTC)", "value": "{time:iso}"}]}]}}]}',
    },
    {
        "id": "slack-missed-call",
        "name": "Slack: missed call message",
        "vendor": "Slack",
        "description": "Posts a message to a channel through an incoming webhook when a call was missed.",
        "doc_url": "https://api.slack.com/messaging/webhooks",
        "trigger": "incoming_call_missed",
        "action": "post",
        "url": "https://hooks.slack.com/services/<T…>/<B…>/<secret>",
        "headers": {},
        "content_type": "application/json",
        # :slack escapes & < > in what the caller controls, so a name like <!channel> pings nobody
        "body": '{"text": "Missed call from {caller_name:slack} {caller:slack}", "blocks": [{"type": "section", '
                '"text": {"type": "mrkdwn", "text": "*Missed call* from {caller_name:slack} ({caller:slack}) '
                'for {user:slack}, queue {queue:slack}"}}]}',
    },
    {
        "id": "full-event",
        "name": "Full event as JSON",
        "vendor": "UCC Webhooks",
        "description": "Sends the whole call event as one JSON object, for your own receiver "
                       "(the CallEvent fields in PROTOCOL.md).",
        "doc_url": "PROTOCOL.md#call_event",
        "trigger": "incoming_call_ended",
        "action": "post",
        "url": "https://your-receiver.example.com/ucc-webhooks",
        "headers": {},
        "content_type": "application/json",
        "body": "{event}",
    },
)


PRESETS: tuple[dict, ...] = (*HUBSPOT, *PIPEDRIVE, *ZOHO, *SALESFORCE, *_OTHERS)


def preset(preset_id: str) -> dict:
    for p in PRESETS:
        if p["id"] == preset_id:
            return dict(p)
    raise KeyError(preset_id)
