"""10,000 random and mutated frames: no crash, one reply per frame, and an intact store."""

from __future__ import annotations

import json
import random
import sqlite3
import struct

from conftest import FIXTURES, event, write_policy

from ucc_webhooks_dev.lab.host_client import HostClient

REQUESTS = [json.loads(p.read_text()) for p in sorted((FIXTURES / "protocol").glob("*.request.json"))]


def _random_json(rng: random.Random, depth: int = 0):
    makers = [
        lambda: None, lambda: rng.random() < 0.5, lambda: rng.randint(-2**40, 2**40), lambda: rng.random() * 1e6,
        lambda: "".join(chr(rng.randrange(0x20, 0x2FFF)) for _ in range(rng.randrange(12))),
        lambda: "{caller}{",
        lambda: [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))],
        lambda: {rng.choice(["id", "type", "event", "webhook", "trigger", "url", "x"]): _random_json(rng, depth + 1)
                 for _ in range(rng.randrange(4))},
    ]
    return makers[rng.randrange(len(makers) if depth < 3 else 6)]()


def _mutate(rng: random.Random, message: dict) -> bytes:
    message = json.loads(json.dumps(message))
    choice = rng.randrange(5)
    if choice == 0:  # a field replaced by a random value
        container = message.get("event") or message.get("webhook") or message
        key = rng.choice(list(container))
        container[key] = _random_json(rng)
        return json.dumps(message).encode()
    data = bytearray(json.dumps(message).encode())
    if choice == 1:  # byte flips
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif choice == 2:  # cut short
        data = data[: rng.randrange(len(data))]
    elif choice == 3:  # random bytes
        data = bytearray(rng.randbytes(rng.randrange(64)))
    else:  # a random JSON document
        data = bytearray(json.dumps(_random_json(rng)).encode())
    return bytes(data)


def _fuzz(host: HostClient, rng: random.Random, count: int, templates: list[dict]) -> None:
    chunk = bytearray()
    for n in range(count):
        payload = _mutate(rng, {**rng.choice(templates), "id": n + 1})
        chunk += struct.pack("@I", len(payload)) + payload
        if len(chunk) > 32768:
            host.send_raw(bytes(chunk))
            chunk.clear()
    host.send_raw(bytes(chunk))
    host.wait_replies(count, timeout=120)


def _store_is_intact(home) -> None:
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_fuzzed_frames_with_webhooks_off(home, policy_file):
    # Every request type, saves and tests included: with the policy off nothing leaves this machine.
    write_policy(policy_file, {"WEBHOOKS_ENABLED": False})
    with HostClient() as host:
        _fuzz(host, random.Random(1), 5000, REQUESTS)
        assert host.request("hello")["webhooks_enabled"] is False
        for w in host.request("webhooks.list")["webhooks"]:
            assert w["url"].lower().startswith(("http://", "https://"))
        assert host.close() == 0
    _store_is_intact(home)


def test_fuzzed_frames_with_deliveries_on(home, receiver):
    with HostClient() as host:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get",
                                               "url": receiver.url("/f?c={caller}&n={caller_name}")})
        safe = [r for r in REQUESTS if r["type"] not in ("webhooks.save", "webhooks.test", "settings.set")]
        safe.append({"type": "call_event", "event": event("incoming_call_ended")})
        _fuzz(host, random.Random(2), 5000, safe)
        assert host.request("hello")["host_version"]
        assert host.close() == 0
    _store_is_intact(home)
    assert all(r.path == "/f" for r in receiver.requests)
