"""The CRM presets against the lab's vendor servers, without the host: each request rendered by the
engine's own templates and formats, sent over real HTTP, each answer read with the preset's
JMESPath response map. What this proves: the lookup finds every stored person however the
caller's number arrives and nobody else; the answers, refusals and stalls are the vendor's; the
call logs and new contacts the presets write are taken, on the contact when there is one, and
the shapes a vendor refuses are refused by the lab too (so the checks can fail)."""

from __future__ import annotations

import json

import httpx
import jmespath
import jsonschema
import pytest
from conftest import FIXTURES

from ucc_webhooks.engine.presets import PRESETS
from ucc_webhooks.engine.templates import Template, render_body, render_url
from ucc_webhooks.engine.values import sample_values
from ucc_webhooks_dev.lab.crm_vendors import PEOPLE, VENDORS, CrmServer, point_at

ANSWERS = FIXTURES / "vendor_schemas" / "answers"
ANSWER_SCHEMA = {"HubSpot": "hubspot-search", "Pipedrive": "pipedrive-search", "Zoho": "zoho-crm-search",
                 "Salesforce": "salesforce-search"}


def preset(vendor: str, action: str, condition: str | None = None) -> dict:
    return next(p for p in PRESETS if p["vendor"] == vendor and p["action"] == action
                and p.get("conditions", {}).get("contact") == condition)


def arrivals(stored: str) -> list[str]:
    """The ways a PBX hands over the number a person was stored with: national, international,
    with 00, and digits only (`49…`) where that reads as one number only: `49171…` is also a
    valid number of Leer (0491), and the host reads such digits as national."""
    import phonenumbers

    parsed = phonenumbers.parse(stored, "DE")
    intl = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    forms = [phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL), intl, "00" + intl[1:]]
    bare = intl[1:].replace(" ", "")
    national_reading = phonenumbers.parse(bare, "DE")
    return forms + ([bare] if not phonenumbers.is_valid_number(national_reading) or national_reading == parsed else [])


def send(webhook: dict, values: dict) -> httpx.Response:
    url = render_url(Template.parse(webhook["url"]), values)
    if not webhook["body"]:
        return httpx.get(url, headers=webhook["headers"], timeout=5)
    body = render_body(Template.parse(webhook["body"], "body"), values, webhook["content_type"])
    return httpx.post(url, content=body.encode(), timeout=5,
                      headers={**webhook["headers"], "content-type": webhook["content_type"]})


def mapped(response_map: dict, answer: httpx.Response) -> dict:
    """What the preset's map reads from the answer: no body (Zoho's 204) is nothing found."""
    data = answer.json() if answer.content else None
    return {k: jmespath.search(e, data) for k, e in response_map.items() if not e.startswith("https://")}


def lookup(crm: CrmServer, vendor: str, caller: str, token: str | None = None) -> tuple[httpx.Response, dict]:
    p = preset(vendor, "lookup")
    values = {**sample_values(p["trigger"]), "caller": caller}
    answer = send(point_at(p, crm, token), values)
    return answer, mapped(p["response_map"], answer)


@pytest.fixture(params=list(VENDORS))
def crm(request):
    with VENDORS[request.param](token="t0ken") as server:
        server.vendor = request.param
        yield server


def test_lookup_finds_every_person_however_the_number_arrives_and_nobody_else(crm):
    for person in PEOPLE:
        vendor_id, _ = crm.person(person.key)
        for caller in arrivals(person.phone or person.mobile or ""):
            answer, got = lookup(crm, crm.vendor, caller)
            assert answer.status_code == 200, (caller, answer.text)
            assert str(got["contact_id"]) == vendor_id, (person.key, caller, got)
            assert got["contact_name"] == person.name and got["contact_company"] == person.company
            jsonschema.validate(answer.json(), json.loads((ANSWERS / f"{ANSWER_SCHEMA[crm.vendor]}.json").read_text()))


def test_awkward_name_comes_back_intact(crm):
    _, got = lookup(crm, crm.vendor, "+49 30 1234567")
    assert got["contact_name"] == 'Anna "Nina" Mü\\ller {Team}' and got["contact_company"] == 'Rock & "Roll" {Records}'


def test_a_stranger_is_not_found_in_the_vendors_way(crm):
    answer, got = lookup(crm, crm.vendor, "+49 89 9999999")
    assert got.get("contact_id") in (None, "")
    if crm.vendor == "Zoho":
        assert answer.status_code == 204 and answer.content == b""
    else:
        assert answer.status_code == 200


def test_a_wrong_token_is_the_vendors_401(crm):
    answer, _ = lookup(crm, crm.vendor, "030 1234567", token="wrong")
    assert answer.status_code == 401
    body = answer.json()
    shape = {"HubSpot": lambda b: b["category"] == "INVALID_AUTHENTICATION",
             "Pipedrive": lambda b: b["success"] is False and b["errorCode"] == 401,
             "Zoho": lambda b: b["code"] == "INVALID_TOKEN",
             "Salesforce": lambda b: b[0]["errorCode"] == "INVALID_SESSION_ID"}
    assert shape[crm.vendor](body), body


