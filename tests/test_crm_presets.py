"""The CRM presets through the real host over real frames, against the lab's vendor servers: for
HubSpot, Pipedrive, Zoho CRM and Salesforce the lookup finds the caller however the number
arrives (the caller card says so), the call log lands on that contact with the contact's values
encoded (a name with `"`, `\\`, `{`, `}` intact in the JSON), or without a contact when nobody was
found; the screen pop opens the record or the fallback; the new contact is made only for a caller
nobody found; a refused token and a stalled search are "not found" with the reason in the
delivery log, and the call log still goes out, without the contact, within the lookup deadline."""

from __future__ import annotations

import json
import time
import urllib.parse

import jsonschema
import pytest
from conftest import FIXTURES, event
from test_crm_vendors import arrivals, strings

from ucc_webhooks.engine.presets import PRESETS
from ucc_webhooks.engine.templates import Template, render_url
from ucc_webhooks.engine.values import sample_values
from ucc_webhooks_dev.lab.crm_vendors import PEOPLE, VENDORS, CrmServer, point_at
from ucc_webhooks_dev.lab.net import wait_until

SCHEMAS = FIXTURES / "vendor_schemas"
STRANGER = "+49 89 9999999"


@pytest.fixture(params=list(VENDORS))
def crm(request):
    with VENDORS[request.param](token="t0ken") as server:
        server.vendor = request.param
        yield server


def presets(vendor: str) -> dict[str, dict]:
    """The vendor's presets by role: lookup, found (the call log on the contact), nobody (the call
    log without one), pop (the screen pop), create."""
    mine = [p for p in PRESETS if p["vendor"] == vendor]
    logs = [p for p in mine if p["action"] == "post" and p["trigger"] == "incoming_call_ended"]

    def log(state: str) -> dict:
        [p] = [p for p in logs if p.get("conditions", {}).get("contact", "any") in ("any", state)]
        return p

    return {"lookup": next(p for p in mine if p["action"] == "lookup"), "found": log("found"), "nobody": log("not_found"),
            "pop": next(p for p in mine if p["action"] == "open_tab"),
            "create": next(p for p in mine if p["action"] == "post" and p["trigger"] == "incoming_call_accepted")}


def install(host, crm: CrmServer, *roles: str, token: str | None = None) -> dict[str, str]:
    """Saves the vendor's presets for `roles` (all the call logs for "logs"), enabled, pointed at the lab."""
    chosen = presets(crm.vendor)
    ids: dict[str, str] = {}
    saved: dict[str, str] = {}  # preset id -> webhook id: Salesforce's one Task is both call logs
    for role in roles:
        for r in (("found", "nobody") if role == "logs" else (role,)):
            p = chosen[r]
            if p["id"] not in saved:
                saved[p["id"]] = host.request("webhooks.save", webhook={**point_at(p, crm, token), "enabled": True})["id"]
            ids[r] = saved[p["id"]]
    return ids


