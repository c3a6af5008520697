"""The demo's CRM: an HTTP server on 127.0.0.1 that records every request and shows contact records.

It stands in for what an integrator wires the webhooks to:

    GET  /login                   signs the browser in (cookie `crm_session`), as a real CRM would
    GET  /api/contacts?phone=E164 the search a lookup asks: {"results": [{"id", "name", "company"}]}
    GET  /contacts/ID             a contact's record (the screen pop of `open_tab` on `{contact_url}`)
    GET  /contact?phone=E164      "new contact" for a number the CRM does not know (the fallback URL)
    POST /calls                   stores a call record (JSON body), answers 201
    GET  /dial-log?to=...         notes an outgoing call, answers 200
    GET  /api/calls?contact=ID    the call records of one contact (its page polls it; not recorded)

`on_request` is called from the server thread for every recorded request, as it arrives, so the
demo can print it at once. The lab's `Receiver` answers every path with "ok"; a screenshot of a
contact record needs a page, hence this server.
"""

from __future__ import annotations

import html
import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from ucc_webhooks.engine.phone_numbers import e164

__all__ = ["CONTACTS", "SESSION_COOKIE", "Crm", "CrmRequest"]

SESSION_COOKIE = "crm_session"

#: The CRM's contacts, keyed by E.164 number: what `{caller_e164}` is for. Bernd Huber (call 2)
#: is not among them: his call shows the fallback, a "new contact" page.
CONTACTS: dict[str, dict[str, str]] = {
    "+493012345678": {"id": "1001", "name": "Anna Müller", "company": "Müller & Co. KG", "city": "Berlin",
                      "note": "Key account since 2019 · open ticket #4711 (delivery delayed)"},
    "+4940555123": {"id": "1003", "name": "Carla Jensen", "company": "Jensen Reederei", "city": "Hamburg",
                    "note": "Call back about the framework contract"},
}


