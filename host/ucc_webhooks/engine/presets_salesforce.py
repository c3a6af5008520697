"""Salesforce's part of the presets gallery: the CRM loop (look the caller up while it rings, log the
call on the contact, open the contact on pick-up, create the contact for an unknown caller).

The lookup is a SOSL search in phone fields (`FIND {...} IN PHONE FIELDS`): phone fields are
searched by their digits, so the search term names the three digit forms one number is stored as,
joined with OR (`{caller:digits}` for `+49 30 1234567`, `{caller:national_digits}` for
`030 1234567`, `00{caller:digits}` for `0049 30 1234567`); digits need no SOSL escaping. The
Task takes `WhoId` as JSON null when nothing was found: the field is nillable, so one webhook logs
every call, on the contact when there is one.
"""

from __future__ import annotations

__all__ = ["PRESETS"]

_AUTH = {"Authorization": "Bearer <access-token>"}
_API = "https://your-domain.my.salesforce.com/services/data/v60.0"
_LIGHTNING = "https://your-domain.lightning.force.com/lightning"
_SOSL = ("FIND%20%7B{caller:digits}%20OR%20{caller:national_digits}%20OR%2000{caller:digits}%7D"
         "%20IN%20PHONE%20FIELDS%20RETURNING%20Contact(Id,Name,Account.Name)")

PRESETS: tuple[dict, ...] = (
    {
        "id": "salesforce-lookup",
        "name": "Salesforce: look up the caller",
        "vendor": "Salesforce",
        "description": "While a call rings, runs a SOSL search in the phone fields of Contacts (GET /search/?q="
                       "FIND {…} IN PHONE FIELDS RETURNING Contact(Id, Name, Account.Name)) for the three digit "
                       "forms of the caller's number joined with OR, which finds it whether it was stored as "
                       "+49 30…, 030… or 0049…. Fills {contact_id}, {contact_name}, {contact_company} (the "
                       "contact's account) and {contact_url} (the contact in Lightning; put in your My Domain).",
        "doc_url": "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm",
        "trigger": "incoming_call_ringing",
        "action": "lookup",
        "conditions": {"numbers": "external"},
        "url": f"{_API}/search/?q={_SOSL}",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": "",
        "response_map": {
            "contact_id": "searchRecords[0].Id",
            "contact_name": "searchRecords[0].Name",
            "contact_company": "searchRecords[0].Account.Name",
            "contact_url": _LIGHTNING + "/r/Contact/{contact_id}/view",
        },
    },
    {
        "id": "salesforce-task",
        "name": "Salesforce: call Task",
        "vendor": "Salesforce",
        "description": "Creates a completed Task of subtype Call when an incoming call ends (REST API sObject "
                       "Task), on the contact the lookup found (WhoId); WhoId is null, which the nillable field "
                       "takes, when none was found or no lookup ran.",
        "doc_url": "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/"
                   "object_reference/sforce_api_objects_task.htm",
        "trigger": "incoming_call_ended",
        "action": "post",
        "url": f"{_API}/sobjects/Task/",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"Subject": "Call from {caller}", "TaskSubtype": "Call", "CallType": "Inbound", '
                '"CallDurationInSeconds": {duration}, "CallObject": "{call_id}", "Status": "Completed", '
                '"WhoId": {contact_id}, '
                '"Description": "{caller_name} ({caller:e164}), answered by {user}"}',
    },
    {
        "id": "salesforce-open-contact",
        "name": "Salesforce: open the caller's contact",
        "vendor": "Salesforce",
        "description": "On pick-up, opens the contact the lookup found in Lightning, in a new tab of your own "
                       "Salesforce session. When none was found, opens a new contact form with the caller's "
                       "number filled in (defaultFieldValues).",
        "doc_url": "https://developer.salesforce.com/docs/platform/lwc/guide/reference-page-reference-type.html",
        "trigger": "incoming_call_accepted",
        "action": "open_tab",
        "url": "{contact_url}",
        "fallback_url": _LIGHTNING + "/o/Contact/new?defaultFieldValues=Phone={caller:e164}",
        "headers": {},
        "content_type": "application/json",
        "body": "",
    },
    {
        "id": "salesforce-create-contact",
        "name": "Salesforce: create a contact for an unknown caller",
        "vendor": "Salesforce",
        "description": "When an external caller the lookup did not find is answered, creates a Contact with the "
                       "caller's name and number (LastName is required: name and number), so the next call "
                       "finds it.",
        "doc_url": "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/"
                   "object_reference/sforce_api_objects_contact.htm",
        "trigger": "incoming_call_accepted",
        "action": "post",
        "conditions": {"contact": "unknown_caller", "numbers": "external"},
        "url": f"{_API}/sobjects/Contact/",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"LastName": "{caller_name} ({caller:e164})", "Phone": "{caller:e164}", '
                '"LeadSource": "Phone Inquiry"}',
    },
)
