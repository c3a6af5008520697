#!/usr/bin/env python3
"""Smoke check of extension/ in real headless Chromium: loads without manifest errors, the observer sees SIP calls.

Not part of `node --test` (it needs Chromium, chromedriver and Python selenium); run it by hand or from CI:
    python3 tests/js/chromium_smoke.py                      # no host: events wait in the worker's queue
    ucc-webhooks install --browser chromium --profile-dir P && python3 tests/js/chromium_smoke.py --profile-dir P
With --profile-dir (a profile whose NativeMessagingHosts/ names the host) it also creates two webhooks through
the worker (GET on ringing to a local receiver, open_tab on queue answer) and checks the receiver got the
request and the tab was opened: the whole chain page -> observer -> bridge -> worker -> host -> HTTP / tab.
It loads a copy of extension/ whose manifest adds http://127.0.0.1/* to host_permissions (headless Chromium
cannot answer the permission prompt, ARCHITECTURE.md), configures uccOrigins, opens a page on 127.0.0.1 that runs a
tiny softphone over a real WebSocket (subprotocol "sip") against a scripted PBX, and checks:
that the page hears none of the observer's events (its channel is private), the page's unchanged view of
WebSocket, the namespace cleanup, and that the content script handed the three events (ringing, queue
accepted, queue ended) to the service worker (queued: no host installed).
"""
import argparse
import base64
import hashlib
import http.server
import json
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
EXT_ID = "amlncininjibhhckajeabpanpcfpeeig"
CRLF = "\r\n"
INVITE = CRLF.join([
    "INVITE sip:k3p1@x.invalid;transport=ws SIP/2.0", "Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK1",
    'From: "Support: Anna \\"A\\" M" <sip:+49301234567@pbx.example.com>;tag=pbx1', "To: <sip:200@pbx.example.com>",
    "Call-ID: smoke-call-1", "CSeq: 10 INVITE", "X-Queue: Support", "Content-Length: 0", "", ""])


def ws_frame(text):
    data = text.encode()
    head = bytes([0x81]) + (bytes([len(data)]) if len(data) < 126 else bytes([126]) + struct.pack(">H", len(data)))
    return head + data


def ws_read(conn):
    _b1, b2 = conn.recv(2)
    n = b2 & 0x7F
    if n == 126:
        n = struct.unpack(">H", conn.recv(2))[0]
    mask = conn.recv(4)
    data = b""
    while len(data) < n:
        data += conn.recv(n - len(data))
    return bytes(c ^ mask[i % 4] for i, c in enumerate(data)).decode(errors="replace")


def pbx(server, done):
    """Accept one softphone: answer the handshake with subprotocol sip, ring it, hang up after its 200 OK;
    keep the socket open until `done` is set (the page must see the BYE, not a closed socket)."""
    conn, _ = server.accept()
    request = conn.recv(4096).decode()
    key = next(h.split(":", 1)[1].strip() for h in request.split(CRLF) if h.lower().startswith("sec-websocket-key"))
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n").encode())
    ws_read(conn)  # REGISTER
    conn.sendall(ws_frame(INVITE))
    while "SIP/2.0 200" not in ws_read(conn):
        pass
    time.sleep(0.3)  # a call that lasted a moment: its duration is not a condition to wait for
    conn.sendall(ws_frame("\r\n\r\n"))  # keep-alive
    conn.sendall(ws_frame(INVITE.replace("INVITE sip", "BYE sip").replace("10 INVITE", "11 BYE")
                          .replace("To: <sip:200@pbx.example.com>", "To: <sip:200@pbx.example.com>;tag=ua1")))
    done.wait(60)
    conn.close()


PAGE = """<!doctype html><title>phone</title><script>
window.calls = []; window.frames_seen = [];
window.addEventListener("ucc-webhooks:call", (e) => calls.push(e.detail));
const ws = new WebSocket("ws://127.0.0.1:%d/", "sip");
ws.binaryType = "arraybuffer";
ws.onmessage = (e) => {
  const text = typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data);
  frames_seen.push(typeof e.data);
  if (text.startsWith("INVITE")) {
    const head = text.split("\\r\\n").filter((l) => /^(Via|From|To|Call-ID|CSeq):/.test(l))
      .map((l) => l.startsWith("To:") ? l + ";tag=ua1" : l);
    ws.send(["SIP/2.0 180 Ringing", ...head, "Content-Length: 0", "", ""].join("\\r\\n"));
    setTimeout(() => ws.send(["SIP/2.0 200 OK", ...head, "Content-Length: 0", "", ""].join("\\r\\n")), 200);
  }
};
ws.onopen = () => ws.send(["REGISTER sip:pbx.example.com SIP/2.0", "Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKr",
  "To: <sip:agent200@pbx.example.com>", "From: <sip:agent200@pbx.example.com>;tag=r1", "Call-ID: reg1",
  "CSeq: 1 REGISTER", "Content-Length: 0", "", ""].join("\\r\\n"));
window.view = () => ({ instance: ws instanceof WebSocket, ctor: ws.constructor === WebSocket, proto: ws.protocol,
  binaryType: ws.binaryType, ns: typeof window.__uccWebhooks, name: WebSocket.name, sendName: ws.send.name });
</script>"""


