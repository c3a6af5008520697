"""Whatever is saved can be sent: the save refuses what HTTP cannot carry, by the rules the sender
applies, naming the field and a reason; placeholders never pick the host; one webhook that
cannot be made costs only itself."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import event

from ucc_webhooks_dev.lab.host_client import HostClient, HostError
from ucc_webhooks_dev.lab.receiver import Receiver


def stored_by_an_older_version(home, webhook_id: str, **changes) -> None:
    """Write into a stored webhook what today's save would refuse (as an older version may have)."""
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    data = json.loads(db.execute("SELECT data FROM webhooks WHERE id=?", (webhook_id,)).fetchone()[0])
    db.execute("UPDATE webhooks SET data=? WHERE id=?", (json.dumps({**data, **changes}), webhook_id))
    db.commit()
    db.close()


def refusal(host, **webhook) -> dict:
    with pytest.raises(HostError) as info:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get", **webhook})
    return info.value.reply["error"]


@pytest.mark.parametrize(("value", "reason"), [
    ("Bearer “abc”", "header_value_not_ascii"),
    ("töken", "header_value_not_ascii"),
    ("a\x00b", "header_value_control"),
    ("a\x7fb", "header_value_control"),
    ("a\r\nX-Evil: 1", "header_value_control"),
])
def test_header_values_http_cannot_carry_are_refused_at_save(host, value, reason):
    error = refusal(host, url="https://crm.example.com/x", headers={"Authorization": value})
    assert error["code"] == "validation_error" and error["field"] == "headers" and error["reason"] == reason
    assert error["params"]["name"] == "Authorization"


@pytest.mark.parametrize(("url", "reason"), [
    ("https://crm.example.com:99999/x", "url_bad_port"),
    ("https://crm.example.com:0/x", "url_bad_port"),
    ("https://xn--/x", "url_bad_host"),
    ("https://xn--abc.example.com/x", "url_bad_host"),
    ("https://exa_mple..com/x", "url_bad_host"),
    ("https://crm.example.com/a\x00b", "url_control_character"),
    ("https://crm.example.com/a\x7fb", "url_control_character"),
    ("https://crm.example.com/a/../b", "url_dot_segment"),
    ("https://{caller}/x", "url_placeholder_in_host"),
    ("https://crm.example.com:{caller}/x", "url_placeholder_in_host"),
    ("https://{user}@crm.example.com/x", "url_placeholder_in_host"),
    ("{caller}://crm.example.com/x", "url_placeholder_in_host"),
])
def test_urls_http_cannot_carry_are_refused_at_save(host, url, reason):
    error = refusal(host, url=url)
    assert error["code"] == "validation_error" and error["field"] == "url" and error["reason"] == reason, error


@pytest.mark.parametrize("url", ["https://münchen.example/x?c={caller}", "https://crm.example.com/c/{caller}#{user}",
                                 "https://[::1]:8443/x", "http://localhost/{caller}/calls"])
def test_good_urls_are_still_accepted(host, url):
    assert host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get", "url": url})["id"]


def test_a_dot_value_never_becomes_a_path_segment_and_costs_only_its_webhook(host, receiver):
    bad = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                 "url": receiver.url("/contacts/{caller}/calls")})
    good = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                  "url": receiver.url("/ok?c={caller}")})
    assert host.request("call_event", event=event(caller=".."))["matched"] == 2
    [req] = receiver.wait_for(1)
    assert req.path == "/ok"
    rows = {d["webhook_id"]: d for d in host.request("deliveries.list")["deliveries"]}
    assert rows[bad["id"]]["state"] == "failed" and "dot" in rows[bad["id"]]["last_error"]
    assert host.request("deliveries.list")["failed_count"] == 1
    assert good["id"] in rows


def test_a_stored_row_the_sender_refuses_is_a_recorded_failure_and_the_worker_goes_on(home):
    """A webhook written by an older version (a NUL in a header): the attempt fails for good,
    with the reason, and the next delivery is sent."""
    with Receiver() as receiver:
        with HostClient() as host:
            hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                          "url": receiver.url("/x"), "headers": {"X-Key": "ok"}})
        stored_by_an_older_version(home, hook["id"], headers={"X-Key": "bad\x00value"})
        with HostClient() as host:
            host.request("call_event", event=event(call_id="first"))
            notice = host.notice("delivery")
            assert notice["delivery"]["state"] == "failed" and "control character" in notice["delivery"]["last_error"]
            assert notice["failed_count"] == 1
            host.request("webhooks.save", webhook={"id": hook["id"], "trigger": "incoming_call_accepted", "action": "get",
                                                   "url": receiver.url("/x"), "headers": {"X-Key": "fixed"}})
            host.request("call_event", event=event(call_id="second"))
            [req] = receiver.wait_for(1)
            assert req.header("x-key") == "fixed"


def test_a_stored_webhook_with_a_placeholder_in_its_host_is_never_sent_there(home):
    """Saved by an older version: the caller id would choose the host. The sender refuses it."""
    with Receiver() as receiver:
        with HostClient() as host:
            hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                          "url": receiver.url("/x")})
        stored_by_an_older_version(home, hook["id"], url=f"http://{{caller}}:{receiver.port}/x")
        with HostClient() as host:
            host.request("call_event", event=event(caller="127.0.0.1"))
            notice = host.notice("delivery")
            assert notice["delivery"]["state"] == "failed" and "host or port" in notice["delivery"]["last_error"]
        assert receiver.requests == []


def test_a_pending_row_from_the_store_is_checked_again_before_it_is_sent(home):
    """Only a delivery planned by the running host skips the second check (its URL was checked and
    parsed when it was planned); a pending row read back from the store, which any version may have
    written, is checked by the sender's rules before anything goes out."""
    from ucc_webhooks.engine.render import PlannedDelivery
    from ucc_webhooks.storage.database import Store
    from ucc_webhooks.storage.outbox import Outbox

    with Receiver() as receiver:
        with HostClient() as host:
            hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                          "url": receiver.url("/x")})
        store = Store()
        bad = receiver.url("/a b")  # a space: refused at save now, still in a row an old version wrote
        Outbox(store).accept("old-row", "incoming_call_accepted",
                             [PlannedDelivery(hook["id"], "old", "get", "GET", bad, {}, None, None)], 3600)
        store.close()
        with HostClient() as host:
            notice = host.notice("delivery")
            assert notice["delivery"]["state"] == "failed" and "spaces" in notice["delivery"]["last_error"]
        assert receiver.requests == []


def test_the_host_check_kept_per_host_still_refuses_every_time_and_names_each_field():
    """_check_host keeps only hosts it accepted (lru_cache does not keep a raise)."""
    from ucc_webhooks.engine.errors import InvalidInput
    from ucc_webhooks.engine.http_rules import check_request_url

    for field in ("url", "url", "proxy"):
        with pytest.raises(InvalidInput) as info:
            check_request_url("https://exa_mple..com/x", field)
        assert info.value.reason == "url_bad_host" and info.value.field == field
    check_request_url("https://crm.example.com/a/b.c/%41")  # a dot or an escape in a segment is fine
    for segment in ("%2e", "%2E%2e", ".."):
        with pytest.raises(InvalidInput) as info:
            check_request_url(f"https://crm.example.com/a/{segment}/b")
        assert info.value.reason == "url_dot_segment"
