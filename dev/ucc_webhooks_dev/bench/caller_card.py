"""Benchmark of the caller card in headless Chromium: the ringing INVITE reaches the page -> the
desktop notification with the CRM's name is shown (its `Notify` reaches the lab's notification
server on its own D-Bus), minus the CRM's own answer time.

The path measured: the extension sees the INVITE, the worker forwards `incoming_call_ringing`
over native messaging, the host runs the lookup webhook (HTTP to a CRM on 127.0.0.1 that answers
after a fixed delay, as a CRM's search does), maps the answer (JMESPath), sends the `contact`
notice, the worker shows the notification, the browser sends it over D-Bus.

The floor, in the same run, on alternate calls: the page does the same by the cheapest means at
hand, without extension or host: at the INVITE it fetches the same CRM search itself and shows
the name with the page's own `new Notification()`. Both figures have the same start (a fetch the
page fires the moment the INVITE frame arrives, reaching the same server: its arrival is the
common clock), go through the same browser notification path to the same server, and have the
CRM's answer time taken off. The difference is what the CRM loop costs on top of doing it
directly: native messaging both ways, the host's request and mapping, the worker's notice
handling. Floor calls come from an internal number, which the lookup webhook's condition
(`numbers: external`) skips, so that the host stays idle on them; card calls come from external
numbers, which the page's own hook skips.
"""

from __future__ import annotations

import http.server
import json
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from ucc_webhooks_dev.bench.host import summary

__all__ = ["ringing_to_card"]

