"""No call record lost: the outbox survives SIGKILL, and resumes at the next start."""

from __future__ import annotations

import collections

from conftest import event

from ucc_webhooks_dev.lab.host_client import HostClient
from ucc_webhooks_dev.lab.net import wait_until


def test_sigkill_mid_burst_loses_no_acknowledged_event(home, receiver):
    receiver.respond(default=200, delay=0.002)  # slow enough that the kill lands mid-burst
    with HostClient() as first:
        first.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get",
                                                "url": receiver.url("/cdr?c={call_id}")})
        ids = {first.send({"type": "call_event", "event": event("incoming_call_ended", call_id=f"c{n}")}): f"c{n}"
               for n in range(200)}
        receiver.wait_for(20, timeout=20)
        first.proc.kill()  # SIGKILL: no cleanup of any kind
        first.proc.wait()
        acknowledged = {ids[i] for i in list(first._replies) if first._replies[i]["ok"]}
    assert len(acknowledged) >= 20
    in_flight_at_kill = len(receiver.requests)

    with HostClient() as second:
        wait_until(lambda: acknowledged <= {r.query["c"][0] for r in list(receiver.requests)}, 30,
                   "every acknowledged event delivered after the restart", second.proc)

    by_call = collections.defaultdict(list)
    for r in receiver.requests:
        by_call[r.query["c"][0]].append(r.header("webhook-id"))
    duplicates = {c: ids for c, ids in by_call.items() if len(ids) > 1}
    # one webhook sends one delivery at a time, so at most the one on the wire at the kill repeats
    assert len(duplicates) <= 1, duplicates
    assert all(len(set(ids)) == 1 for ids in by_call.values()), "a retry must carry the same webhook-id"
    assert in_flight_at_kill < 200


def test_pending_retries_resume_after_restart(home, receiver):
    receiver.respond(500, default=200)
    with HostClient(env={"UCC_WEBHOOKS_RETRY_BASE_S": "3600"}) as first:  # the retry would wait an hour
        first.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get",
                                                "url": receiver.url("/later")})
        first.request("call_event", event=event("incoming_call_ended"))
        receiver.wait_for(1)
        assert first.notice("delivery")["delivery"]["state"] == "pending"
    assert len(receiver.requests) == 1
    with HostClient(env={"UCC_WEBHOOKS_RETRY_BASE_S": "0.05"}) as second:
        second.request("deliveries.retry", delivery_id=second.request("deliveries.list", limit=1)["deliveries"][0]["id"])
        first_try, second_try = receiver.wait_for(2)
    assert first_try.header("webhook-id") == second_try.header("webhook-id")


def test_deliveries_due_at_start_are_sent_without_any_message(home, receiver):
    receiver.respond(default=200)
    with HostClient() as first:
        first.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get",
                                                "url": receiver.url("/boot")})
        receiver.respond(default=200, delay=30)  # never answers in time: the host dies with it on the wire
        first.request("call_event", event=event("incoming_call_ended"))
        receiver.wait_for(1)  # on the wire, not answered
        first.proc.kill()
        first.proc.wait()
    receiver.respond(default=200)
    with HostClient():
        reqs = receiver.wait_for(2, timeout=15)
    assert reqs[0].header("webhook-id") == reqs[1].header("webhook-id")


def test_log_is_bounded(home):
    from ucc_webhooks.engine.render import PlannedDelivery
    from ucc_webhooks.storage import outbox as outbox_module
    from ucc_webhooks.storage.database import Store
    from ucc_webhooks.storage.outbox import Outbox

    store = Store()
    box = Outbox(store)
    planned = [PlannedDelivery("wh_x", "", "open_tab", "GET", "https://x.example/", {}, None, None, state="opened")]
    for n in range(outbox_module.LOG_LIMIT + 50):
        box.accept(f"c{n}", "incoming_call_accepted", planned, 3600)
    box.prune()
    assert store.db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == outbox_module.LOG_LIMIT
    store.close()


def test_a_full_disk_refuses_events_clearly_and_loses_none(home, receiver):
    """RLIMIT_FSIZE makes every write past the limit fail for the host alone, as a full disk does
    (Python ignores SIGXFSZ, so the write just fails). Refused events are not acknowledged, so the
    extension keeps them and sends them again; acknowledged ones are all delivered."""
    import resource

    with HostClient() as first:  # create the store and the webhook while there is room
        first.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get",
                                                "url": receiver.url("/full?c={call_id}")})
    limit = sum(f.stat().st_size for f in home.iterdir()) + 256 * 1024

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    acknowledged, refused = [], []
    with HostClient(preexec_fn=small_disk) as host:
        for n in range(400):
            reply = host.reply(host.send({"type": "call_event", "event": event(
                "incoming_call_ended", call_id=f"c{n}", caller_name="x" * 4000)}))
            (acknowledged if reply["ok"] else refused).append(f"c{n}")
            if len(refused) >= 3:
                break
        assert refused, "the size limit never bit: raise the number of events"
        error = host.reply(host.send({"type": "call_event", "event": event("incoming_call_ended", call_id="probe")}))
        assert error["error"]["code"] == "internal" and "sent again" in error["error"]["message"]
        assert host.request("hello")["host_version"]  # the host goes on
    assert acknowledged

    with HostClient() as host:  # room again: what the extension kept is sent again and accepted
        for call_id in refused:
            assert host.request("call_event", event=event("incoming_call_ended", call_id=call_id))["matched"] == 1
        expected = set(acknowledged) | set(refused)
        wait_until(lambda: expected <= {r.query["c"][0] for r in list(receiver.requests)}, 30,
                   "every event delivered", host.proc)
