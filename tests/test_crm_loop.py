"""The CRM loop against the real host over real frames, with a real CRM on 127.0.0.1: a lookup finds
the caller, the call's later webhooks carry the contact (encoded for where it goes) and wait for it,
the contact condition picks the webhook, the caller card's notice, the screen pop to the record and
its host rule, what is "not found", the reuse of an answer, the delivery log, test and try."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from conftest import event

from ucc_webhooks_dev.lab.host_client import HostClient, HostError
from ucc_webhooks_dev.lab.net import wait_until
from ucc_webhooks_dev.lab.receiver import Receiver

AWKWARD = 'Anna "Die Chefin" M\\üller {GmbH}'


class Crm:
    """A CRM's search on 127.0.0.1 (the lab's `Receiver`): GET /search?phone=... answers
    {"results": [...]} for the contacts whose number matches; `answer` overrides it (status, raw
    body), `delay_answers` holds every answer; `requests` are the paths asked, in order."""

    def __init__(self) -> None:
        self.contacts = {"+4930123456": {"id": 512, "name": AWKWARD, "company": "Example & Söhne",
                                         "url": None}}
        self.answer: tuple[int, bytes] | None = None
        self._receiver = Receiver(answer=self._search)

    def _search(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        phone = query.get("phone", [""])[0]
        status, body = self.answer or (200, json.dumps(
            {"results": [c for n, c in self.contacts.items() if n == phone]}).encode())
        return status, "application/json", body

    def delay_answers(self, seconds: float) -> None:
        self._receiver.respond(delay=seconds)

    @property
    def requests(self) -> list[str]:
        return [r.raw_path for r in self._receiver.requests]

    def url(self, path: str) -> str:
        return self._receiver.url(path)

    def __enter__(self) -> Crm:
        self._receiver.start()
        return self

    def __exit__(self, *exc) -> None:
        self._receiver.stop()


@pytest.fixture
def crm() -> Iterator[Crm]:
    with Crm() as server:
        yield server


MAP = {"contact_id": "results[0].id", "contact_name": "results[0].name", "contact_company": "results[0].company",
       "contact_url": "http://127.0.0.1/people/{contact_id}"}


def _lookup(host: HostClient, crm: Crm, trigger: str = "incoming_call_ringing", **extra) -> dict:
    return host.request("webhooks.save", webhook={
        "trigger": trigger, "action": "lookup", "url": crm.url("/search?phone={caller:e164}"),
        "response_map": {**MAP, **extra.pop("response_map", {})}, "name": "CRM lookup", **extra})


def _log(host: HostClient, receiver, trigger: str = "incoming_call_ended", **extra) -> dict:
    body = '{"id": {contact_id}, "name": "{contact_name}", "company": "{contact_company}", "found": {contact_found}}'
    return host.request("webhooks.save", webhook={"trigger": trigger, "action": "post", "url": receiver.url("/log"),
                                                  "body": body, **extra})


def _call(host: HostClient, call_id: str, caller: str = "030 123456", ended: bool = True) -> None:
    host.request("call_event", event=event("incoming_call_ringing", call_id=call_id, caller=caller))
    if ended:
        host.request("call_event", event=event("incoming_call_ended", call_id=call_id, caller=caller))


def _deliveries(host: HostClient, action: str = "lookup") -> list[dict]:
    """The log's rows of `action` once there are some and none is pending: a lookup's row is
    stored after its answer has gone to the card and to the webhooks waiting for it."""
    rows: list[dict] = []

    def settled() -> bool:
        rows[:] = [d for d in host.request("deliveries.list", limit=50)["deliveries"] if d["action"] == action]
        return bool(rows) and all(d["state"] != "pending" for d in rows)

    wait_until(settled, 10, f"the {action} rows of the delivery log", host.proc)
    return rows


def test_the_contact_found_reaches_the_call_log_json_escaped_and_the_card(host, receiver, crm):
    _lookup(host, crm)
    _log(host, receiver)
    _call(host, "c1")
    [logged] = receiver.wait_for(1, path="/log")
    assert json.loads(logged.text) == {"id": 512, "name": AWKWARD, "company": "Example & Söhne", "found": True}
    assert crm.requests == ["/search?phone=%2B4930123456"]  # E.164 of 030 123456 in DE, percent-encoded
    card = host.notice("contact")
    assert {k: card[k] for k in ("call_id", "found", "name", "company", "number")} == {
        "call_id": "c1", "found": True, "name": AWKWARD, "company": "Example & Söhne", "number": "030 123456"}
    assert card["url"] == "http://127.0.0.1/people/512"  # the template's host: named by the integrator
    [row] = _deliveries(host)
    assert row["state"] == "found" and row["contact"]["name"] == AWKWARD and row["latency_ms"] is not None
    assert host.request("deliveries.list", limit=5)["failed_count"] == 0


@pytest.mark.parametrize(("status", "body", "state"), [
    (200, b'{"results": []}', "not_found"), (404, b'{"error": "no such contact"}', "not_found"),
    (204, b"", "not_found"), (401, b'{"error": "bad token"}', "failed"), (200, b"<html>login</html>", "failed"),
], ids=["empty list", "404", "204 No Content", "401", "not JSON"])
def test_what_is_not_found_and_what_failed_still_logs_the_call_without_a_contact(host, receiver, crm, status, body, state):
    crm.answer = (status, body)
    _lookup(host, crm)
    _log(host, receiver)
    _call(host, "nf")
    [logged] = receiver.wait_for(1, path="/log")
    assert json.loads(logged.text) == {"id": None, "name": "", "company": "", "found": False}
    [row] = _deliveries(host)
    assert row["state"] == state and row["contact"] is None
    if state == "failed":
        assert row["last_error"] and host.request("deliveries.list", limit=5)["failed_count"] == 0
    assert host.notice("contact")["found"] is False


def test_a_stalled_search_costs_the_call_log_at_most_the_lookup_deadline(host, receiver, crm):
    host.request("settings.set", settings={"lookup_timeout_s": 1.0})
    crm.delay_answers(30.0)
    _lookup(host, crm)
    _log(host, receiver, trigger="incoming_call_ringing")  # waits for the lookup of its own event
    started = time.monotonic()
    host.request("call_event", event=event("incoming_call_ringing", call_id="stall", caller="030 123456"))
    waited = time.monotonic() - started
    assert 0.9 <= waited < 3.0
    [logged] = receiver.wait_for(1, path="/log")
    assert json.loads(logged.text)["found"] is False
    [row] = _deliveries(host)
    assert row["state"] == "failed" and "timed out after 1 s" in row["last_error"]


def test_only_the_events_that_use_the_contact_wait_for_it(host, receiver, crm):
    crm.delay_answers(1.5)
    _lookup(host, crm)
    _log(host, receiver, trigger="incoming_call_ringing")
    slow = host.send({"type": "call_event", "event": event("incoming_call_ringing", call_id="w1", caller="030 123456")})
    started = time.monotonic()
    # another call's event, and a hello, are answered at once
    assert host.request("call_event", event=event("incoming_call_accepted", call_id="other")) == {"matched": 0}
    host.request("hello", extension_version="0.1.0")
    assert time.monotonic() - started < 1.0
    assert host.reply(slow, timeout=10)["result"] == {"matched": 2}
    assert json.loads(receiver.wait_for(1, path="/log")[0].text)["id"] == 512


def test_the_contact_condition_picks_log_or_create(host, receiver, crm):
    _lookup(host, crm)
    host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get", "name": "on contact",
                                           "url": receiver.url("/on?id={contact_id}"), "conditions": {"contact": "found"}})
    host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get", "name": "create",
                                           "url": receiver.url("/create?phone={caller:e164}&n={caller_name}"),
                                           "conditions": {"contact": "not_found"}})
    _call(host, "known", caller="+49 30 123456")
    _call(host, "unknown", caller="+49 40 999999")
    [on] = receiver.wait_for(1, path="/on")
    [create] = receiver.wait_for(1, path="/create")
    assert on.query == {"id": ["512"]} and create.query["phone"] == ["+4940999999"]
    # each call planned exactly one of the two (the rows were committed when its event was acknowledged)
    planned = sorted((d["webhook_name"], d["call_id"]) for d in _deliveries(host, "get"))
    assert planned == [("create", "unknown"), ("on contact", "known")]


def test_one_answer_per_number_is_used_again_within_a_minute(host, receiver, crm):
    _lookup(host, crm)
    _log(host, receiver)
    _call(host, "first")
    _call(host, "again")
    assert len(receiver.wait_for(2, path="/log")) == 2
    assert crm.requests == ["/search?phone=%2B4930123456"]
    states = [(d["state"], d["last_error"]) for d in _deliveries(host)]
    assert states[0][0] == "found" and "used again" in states[0][1] and states[1] == ("found", None)


def test_the_screen_pop_opens_the_record_only_on_a_named_host_else_the_fallback(host, crm):
    crm.contacts["+4930123456"]["url"] = "https://evil.example/steal"
    _lookup(host, crm, response_map={"contact_url": "results[0].url"})
    host.request("webhooks.save", webhook={"trigger": "incoming_call_ringing", "action": "open_tab",
                                           "url": "{contact_url}",
                                           "fallback_url": "https://crm.example.com/search?q={caller:e164}"})
    host.request("call_event", event=event("incoming_call_ringing", call_id="pop", caller="030 123456"))
    assert host.notice("contact")["url"] is None  # the card does not offer it (told before the tab opens)
    tab = host.notice("open_tab")
    assert tab["url"] == "https://crm.example.com/search?q=%2B4930123456"
    [row] = _deliveries(host, "open_tab")
    assert "evil.example" in row["last_error"] and "fallback" in row["last_error"]


def test_the_screen_pop_opens_a_record_url_from_the_answer_on_a_listed_host(host, crm):
    crm.contacts["+4930123456"]["url"] = "https://crm.example.com/people/512"
    _lookup(host, crm, response_map={"contact_url": "results[0].url"}, contact_hosts=["crm.example.com"])
    host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "open_tab", "url": "{contact_url}"})
    host.request("call_event", event=event("incoming_call_ringing", call_id="rec", caller="030 123456"))
    host.request("call_event", event=event("incoming_call_accepted", call_id="rec", caller="030 123456"))
    assert host.notice("open_tab")["url"] == "https://crm.example.com/people/512"


def test_a_restarted_host_still_knows_the_calls_contact(home, receiver, crm):
    with HostClient() as first:
        _lookup(first, crm)
        _log(first, receiver)
        first.request("call_event", event=event("incoming_call_ringing", call_id="r1", caller="030 123456"))
        first.notice("contact")
    with HostClient() as second:
        second.request("call_event", event=event("incoming_call_ended", call_id="r1", caller="030 123456"))
        assert json.loads(receiver.wait_for(1, path="/log")[0].text)["id"] == 512


@pytest.mark.parametrize(("webhook", "reason"), [
    ({"trigger": "incoming_call_ended"}, "lookup_trigger"),
    ({"response_map": {}}, "lookup_map_missing"),
    ({"response_map": {"contact_id": "results[0"}}, "lookup_map_invalid"),
    ({"response_map": {"contact_id": "id", "phone": "x"}}, "lookup_map_unknown_key"),
    ({"action": "get"}, "field_not_for_action"),
    ({"url": "http://127.0.0.1/s?c={contact_id}"}, "lookup_uses_contact"),
    ({"contact_hosts": ["not a host/x"]}, "contact_hosts_invalid"),
    ({"response_map": {"contact_id": "id", "contact_url": "https://x.example/{phone}"}}, "lookup_map_invalid"),
], ids=["after the call", "no map", "bad JMESPath", "unknown field", "map on a get", "uses its own result",
        "bad host", "unknown template field"])
def test_what_cannot_work_is_refused_at_save_naming_the_field(host, webhook, reason):
    good = {"trigger": "incoming_call_ringing", "action": "lookup", "url": "http://127.0.0.1/s?p={caller}",
            "response_map": {"contact_id": "id"}}
    with pytest.raises(HostError) as caught:
        host.request("webhooks.save", webhook={**good, **webhook})
    assert caught.value.reply["error"]["reason"] == reason
    assert caught.value.reply["error"]["field"]


def test_a_contact_url_alone_is_a_url_only_for_open_tab(host):
    saved = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "open_tab",
                                                   "url": "{contact_url}"})
    assert saved["url"] == "{contact_url}"
    with pytest.raises(HostError) as caught:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get", "url": "{contact_url}"})
    assert caught.value.reply["error"]["field"] == "url"


def test_webhooks_test_and_the_map_tried_on_the_last_answer_and_a_sample(host, crm):
    lookup = _lookup(host, crm)
    tested = host.request("webhooks.test", webhook_id=lookup["id"])
    assert tested["action"] == "lookup" and tested["ok"] and tested["found"] is False  # the sample caller is unknown
    crm.contacts["+4930123456"]["url"] = None
    host.request("call_event", event=event("incoming_call_ringing", call_id="t1", caller="030 123456"))
    host.notice("contact")
    tried = host.request("lookups.map", webhook_id=lookup["id"], response_map={"contact_id": "results[0].id",
                                                                              "contact_name": "results[0].name"})
    assert tried["answer_from"] == "last_call" and tried["contact"]["name"] == AWKWARD
    sample = host.request("lookups.map", response_map={"contact_id": "data[0].id"}, sample='{"data": [{"id": 7}]}')
    assert sample == {"found": True, "contact": {"id": "7", "name": "", "company": "", "url": ""},
                      "answer_from": "sample", "answer_head": '{"data": [{"id": 7}]}'}
    with pytest.raises(HostError) as caught:
        host.request("lookups.map", response_map={"contact_id": "id"}, sample="not json")
    assert caught.value.reply["error"]["reason"] == "lookup_sample_not_json"


def test_a_lookup_is_never_retried_nor_sent_again(host, crm):
    crm.answer = (503, b"{}")
    _lookup(host, crm)
    host.request("call_event", event=event("incoming_call_ringing", call_id="once", caller="030 123456"))
    host.notice("contact")
    [row] = _deliveries(host)
    assert row["state"] == "failed" and row["attempts"] == 1
    with pytest.raises(HostError) as caught:
        host.request("deliveries.retry", delivery_id=row["id"])
    assert caught.value.reply["error"]["reason"] == "delivery_not_retryable"
    assert len(crm.requests) == 1


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], capture_output=True, text=True, input=stdin,
                          timeout=60)


def test_the_command_line_adds_a_lookup_and_export_import_carry_the_loop(home):
    added = _cli("add", "--trigger", "incoming_call_ringing", "--action", "lookup", "--url", "https://crm.example.com/s?p={caller}",
                 "--map", "contact_id=results[0].id", "--map", "contact_name=results[0].name", "--contact-host", "App.Example.com")
    assert added.returncode == 0, added.stderr
    assert _cli("add", "--trigger", "incoming_call_ended", "--action", "get", "--url", "https://crm.example.com/new?p={caller}",
                "--contact", "not_found").returncode == 0
    assert _cli("add", "--trigger", "incoming_call_ringing", "--action", "open_tab", "--url", "{contact_url}",
                "--fallback-url", "https://crm.example.com/find?p={caller}").returncode == 0
    refused = _cli("add", "--trigger", "incoming_call_ended", "--action", "lookup", "--url", "https://crm.example.com/s",
                   "--map", "contact_id=id")
    assert refused.returncode == 2 and "incoming_call_ended" in refused.stderr
    exported = _cli("export").stdout
    hooks = json.loads(exported)["webhooks"]
    assert hooks[0]["response_map"] == {"contact_id": "results[0].id", "contact_name": "results[0].name"}
    assert hooks[0]["contact_hosts"] == ["app.example.com"]
    assert hooks[1]["conditions"]["contact"] == "not_found"
    assert hooks[2]["fallback_url"] == "https://crm.example.com/find?p={caller}"
    assert json.loads(_cli("import", "--json", "-", stdin=exported).stdout)["unchanged"] == [h["id"] for h in hooks]
    hooks[1]["conditions"]["contact"] = "found"
    changed = json.loads(_cli("import", "--json", "-", stdin=json.dumps({**json.loads(exported), "webhooks": hooks})).stdout)
    assert changed["updated"] == [hooks[1]["id"]]


def test_a_contact_is_created_only_for_an_unknown_caller_and_asked_again_next_time(host, receiver, crm):
    """unknown_caller: the CRM answered that it does not know the number. Not a withheld number (not
    looked up), not a lookup that failed (nobody knows); after a create, the next call asks again."""
    _lookup(host, crm)
    host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get", "name": "create",
                                           "url": receiver.url("/create?p={caller:e164}"),
                                           "conditions": {"contact": "unknown_caller"}})
    host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get", "name": "log",
                                           "url": receiver.url("/log?found={contact_found}"),
                                           "conditions": {"contact": "not_found"}})
    _call(host, "anon", caller="anonymous")
    _call(host, "new", caller="+49 40 999999")
    crm.answer = (401, b"{}")
    _call(host, "broken", caller="+49 40 888888")
    crm.answer = None
    crm.contacts["+4940999999"] = {"id": 77, "name": "Neu", "company": "", "url": None}  # created by the first call
    _call(host, "again", caller="+49 40 999999")
    assert [r.query["found"] for r in receiver.wait_for(3, path="/log")] == [["false"]] * 3
    assert [r.query["p"] for r in receiver.wait_for(1, path="/create")] == [["+4940999999"]]
    assert crm.requests == ["/search?phone=%2B4940999999", "/search?phone=%2B4940888888", "/search?phone=%2B4940999999"]
    planned = sorted((d["webhook_name"], d["call_id"]) for d in _deliveries(host, "get"))
    assert planned == [("create", "new"), ("log", "anon"), ("log", "broken"), ("log", "new")]
    states = {d["call_id"]: (d["state"], d["last_error"]) for d in _deliveries(host)}
    assert states["anon"] == ("not_found", "no number to look up (withheld)")
    assert states["again"][0] == "found" and states["broken"][0] == "failed"
