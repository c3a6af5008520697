"""Zoho CRM's part of the presets gallery: the CRM loop (look the caller up while it rings, log the
call on the contact, open the contact on pick-up, create the contact for an unknown caller).

The lookup is a Search Records request with `criteria`: up to ten conditions joined with `or`,
here Phone and Mobile each compared with the three digit forms one number is typed in as
(`{caller:digits}` for `+49 30 1234567`, `{caller:national_digits}` for `030 1234567`,
`00{caller:digits}` for `0049 30 1234567`); phone fields are compared without their formatting.
Zoho answers `204 No Content` when nothing matches. All URLs are for zoho.com accounts: other
data centres use their own domain (zohoapis.eu / crm.zoho.eu, .in, .com.au, ...).
"""

from __future__ import annotations

__all__ = ["PRESETS"]

_AUTH = {"Authorization": "Zoho-oauthtoken <access-token>"}
_TAB = "https://crm.zoho.com/crm/org<org-id>/tab/Contacts"
_INSERT_DOC = "https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"
_FORMS = ("{caller:digits}", "{caller:national_digits}", "00{caller:digits}")
_CRITERIA = "(" + "or".join(f"({field}:equals:{form})" for field in ("Phone", "Mobile") for form in _FORMS) + ")"
_CALL = ('"Call_Type": "Inbound", "Call_Start_Time": "{time:iso_offset}", "Call_Duration": "{duration:minsec}"')

PRESETS: tuple[dict, ...] = (
    {
        "id": "zoho-crm-lookup",
        "name": "Zoho CRM: look up the caller",
        "vendor": "Zoho",
        "description": "While a call rings, searches the Contacts module (GET /crm/v8/Contacts/search) for the "
                       "caller in Phone and Mobile, each in the three digit forms a number is stored as "
                       "(+49 30…, 030…, 0049…), joined with or. No match is Zoho's 204 No Content: not found. "
                       "Fills {contact_id}, {contact_name}, {contact_company} (the contact's account) and "
                       "{contact_url} (put in your org id; other data centres: their own domains).",
        "doc_url": "https://www.zoho.com/crm/developer/docs/api/v8/search-records.html",
        "trigger": "incoming_call_ringing",
        "action": "lookup",
        "conditions": {"numbers": "external"},
        "url": "https://www.zohoapis.com/crm/v8/Contacts/search?criteria=" + _CRITERIA
               + "&fields=Full_Name,Account_Name&per_page=1",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": "",
        "response_map": {
            "contact_id": "data[0].id",
            "contact_name": "data[0].Full_Name",
            "contact_company": "data[0].Account_Name.name",
            "contact_url": _TAB + "/{contact_id}",
        },
    },
    {
        "id": "zoho-crm-call-contact",
        "name": "Zoho CRM: call on the contact",
        "vendor": "Zoho",
        "description": "When an incoming call ends and the lookup found the caller, inserts a Calls record with "
                       "Who_Id set to that contact. Pair it with \"Zoho CRM: call record\", which logs the calls "
                       "of callers the lookup did not find (a lookup field takes no empty id).",
        "doc_url": _INSERT_DOC,
        "trigger": "incoming_call_ended",
        "action": "post",
        "conditions": {"contact": "found"},
        "url": "https://www.zohoapis.com/crm/v8/Calls",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"data": [{"Subject": "Call from {contact_name}", ' + _CALL + ', '
                '"Who_Id": {"id": "{contact_id}"}, '
                '"Description": "{contact_name} ({caller:e164}) called {callee}, answered by {user}"}]}',
    },
    {
        "id": "zoho-crm-call",
        "name": "Zoho CRM: call record",
        "vendor": "Zoho",
        "description": "Inserts a record into the Calls module when an incoming call ends and no contact was "
                       "found (or no lookup ran). With \"Zoho CRM: call on the contact\" every call is logged "
                       "once. Use your data centre's API domain (zohoapis.com, .eu, .in, ...).",
        "doc_url": _INSERT_DOC,
        "trigger": "incoming_call_ended",
        "action": "post",
        "conditions": {"contact": "not_found"},
        "url": "https://www.zohoapis.com/crm/v8/Calls",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"data": [{"Subject": "Call from {caller}", ' + _CALL + ', '
                '"Description": "{caller_name} ({caller:e164}) called {callee}, answered by {user}"}]}',
    },
    {
        "id": "zoho-crm-open-contact",
        "name": "Zoho CRM: open the caller's contact",
        "vendor": "Zoho",
        "description": "On pick-up, opens the contact the lookup found in a new tab (your own Zoho session). "
                       "When none was found, opens the form for a new contact.",
        "doc_url": "https://www.zoho.com/crm/developer/docs/api/v8/get-records.html",
        "trigger": "incoming_call_accepted",
        "action": "open_tab",
        "url": "{contact_url}",
        "fallback_url": _TAB + "/create",
        "headers": {},
        "content_type": "application/json",
        "body": "",
    },
    {
        "id": "zoho-crm-create-contact",
        "name": "Zoho CRM: create a contact for an unknown caller",
        "vendor": "Zoho",
        "description": "When an external caller the lookup did not find is answered, inserts a contact with the "
                       "caller's name and number (Last_Name is mandatory: name and number), so the next call "
                       "finds it.",
        "doc_url": _INSERT_DOC,
        "trigger": "incoming_call_accepted",
        "action": "post",
        "conditions": {"contact": "unknown_caller", "numbers": "external"},
        "url": "https://www.zohoapis.com/crm/v8/Contacts",
        "headers": dict(_AUTH),
        "content_type": "application/json",
        "body": '{"data": [{"Last_Name": "{caller_name} ({caller:e164})", "Phone": "{caller:e164}", '
                '"Description": "Created by UCC Webhooks for an unknown caller"}]}',
    },
)