def extensions_info(driver, ext_id):
    """chrome://extensions' list once it names `ext_id` (None before: the page is still loading)."""
    try:
        info = driver.execute_async_script(
            "if (!(globalThis.chrome && chrome.developerPrivate)) return arguments[0](null);"
            "chrome.developerPrivate.getExtensionsInfo({includeDisabled: true}, arguments[0])")
    except Exception:
        return None
    return info if info and any(e["id"] == ext_id for e in info) else None


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--profile-dir", help="Chromium profile with the host installed (ucc-webhooks install --profile-dir)")
    args = args.parse_args()
    hits = []
    ext = Path(tempfile.mkdtemp()) / "extension"
    shutil.copytree(ROOT / "extension", ext)
    manifest = json.loads((ext / "manifest.json").read_text())
    manifest["host_permissions"] = ["http://127.0.0.1/*"]
    (ext / "manifest.json").write_text(json.dumps(manifest))

    ws_server = socket.socket()
    ws_server.bind(("127.0.0.1", 0))
    ws_server.listen(1)
    ws_port = ws_server.getsockname()[1]
    pbx_done = threading.Event()
    threading.Thread(target=pbx, args=(ws_server, pbx_done), daemon=True).start()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/hook") or self.path.startswith("/crm"):
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")
                return
            body = (PAGE % ws_port).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--disable-features=DisableLoadExtensionCommandLineSwitch", f"--load-extension={ext}", "--headless=new",
              "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", f"--user-data-dir={args.profile_dir or tempfile.mkdtemp()}"]:
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_script_timeout(20)
    failures = []
    try:
        d.get("chrome://extensions")
        info = WebDriverWait(d, 10).until(lambda drv: extensions_info(drv, EXT_ID))
        ours = [e for e in info if e["id"] == EXT_ID]
        print("extension loaded:", bool(ours), "manifest errors:", ours and ours[0].get("manifestErrors"),
              "install warnings:", ours and ours[0].get("installWarnings"))
        if not ours or ours[0].get("manifestErrors") or ours[0]["state"] != "ENABLED":
            failures.append("extension not loaded cleanly")
        d.get(f"chrome-extension://{EXT_ID}/options.html")
        registered = d.execute_async_script("""
            const done = arguments[0];
            chrome.storage.local.set({uccOrigins: ["http://127.0.0.1/*"], queueRule: {header: "X-Queue", displayNamePattern: null}}).then(async () => {
              for (let i = 0; i < 100; i++) {
                const s = await chrome.scripting.getRegisteredContentScripts();
                if (s.length === 2) return done(s.map((x) => [x.id, x.world || "ISOLATED", x.runAt]));
                await new Promise((r) => setTimeout(r, 50));
              }
              done(null);
            });""")
        print("registered:", registered)
        if not registered:
            failures.append("observer not registered")
        base = f"http://127.0.0.1:{httpd.server_port}"
        if args.profile_dir:
            for hook in ({"trigger": "incoming_call_ringing", "action": "get", "url": base + "/hook?from={caller}&q={queue}"},
                         {"trigger": "queue_call_accepted", "action": "open_tab", "url": base + "/crm?phone={caller}"}):
                saved = d.execute_async_script(
                    "chrome.runtime.sendMessage({type: 'host.request', request: {type: 'webhooks.save', webhook: arguments[0]}}).then(arguments[1])",
                    {**hook, "enabled": True, "name": "smoke " + hook["trigger"]})
                print("webhook saved:", saved.get("ok"), saved.get("result", saved).get("id") if saved.get("ok") else saved)
        d.get(f"http://127.0.0.1:{httpd.server_port}/phone.html")
        WebDriverWait(d, 10).until(lambda drv: len(drv.execute_script("return frames_seen")) >= 3)  # INVITE, keep-alive, BYE
        calls = d.execute_script("return window.calls")
        view = d.execute_script("return view()")
        pbx_done.set()
        print("call events the page could hear:", calls, "(none: the observer's channel is private)")
        print("page view:", view, "frames:", d.execute_script("return frames_seen"))
        if calls:
            failures.append("the page heard the observer's events")
        if view != {"instance": True, "ctor": True, "proto": "sip", "binaryType": "arraybuffer", "ns": "undefined",
                    "name": "WebSocket", "sendName": "send"}:
            failures.append("page view changed")
        d.get(f"chrome-extension://{EXT_ID}/popup.html")
        status = d.execute_async_script("chrome.runtime.sendMessage({type: 'host.status'}).then(arguments[0])")
        for _ in range(50):  # the three events reach the worker a moment after the page saw the BYE
            if args.profile_dir or status["result"]["queued"] >= 3:
                break
            time.sleep(0.1)
            status = d.execute_async_script("chrome.runtime.sendMessage({type: 'host.status'}).then(arguments[0])")
        print("worker status:", {k: status["result"].get(k) for k in ("state", "queued", "error")})
        if not args.profile_dir and status["result"]["queued"] != 3:
            failures.append("content script did not hand the 3 events to the worker")
        if args.profile_dir:
            WebDriverWait(d, 10).until(lambda drv: any(h.startswith("/crm") for h in hits) and any(h.startswith("/hook") for h in hits))
            tabs = []
            for handle in d.window_handles:
                d.switch_to.window(handle)
                tabs.append(d.current_url)
            print("receiver got:", hits, "tabs:", tabs)
            if status["result"]["state"] != "connected":
                failures.append("worker not connected to the host")
            if not any("/crm?phone=%2B49301234567" in t for t in tabs):
                failures.append("open_tab did not open the CRM tab")
        d.get("chrome://extensions")
        info = WebDriverWait(d, 10).until(lambda drv: extensions_info(drv, EXT_ID))
        errors = [e for x in info if x["id"] == EXT_ID for e in x.get("runtimeErrors", [])]
        print("runtime errors:", [(e.get("severity"), e.get("message")) for e in errors])
        if errors:
            failures.append("the extension logged runtime errors")
    finally:
        pbx_done.set()
        d.quit()
    print("FAILED: " + "; ".join(failures) if failures else "Looks good")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
