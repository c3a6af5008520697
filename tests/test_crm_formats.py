"""The number and id formats the CRM presets search and log with, through the real host: a caller's
number arrives the same whichever way the PBX wrote it, and an id a CRM wants as a number is one."""

from __future__ import annotations

import json

import pytest
from conftest import event

from ucc_webhooks.engine.formats import apply_format, formats_for
from ucc_webhooks_dev.lab.host_client import HostError

#: how PBXs hand over one German number, and the forms the CRM presets search with
ARRIVALS = ["030 1234567", "+49 30 1234567", "0049 30 1234567", "49301234567", "+49 (0)30 123 45 67"]


def posted(host, receiver, body: str, trigger: str = "incoming_call_ended", **ev) -> dict:
    host.request("webhooks.save", webhook={"trigger": trigger, "action": "post", "url": receiver.url("/in"),
                                           "body": body, "content_type": "application/json"})
    host.request("call_event", event=event(trigger, **ev))
    [req] = receiver.wait_for(1)
    return json.loads(req.body)


@pytest.mark.parametrize("caller", ARRIVALS)
def test_search_forms_are_the_same_however_the_number_arrives(host, receiver, caller):
    got = posted(host, receiver, '{"nsn": "{caller:nsn}", "nd": "{caller:national_digits}", "d": "{caller:digits}"}',
                 caller=caller)
    assert got == {"nsn": "301234567", "nd": "0301234567", "d": "49301234567"}


def test_search_forms_follow_the_numbers_country(host, receiver):
    """Italy keeps its 0 in the national significant number; a US number has no trunk prefix."""
    got = posted(host, receiver, '{"it": "{caller:nsn}", "us": "{callee:nsn}", "us_nd": "{callee:national_digits}"}',
                 caller="+39 06 1234 5678", callee="+1 415 555 1212")
    assert got == {"it": "0612345678", "us": "4155551212", "us_nd": "4155551212"}


def test_internal_and_withheld_numbers_keep_only_their_digits(host, receiver):
    got = posted(host, receiver, '{"a": "{caller:nsn}", "b": "{callee:national_digits}"}', caller="anonymous",
                 callee="2301")
    assert got == {"a": "", "b": "2301"}


def test_int_writes_an_id_of_digits_as_a_number_and_nothing_else():
    assert [apply_format("contact_id", "int", {"contact_id": v}) for v in ("4711", " 42 ", "003LAB01", "٣", "")] == \
        [4711, 42, None, None, ""]


def test_int_is_for_contact_ids_only(host, receiver):
    assert "int" in formats_for("contact_id") and "int" not in formats_for("caller_name")
    with pytest.raises(HostError) as err:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "post", "url": receiver.url("/"),
                                               "body": '{"n": {user:int}}', "content_type": "application/json"})
    assert err.value.reply["error"]["reason"] == "template_format_not_applicable"
    saved = host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "post",
                                                   "url": receiver.url("/"), "body": '{"person_id": {contact_id:int}}',
                                                   "content_type": "application/json"})
    host.request("call_event", event=event("incoming_call_ended"))
    [req] = receiver.wait_for(1)
    assert json.loads(req.body) == {"person_id": None} and saved["body"] == '{"person_id": {contact_id:int}}'
