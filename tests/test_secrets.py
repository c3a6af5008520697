"""Secrets stay where they belong: export files 0600 whatever existed, only folders the host makes
are chmodded, credentials in URLs masked wherever a URL is shown, and round-tripped on save.

The commands run in this process (`run_cli`), the store and the settings in-process as the host
opens them; the URL's round trip goes through a real host over frames to a real receiver."""

from __future__ import annotations

import json
import os
import stat

from conftest import event, run_cli

from ucc_webhooks.storage.database import Store
from ucc_webhooks_dev.lab.host_client import HostClient

cli = run_cli


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_export_with_secrets_into_an_existing_file_makes_it_0600(home, tmp_path):
    assert cli("add", "--trigger", "incoming_call_accepted", "--action", "get", "--url", "https://crm.example.com/x",
               "--header", "Authorization: Bearer s3cret").returncode == 0
    target = tmp_path / "export.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    done = cli("export", "--include-secrets", str(target))
    assert done.returncode == 0, done.stderr
    assert mode(target) == 0o600 and "s3cret" in target.read_text()


def test_an_existing_data_folder_keeps_its_mode_and_a_new_one_is_private(tmp_path, monkeypatch):
    existing = tmp_path / "mine"
    existing.mkdir()
    os.chmod(existing, 0o755)
    monkeypatch.setenv("UCC_WEBHOOKS_HOME", str(existing))
    Store().close()  # the store as the host and the CLI open it
    assert mode(existing) == 0o755 and mode(existing / "ucc-webhooks.sqlite3") == 0o600
    fresh = tmp_path / "new" / "data"
    monkeypatch.setenv("UCC_WEBHOOKS_HOME", str(fresh))
    Store().close()
    assert mode(fresh) == 0o700


def test_credentials_in_urls_are_masked_wherever_a_url_is_shown(home, receiver):
    URL = receiver.url("/calls?from={caller}&token=t0k3n&api_key=k3y&page=1").replace("://", "://agent:pa55word@")
    secret_words = ("pa55word", "t0k3n", "k3y")
    with HostClient() as host:
        hook = host.request("webhooks.save", webhook={"trigger": "incoming_call_accepted", "action": "get", "url": URL})
        listed = json.dumps(host.request("webhooks.list"))
        assert all(w not in listed for w in secret_words) and json.dumps(hook).count("********") == 3
        assert "page=1" in listed and "from={caller}" in listed
        host.request("call_event", event=event())
        [req] = receiver.wait_for(1)
        assert req.query["token"] == ["t0k3n"] and req.header("authorization").startswith("Basic ")
        host.notice("delivery", timeout=20)
        log = json.dumps(host.request("deliveries.list"))
        assert all(w not in log for w in secret_words)
        # the masked URL sent back unchanged (the options page autosaves) keeps the credentials
        host.request("webhooks.save", webhook={**{k: hook[k] for k in ("id", "trigger", "action")}, "url": hook["url"]})
    for command in (["list"], ["list", "--json"], ["log"], ["log", "--json"], ["export"]):
        out = cli(*command).stdout
        assert all(w not in out for w in secret_words), (command, out)
    exported = json.loads(cli("export", "--include-secrets").stdout)
    assert exported["webhooks"][0]["url"] == URL


def test_a_proxy_password_is_masked_and_kept(app):
    shown = app.settings.set({"proxy": "http://me:pr0xy@127.0.0.1:3128"})["settings"]["proxy"]
    assert "pr0xy" not in shown and "********" in shown
    assert app.settings.get()["settings"]["proxy"] == shown
    app.settings.set({"proxy": shown, "request_timeout_s": 5})
    store = Store()
    assert store.get_settings().proxy == "http://me:pr0xy@127.0.0.1:3128"
    store.close()
