"""HTTP receivers on 127.0.0.1 that misbehave on purpose: they stream without end, trickle a byte
at a time, never answer, redirect, set cookies or speak TLS with a test CA.

Each is a raw socket server in a thread, so that it can do what no well-behaved HTTP server
library would do. Every request it reads is recorded (method, path, headers, body).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

__all__ = ["HostileReceiver", "Seen"]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class HostileReceiver:
    """`behaviour`: "stream" (an endless 200 body), "trickle" (a status line one byte per
    `interval` s), "silent" (reads, never answers), "redirect" (`status` with `location`),
    "cookie" (200 with Set-Cookie), "ok" (a plain 200)."""

    def __init__(self, behaviour: str, *, status: int = 302, location: str = "", interval: float = 0.5,
                 tls: ssl.SSLContext | None = None) -> None:
        self.behaviour, self.status, self.location, self.interval = behaviour, status, location, interval
        self.tls = tls
        self.seen: list[Seen] = []
        self.bytes_sent = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(512)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._conns: list[socket.socket] = []

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def __enter__(self) -> HostileReceiver:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Seen]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.seen) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"expected {count} requests, got {len(self.seen)}")
                self._cond.wait(left)
            return list(self.seen)

    # -- serving --------------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
                self._conns.append(conn)
            conn.settimeout(30)
            while not self._stop.is_set():
                seen = self._read_request(conn)
                if seen is None:
                    return
                with self._cond:
                    self.seen.append(seen)
                    self._cond.notify_all()
                if not self._answer(conn):
                    return
        except (OSError, ssl.SSLError):
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _read_request(self, conn: socket.socket) -> Seen | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path = lines[0].split(" ")[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return Seen(method, path, headers, body)

    def _send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.bytes_sent += len(data)

    def _answer(self, conn: socket.socket) -> bool:
        """Answer one request; False to close the connection."""
        b = self.behaviour
        if b == "silent":
            self._stop.wait()
            return False
        if b == "trickle":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" * 1000:
                if self._stop.wait(self.interval):
                    return False
                self._send(conn, bytes([byte]))
            return False
        if b == "stream":
            self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 4000000000\r\n\r\n")
            chunk = b"\0" * 65536
            while not self._stop.is_set() and self.bytes_sent < 4_000_000_000:
                self._send(conn, chunk)
            return False
        if b == "redirect":
            self._send(conn, (f"HTTP/1.1 {self.status} Moved\r\nLocation: {self.location}\r\n"
                              "Content-Length: 0\r\n\r\n").encode("latin-1"))
            return True
        if b == "cookie":
            self._send(conn, b"HTTP/1.1 200 OK\r\nSet-Cookie: session=from-a; Path=/\r\n"
                             b"Set-Cookie: other=1; Domain=127.0.0.1; Path=/\r\nContent-Length: 0\r\n\r\n")
            return True
        self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        return True
