"""Bad input on the host's stdin: each gets its error reply where it has an id, and the host goes on."""

from __future__ import annotations

import json
import struct
import time

from ucc_webhooks_dev.lab.host_client import HostClient


def frame(payload: bytes) -> bytes:
    return struct.pack("@I", len(payload)) + payload


def assert_alive(host) -> None:
    assert host.request("hello")["host_version"]


def test_invalid_json_gets_an_error_and_the_host_goes_on(host):
    host.send_raw(frame(b"{not json"))
    [reply] = host.wait_unmatched(1)
    assert reply == {"id": None, "ok": False, "error": {"code": "invalid_json", "message": reply["error"]["message"]}}
    assert "not valid JSON" in reply["error"]["message"]
    assert_alive(host)


def test_invalid_utf8(host):
    host.send_raw(frame(b'{"id": 1, "type": "hello\xff\xfe"}'))
    assert "not valid UTF-8" in host.wait_unmatched(1)[0]["error"]["message"]
    assert_alive(host)


def test_json_that_is_not_an_object(host):
    host.send_raw(frame(b"[1, 2, 3]"))
    assert host.wait_unmatched(1)[0]["error"]["code"] == "invalid_json"
    assert_alive(host)


def test_unknown_type_names_the_known_ones(host):
    reply = host.reply(host.send({"type": "webhooks.frobnicate"}))
    assert reply["error"]["code"] == "unknown_type"
    assert "webhooks.save" in reply["error"]["message"]


def test_missing_id_and_missing_fields(host):
    host.send({"id": None, "type": "hello"})
    assert host.wait_unmatched(1)[0]["error"]["field"] == "id"
    reply = host.reply(host.send({"type": "webhooks.delete"}))
    assert reply["error"]["code"] == "validation_error" and reply["error"]["field"] == "webhook_id"
    reply = host.reply(host.send({"type": "call_event", "event": {"trigger": "call_answered", "call_id": "x",
                                                                  "direction": "incoming"}}))
    assert reply["error"]["code"] == "validation_error" and reply["error"]["field"] == "trigger"
    reply = host.reply(host.send({"type": "deliveries.list", "limit": "many"}))
    assert reply["error"]["field"] == "limit"
    assert_alive(host)


def test_oversized_frame_is_skipped_without_losing_sync(host):
    big = json.dumps({"id": 99, "type": "hello", "pad": "x" * (1024 * 1024 + 10)}).encode()
    hello = json.dumps({"id": 100, "type": "hello"}).encode()
    host.send_raw(frame(big) + frame(hello))
    assert host.reply(100)["ok"] is True
    [refused] = host.wait_unmatched(1)
    assert refused["error"]["code"] == "too_large"


def test_truncated_frame_at_eof_is_reported_and_the_host_exits(home):
    with HostClient() as host:
        host.send_raw(struct.pack("@I", 500) + b'{"id": 1, "ty')
        host.proc.stdin.close()
        assert host.proc.wait(5) == 0
        assert host.unmatched and host.unmatched[0]["error"]["code"] == "invalid_frame"
        assert "ended inside a frame" in host.stderr_text()


def test_eof_ends_the_host_promptly(home):
    with HostClient() as host:
        assert_alive(host)
        started = time.monotonic()
        assert host.close(timeout=5) == 0
        assert time.monotonic() - started < 2.0


def test_eof_waits_for_requests_on_the_wire(home, receiver):
    receiver.respond(default=200, delay=0.5)
    with HostClient() as host:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_ringing", "action": "get",
                                               "url": receiver.url("/slow")})
        host.request("call_event", event={"trigger": "incoming_call_ringing", "call_id": "c", "direction": "incoming"})
        assert host.close(timeout=5) == 0
    assert [r.path for r in receiver.requests] == ["/slow"]


def test_stdout_carries_only_frames(home):
    with HostClient(env={"UCC_WEBHOOKS_LOG_LEVEL": "DEBUG"}) as host:
        host.send_raw(frame(b"garbage"))
        assert_alive(host)
        host.close()
    # every byte on stdout was consumed as a frame by the client's reader; logs went to stderr
    assert "ucc-webhooks host:" in host.stderr_text()
