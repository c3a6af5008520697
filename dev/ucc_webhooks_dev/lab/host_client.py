"""Talk to a real host process the way a browser does: real frames over its stdin and stdout.

Used by the tests, `doctor`-like checks and the benchmarks. Replies are matched to requests by
id; notices (messages without an id) are collected apart, in order.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID
from ucc_webhooks_dev.lab.net import wait_until

__all__ = ["HostClient", "HostError"]


class HostError(Exception):
    def __init__(self, reply: dict) -> None:
        super().__init__(f"{reply['error']['code']}: {reply['error']['message']}")
        self.code = reply["error"]["code"]
        self.reply = reply


class HostClient:
    def __init__(self, env: dict | None = None, args: list[str] | None = None,
                 preexec_fn=None) -> None:
        self.argv = [sys.executable, "-m", "ucc_webhooks", "host",
                     *(args if args is not None else [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"])]
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.cut_off_frame: bytes | None = None  # what came of a frame the host's end cut short
        self.preexec_fn = preexec_fn  # e.g. a resource limit, to make the disk "full" for the host only
        self._ids = itertools.count(1)
        self._replies: dict[object, dict] = {}
        self.unmatched: list[dict] = []  # replies with id null (frame-level errors)
        self.reply_count = 0  # every reply, matched or not
        self.notices: queue.Queue[dict] = queue.Queue()
        self._cond = threading.Condition()
        self.stderr = b""

    def start(self) -> HostClient:
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, preexec_fn=self.preexec_fn)
        threading.Thread(target=self._read, daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        return self

    def stderr_text(self, timeout: float = 5.0) -> str:
        """Everything the host wrote to stderr; complete once the host has exited."""
        if self.proc.poll() is not None:
            self._stderr_thread.join(timeout)
        return self.stderr.decode("utf-8", errors="replace")

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr += line

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            header = out.read(4)
            if len(header) < 4:
                break
            (n,) = struct.unpack("@I", header)
            body = out.read(n)
            if len(body) < n:  # the host was killed between a frame's header and its end (tests that SIGKILL it)
                self.cut_off_frame = body
                break
            message = json.loads(body.decode("utf-8"))
            with self._cond:
                if "id" in message:
                    self.reply_count += 1
                if "id" not in message:
                    self.notices.put(message)
                elif message["id"] is None:
                    self.unmatched.append(message)
                else:
                    self._replies[message["id"]] = message
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    # -- writing ------------------------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> object:
        """Send a message; gives it an id unless it has one (`"id"` key present, even None)."""
        if "id" not in message:
            message = {"id": next(self._ids), **message}
        data = json.dumps(message).encode("utf-8")
        self.send_raw(struct.pack("@I", len(data)) + data)
        return message["id"]

    def reply(self, request_id: object, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while request_id not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and request_id not in self._replies):
                    raise TimeoutError(f"no reply to {request_id!r}; host stderr: {self.stderr.decode(errors='replace')}")
                self._cond.wait(min(left, 0.5))
            return self._replies.pop(request_id)

    def request(self, type: str, timeout: float = 10.0, **fields) -> dict:
        """Send and wait; return `result`, raise HostError for an error reply."""
        reply = self.reply(self.send({"type": type, **fields}), timeout)
        if not reply["ok"]:
            raise HostError(reply)
        return reply["result"]

    def wait_replies(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.reply_count < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"expected {count} replies, got {self.reply_count}; stderr: {self.stderr[-2000:]!r}")
                self._cond.wait(min(left, 0.5))

    def wait_unmatched(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.unmatched) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"expected {count} id-less replies, got {self.unmatched}")
                self._cond.wait(left)
            return list(self.unmatched)

    def notice(self, type: str, timeout: float = 10.0) -> dict:
        """The next notice of `type` (others of other types are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {type} notice within {timeout}s")
            try:
                message = self.notices.get(timeout=left)
            except queue.Empty:
                continue
            if message.get("type") == type:
                return message

    def delivery_when(self, done: Callable[[dict], bool] = lambda d: d["state"] != "pending", *,
                      webhook_id: str | None = None, timeout: float = 20.0) -> dict:
        """The newest delivery (of `webhook_id`, if given) once `done(delivery)` holds, e.g. once it
        is no longer pending (the default). Asks `deliveries.list` until then, as the popup does."""
        newest: list[dict] = []

        def holds() -> bool:
            rows = self.request("deliveries.list", limit=1, webhook_id=webhook_id)["deliveries"]
            newest[:] = rows
            return bool(rows) and done(rows[0])

        try:
            wait_until(holds, timeout, "the delivery", self.proc, interval=0.05)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; newest delivery: {newest}") from None
        return newest[0]

    # -- ending -------------------------------------------------------------------------------------
    def close(self, timeout: float = 10.0) -> int:
        """Close stdin (what a browser does) and wait for the exit code."""
        if self.proc.stdin and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        return self.proc.wait(timeout)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def __enter__(self) -> HostClient:
        return self.start()

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                self.close(5)
            except subprocess.TimeoutExpired:
                self.kill()
