"""The host as a browser sees it: a subprocess spoken to in real frames."""

from __future__ import annotations

import os
import stat
import time

import pytest
from conftest import event, write_policy

from ucc_webhooks_dev.lab.host_client import HostClient, HostError


def save(host, **webhook) -> dict:
    return host.request("webhooks.save", webhook=webhook)


def test_hello_reports_version_vocabulary_and_policy(host):
    result = host.request("hello", extension_version="0.1.0")
    assert result["host_version"] == "0.1.0"
    assert result["webhooks_enabled"] is True
    assert {t["id"] for t in result["triggers"]} == {
        "outgoing_call_started", "incoming_call_accepted", "queue_call_accepted", "incoming_call_ended",
        "outgoing_call_ended", "queue_call_ended", "incoming_call_ringing", "incoming_call_missed",
        "incoming_call_answered_elsewhere", "call_transferred"}
    assert result["actions"] == ["get", "post", "open_tab", "lookup"]
    accepted = next(t for t in result["triggers"] if t["id"] == "incoming_call_accepted")
    assert "duration" not in accepted["placeholders"] and "caller" in accepted["placeholders"]
    assert "ended" in accepted["unavailable"]["duration"]


def test_save_list_update_delete(host):
    created = save(host, trigger="incoming_call_accepted", action="get", url="https://crm.example.com/?c={caller}",
                   name="lookup")
    assert created["id"].startswith("wh_") and created["origin"] == "user"
    updated = save(host, **{**created, "url": "https://crm.example.com/v2?c={caller}", "enabled": False})
    assert updated["id"] == created["id"] and updated["enabled"] is False
    listed = host.request("webhooks.list")["webhooks"]
    assert [w["url"] for w in listed] == ["https://crm.example.com/v2?c={caller}"]
    assert host.request("webhooks.delete", webhook_id=created["id"]) == {}
    assert host.request("webhooks.list")["webhooks"] == []
    with pytest.raises(HostError) as err:
        host.request("webhooks.delete", webhook_id=created["id"])
    assert err.value.code == "not_found"


def test_headers_and_secret_are_write_only(host):
    created = save(host, trigger="incoming_call_ended", action="post", url="https://crm.example.com/calls",
                   body='{{"d": {duration}}}', headers={"Authorization": "Bearer topsecret"}, secret="generate")
    assert created["headers"] == {"Authorization": "********"}
    assert created["secret"].startswith("whsec_")  # shown once, at generation
    listed = host.request("webhooks.list")["webhooks"][0]
    assert listed["secret"] == "********" and listed["headers"]["Authorization"] == "********"
    assert "topsecret" not in str(listed)


def test_restart_keeps_webhooks_and_settings(home):
    with HostClient() as first:
        created = first.request("webhooks.save", webhook={
            "trigger": "outgoing_call_started", "action": "open_tab", "url": "https://crm.example.com/{callee}"})
        first.request("settings.set", settings={"default_region": "at"})
    with HostClient() as second:
        assert [w["id"] for w in second.request("webhooks.list")["webhooks"]] == [created["id"]]
        assert second.request("settings.get")["settings"]["default_region"] == "AT"


def test_store_files_are_private(host, home):
    host.request("webhooks.list")  # hello may be answered before the store is open
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    for name in os.listdir(home):
        assert stat.S_IMODE(os.stat(home / name).st_mode) == 0o600, name


def test_open_tab_is_handed_back_never_fetched(host, receiver):
    save(host, trigger="incoming_call_accepted", action="open_tab", url=receiver.url("/contact?phone={caller}"))
    assert host.request("call_event", event=event()) == {"matched": 1}
    notice = host.notice("open_tab")
    assert notice["url"] == receiver.url("/contact?phone=%2B49%2030%201234567")
    assert notice["call_id"] == event()["call_id"]  # the extension counts the tab against the call's source
    assert receiver.requests == []


def test_late_screen_pop_is_dropped_and_logged(host):
    save(host, trigger="incoming_call_accepted", action="open_tab", url="https://crm.example.com/{caller}")
    old = time.time() - 120
    host.request("call_event", event=event(started_at=old, answered_at=old))
    entry = host.request("deliveries.list", limit=5)["deliveries"][0]
    assert entry["state"] == "dropped" and "dropped" in entry["last_error"]
    assert host.notices.empty()


def test_duplicate_events_fire_once(host, receiver):
    save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/log?d={duration}"))
    assert host.request("call_event", event=event("incoming_call_ended"))["matched"] == 1
    assert host.request("call_event", event=event("incoming_call_ended")) == {"matched": 0, "duplicate": True}
    receiver.wait_for(1)
    host.request("call_event", event=event("incoming_call_ended", call_id="call-2"))
    receiver.wait_for(2)
    assert len(receiver.requests) == 2