def contact_notice(host, call_id: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        notice = host.notice("contact", timeout=max(0.1, deadline - time.monotonic()))
        if notice["call_id"] == call_id:
            return notice


def ring(host, call_id: str, caller: str, name: str = "Anrufer") -> None:
    host.request("call_event", event=event("incoming_call_ringing", call_id=call_id, caller=caller, caller_name=name,
                                           ended_at=None, answered_at=None))


def record_url(crm: CrmServer, vendor_id: str) -> str:
    template = presets(crm.vendor)["lookup"]["response_map"]["contact_url"]
    return template.replace("{contact_id}", urllib.parse.quote(vendor_id, safe=""))


def test_the_lookup_finds_every_person_however_the_number_arrives(host, crm):
    install(host, crm, "lookup")
    n = 0
    for person in PEOPLE:
        vendor_id, _ = crm.person(person.key)
        for caller in arrivals(person.phone or person.mobile or ""):
            n += 1
            ring(host, f"call-{n}", caller)
            card = contact_notice(host, f"call-{n}")
            assert card["found"] is True, (person.key, caller, card)
            assert (card["name"], card["company"], card["number"]) == (person.name, person.company, caller)
            assert card["url"] == record_url(crm, vendor_id)
    ring(host, "call-stranger", STRANGER)
    assert contact_notice(host, "call-stranger")["found"] is False


@pytest.mark.parametrize("known", [True, False])
def test_the_call_log_is_on_the_contact_when_found_and_valid_without(host, crm, known):
    ids = install(host, crm, "lookup", "logs")
    caller = "0049 30 1234567" if known else STRANGER
    ring(host, "c1", caller, name='Anna "Nina"')
    assert contact_notice(host, "c1")["found"] is known
    host.request("call_event", event=event("incoming_call_ended", call_id="c1", caller=caller, caller_name='Anna "Nina"'))
    [created] = crm.wait_created(1, "call")
    assert created.problems == []
    anna = crm.person("anna")[0]
    assert created.contact_id == (anna if known else None)
    role = "found" if known else "nobody"
    jsonschema.validate(created.body, json.loads((SCHEMAS / f"{presets(crm.vendor)[role]['id']}.json").read_text()))
    if known and "{contact_name}" in presets(crm.vendor)[role]["body"]:
        assert any('Anna "Nina" Mü\\ller {Team}' in text for text in strings(created.body))
    # the CRM has the request before the host has stored the answer
    assert host.delivery_when(webhook_id=ids[role])["state"] == "delivered"
    rows = host.request("deliveries.list", limit=10)["deliveries"]
    assert len([r for r in rows if r["webhook_id"] in (ids["found"], ids["nobody"])]) == 1  # logged once


@pytest.mark.parametrize("known", [True, False])
def test_the_screen_pop_opens_the_record_or_the_fallback(host, crm, known):
    install(host, crm, "lookup", "pop")
    caller = "+49 30 1234567" if known else STRANGER
    ring(host, "p1", caller)
    host.request("call_event", event=event("incoming_call_accepted", call_id="p1", caller=caller))
    tab = host.notice("open_tab")
    if known:
        assert tab["url"] == record_url(crm, crm.person("anna")[0])
    else:
        fallback = Template.parse(presets(crm.vendor)["pop"]["fallback_url"])
        assert tab["url"] == render_url(fallback, {**sample_values("incoming_call_accepted"), "caller": STRANGER})


def test_a_contact_is_created_only_for_a_caller_nobody_found(host, crm):
    install(host, crm, "lookup", "create")
    ring(host, "k1", "+49 30 7654321")  # Bernd, known
    host.request("call_event", event=event("incoming_call_accepted", call_id="k1", caller="+49 30 7654321"))
    ring(host, "u1", "0221 5551234", name='Neu "Neo" {N}')
    host.request("call_event", event=event("incoming_call_accepted", call_id="u1", caller="0221 5551234",
                                           caller_name='Neu "Neo" {N}'))
    [created] = crm.wait_created(1, "contact")
    assert created.problems == [] and any('Neu "Neo" {N}' in text for text in strings(created.body))
    # one worker per webhook, in order: the known caller's event was judged before the unknown's
    assert [c.kind for c in crm.created] == ["contact"]
    ring(host, "u2", "+49 221 5551234")
    card = contact_notice(host, "u2")
    assert card["found"] is True and card["number"] == "+49 221 5551234"


@pytest.mark.parametrize("trouble", ["token", "stall"])
def test_a_refused_or_stalled_search_is_not_found_and_the_log_goes_out_within_the_deadline(host, crm, trouble):
    host.request("settings.set", settings={"lookup_timeout_s": 1})
    if trouble == "stall":
        crm.stall = True
    ids = install(host, crm, "lookup", token="wrong" if trouble == "token" else None)
    ids.update(install(host, crm, "logs"))
    ring(host, "t1", "+49 30 1234567")
    host.request("call_event", event=event("incoming_call_ended", call_id="t1", caller="+49 30 1234567"))
    sent = time.monotonic()
    [created] = crm.wait_created(1, "call", timeout=5)
    waited = time.monotonic() - sent
    assert created.contact_id is None and created.problems == []
    assert waited < 1 + 1.5, f"the call log waited {waited:.2f}s for a lookup with a 1 s deadline"
    assert contact_notice(host, "t1")["found"] is False

    def lookup_row() -> dict | None:
        rows = host.request("deliveries.list", limit=10)["deliveries"]
        return next((r for r in rows if r["webhook_id"] == ids["lookup"] and r["state"] == "failed"), None)

    wait_until(lambda: lookup_row() is not None, 5, "the lookup's row in the delivery log")
    row = lookup_row()
    assert row["action"] == "lookup" and row["contact"] is None
    if trouble == "token":
        assert row["last_status"] == 401 and "401" in row["last_error"]
    else:
        assert "time" in row["last_error"].lower()
