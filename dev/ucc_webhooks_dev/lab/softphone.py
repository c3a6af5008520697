"""Serve the lab softphone page (the UCC client's stand-in) on 127.0.0.1.

`/` is the page, `/phone.js` its driver, `/jssip.js` JsSIP bundled from node_modules. The page
origin, `http://127.0.0.1:PORT`, is what the extension is told to watch (`uccOrigins`).
`/patterns/…` serves the self-checking pages of `lab/patterns/` (what a page observes, with and
without the extension) from the same origin.
"""

from __future__ import annotations

import http.server
import re
import sys
import threading
import urllib.parse
from pathlib import Path

from ucc_webhooks_dev.lab.jsbundle import jssip_bundle
from ucc_webhooks_dev.lab.net import LOCALHOST

__all__ = ["PAGE_DIR", "SoftphoneServer"]

PAGE_DIR = Path(__file__).with_name("softphone")
PATTERN_DIR = Path(__file__).with_name("patterns")
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".mjs": "text/javascript; charset=utf-8", ".json": "application/json"}


def _pattern_file(path: str) -> Path | None:
    """The file under PATTERN_DIR that `/patterns/<name>` names (no way out of the folder), or None."""
    name = path[len("/patterns/"):]
    if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.(html|js|mjs|json)", name):
        return None
    file = PATTERN_DIR / name
    return file if file.is_file() else None


class SoftphoneServer:
    """`with SoftphoneServer() as page:` then `page.url(ws=sip.ws_url, user="agent200")`."""

    def __init__(self, port: int = 0) -> None:
        files = {"/": PAGE_DIR / "index.html", "/index.html": PAGE_DIR / "index.html", "/phone.js": PAGE_DIR / "phone.js",
                 # pages whose SIP socket lives in a Worker, a SharedWorker or a fresh iframe
                 "/sockets.html": PAGE_DIR / "sockets.html", "/sockets.js": PAGE_DIR / "sockets.js",
                 "/sipua.js": PAGE_DIR / "sipua.js"}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                split = urllib.parse.urlsplit(self.path)
                path = split.path
                # ?csp=… makes the page arrive with that Content-Security-Policy (a UCC server may send one)
                csp = urllib.parse.parse_qs(split.query).get("csp", [""])[0]
                if path == "/jssip.js":
                    body, ctype = jssip_bundle().encode(), _TYPES[".js"]
                elif path in files:
                    body, ctype = files[path].read_bytes(), _TYPES[files[path].suffix]
                elif path.startswith("/patterns/") and (found := _pattern_file(path)) is not None:
                    body, ctype = found.read_bytes(), _TYPES[found.suffix]
                else:
                    body, ctype = b"not found", "text/plain"
                self.send_response(200 if ctype != "text/plain" else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                if csp and ctype.startswith("text/html"):
                    self.send_header("Content-Security-Policy", csp)
                self.end_headers()
                self.wfile.write(body)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser gone away (a pattern frame removed mid-load)
                    super().handle_error(request, client_address)

        self._server = Server((LOCALHOST, port), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def match_pattern(self) -> str:
        """The page's host as an extension match pattern, for `uccOrigins` and `host_permissions`.

        Without the port, as a UCC address normally is (`https://ucc.example.com/*`): Firefox ESR
        153 matches nothing with a pattern that names a port (`http://127.0.0.1:8080/*` neither
        grants the host permission nor injects registered content scripts; checked here), while
        Chromium treats a port-less pattern as any port.
        """
        return f"http://{self.host}/*"

    def url(self, ws: str, user: str = "agent200", domain: str = LOCALHOST, **extra: str) -> str:
        query = urllib.parse.urlencode({"ws": ws, "user": user, "domain": domain, **extra})
        return f"{self.origin}/?{query}"

    def pattern_url(self, page: str, **query: str) -> str:
        """A page of `lab/patterns/` (e.g. `run.html`), on the softphone's origin."""
        return f"{self.origin}/patterns/{page}" + ("?" + urllib.parse.urlencode(query) if query else "")

    def sockets_url(self, ws: str, mode: str, user: str = "agent201", **extra: str) -> str:
        """The lab page whose SIP socket lives in a Worker (`worker`), a SharedWorker (`shared`) or a fresh iframe."""
        query = urllib.parse.urlencode({"ws": ws, "mode": mode, "user": user, "domain": LOCALHOST, **extra})
        return f"{self.origin}/sockets.html?{query}"

    def start(self) -> SoftphoneServer:
        jssip_bundle()  # fail here, with the fix, when node_modules is missing
        self._thread = threading.Thread(target=self._server.serve_forever, name="softphone", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SoftphoneServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
