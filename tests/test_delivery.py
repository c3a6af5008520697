"""Deliveries against a real HTTP receiver on 127.0.0.1: values, headers, signing, retries, isolation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from conftest import event

from ucc_webhooks_dev.lab.receiver import Receiver


def save(host, **webhook) -> dict:
    return host.request("webhooks.save", webhook=webhook)


def verify_standard_webhooks(secret: str, headers: dict, body: bytes) -> bool:
    """An independent verifier, written from the Standard Webhooks specification."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig.split(",", 1) == ["v1", expected] for sig in headers["webhook-signature"].split(" "))


def test_get_with_placeholders_filled_and_encoded(host, receiver):
    save(host, trigger="incoming_call_accepted", action="get",
         url=receiver.url("/lookup?caller={caller}&e164={caller_e164}&user={user}&name={caller_name}&t={time}"))
    ev = event(caller="+49 30 1234567", caller_name='Zoë "&" Co')
    host.request("call_event", event=ev)
    [req] = receiver.wait_for(1)
    assert req.method == "GET" and req.path == "/lookup" and req.body == b""
    assert req.query == {"caller": ["+49 30 1234567"], "e164": ["+49301234567"], "user": ["agent200"],
                         "name": ['Zoë "&" Co'], "t": [str(int(ev["started_at"]))]}
    assert req.header("webhook-id").startswith("msg_") and req.header("webhook-timestamp").isdigit()
    assert req.header("webhook-signature") is None


def test_post_json_body_and_custom_headers(host, receiver):
    save(host, trigger="outgoing_call_ended", action="post", url=receiver.url("/calls"),
         body='{{"to": "{callee}", "start": {time}, "seconds": {duration}, "answered": {answered_at}}}',
         headers={"Authorization": "Bearer abc"})
    ev = event("outgoing_call_ended", callee="+49 (30) 555-0")
    host.request("call_event", event=ev)
    [req] = receiver.wait_for(1)
    assert req.method == "POST" and req.header("content-type") == "application/json"
    assert req.header("authorization") == "Bearer abc"
    assert json.loads(req.body) == {"to": "+49 (30) 555-0", "start": int(ev["started_at"]), "seconds": 60,
                                    "answered": int(ev["answered_at"])}


def test_signed_requests_verify_independently(host, receiver):
    created = save(host, trigger="queue_call_ended", action="post", url=receiver.url("/signed"),
                   body="queue={queue}&d={duration}", content_type="application/x-www-form-urlencoded",
                   secret="generate")
    host.request("call_event", event=event("queue_call_ended"))
    [req] = receiver.wait_for(1)
    assert req.text == "queue=Support&d=60"
    assert verify_standard_webhooks(created["secret"], req.headers, req.body)
    assert not verify_standard_webhooks(created["secret"], req.headers, req.body + b"x")


def test_500_three_times_then_delivered_with_the_same_webhook_id(host, receiver):
    receiver.respond(500, 500, 500, default=204)
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/retry"))
    host.request("call_event", event=event("incoming_call_ended"))
    reqs = receiver.wait_for(4, timeout=15)
    assert [r.status for r in reqs] == [500, 500, 500, 204]
    assert len({r.header("webhook-id") for r in reqs}) == 1
    notice = host.notice("delivery")
    while notice["delivery"]["state"] != "delivered":
        notice = host.notice("delivery")
    assert notice["delivery"]["attempts"] == 4
    assert [a["status"] for a in notice["delivery"]["log"]] == [500, 500, 500, 204]


def test_receiver_down_then_up_is_delivered_once(host):
    spare = Receiver()  # bind a port, then free it: nothing listens there for a while
    port = spare.port
    spare.stop()
    save(host, trigger="incoming_call_ended", action="get", url=f"http://127.0.0.1:{port}/late")
    host.request("call_event", event=event("incoming_call_ended"))
    failed = host.notice("delivery")
    assert failed["delivery"]["state"] == "pending" and failed["delivery"]["last_status"] is None
    with Receiver(port=port) as up:
        [req] = up.wait_for(1, timeout=15)
        host.delivery_when(lambda d: d["state"] == "delivered", timeout=5)
        assert len(up.requests) == 1 and req.path == "/late"


def test_other_4xx_is_final(host, receiver):
    receiver.respond(default=404)
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/missing"))
    host.request("call_event", event=event("incoming_call_ended"))
    notice = host.notice("delivery")
    assert notice["delivery"]["state"] == "failed" and notice["failed_count"] == 1
    assert notice["delivery"]["last_error"] == "HTTP 404 Not Found"