def test_a_stalled_search_never_answers(crm):
    crm.stall = True
    with pytest.raises(httpx.ReadTimeout):
        p = preset(crm.vendor, "lookup")
        w = point_at(p, crm)
        url = render_url(Template.parse(w["url"]), {**sample_values(p["trigger"]), "caller": "030 1234567"})
        body = render_body(Template.parse(w["body"], "body"), sample_values(p["trigger"]), "application/json") if w["body"] else None
        httpx.request("POST" if body else "GET", url, content=body, headers=w["headers"], timeout=0.5)
    crm.wait_for(1, crm.search_path)


def contact_values(crm: CrmServer, trigger: str, key: str | None) -> dict:
    values = {**sample_values(trigger), "caller": "+49 30 1234567"}
    if key is None:
        return {**values, "contact_id": "", "contact_name": "", "contact_company": "", "contact_url": "",
                "contact_found": False}
    vendor_id, person = crm.person(key)
    return {**values, "contact_id": vendor_id, "contact_name": person.name, "contact_company": person.company or "",
            "contact_url": f"https://crm.example/{vendor_id}", "contact_found": True}


def strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def logs_for(vendor: str, found: bool) -> list[dict]:
    """The call logs that fire for a found contact, or for nobody found."""
    condition = "found" if found else "not_found"
    return [p for p in PRESETS if p["vendor"] == vendor and p["action"] == "post" and p["trigger"].endswith("_ended")
            and p.get("conditions", {}).get("contact", "any") in ("any", condition)]  # not the create presets (unknown_caller)


@pytest.mark.parametrize("found", [True, False])
def test_call_logs_are_on_the_contact_when_found_and_valid_without(crm, found):
    logs = logs_for(crm.vendor, found)
    assert len(logs) == 1, [p["id"] for p in logs]  # every call is logged exactly once
    values = contact_values(crm, logs[0]["trigger"], "anna" if found else None)
    answer = send(point_at(logs[0], crm), values)
    assert answer.status_code in (200, 201), answer.text
    [created] = crm.wait_created(1, "call")
    assert created.problems == []
    assert created.contact_id == (crm.person("anna")[0] if found else None)
    if found and "{contact_name}" in logs[0]["body"]:  # the awkward name arrives intact in the vendor's JSON
        assert any('Anna "Nina" Mü\\ller {Team}' in text for text in strings(created.body))


def test_the_lab_refuses_what_the_vendor_refuses(crm):
    """An empty or mistyped id where the vendor wants a contact's: the 4xx the presets avoid."""
    bad = {"HubSpot": ("/crm/v3/objects/calls", {"properties": {"hs_timestamp": 1764000000000},
                                                 "associations": [{"to": {"id": ""}, "types": [
                                                     {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}]}]}),
           "Pipedrive": ("/v1/callLogs", {"outcome": "connected", "to_phone_number": "200", "start_time": "2026-11-25 07:17:46",
                                          "end_time": "2026-11-25 07:18:46", "person_id": "101"}),
           "Zoho": ("/crm/v8/Calls", {"data": [{"Subject": "x", "Call_Type": "Inbound", "Call_Duration": "1:00",
                                                "Call_Start_Time": "2026-11-25T07:17:46+00:00", "Who_Id": {"id": ""}}]}),
           "Salesforce": ("/services/data/v60.0/sobjects/Task/", {"Subject": "x", "Status": "Completed", "WhoId": ""})}
    path, body = bad[crm.vendor]
    headers = point_at(preset(crm.vendor, "lookup"), crm)["headers"]
    answer = httpx.post(crm.base + path, json=body, headers=headers, timeout=5)
    assert answer.status_code == 400, answer.text
    assert crm.wait_created(1, "call")[0].problems


def test_create_contact_makes_a_person_the_next_lookup_finds(crm):
    [create] = [p for p in PRESETS if p["vendor"] == crm.vendor and p["action"] == "post"
                and p["trigger"] == "incoming_call_accepted"]
    assert create["conditions"] == {"contact": "unknown_caller", "numbers": "external"}
    values = {**contact_values(crm, create["trigger"], None), "caller": "0221 5551234", "caller_name": 'Neu "Neo" {N}'}
    answer = send(point_at(create, crm), values)
    assert answer.status_code in (200, 201), answer.text
    [created] = crm.wait_created(1, "contact")
    assert created.problems == [] and created.contact_id
    _, got = lookup(crm, crm.vendor, "+49 221 5551234")
    assert str(got["contact_id"]) == created.contact_id
    assert got["contact_name"].startswith('Neu "Neo" {N}')
