"""A small CRM on 127.0.0.1 for the CRM loop's browser tests: a search by phone, contact records
the browser opens, a call log; every request recorded, waited for by condition."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass

__all__ = ["Crm", "CrmRequest"]


@dataclass(frozen=True)
class CrmRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Crm:
    """A CRM on 127.0.0.1 as a lookup and a call log see it: a search by phone (JSON), contact
    records (pages, for the browser), a call log (POST); every request recorded. It knows one
    contact, `known` (the number as searched, id, name, company)."""

    def __init__(self, known: tuple[str, str, str, str]) -> None:
        phone, contact_id, name, company = known
        self.requests: list[CrmRequest] = []
        self._cond = threading.Condition()
        crm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = CrmRequest(self.command, parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                                     {k.lower(): v for k, v in self.headers.items()}, body)
                with crm._cond:
                    crm.requests.append(request)
                    crm._cond.notify_all()
                if parts.path == "/api/search":
                    found = request.query.get("phone") == phone
                    results = [{"id": contact_id, "properties": {"name": name, "company": company}}] if found else []
                    self._answer(200, json.dumps({"results": results}).encode(), "application/json")
                elif parts.path == "/api/calls":
                    self._answer(201, b'{"id": "call-1"}', "application/json")
                else:  # /login, /contacts/<id>: pages for the browser
                    self._answer(200, f"<!doctype html><title>CRM {parts.path}</title>".encode(), "text/html")

            do_GET = do_POST = _handle

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def wait_for(self, path: str, count: int = 1, timeout: float = 15.0) -> list[CrmRequest]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(got := [r for r in self.requests if r.path == path]) < count:
                if deadline - time.monotonic() <= 0:
                    raise TimeoutError(f"{count} request(s) to {path} expected; got {[r.path for r in self.requests]}")
                self._cond.wait(deadline - time.monotonic())
            return got

    def __enter__(self) -> Crm:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
