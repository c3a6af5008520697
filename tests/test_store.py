"""The store shared by host and CLI: concurrent writers, a kill during saves, schema version."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from ucc_webhooks.storage.database import SCHEMA_VERSION, Store, StoreError
from ucc_webhooks_dev.lab.host_client import HostClient


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], capture_output=True, text=True, timeout=60)


def test_cli_and_host_write_at_the_same_time(home):
    with HostClient() as host:
        ids = [host.send({"type": "webhooks.save", "webhook": {
            "trigger": "incoming_call_accepted", "action": "get", "url": f"https://h.example/{n}"}}) for n in range(100)]
        procs = [subprocess.Popen([sys.executable, "-m", "ucc_webhooks", "add", "--trigger", "incoming_call_ended",
                                   "--action", "get", "--url", f"https://cli.example/{n}"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(8)]
        for n in ids:
            assert host.reply(n, timeout=30)["ok"]
        for p in procs:
            _out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
        urls = {w["url"] for w in host.request("webhooks.list")["webhooks"]}
    assert len(urls) == 108


def test_kill_during_saves_leaves_the_store_intact(home):
    host = HostClient().start()
    for n in range(300):
        host.send({"type": "webhooks.save", "webhook": {"trigger": "incoming_call_accepted", "action": "get",
                                                        "url": f"https://k.example/{n}"}})
    host.wait_replies(50)
    host.kill()
    acknowledged = host.reply_count
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    store = Store()
    assert len(store.list_webhooks()) >= acknowledged
    store.close()


def test_schema_version_is_recorded_and_a_newer_store_is_refused(home):
    Store().close()
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer ucc-webhooks"):
        Store()


def test_unwritable_data_dir_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("UCC_WEBHOOKS_HOME", str(blocker / "sub"))
    result = cli("list")
    assert result.returncode == 1 and "UCC_WEBHOOKS_HOME" in result.stderr
    with HostClient() as host:  # the host still answers, and says what is wrong
        reply = host.reply(host.send({"type": "webhooks.list"}))
        assert reply["error"]["code"] == "internal" and "data store" in reply["error"]["message"]