@dataclass(frozen=True)
class CrmRequest:
    method: str
    path: str
    query: dict[str, str]
    raw_path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    status: int

    @property
    def from_webhook(self) -> bool:
        """Sent by the host in the background (every background request carries `webhook-id`)."""
        return "webhook-id" in self.headers

    @property
    def signed_in(self) -> bool:
        return f"{SESSION_COOKIE}=" in self.headers.get("cookie", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> object:
        return json.loads(self.body)


class Crm:
    """`with Crm(on_request=print) as crm:` then `crm.url("/contact")`."""

    def __init__(self, on_request: Callable[[CrmRequest], None] | None = None, host: str = "127.0.0.1") -> None:
        self.requests: list[CrmRequest] = []
        self.call_log: list[dict] = []
        self.on_request = on_request
        self._cond = threading.Condition()
        crm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urllib.parse.urlsplit(self.path)
                query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, ctype, payload, extra = crm._answer(self.command, parsed.path, query, headers, body)
                if parsed.path not in ("/api/calls", "/favicon.ico"):
                    crm._record(CrmRequest(self.command, parsed.path, query, self.path, headers, body,
                                           time.time(), status))
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = _handle

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

        self._server = Server((host, 0), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    # -- recording --------------------------------------------------------------------------
    def _record(self, request: CrmRequest) -> None:
        with self._cond:
            self.requests.append(request)
            self._cond.notify_all()
        if self.on_request is not None:
            self.on_request(request)

    def requests_to(self, path: str) -> int:
        """How many requests to `path` arrived so far."""
        with self._cond:
            return sum(r.path == path for r in self.requests)

    # -- answers ----------------------------------------------------------------------------
    def _answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
                body: bytes) -> tuple[int, str, bytes, dict[str, str]]:
        if path == "/login":
            cookie = f"{SESSION_COOKIE}=agent200; Path=/; HttpOnly; SameSite=Lax"
            return 200, "text/html; charset=utf-8", _page("Signed in", "<p>Signed in as agent200.</p>"), \
                {"Set-Cookie": cookie}
        signed_in = f"{SESSION_COOKIE}=" in headers.get("cookie", "")
        if path == "/api/contacts":
            found = [{"id": int(c["id"]), "name": c["name"], "company": c["company"]}
                     for phone, c in CONTACTS.items() if phone == query.get("phone")]
            return 200, "application/json", json.dumps({"results": found}).encode(), {}
        if path.startswith("/contacts/"):
            by_id = {c["id"]: (phone, c) for phone, c in CONTACTS.items()}
            if path.removeprefix("/contacts/") not in by_id:
                return 404, "text/plain", b"no such contact", {}
            phone, contact = by_id[path.removeprefix("/contacts/")]
            return 200, "text/html; charset=utf-8", _contact_page(phone, contact, query, signed_in), {}
        if path == "/contact":
            phone = query.get("phone", "")
            return 200, "text/html; charset=utf-8", _contact_page(phone, CONTACTS.get(phone), query, signed_in), {}
        if path == "/calls" and method == "POST":
            try:
                record = json.loads(body)
            except ValueError:
                return 400, "application/json", b'{"error": "body is not JSON"}', {}
            if isinstance(record, dict):
                with self._cond:
                    self.call_log.append({**record, "logged_at": time.time()})
            return 201, "application/json", b'{"stored": true}', {}
        if path == "/dial-log":
            return 200, "text/plain", b"noted", {}
        if path == "/api/calls":
            with self._cond:
                rows = [r for r in self.call_log
                        if str(r.get("contact_id")) == query.get("contact") or _number_of(r) == query.get("phone")]
            return 200, "application/json", json.dumps(rows).encode(), {}
        if path == "/favicon.ico":
            return 204, "text/plain", b"", {}
        return 404, "text/plain", b"not found", {}

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Crm:
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-crm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Crm:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _number_of(record: dict) -> str:
    """A call record's number in E.164 (the POST carries what the PBX sent: `030…`)."""
    number = str(record.get("caller") or record.get("callee") or "")
    return e164(number, "DE") or number


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #0b3d91; color: #fff; padding: 10px 24px; display: flex; justify-content: space-between; }
header b { font-size: 17px; } header span { opacity: .85; }
main { max-width: 760px; margin: 24px auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 24px 28px; }
h1 { margin: 0 0 4px; font-size: 26px; } .sub { color: #57606a; margin: 0 0 16px; }
.pop { background: #e7f3ff; border: 1px solid #9cc7f5; border-radius: 6px; padding: 8px 12px; margin-bottom: 16px; }
dl { display: grid; grid-template-columns: 140px 1fr; gap: 6px 12px; margin: 0 0 16px; } dt { color: #57606a; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; border-bottom: 1px solid #d0d7de; padding: 6px 8px; }
.muted { color: #57606a; } .warn { color: #9a6700; }
"""


def _page(title: str, content: str, script: str = "") -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><header><b>Demo CRM</b><span>stands in for your CRM</span></header>"
            f"<main>{content}</main>{script}</body></html>").encode()


def _contact_page(phone: str, contact: dict[str, str] | None, query: dict[str, str], signed_in: bool) -> bytes:
    """A contact's record (`/contacts/ID`), or the "new contact" page of an unknown number."""
    esc = html.escape
    title = contact["name"] if contact else (query.get("name") or "Unknown caller")
    pop = (f"Screen pop: the record of <b>{esc(phone)}</b>, found by the lookup" if contact
           else f"Screen pop: <b>{esc(phone or '(no number)')}</b> is not in the CRM yet")
    if query.get("queue"):
        pop += f" via queue <b>{esc(query['queue'])}</b>"
    session = ("signed in as agent200 (the browser's own CRM session cookie)" if signed_in
               else "<span class='warn'>not signed in: the tab did not carry the CRM session</span>")
    if contact:
        details = (f"<dl><dt>Company</dt><dd>{esc(contact['company'])}</dd><dt>City</dt><dd>{esc(contact['city'])}</dd>"
                   f"<dt>Phone (E.164)</dt><dd>{esc(phone)}</dd><dt>Note</dt><dd>{esc(contact['note'])}</dd></dl>")
    else:
        details = (f"<p class='muted'>No contact with the number {esc(phone or '(none)')} yet: "
                   "create one here (the fallback URL of the screen pop).</p>")
    content = (f"<div class='pop'>{pop}</div><h1>{esc(title)}</h1>"
               f"<p class='sub'>{esc(contact['company']) if contact else 'Contact record'} · {session}</p>{details}"
               "<h2>Call log</h2><table><thead><tr><th>Start</th><th>Seconds</th><th>Number</th><th>Logged by</th></tr>"
               "</thead><tbody id='calls'><tr><td colspan='4' class='muted'>no call stored yet</td></tr></tbody></table>")
    ask = "contact=" + contact["id"] if contact else "phone=" + urllib.parse.quote(phone)
    script = ("<script>"
              "async function refresh() { try {"
              " const rows = await (await fetch('/api/calls?" + ask + "')).json();"
              " if (!rows.length) return;"
              " const body = document.getElementById('calls'); body.innerHTML = '';"
              " for (const r of rows) { const tr = document.createElement('tr');"
              "  const start = new Date(r.start * 1000).toLocaleTimeString();"
              "  for (const t of [start, r.seconds, r.caller || r.callee, 'POST /calls (webhook)']) {"
              "   const td = document.createElement('td'); td.textContent = String(t); tr.appendChild(td); }"
              "  tr.dataset.testid = 'call-row'; body.appendChild(tr); }"
              "} catch (e) {} }"
              "refresh(); setInterval(refresh, 500);</script>")
    return _page(f"{title} – Demo CRM", content, script)
