"""Pipedrive's part of the presets gallery: the CRM loop (look the caller up while it rings, log the
call on the person, open the person on pick-up, create the person for an unknown caller).

The lookup uses the persons search limited to phone fields, without `exact_match`: Pipedrive then
matches a part of a stored number, formatting aside, so `{caller:nsn}` (the digits after the
country code and the trunk 0) finds `030 1234567`, `+49 30 1234567` and `0049 30 1234567` alike;
that is how RingCentral's Pipedrive integration searches too. Call logs are API v1 (there is no
v2 for them); persons are API v2. Person ids are numbers, hence `{contact_id:int}`.
"""

from __future__ import annotations

__all__ = ["PRESETS"]

_AUTH = {"x-api-token": "<api-token>"}
_APP = "https://your-company.pipedrive.com"
_CALL_LOG_DOC = "https://developers.pipedrive.com/docs/api/v1/CallLogs#addCallLog"
_CALL_LOG = ('"outcome": "connected", "from_phone_number": "{caller:e164}", "to_phone_number": "{callee}", '
             '"start_time": "{time:datetime}", "end_time": "{ended_at:datetime}", "duration": "{duration}"')

PRESETS: tuple[dict, ...] = (
    {
        "id": "pipedrive-lookup",
        "name": "Pipedrive: look up the caller",
        "vendor": "Pipedrive",
        "description": "While a call rings, searches Pipedrive's persons by phone (GET /api/v2/persons/search, "
                       "fields=phone). Without exact_match Pipedrive matches part of a stored number, so "
                       "{caller:nsn} (the number without country code and leading 0) finds it however it was "
                       "typed in. Fills {contact_id}, {contact_name}, {contact_company} (the person's "
                       "organization) and {contact_url} (the person's page; put in your company domain).",
        "doc_url": "https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons",
        "trigger": "incoming_call_ringing",
        "action": "lookup",
        "conditions": {"numbers": "external"},
        "url": "https://api.pipedrive.com/api/v2/persons/search?term={caller:nsn}&fields=phone&limit=1",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": "",
        "response_map": {
            "contact_id": "data.items[0].item.id",
            "contact_name": "data.items[0].item.name",
            "contact_company": "data.items[0].item.organization.name",
            "contact_url": _APP + "/person/{contact_id}",
        },
    },
    {
        "id": "pipedrive-call-log-person",
        "name": "Pipedrive: call log on the person",
        "vendor": "Pipedrive",
        "description": "When an incoming call ends and the lookup found the caller, adds a call log linked to "
                       "that person (person_id, a number). Pair it with \"Pipedrive: call log\", which logs the "
                       "calls of callers the lookup did not find: Pipedrive takes no empty person_id.",
        "doc_url": _CALL_LOG_DOC,
        "trigger": "incoming_call_ended",
        "action": "post",
        "conditions": {"contact": "found"},
        "url": "https://api.pipedrive.com/v1/callLogs",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{' + _CALL_LOG + ', "subject": "Call from {contact_name}", "person_id": {contact_id:int}}',
    },
    {
        "id": "pipedrive-call-log",
        "name": "Pipedrive: call log",
        "vendor": "Pipedrive",
        "description": "Adds a call log when an incoming call ends and no person was found (or no lookup ran); "
                       "start and end in UTC as YYYY-MM-DD HH:MM:SS, duration in seconds as text. With "
                       "\"Pipedrive: call log on the person\" every call is logged once.",
        "doc_url": _CALL_LOG_DOC,
        "trigger": "incoming_call_ended",
        "action": "post",
        "conditions": {"contact": "not_found"},
        "url": "https://api.pipedrive.com/v1/callLogs",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{' + _CALL_LOG + ', "subject": "Call from {caller_name} {caller}"}',
    },
    {
        "id": "pipedrive-open-person",
        "name": "Pipedrive: open the caller's person",
        "vendor": "Pipedrive",
        "description": "On pick-up, opens the person the lookup found in a new tab (your own Pipedrive session). "
                       "When none was found, opens the persons list.",
        "doc_url": "https://developers.pipedrive.com/docs/api/v1/Persons#getPerson",
        "trigger": "incoming_call_accepted",
        "action": "open_tab",
        "url": "{contact_url}",
        "fallback_url": _APP + "/persons/list",
        "headers": {},
        "content_type": "application/json",
        "body": "",
    },
    {
        "id": "pipedrive-create-person",
        "name": "Pipedrive: create a person for an unknown caller",
        "vendor": "Pipedrive",
        "description": "When an external caller the lookup did not find is answered, adds a person with the "
                       "caller's name and number (POST /api/v2/persons), so the next call finds it.",
        "doc_url": "https://developers.pipedrive.com/docs/api/v1/Persons#addPerson",
        "trigger": "incoming_call_accepted",
        "action": "post",
        "conditions": {"contact": "unknown_caller", "numbers": "external"},
        "url": "https://api.pipedrive.com/api/v2/persons",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"name": "{caller_name} ({caller:e164})", '
                '"phones": [{"value": "{caller:e164}", "primary": true, "label": "work"}]}',
    },
)
