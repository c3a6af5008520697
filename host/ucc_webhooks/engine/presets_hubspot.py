"""HubSpot's part of the presets gallery: the CRM loop (look the caller up while it rings, log the
call on the contact, open the contact on pick-up, create the contact for an unknown caller).

The lookup searches `hs_searchable_calculated_phone_number` and its mobile twin: HubSpot's own
calculated form of a contact's number, its digits without country code, whichever way the
number was typed in (`030 1234567`, `+49 30 1234567`, `0049 30 1234567`). `{caller:nsn}` is the
caller's number in that form however the PBX delivered it. A third filter group catches numbers
kept verbatim in E.164 (a `phone` property with HubSpot's validation switched on). Filter groups
are ORed (CRM search guide); three stay within the limit HubSpot has documented for every plan.
"""

from __future__ import annotations

__all__ = ["PRESETS"]

_AUTH = {"Authorization": "Bearer <private-app-token>"}
_PORTAL = "https://app.hubspot.com/contacts/<portal-id>"
_CALLS_DOC = "https://developers.hubspot.com/docs/api/crm/calls"
#: call -> contact, HubSpot-defined (calls API, "Associate calls with records")
_CALL_TO_CONTACT = 194

_CALL_PROPERTIES = ('"hs_timestamp": {time:ms}, "hs_call_direction": "INBOUND", "hs_call_duration": {duration:ms}, '
                    '"hs_call_from_number": "{caller:e164}", "hs_call_to_number": "{callee}", '
                    '"hs_call_status": "COMPLETED"')

PRESETS: tuple[dict, ...] = (
    {
        "id": "hubspot-lookup",
        "name": "HubSpot: look up the caller",
        "vendor": "HubSpot",
        "description": "While a call rings, searches HubSpot's contacts for the caller's number (POST "
                       "/crm/v3/objects/contacts/search). Matches the number however it is stored: "
                       "hs_searchable_calculated_phone_number and ..._mobile_number hold a contact's digits "
                       "without country code, which {caller:nsn} gives for every form the PBX sends; a third "
                       "filter group finds numbers kept in E.164. Fills {contact_id}, {contact_name}, "
                       "{contact_company} and {contact_url} (the contact's record in HubSpot; put your "
                       "account's portal id in it, and use app-eu1.hubspot.com for EU accounts).",
        "doc_url": "https://developers.hubspot.com/docs/api/crm/search",
        "trigger": "incoming_call_ringing",
        "action": "lookup",
        "conditions": {"numbers": "external"},
        "url": "https://api.hubapi.com/crm/v3/objects/contacts/search",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"filterGroups": ['
                '{"filters": [{"propertyName": "hs_searchable_calculated_phone_number", "operator": "EQ", '
                '"value": "{caller:nsn}"}]}, '
                '{"filters": [{"propertyName": "hs_searchable_calculated_mobile_number", "operator": "EQ", '
                '"value": "{caller:nsn}"}]}, '
                '{"filters": [{"propertyName": "phone", "operator": "EQ", "value": "{caller:e164}"}]}], '
                '"properties": ["firstname", "lastname", "company"], "limit": 1}',
        "response_map": {
            "contact_id": "results[0].id",
            "contact_name": "join(' ', [results[0].properties.firstname, results[0].properties.lastname][?@])",
            "contact_company": "results[0].properties.company",
            "contact_url": _PORTAL + "/record/0-1/{contact_id}",
        },
    },
    {
        "id": "hubspot-call-contact",
        "name": "HubSpot: log the call on the contact",
        "vendor": "HubSpot",
        "description": "When an incoming call ends and the lookup found the caller, creates a call engagement "
                       "associated with that contact (association type 194, call to contact), so it shows on "
                       "the contact's timeline. Pair it with \"HubSpot: log the call\", which logs the calls "
                       "of callers the lookup did not find.",
        "doc_url": _CALLS_DOC,
        "trigger": "incoming_call_ended",
        "action": "post",
        "conditions": {"contact": "found"},
        "url": "https://api.hubapi.com/crm/v3/objects/calls",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"properties": {' + _CALL_PROPERTIES + ', "hs_call_title": "Call from {contact_name}", '
                '"hs_call_body": "Incoming call from {contact_name}, {caller}, answered by {user}"}, '
                '"associations": [{"to": {"id": "{contact_id}"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", '
                f'"associationTypeId": {_CALL_TO_CONTACT}}}]}}]}}',
    },
    {
        "id": "hubspot-call",
        "name": "HubSpot: log the call",
        "vendor": "HubSpot",
        "description": "Creates a call engagement (timeline entry) when an incoming call ends and no contact was "
                       "found (or no lookup ran); hs_timestamp and hs_call_duration in milliseconds, as HubSpot "
                       "wants them. With \"HubSpot: log the call on the contact\" every call is logged once.",
        "doc_url": _CALLS_DOC,
        "trigger": "incoming_call_ended",
        "action": "post",
        "conditions": {"contact": "not_found"},
        "url": "https://api.hubapi.com/crm/v3/objects/calls",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"properties": {' + _CALL_PROPERTIES + ', "hs_call_title": "Call from {caller}", '
                '"hs_call_body": "Incoming call from {caller_name} ({caller}), answered by {user}"}}',
    },
    {
        "id": "hubspot-open-contact",
        "name": "HubSpot: open the caller's contact",
        "vendor": "HubSpot",
        "description": "On pick-up, opens the contact the lookup found in a new tab (your own HubSpot session). "
                       "When none was found, opens the contacts list searched for the caller's number.",
        "doc_url": "https://developers.hubspot.com/docs/api/crm/understanding-the-crm",
        "trigger": "incoming_call_accepted",
        "action": "open_tab",
        "url": "{contact_url}",
        "fallback_url": _PORTAL + "/objects/0-1/views/all/list?query={caller:nsn}",
        "headers": {},
        "content_type": "application/json",
        "body": "",
    },
    {
        "id": "hubspot-create-contact",
        "name": "HubSpot: create a contact for an unknown caller",
        "vendor": "HubSpot",
        "description": "When an external caller the lookup did not find is answered, creates a HubSpot contact "
                       "with the caller's name and number (E.164), so the next call finds it.",
        "doc_url": "https://developers.hubspot.com/docs/api/crm/contacts",
        "trigger": "incoming_call_accepted",
        "action": "post",
        "conditions": {"contact": "unknown_caller", "numbers": "external"},
        "url": "https://api.hubapi.com/crm/v3/objects/contacts",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"properties": {"lastname": "{caller_name} ({caller:e164})", "phone": "{caller:e164}"}}',
    },
)
