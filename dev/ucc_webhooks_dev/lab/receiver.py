"""An HTTP server on 127.0.0.1 that records every request: it plays the CRM in tests, demo and bench.

It answers with a programmable status sequence and an optional delay, so that retries, slow
targets and failures can be exercised against a real socket rather than a mocked transport. An
`answer` function can give some paths answers of their own (a CRM's search, its record pages).
"""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Answer", "ReceivedRequest", "Receiver"]

#: (method, path, query) -> (status, content type, body), or None for the planned answer. Called on
#: the server's thread for every request, before it is recorded: it must not block (a slow answer
#: is `respond(delay=...)`).
Answer = Callable[[str, str, dict[str, list[str]]], "tuple[int, str, bytes] | None"]


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    raw_path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    status: int
    received_mono: float = 0.0  # time.perf_counter() at arrival: for latency in the same process

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class _Plan:
    statuses: list[int] = field(default_factory=list)  # consumed one per request, then `default`
    default: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """Start with `with Receiver() as r:`; `r.url("/path")` is its address."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, answer: Answer | None = None) -> None:
        self.requests: list[ReceivedRequest] = []
        self._cond = threading.Condition()
        self._plan = _Plan()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args) -> None:  # quiet: tests read `requests`
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, delay, extra = receiver._next_answer()
                parsed = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
                own = answer(self.command, parsed.path, query) if answer is not None else None
                if own is not None:
                    status, content_type, payload = own
                else:
                    content_type, payload = "text/plain", (b"ok" if status < 400 else b"error")
                req = ReceivedRequest(
                    method=self.command,
                    path=parsed.path,
                    query=query,
                    raw_path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    received_at=time.time(),
                    status=status,
                    received_mono=time.perf_counter(),
                )
                with receiver._cond:  # recorded on arrival: a slow answer still counts as received
                    receiver.requests.append(req)
                    receiver._cond.notify_all()
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout, killed): nothing to answer
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_HEAD = _handle

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self._server = Server((host, port), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None

    # -- behaviour -------------------------------------------------------------------------
    def respond(self, *statuses: int, default: int = 200, delay: float = 0.0,
                headers: dict[str, str] | None = None) -> None:
        """Answer the next requests with `statuses` in turn, then with `default`."""
        with self._cond:
            self._plan = _Plan(list(statuses), default, delay, dict(headers or {}))

    def _next_answer(self) -> tuple[int, float, dict[str, str]]:
        with self._cond:
            plan = self._plan
            status = plan.statuses.pop(0) if plan.statuses else plan.default
            return status, plan.delay, plan.headers

    # -- observation -----------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 10.0, path: str | None = None) -> list[ReceivedRequest]:
        """Block until `count` requests (to `path`, if given) arrived; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout

        def matching() -> list[ReceivedRequest]:
            return [r for r in self.requests if path is None or r.path == path]

        with self._cond:
            while len(matching()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [f"{r.method} {r.raw_path}" for r in self.requests]
                    raise TimeoutError(f"expected {count} request(s) to {path or 'any path'} within {timeout}s, got {got}")
                self._cond.wait(left)
            return matching()

    def assert_quiet(self, expected: int, within: float = 1.5, path: str | None = None) -> None:
        """Nothing beyond `expected` requests (to `path`, if given) arrives within `within` seconds.

        The one bounded wait of the tests: absence cannot be waited for by condition. Call it once
        everything that was due has arrived, so that `within` only covers what must not follow.
        """
        def extra() -> list[str]:  # with `path`: only requests there (opened tabs also ask for /favicon.ico)
            counted = [r for r in self.requests if path is None or r.path == path]
            return [f"{r.method} {r.raw_path}" for r in counted[expected:]]

        deadline = time.monotonic() + within
        with self._cond:
            while not extra():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)
        raise AssertionError(f"unexpected requests: {extra()}")

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Receiver:
        # a short poll: stop() waits for the loop to notice, and every test stops its receiver
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever for a loop that never ran
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