def test_429_honours_retry_after(host, receiver):
    receiver.respond(429, default=200, headers={"Retry-After": "1"})
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/busy"))
    host.request("call_event", event=event("incoming_call_ended"))
    first, second = receiver.wait_for(2, timeout=10)
    assert second.received_at - first.received_at >= 0.95


def test_410_switches_the_webhook_off_with_a_reason(host, receiver):
    receiver.respond(default=410)
    created = save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/gone"))
    host.request("call_event", event=event("incoming_call_ended"))
    host.notice("delivery")
    webhook = host.request("webhooks.list")["webhooks"][0]
    assert webhook["id"] == created["id"] and webhook["enabled"] is False
    assert "410" in webhook["disabled_reason"]
    host.request("call_event", event=event("incoming_call_ended", call_id="call-2"))
    assert host.request("deliveries.list", limit=10)["deliveries"][0]["call_id"] == "call-1"


def test_failed_delivery_can_be_sent_again(host, receiver):
    receiver.respond(400, default=200)
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/again"))
    host.request("call_event", event=event("incoming_call_ended"))
    failed = host.notice("delivery")["delivery"]
    assert failed["state"] == "failed"
    host.request("deliveries.retry", delivery_id=failed["id"])
    first, second = receiver.wait_for(2)
    assert first.header("webhook-id") == second.header("webhook-id") == failed["id"]


def test_a_slow_target_does_not_delay_another_webhook(host):
    with Receiver() as slow, Receiver() as fast:
        slow.respond(default=200, delay=3)
        save(host, trigger="incoming_call_accepted", action="get", url=slow.url("/slow"))
        save(host, trigger="incoming_call_accepted", action="get", url=fast.url("/fast"))
        started = time.monotonic()
        host.request("call_event", event=event())
        assert host.request("hello")  # the next message is answered at once, too
        fast.wait_for(1, timeout=2.5)
        assert time.monotonic() - started < 2.5
        slow.wait_for(1, timeout=10)


def test_order_is_kept_per_webhook(host, receiver):
    receiver.respond(503, default=200)
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/o?c={call_id}"))
    for n in range(5):
        host.request("call_event", event=event("incoming_call_ended", call_id=f"c{n}"))
    reqs = receiver.wait_for(6)
    assert [r.query["c"][0] for r in reqs] == ["c0", "c0", "c1", "c2", "c3", "c4"]


def test_webhooks_test_reports_status_and_latency(host, receiver):
    receiver.respond(default=201)
    created = save(host, trigger="incoming_call_ended", action="post", url=receiver.url("/t"),
                   body='{{"d": {duration}}}')
    result = host.request("webhooks.test", webhook_id=created["id"])
    assert result["ok"] is True and result["status"] == 201 and result["latency_ms"] > 0
    assert json.loads(receiver.wait_for(1)[0].body) == {"d": 60}


def test_webhooks_test_of_unreachable_target(host):
    created = save(host, trigger="incoming_call_ended", action="get", url="http://127.0.0.1:9/closed")
    result = host.request("webhooks.test", webhook_id=created["id"])
    assert result["ok"] is False and result["status"] is None and "Connect" in result["error"]


def test_secrets_never_reach_the_log(host, receiver):
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/x"),
         headers={"Authorization": "Bearer supersecret"}, secret="generate")
    host.request("call_event", event=event("incoming_call_ended"))
    receiver.wait_for(1)
    log = json.dumps(host.request("deliveries.list", limit=10))
    host.close()
    assert "supersecret" not in log and "whsec_" not in log
    assert "supersecret" not in host.stderr_text()


def test_an_attempts_deadline_cancels_it_in_time_and_runs_in_the_senders_own_task():
    """`within` bounds an attempt (and its body read) like wait_for, without a task of its own on
    Python 3.11+: no extra turn of the loop before the request is written."""
    import asyncio
    import sys

    from ucc_webhooks.delivery.http import within

    async def main() -> None:
        outer = asyncio.current_task()

        async def inner() -> object:
            return asyncio.current_task()

        ran_in = await within(1.0, inner())
        if sys.version_info >= (3, 11):
            assert ran_in is outer
        started = time.perf_counter()
        try:
            await within(0.05, asyncio.sleep(5))
        except asyncio.TimeoutError:
            pass
        else:
            raise AssertionError("the deadline did not end the attempt")
        assert time.perf_counter() - started < 1.0
        assert await within(1.0, asyncio.sleep(0, "done")) == "done"

    asyncio.run(main())