# At document start (before JsSIP opens its socket): a first 'message' listener on every WebSocket.
_PAGE_HOOK = """
(() => {
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (e) => {
      const text = typeof e.data === "string" ? e.data : "";
      if (!text.startsWith("INVITE ")) return;
      const to = /\\r\\n(?:To|t):[^\\r\\n]*/i.exec(text);
      if (to && /;\\s*tag=/i.test(to[0])) return; // a re-INVITE, not a new call
      const id = (/\\r\\n(?:Call-ID|i):\\s*(\\S+)/i.exec(text) || [])[1] || "";
      const from = (/\\r\\n(?:From|f):[^\\r\\n]*sip:([^@>;]+)/i.exec(text) || [])[1] || "";
      const bench = window.__bench || {};
      if (!bench.url) return;
      fetch(bench.url + "/mark?c=" + encodeURIComponent(id), {mode: "no-cors", cache: "no-store"});
      if (!/^\\d{1,4}$/.test(from)) return; // the floor runs for internal callers only
      fetch(bench.url + "/search?phone=" + encodeURIComponent(from), {cache: "no-store"})
        .then((r) => r.json())
        .then((answer) => new Notification(answer.results[0].name, {body: "floor"}));
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


class _Crm:
    """A CRM search on 127.0.0.1 that answers after `delay_s`; records when each request came and
    when its answer left (perf_counter, the clock of the notification server)."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.seen: list[dict] = []
        self._cond = threading.Condition()
        crm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                came = time.perf_counter()
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body = b""
                if parts.path == "/search":
                    time.sleep(crm.delay_s)
                    body = json.dumps({"results": [{"id": query.get("phone", ""), "name": f"Bench {query.get('phone')}"}]}).encode()
                answered = time.perf_counter()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "*")  # the floor's page fetches it cross-origin
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with crm._cond:
                    crm.seen.append({"path": parts.path, "query": query, "came": came, "answered": answered})
                    crm._cond.notify_all()

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def wait(self, match, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (found := [s for s in self.seen if match(s)]):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no CRM request matched; seen {[(s['path'], s['query']) for s in self.seen]}")
                self._cond.wait(0.2)
            return found[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def ringing_to_card(calls: int = 30, crm_delay_ms: float = 100.0) -> dict:
    """`calls` card calls and as many floor calls, alternating, after two warm-up calls of each."""
    from ucc_webhooks_dev.lab import browser as lab_browser
    from ucc_webhooks_dev.lab.notifications import NotificationServer
    from ucc_webhooks_dev.lab.sipp import Sipp
    from ucc_webhooks_dev.lab.sipserver import SipServer
    from ucc_webhooks_dev.lab.softphone import SoftphoneServer
    from ucc_webhooks_dev.lab.stack import BrowserLab

    crm = _Crm(crm_delay_ms / 1000)
    card_ms, floor_ms, to_lookup_ms, crm_ms = [], [], [], []
    calls_seen: list[dict] = []  # per call, for a closer look (JSON only)
    with tempfile.TemporaryDirectory(prefix="ucc-bench-card-") as tmp, \
            NotificationServer(Path(tmp) / "desktop") as desktop, SipServer() as sip, SoftphoneServer() as page:
        lab = BrowserLab("chromium", Path(tmp) / "lab", sip, page, browser_env=desktop.environ)
        lab_browser.test_extension_copy(lab.extension_dir, [page.match_pattern], grant=("notifications",))
        lab.start()
        sipp = Sipp(sip)
        try:
            lab.ext.configure({"callerCard": True}, wait_for_origins=False)
            lab.host.add("incoming_call_ringing", "lookup", crm.url + "/search?phone={caller_e164}", name="bench lookup",
                         response_map={"contact_id": "results[0].id", "contact_name": "results[0].name"},
                         conditions={"numbers": "external"})
            driver = lab.driver
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _PAGE_HOOK})
            driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": page.origin, "permissions": ["notifications"]})
            lab.reload_page()
            lab.page.js("window.__bench = {url: arguments[0]};", crm.url)
            for i in range(2 * (calls + 2)):
                floor = i % 2 == 1
                caller = f"2{i % 1000:03d}" if floor else f"+4930555{i:04d}"
                mark = desktop.mark()
                before = len(crm.seen)
                run = sipp.call("agent200", "uac_cancel", caller=caller, caller_name="Bench", talk_ms=int(crm_delay_ms) + 1500)
                shown = desktop.wait_for(lambda n, c=caller: n.summary.startswith("Bench ") and n.summary.endswith(c[-4:]),
                                         after=mark, timeout=20, what=f"the notification of call {i}")
                came = crm.wait(lambda s, b=before: s["path"] == "/mark" and crm.seen.index(s) >= b)
                search = crm.wait(lambda s, b=before, f=floor: s["path"] == "/search" and crm.seen.index(s) >= b
                                  and s["query"].get("phone", "").startswith("+") != f)
                run.wait()
                if i < 4:
                    continue  # warm-up: connections, the host's first lookup, the first notifications
                answer = search["answered"] - search["came"]
                total = (shown.shown_mono - came["came"] - answer) * 1000
                calls_seen.append({"caller": caller, "floor": floor, "to_crm_ms": round((search["came"] - came["came"]) * 1000, 2),
                                   "crm_ms": round(answer * 1000, 2),
                                   "answer_to_shown_ms": round((shown.shown_mono - search["answered"]) * 1000, 2)})
                (floor_ms if floor else card_ms).append(total)
                if not floor:
                    to_lookup_ms.append((search["came"] - came["came"]) * 1000)
                    crm_ms.append(answer * 1000)
        finally:
            lab.stop()
            sipp.stop()
            crm.close()
    card, base, lookup = summary(card_ms), summary(floor_ms), summary(to_lookup_ms)
    share = round(card["p50_ms"] - base["p50_ms"], 2)
    return {"card_minus_crm": card, "floor_minus_crm": base, "to_lookup_request": lookup,
            "crm_answer": summary(crm_ms), "share_over_floor_p50_ms": share,
            "summary": (f"ringing INVITE in the page -> caller card shown, minus the CRM's {crm_delay_ms:.0f} ms: "
                        f"p50 {card['p50_ms']} ms, p99 {card['p99_ms']} ms | floor (the page's own fetch + Notification) "
                        f"p50 {base['p50_ms']} ms, p99 {base['p99_ms']} ms | lookup request at the CRM after "
                        f"p50 {lookup['p50_ms']} ms"),
            "target": "card p50 < 20 ms (CRM time taken off)", "met": card["p50_ms"] < 20, "calls": calls_seen}
