"""The common ground of the CRM vendor servers in `crm_vendors`: a real HTTP server on 127.0.0.1
that records every request, checks the account's token, can stall its search (it then never
answers), and a CRM's people, stored the way people type numbers into a CRM.

A vendor subclass routes requests to its handlers (`routes`), answers in its own shapes and says
what a wrong token gets (`unauthorized`). What it creates (call logs, contacts) is kept in
`created`, with the problems its checks found in the body (empty when the vendor would take it).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["PEOPLE", "Answer", "Created", "CrmServer", "Person", "Request", "digits"]


@dataclass(frozen=True)
class Person:
    """Someone in the CRM; `phone` and `mobile` as they were typed in."""

    key: str
    first: str
    last: str
    company: str | None
    phone: str | None
    mobile: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}".strip()


#: One number per way of writing it; Anna's name and company hold every character JSON and
#: templates treat specially (`"`, `\`, `{`, `}`).
PEOPLE: tuple[Person, ...] = (
    Person("anna", 'Anna "Nina"', "Mü\\ller {Team}", 'Rock & "Roll" {Records}', "030 1234567"),
    Person("bernd", "Bernd", "Brot", "Bäckerei Brot", "+49 30 7654321"),
    Person("clara", "Clara", "Chor", None, "0049 40 5550101"),
    Person("dieter", "Dieter", "Dach", "Dach GmbH", "+49301112233"),
    Person("emil", "Emil", "Eis", None, None, mobile="0171/2345678"),
)


def digits(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isascii() and c.isdigit())


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> object:
        """The body as JSON; None when it is none (a handler then refuses it as its vendor does)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Answer:
    status: int
    body: object = None  # JSON, or None for no body (204)


@dataclass
class Created:
    """A record a create or log request made (or would have made: `problems` says why not)."""

    kind: str  # "call" or "contact"
    body: object
    contact_id: str | None = None  # the contact a call log was put on
    problems: list[str] = field(default_factory=list)


Handler = Callable[[Request], Answer]


class CrmServer:
    """Start with `with Vendor(token="t") as crm:`; `crm.base` is its address."""

    search_path = ""  # the path of the vendor's search (the one `stall` holds)

    def __init__(self, token: str = "lab-token", people: tuple[Person, ...] = PEOPLE) -> None:
        self.token = token
        self.requests: list[Request] = []
        self.created: list[Created] = []
        self.stall = False
        self._release = threading.Event()
        self._cond = threading.Condition()
        self.people: dict[str, Person] = {}
        self.ids: dict[str, str] = {}  # person key -> the vendor's id
        for person in people:
            self.add_person(person)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urllib.parse.urlsplit(self.path)
                request = Request(self.command, parts.path, dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                                  {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length) if length else b"", time.time())
                with server._cond:
                    server.requests.append(request)
                    server._cond.notify_all()
                answer = server._answer(request)
                if answer is None:  # stalled: the client gives up first
                    self.close_connection = True
                    return
                payload = b"" if answer.body is None else json.dumps(answer.body, ensure_ascii=False).encode()
                try:
                    self.send_response(answer.status)
                    if answer.body is not None:
                        self.send_header("Content-Type", "application/json;charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_PUT = _handle

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None

    # -- what a vendor defines ----------------------------------------------------------------
    def routes(self) -> dict[tuple[str, str], Handler]:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        return request.header("authorization") == f"Bearer {self.token}"

    def unauthorized(self) -> Answer:
        raise NotImplementedError

    def new_id(self, kind: str, n: int) -> str:
        raise NotImplementedError

    # -- the people ---------------------------------------------------------------------------
    def add_person(self, person: Person) -> str:
        vendor_id = self.new_id("contact", len(self.ids) + 1)
        self.people[vendor_id] = person
        self.ids[person.key] = vendor_id
        return vendor_id

    def person(self, key: str) -> tuple[str, Person]:
        vendor_id = self.ids[key]
        return vendor_id, self.people[vendor_id]

    def record(self, kind: str, body: object, problems: list[str], contact_id: str | None = None) -> Created:
        created = Created(kind, body, contact_id, problems)
        with self._cond:
            self.created.append(created)
            self._cond.notify_all()
        return created

    # -- serving ------------------------------------------------------------------------------
    def _answer(self, request: Request) -> Answer | None:
        handler = self.routes().get((request.method, request.path))
        if handler is None:
            return Answer(404, {"error": f"no {request.method} {request.path} here"})
        if not self.authorized(request):
            return self.unauthorized()
        if self.stall and request.path == self.search_path:
            self._release.wait()
            return None
        return handler(request)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def wait_for(self, count: int, path: str, timeout: float = 10.0) -> list[Request]:
        """Block until `count` requests to `path` arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(got := [r for r in self.requests if r.path == path]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"expected {count} request(s) to {path} within {timeout}s, "
                                       f"got {[(r.method, r.path) for r in self.requests]}")
                self._cond.wait(left)
            return got

    def wait_created(self, count: int, kind: str, timeout: float = 10.0) -> list[Created]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(got := [c for c in self.created if c.kind == kind]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"expected {count} {kind} record(s) within {timeout}s, got {self.created}")
                self._cond.wait(left)
            return got

    def start(self) -> CrmServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # a stalled search ends with its server
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
