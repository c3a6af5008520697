"""Whatever is saved can be sent: the save refuses what HTTP cannot carry, by the rules the sender
applies, naming the field and a reason; placeholders never pick the host; one webhook that
cannot be made costs only itself.

Refusals are checked on the service in this process (`refused` puts them as the wire does); one
test goes through a real host over frames; rows an older version stored meet the service's
sender on an event loop here, with a real receiver."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from conftest import event, refused

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks_dev.lab.host_client import HostError
from ucc_webhooks_dev.lab.net import wait_until


def stored_by_an_older_version(home, webhook_id: str, **changes) -> None:
    """Write into a stored webhook what today's save would refuse (as an older version may have)."""
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    data = json.loads(db.execute("SELECT data FROM webhooks WHERE id=?", (webhook_id,)).fetchone()[0])
    db.execute("UPDATE webhooks SET data=? WHERE id=?", (json.dumps({**data, **changes}), webhook_id))
    db.commit()
    db.close()


def refusal(app, **webhook) -> dict:
    return refused(app.webhooks.save, {"trigger": "incoming_call_accepted", "action": "get", **webhook})


def restarted(body) -> None:
    """Run `await body(app, notices)` on a service started afresh on the store (as the host
    starts: pending rows resume), on an event loop; then let every attempt end."""
    from ucc_webhooks.service.app import App
    from ucc_webhooks.storage.database import Store

    async def run() -> None:
        notices: list[dict] = []
        app = App(Store(), notices.append)
        app.start()
        await body(app, notices)
        await app.close(5.0)

    asyncio.run(run())


async def first_delivery_notice(notices: list[dict]) -> dict:
    """The first `delivery` notice, waited for beside the loop that sends it."""
    def delivery() -> list[dict]:
        return [n for n in notices if n["type"] == "delivery"]

    await asyncio.to_thread(wait_until, lambda: bool(delivery()), 10, "a delivery notice")
    return delivery()[0]


def accept(app, **fields) -> None:
    app.call_events.accept([CallEvent.model_validate(event(**fields))])


def save(app, **webhook) -> dict:
    return app.webhooks.save({"trigger": "incoming_call_accepted", "action": "get", **webhook})


@pytest.mark.parametrize(("value", "reason"), [
    ("Bearer “abc”", "header_value_not_ascii"),
    ("töken", "header_value_not_ascii"),
    ("a\x00b", "header_value_control"),
    ("a\x7fb", "header_value_control"),
    ("a\r\nX-Evil: 1", "header_value_control"),
])
def test_header_values_http_cannot_carry_are_refused_at_save(app, value, reason):
    error = refusal(app, url="https://crm.example.com/x", headers={"Authorization": value})
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
def test_urls_http_cannot_carry_are_refused_at_save(app, url, reason):
    error = refusal(app, url=url)
    assert error["code"] == "validation_error" and error["field"] == "url" and error["reason"] == reason, error


@pytest.mark.parametrize("url", ["https://münchen.example/x?c={caller}", "https://crm.example.com/c/{caller}#{user}",
                                 "https://[::1]:8443/x", "http://localhost/{caller}/calls"])
def test_good_urls_are_still_accepted(app, url):
    assert save(app, url=url)["id"]


def test_a_dot_value_never_becomes_a_path_segment_and_costs_only_its_webhook(host, receiver):
    """The real host over frames: a refusal at save, and a webhook that cannot be made at an event."""
    with pytest.raises(HostError) as info:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                               "url": "https://crm.example.com/a/../b"})
    assert (info.value.code, info.value.reply["error"]["reason"]) == ("validation_error", "url_dot_segment")
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


def test_a_stored_row_the_sender_refuses_is_a_recorded_failure_and_the_worker_goes_on(app, home, receiver):
    """A webhook written by an older version (a NUL in a header): the attempt fails for good,
    with the reason, and the next delivery is sent."""
    hook = save(app, url=receiver.url("/x"), headers={"X-Key": "ok"})
    stored_by_an_older_version(home, hook["id"], headers={"X-Key": "bad\x00value"})

    async def body(app, notices) -> None:
        accept(app, call_id="first")
        notice = await first_delivery_notice(notices)
        assert notice["delivery"]["state"] == "failed" and "control character" in notice["delivery"]["last_error"]
        assert notice["failed_count"] == 1
        save(app, id=hook["id"], url=receiver.url("/x"), headers={"X-Key": "fixed"})
        accept(app, call_id="second")
        [req] = await asyncio.to_thread(receiver.wait_for, 1)
        assert req.header("x-key") == "fixed"

    restarted(body)


def test_a_stored_webhook_with_a_placeholder_in_its_host_is_never_sent_there(app, home, receiver):
    """Saved by an older version: the caller id would choose the host. The sender refuses it."""
    hook = save(app, url=receiver.url("/x"))
    stored_by_an_older_version(home, hook["id"], url=f"http://{{caller}}:{receiver.port}/x")

    async def body(app, notices) -> None:
        accept(app, caller="127.0.0.1")
        notice = await first_delivery_notice(notices)
        assert notice["delivery"]["state"] == "failed" and "host or port" in notice["delivery"]["last_error"]

    restarted(body)
    assert receiver.requests == []


def test_a_pending_row_from_the_store_is_checked_again_before_it_is_sent(app, receiver):
    """Only a delivery planned by the running host skips the second check (its URL was checked and
    parsed when it was planned); a pending row read back from the store, which any version may have
    written, is checked by the sender's rules before anything goes out."""
    from ucc_webhooks.engine.render import PlannedDelivery
    from ucc_webhooks.storage.outbox import Outbox

    hook = save(app, url=receiver.url("/x"))
    bad = receiver.url("/a b")  # a space: refused at save now, still in a row an old version wrote
    Outbox(app.store).accept("old-row", "incoming_call_accepted",
                             [PlannedDelivery(hook["id"], "old", "get", "GET", bad, {}, None, None)], 3600)

    async def body(app, notices) -> None:  # nothing but the start: the row resumes
        notice = await first_delivery_notice(notices)
        assert notice["delivery"]["state"] == "failed" and "spaces" in notice["delivery"]["last_error"]

    restarted(body)
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
