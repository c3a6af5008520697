"""Ready-made webhooks for the CRMs and chat tools integrators use most (`presets.list`,
`ucc-webhooks presets`, `ucc-webhooks add --preset ID`).

Each preset follows the request its vendor documents (`doc_url`); `url` and `headers` hold
`<...>` where the integrator fills in their own account's value. Bodies are written as the
vendor's JSON with placeholders where call values go, the way a person would write them.
tests/test_presets.py renders every body with sample values and checks it against a JSON Schema
transcribed from the vendor's page.
"""

from __future__ import annotations

import re

__all__ = ["PRESETS", "preset", "unfilled"]

#: what marks a part of a preset's URL or header the integrator must fill in
# What the user fills in: `<...>` in a path or a header value, `your-...` as a host label (a host
# name cannot hold `<`, and a preset must save as it is, switched off, for the popup to open it).
_UNFILLED = re.compile(r"<[^>]*>|//your-[a-z-]+[./]")


def unfilled(text: str) -> bool:
    """Whether `text` still holds a part the user has to fill in."""
    return bool(_UNFILLED.search(text))

PRESETS: tuple[dict, ...] = (
    {
        "id": "hubspot-call",
        "name": "HubSpot: log the call",
        "vendor": "HubSpot",
        "description": "Creates a call engagement (timeline entry) when an incoming call ends; "
                       "hs_timestamp and hs_call_duration in milliseconds, as HubSpot wants them.",
        "doc_url": "https://developers.hubspot.com/docs/api/crm/calls",
        "trigger": "incoming_call_ended",
        "action": "post",
        "url": "https://api.hubapi.com/crm/v3/objects/calls",
        "headers": {"Authorization": "Bearer <private-app-token>"},
        "content_type": "application/json",
        "body": '{"properties": {"hs_timestamp": {time:ms}, "hs_call_title": "Call from {caller}", '
                '"hs_call_body": "Incoming call from {caller_name} ({caller}), answered by {user}", '
                '"hs_call_direction": "INBOUND", "hs_call_duration": {duration:ms}, '
                '"hs_call_from_number": "{caller:e164}", "hs_call_to_number": "{callee}", '
                '"hs_call_status": "COMPLETED"}}',
    },
    {
        "id": "pipedrive-call-log",
        "name": "Pipedrive: call log",
        "vendor": "Pipedrive",
        "description": "Adds a call log when an incoming call ends (start and end in UTC as "
                       "YYYY-MM-DD HH:MM:SS, duration in seconds as text).",
        "doc_url": "https://developers.pipedrive.com/docs/api/v1/CallLogs#addCallLog",
        "trigger": "incoming_call_ended",
        "action": "post",
        "url": "https://api.pipedrive.com/v1/callLogs",
        "headers": {"x-api-token": "<api-token>"},
        "content_type": "application/json",
        "body": '{"outcome": "connected", "subject": "Call from {caller_name} {caller}", '
                '"from_phone_number": "{caller:e164}", "to_phone_number": "{callee}", '
                '"start_time": "{time:datetime}", "end_time": "{ended_at:datetime}", "duration": "{duration}"}',
    },
    {
        "id": "zoho-crm-call",
        "name": "Zoho CRM: call record",
        "vendor": "Zoho",
        "description": "Inserts a record into the Calls module when an incoming call ends. Use your "
                       "data centre's API domain (zohoapis.com, .eu, .in, ...).",
        "doc_url": "https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html",
        "trigger": "incoming_call_ended",
        "action": "post",
        "url": "https://www.zohoapis.com/crm/v8/Calls",
        "headers": {"Authorization": "Zoho-oauthtoken <access-token>"},
        "content_type": "application/json",
        "body": '{"data": [{"Subject": "Call from {caller}", "Call_Type": "Inbound", '
                '"Call_Start_Time": "{time:iso_offset}", "Call_Duration": "{duration:minsec}", '
                '"Description": "{caller_name} ({caller:e164}) called {callee}, answered by {user}"}]}',
    },
    {
        "id": "salesforce-task",
        "name": "Salesforce: call Task",
        "vendor": "Salesforce",
        "description": "Creates a completed Task of subtype Call when an incoming call ends "
                       "(REST API sObject Task).",
        "doc_url": "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/"
                   "object_reference/sforce_api_objects_task.htm",
        "trigger": "incoming_call_ended",
        "action": "post",
        "url": "https://your-domain.my.salesforce.com/services/data/v60.0/sobjects/Task/",
        "headers": {"Authorization": "Bearer <access-token>"},
        "content_type": "application/json",
        "body": '{"Subject": "Call from {caller}", "TaskSubtype": "Call", "CallType": "Inbound", '
                '"CallDurationInSeconds": {duration}, "CallObject": "{call_id}", "Status": "Completed", '
                '"Description": "{caller_name} ({caller:e164}), answered by {user}"}',
    },
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


def preset(preset_id: str) -> dict:
    for p in PRESETS:
        if p["id"] == preset_id:
            return dict(p)
    raise KeyError(preset_id)