def test_policy_switch_is_read_at_every_event(host, receiver, policy_file):
    save(host, trigger="incoming_call_accepted", action="get", url=receiver.url("/hit"))
    write_policy(policy_file, {"WEBHOOKS_ENABLED": False})
    assert host.request("hello")["webhooks_enabled"] is False
    assert host.request("call_event", event=event(call_id="off"))["matched"] == 0
    with pytest.raises(HostError) as err:
        host.request("webhooks.test", webhook_id=host.request("webhooks.list")["webhooks"][0]["id"])
    assert err.value.code == "disabled_by_policy"
    write_policy(policy_file, {"WEBHOOKS_ENABLED": True})
    assert host.request("call_event", event=event(call_id="on"))["matched"] == 1
    notice = host.notice("policy")  # the switch flipped since the last event: the popup is told
    assert notice["webhooks_enabled"] is True and notice["source"] == str(policy_file)
    assert [r.path for r in receiver.wait_for(1)] == ["/hit"]
    assert len(receiver.requests) == 1


def test_broken_policy_file_fails_closed(host, policy_file):
    policy_file.write_text("{not json")
    hello = host.request("hello")
    assert hello["webhooks_enabled"] is False and "not valid JSON" in hello["policy"]["errors"][0]


def test_admin_presets_are_listed_and_read_only(host, receiver, policy_file):
    write_policy(policy_file, {"webhooks": [{"id": "crm", "name": "CRM", "trigger": "incoming_call_accepted",
                                             "action": "get", "url": receiver.url("/preset?c={caller_e164}")}]})
    listed = host.request("webhooks.list")["webhooks"]
    assert [(w["id"], w["origin"]) for w in listed] == [("admin_crm", "admin")]
    for kind, fields in (("webhooks.save", {"webhook": {**listed[0], "url": "https://x.example/"}}),
                         ("webhooks.delete", {"webhook_id": "admin_crm"})):
        with pytest.raises(HostError) as err:
            host.request(kind, **fields)
        assert err.value.code == "read_only"
    host.request("call_event", event=event())
    assert receiver.wait_for(1)[0].query == {"c": ["+49301234567"]}


def test_foreign_extension_is_refused(home):
    client = HostClient(args=["chrome-extension://abcdefghijklmnopabcdefghijklmnop/"]).start()
    assert client.proc.wait(10) == 1
    assert client.proc.stdout.read() == b""
    assert "refusing to serve chrome-extension://abcdefghijklmnopabcdefghijklmnop/" in client.stderr_text()


def test_firefox_style_arguments_are_accepted(home):
    with HostClient(args=["/usr/lib/mozilla/native-messaging-hosts/org.uccwebhooks.host.json",
                          "ucc-webhooks@uccwebhooks.org"]) as client:
        assert client.request("hello")["host_version"]


def test_settings_validation_names_the_fix(host):
    with pytest.raises(HostError) as err:
        host.request("settings.set", settings={"default_region": "Germany"})
    assert err.value.code == "validation_error" and "two-letter" in err.value.reply["error"]["message"]


def test_the_store_loads_after_the_first_hello_is_answered_or_without_one_soon_after(home):
    """The loading thread would only take turns at the GIL from the first hello (start -> hello
    15-30 ms slower): it starts once that hello is answered, at the first frame that needs the
    store, or after LOAD_AFTER_S without any frame (pending deliveries resume without a message);
    httpx is warmed up after the store in that same thread. In a fresh interpreter, so that what
    is imported tells what was loaded."""
    import subprocess
    import sys

    script = """
import asyncio, sys
from ucc_webhooks.native import serve

class Writer:
    def __init__(self): self.frames = []
    def write(self, message): self.frames.append(message)

async def main():
    writer = Writer()
    session = serve._Session(writer)
    # no frame at all: the store loads by itself once LOAD_AFTER_S has passed (waited for, not forced) ...
    await asyncio.wait_for(asyncio.shield(session._becoming_ready), 10)
    assert session.app is not None, "nothing loaded without a frame"
    await session.close()

    session = serve._Session(writer)  # ... but with the hello on time, it is answered first
    assert not await session.handle([b'{"id": 1, "type": "hello"}'])
    assert writer.frames[-1]["id"] == 1 and writer.frames[-1]["ok"]
    await session._ready()
    assert session.app is not None
    await session.close()

async def first_hello_before_loading():
    writer = Writer()
    session = serve._Session(writer)
    await asyncio.sleep(0)
    assert not await session.handle([b'{"id": 1, "type": "hello"}'])
    assert writer.frames[0]["ok"] and "pydantic" not in sys.modules, sorted(m for m in sys.modules if "pydantic" in m)
    await session._ready()
    for _ in range(250):  # httpx is warmed up after the store, in the same worker thread
        if "httpx" in sys.modules:
            break
        await asyncio.sleep(0.02)
    assert "httpx" in sys.modules
    threads = session._store_thread._threads
    assert len(threads) == 1, threads  # a second thread beside it cost 0.5 MB at idle (its malloc arena)
    assert asyncio.get_running_loop()._default_executor is None, "the default pool started threads of its own"
    await session.close()

asyncio.run(first_hello_before_loading())
asyncio.run(main())
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
