"""The off switch, `enabled: false` and deletion stop pending deliveries before their next attempt
(`cancelled`, with the reason); retry and test answer `disabled_by_policy` while the switch is off,
whether the policy file or the browser's managed storage turned it off."""

from __future__ import annotations

import pytest
from conftest import event, write_policy

from ucc_webhooks_dev.lab.host_client import HostClient, HostError
from ucc_webhooks_dev.lab.net import wait_until


def failing_hook(host, receiver) -> dict:
    receiver.respond(default=500)
    hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                  "url": receiver.url("/x"), "headers": {"X-Api-Key": "k-secret-1"}})
    host.request("call_event", event=event())
    receiver.wait_for(1)
    return hook


def wait_state(host, state: str) -> dict:
    return host.delivery_when(lambda d: d["state"] == state)


def test_the_off_switch_cancels_pending_retries(host, receiver, policy_file):
    failing_hook(host, receiver)
    write_policy(policy_file, {"WEBHOOKS_ENABLED": False})
    d = wait_state(host, "cancelled")
    assert "switched off" in d["last_error"] and "WEBHOOKS_ENABLED" in d["last_error"]


def test_a_fresh_start_with_the_switch_off_sends_nothing(home, receiver, policy_file):
    with HostClient(env={"UCC_WEBHOOKS_RETRY_BASE_S": "30"}) as host:
        failing_hook(host, receiver)
    sent = len(receiver.requests)
    write_policy(policy_file, {"WEBHOOKS_ENABLED": False})
    receiver.respond(default=200)
    with HostClient(env={"UCC_WEBHOOKS_RETRY_BASE_S": "0.01"}) as host:
        wait_state(host, "cancelled")
    assert len(receiver.requests) == sent


def test_disabling_a_webhook_cancels_its_pending_deliveries(host, receiver):
    hook = failing_hook(host, receiver)
    host.request("webhooks.save", webhook={**{k: hook[k] for k in ("id", "trigger", "action", "url", "headers")},
                                           "enabled": False})
    assert "switched off" in wait_state(host, "cancelled")["last_error"]


def test_deleting_a_webhook_cancels_its_deliveries_and_forgets_its_secrets(host, receiver, home):
    import sqlite3

    hook = failing_hook(host, receiver)
    host.request("webhooks.delete", webhook_id=hook["id"])
    assert "deleted" in wait_state(host, "cancelled")["last_error"]
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    rows = db.execute("SELECT headers, secret FROM deliveries WHERE webhook_id=?", (hook["id"],)).fetchall()
    db.close()
    assert rows and all("k-secret-1" not in headers and secret is None for headers, secret in rows)


def test_retry_and_test_answer_disabled_by_policy_while_off(host, receiver, policy_file):
    receiver.respond(404)
    hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                  "url": receiver.url("/x")})
    host.request("call_event", event=event())
    d = wait_state(host, "failed")
    write_policy(policy_file, {"WEBHOOKS_ENABLED": False})
    for kind, field in (("deliveries.retry", {"delivery_id": d["id"]}), ("webhooks.test", {"webhook_id": hook["id"]})):
        with pytest.raises(HostError) as info:
            host.request(kind, **field)
        assert info.value.code == "disabled_by_policy"


def test_managed_storage_off_is_honoured_too(host, receiver):
    receiver.respond(404)
    hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                  "url": receiver.url("/x")})
    host.request("call_event", event=event())
    d = wait_state(host, "failed")
    hello = host.request("hello", extension_version="0", managed_webhooks_enabled=False)
    assert hello["webhooks_enabled"] is False and hello["policy"]["source"] == "managed storage"
    for kind, field in (("deliveries.retry", {"delivery_id": d["id"]}), ("webhooks.test", {"webhook_id": hook["id"]})):
        with pytest.raises(HostError) as info:
            host.request(kind, **field)
        assert info.value.code == "disabled_by_policy"
    assert host.request("call_event", event=event(call_id="c2"))["matched"] == 0
    host.request("hello", extension_version="0", managed_webhooks_enabled=True)
    host.request("deliveries.retry", delivery_id=d["id"])


def test_managed_off_told_in_the_very_first_hello_is_kept(home, receiver):
    with HostClient() as host:
        hello = host.request("hello", extension_version="0", managed_webhooks_enabled=False)
        assert hello["webhooks_enabled"] is False
        host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get", "url": receiver.url("/x")})
        assert host.request("call_event", event=event())["matched"] == 0


def test_a_delivery_queued_behind_one_on_the_wire_is_asked_again_before_it_goes(host, receiver):
    """Only a delivery sent at once skips the question (its event was planned a moment before);
    one that waits behind another of its webhook is asked again when its turn comes, so switching
    the webhook off meanwhile cancels it."""
    receiver.respond(default=200, delay=1.0)
    hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get",
                                                  "url": receiver.url("/x?c={call_id}")})
    host.request("call_event", event=event(call_id="first"))
    receiver.wait_for(1)  # on the wire for a second
    host.request("call_event", event=event(call_id="queued"))
    host.request("webhooks.save", webhook={**{k: hook[k] for k in ("id", "trigger", "action", "url")},
                                           "enabled": False})
    d = wait_state(host, "cancelled")
    assert "switched off" in d["last_error"]
    wait_until(lambda: [(d["call_id"], d["state"]) for d in host.request("deliveries.list", limit=2)["deliveries"]]
               == [("queued", "cancelled"), ("first", "delivered")], 15, "the first delivery answered", host.proc)
    # The worker takes the queued delivery right after the first one's answer: had it not asked
    # again, its request would follow within moments. Absence has no condition to wait for.
    receiver.assert_quiet(1, within=0.5)
    assert [r.query["c"][0] for r in receiver.requests] == ["first"]
