"""The delivery log after a long outage still fits one frame (attempts summarised, paged by size),
and two hosts on one store never send the same delivery twice (rows are claimed in SQLite)."""

from __future__ import annotations

import time

from conftest import event

from ucc_webhooks.engine.render import PlannedDelivery
from ucc_webhooks.storage.database import Store
from ucc_webhooks.storage.outbox import Outbox
from ucc_webhooks_dev.lab.host_client import HostClient


def test_fifty_deliveries_with_a_days_attempts_fit_the_frame_and_page(home):
    store = Store()
    outbox = Outbox(store)
    url = "https://crm.example.com/" + "p" * 7000
    planned = [PlannedDelivery("wh_1", "CRM", "get", "GET", url, {}, None, None)]
    rows = [outbox.accept(f"c{n}", "incoming_call_accepted", planned, 86400)[0] for n in range(120)]
    with store.transaction() as db:
        for row in rows:
            db.executemany("INSERT INTO attempts(delivery_seq, attempt, at, status, error, latency_ms) VALUES (?,?,?,?,?,?)",
                           [(row.seq, a, time.time(), None, "ConnectError: " + "x" * 3000, 1.0) for a in range(1, 301)])
            db.execute("UPDATE deliveries SET state='failed', attempts=300, last_error=? WHERE seq=?", ("e" * 50000, row.seq))
    store.close()
    with HostClient() as host:
        seen: list[str] = []
        before = None
        for _ in range(20):
            page = host.request("deliveries.list", limit=50, **({"before": before} if before else {}))
            assert page["deliveries"] and len(page["deliveries"]) <= 50
            assert all(len(d["log"]) <= 5 and d["attempts"] == 300 for d in page["deliveries"])
            seen += [d["id"] for d in page["deliveries"]]
            before = page["next_before"]
            if before is None:
                break
        assert len(seen) == len(set(seen)) == 120
        assert page["failed_count"] == 120


def test_two_hosts_on_one_store_never_both_send_a_delivery(home, receiver):
    receiver.respond(500, 500, 500, 500, default=200)
    env = {"UCC_WEBHOOKS_RETRY_BASE_S": "0.2"}
    with HostClient(env=env) as first:
        first.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                "url": receiver.url("/once")})
        first.request("call_event", event=event())
        receiver.wait_for(1)
        with HostClient(env=env) as second:  # resumes the same pending row
            second.request("hello", extension_version="0")
            d = first.delivery_when(timeout=30)
    assert d["state"] == "delivered"
    ids = [r.header("webhook-id") for r in receiver.requests]
    assert len(ids) == d["attempts"] == 5, [r.received_at for r in receiver.requests]


def test_a_delivery_sent_at_once_is_stored_claimed_in_the_commit_that_accepts_its_event(home):
    """accept_many claims, in its own transaction, the first pending row of each webhook the host
    sends at once: another host's claim fails from the first moment the row exists, as it did
    when the row was claimed by an UPDATE of its own before the attempt."""
    from ucc_webhooks.storage.outbox import Claim

    store = Store()
    outbox = Outbox(store)
    now = time.time()
    first = [PlannedDelivery("wh_now", "CRM", "get", "GET", "https://crm.example.com/a", {}, None, None)]
    second = [PlannedDelivery("wh_now", "CRM", "get", "GET", "https://crm.example.com/b", {}, None, None),
              PlannedDelivery("wh_busy", "Chat", "get", "GET", "https://chat.example.com/", {}, None, None)]
    claim = Claim("host-a", now + 35, lambda webhook_id: webhook_id == "wh_now")
    [a], [b, busy] = outbox.accept_many([("c1", "incoming_call_accepted", first),
                                         ("c2", "incoming_call_accepted", second)], 3600, now, claim)
    assert a.claimed_until == now + 35
    assert b.claimed_until is None and busy.claimed_until is None  # only the first row per webhook
    assert outbox.claimant(a) == ("host-a", now + 35)
    assert outbox.claimant(b) == (None, None) and outbox.claimant(busy) == (None, None)
    assert not outbox.claim(a, "host-b", now + 40, now + 1)  # held: the other host waits
    assert outbox.claim(a, "host-a", now + 40, now + 1)  # the holder may claim it again
    assert outbox.claim(a, "host-b", now + 80, now + 41)  # and a lapsed claim can be taken
    store.close()


def test_a_fresh_delivery_is_claimed_by_its_host_while_it_is_on_the_wire(home, receiver):
    """The delivery that goes out at once skips the claim UPDATE: it must already hold the claim."""
    import sqlite3

    receiver.respond(default=200, delay=1.0)
    with HostClient() as host:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                               "url": receiver.url("/slow")})
        host.request("call_event", event=event())
        receiver.wait_for(1)  # on the wire, answered in a second
        db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
        state, by, until = db.execute("SELECT state, claimed_by, claimed_until FROM deliveries").fetchone()
        db.close()
        assert state == "pending" and by and by.split("/")[1] == str(host.proc.pid) and until > time.time()
