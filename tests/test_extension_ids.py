"""`install --extension-id`: the manifests list exactly the ids given, the host serves exactly
those (started through the real launcher, as a browser starts it), and `doctor` names the ids and
an extension the host refused. `--manifest-dir DIR --family` for a browser not in the table."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME

ENTERPRISE = "bcdefghijklmnopabcdefghijklmnopa"
STORE = "ponmlkjihgfedcbaponmlkjihgfedcba"
ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`ucc-webhooks ARGS` with exactly `env`: `doctor` as a process, as a user runs it (it keeps
    what it learnt for the one run it is); install and uninstall by the CLI's main in this process."""
    if args[0] == "doctor":
        return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], env=env, capture_output=True, text=True,
                              timeout=60)
    return run_cli(*args, env=env)


def native_dir(env) -> Path:
    return Path(env["HOME"]) / ".local/share/ucc-webhooks/native-host"


def hello(env, *argv: str) -> subprocess.CompletedProcess:
    body = json.dumps({"id": 1, "type": "hello", "extension_version": "test"}).encode()
    return subprocess.run([str(native_dir(env) / "ucc-webhooks-host"), *argv], input=struct.pack("@I", len(body)) + body,
                          env={k: v for k, v in env.items() if k != "UCC_WEBHOOKS_CALLERS_FILE"}, capture_output=True, timeout=30)


def answered(done: subprocess.CompletedProcess) -> bool:
    if len(done.stdout) < 4:
        return False
    (length,) = struct.unpack("@I", done.stdout[:4])
    return json.loads(done.stdout[4 : 4 + length])["ok"] is True


def test_ids_given_are_written_and_served_exactly(env):
    done = cli(env, "install", "--browser", "chromium", "--browser", "firefox",
               "--extension-id", ENTERPRISE, "--extension-id", f"chrome-extension://{STORE}/")
    assert done.returncode == 0, done.stderr + done.stdout
    chromium = json.loads((Path(env["HOME"]) / ".config/chromium/NativeMessagingHosts" / f"{HOST_NAME}.json").read_text())
    assert chromium["allowed_origins"] == [f"chrome-extension://{ENTERPRISE}/", f"chrome-extension://{STORE}/"]
    firefox = json.loads((Path(env["HOME"]) / ".mozilla/native-messaging-hosts" / f"{HOST_NAME}.json").read_text())
    assert firefox["allowed_extensions"] == [FIREFOX_EXTENSION_ID]  # no Firefox id given: ours stays
    served = json.loads((native_dir(env) / "allowed-callers.json").read_text())
    assert served == {"allowed_origins": chromium["allowed_origins"], "allowed_extensions": [FIREFOX_EXTENSION_ID]}

    assert answered(hello(env, f"chrome-extension://{ENTERPRISE}/"))
    assert answered(hello(env, f"chrome-extension://{STORE}/"))
    assert answered(hello(env, "/some/manifest.json", FIREFOX_EXTENSION_ID))
    refused = hello(env, ORIGIN)  # our unpacked id was not installed this time
    assert refused.returncode == 1 and refused.stdout == b""
    assert b"not among the extension ids installed" in refused.stderr

    report = cli(env, "doctor", "--browser", "chromium", "--json")
    checks = json.loads(report.stdout)["checks"]
    ids = [c for c in checks if c["link"] == "ids"]
    assert ENTERPRISE in ids[0]["detail"] and STORE in ids[0]["detail"] and ids[0]["ok"] is None
    flagged = [c for c in ids if c["ok"] is False]
    assert len(flagged) == 1 and CHROMIUM_EXTENSION_ID in flagged[0]["detail"]
    assert f"--extension-id {CHROMIUM_EXTENSION_ID}" in flagged[0]["fix"]
    assert report.returncode == 1
    origin = next(c for c in checks if c["link"] == "origin")
    assert origin["ok"] is True

    # Following the fix makes doctor content again.
    again = cli(env, "install", "--browser", "chromium", "--browser", "firefox",
                "--extension-id", ENTERPRISE, "--extension-id", STORE, "--extension-id", CHROMIUM_EXTENSION_ID)
    assert again.returncode == 0, again.stderr
    assert answered(hello(env, ORIGIN))
    assert cli(env, "doctor", "--browser", "chromium").returncode == 0


def test_default_ids_and_a_firefox_id(env):
    assert cli(env, "install", "--browser", "chromium").returncode == 0
    assert answered(hello(env, ORIGIN))
    assert not answered(hello(env, f"chrome-extension://{ENTERPRISE}/"))
    done = cli(env, "install", "--browser", "firefox", "--extension-id", "{12345678-1234-1234-1234-123456789abc}")
    assert done.returncode == 0, done.stderr
    firefox = json.loads((Path(env["HOME"]) / ".mozilla/native-messaging-hosts" / f"{HOST_NAME}.json").read_text())
    assert firefox["allowed_extensions"] == ["{12345678-1234-1234-1234-123456789abc}"]
    assert answered(hello(env, "/m.json", "{12345678-1234-1234-1234-123456789abc}"))
    assert not answered(hello(env, "/m.json", FIREFOX_EXTENSION_ID))


def test_a_value_that_is_no_id_is_refused_and_nothing_written(env):
    done = cli(env, "install", "--browser", "chromium", "--extension-id", "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP")
    assert done.returncode == 2 and "is no extension id" in done.stderr
    assert not native_dir(env).exists()


def test_manifest_dir_for_another_browser(env, tmp_path):
    folder = tmp_path / "fork" / "NativeMessagingHosts"
    assert cli(env, "install", "--manifest-dir", str(folder)).returncode == 2  # which template?
    done = cli(env, "install", "--manifest-dir", str(folder), "--family", "firefox", "--extension-id", "fork@example.org")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((folder / f"{HOST_NAME}.json").read_text())
    assert manifest["allowed_extensions"] == ["fork@example.org"] and "allowed_origins" not in manifest
    assert manifest["path"] == str(native_dir(env) / "ucc-webhooks-host")
    assert answered(hello(env, str(folder / f"{HOST_NAME}.json"), "fork@example.org"))
    assert cli(env, "uninstall", "--manifest-dir", str(folder)).returncode == 0
    assert not (folder / f"{HOST_NAME}.json").exists()
