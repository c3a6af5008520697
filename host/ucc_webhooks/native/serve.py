"""The process a browser starts: read frames from stdin, answer on stdout, deliver in the background.

stdin is read as an asyncio stream and deliveries are tasks on the same loop, so reading never
waits for the network and a frame reaches its handler without a thread hop. stdout carries
nothing but frames: `sys.stdout` is replaced at start by a guard that sends text to stderr, so a
stray print can never corrupt the stream. End of input stops the host once requests already on
the wire have finished (bounded); pending deliveries stay in the outbox for the next start.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Awaitable, Coroutine
from typing import TYPE_CHECKING, Any, BinaryIO

from ucc_webhooks.native.callers import caller_of, read_callers, record_refused
from ucc_webhooks.native.framing import FrameError, FrameReader, FrameWriter, StdoutGuard, decode, open_stdin
from ucc_webhooks.native.replies import error_reply, ok_reply

if TYPE_CHECKING:
    from ucc_webhooks.service.app import App

__all__ = ["allowed_caller", "main", "serve"]

log = logging.getLogger("ucc_webhooks.native.serve")

SHUTDOWN_WAIT_S = 2.0
#: Without a first frame by then, the store and the deliverer load anyway (pending deliveries resume).
LOAD_AFTER_S = 0.05
BATCH_MAX = 256
LOOP_TURNS_BEFORE_FSYNC = 3


def allowed_caller(argv: list[str]) -> tuple[bool, str | None]:
    """Chromium passes `chrome-extension://ID/`, Firefox the manifest path and the add-on id; the
    host serves exactly the ids `install` wrote (`native.callers`).

    No such argument means a person or `doctor` started the host by hand, which is allowed.
    """
    caller = caller_of(argv)
    if caller is None:
        return True, None
    allowed, _ = read_callers()
    return caller in {*allowed["allowed_origins"], *allowed["allowed_extensions"]}, caller


USAGE = """usage: ucc-webhooks host [chrome-extension://ID/ | MANIFEST.json ADDON-ID]

The native-messaging host: the browser starts it and talks to it in frames on stdin and stdout.
Started by hand it serves frames too and ends at the end of its input; `ucc-webhooks doctor`
checks that the browsers can reach it. Logs go to stderr (UCC_WEBHOOKS_LOG_LEVEL=INFO for more).
"""


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(USAGE)
        return 0
    logging.basicConfig(level=os.environ.get("UCC_WEBHOOKS_LOG_LEVEL", "WARNING").upper(), stream=sys.stderr,
                        format="ucc-webhooks host: %(levelname)s %(name)s: %(message)s")
    ok, caller = allowed_caller(argv)
    if not ok:
        log.error("refusing to serve %s: not among the extension ids installed for this host "
                  "(`ucc-webhooks install --extension-id ID` adds one)", caller)
        from ucc_webhooks.paths import data_dir

        record_refused(str(caller), data_dir())
        return 1
    if sys.stdin is None or sys.stdout is None:  # started with a closed stdin or stdout: nothing to serve
        log.warning("no %s: there is nothing to serve, so the host ends", "stdin" if sys.stdin is None else "stdout")
        return 0
    stdin = sys.stdin.buffer
    sys.stdout = StdoutGuard(sys.stdout.buffer, sys.stderr)
    asyncio.run(serve(stdin))
    return 0


async def serve(stdin: BinaryIO, writer: FrameWriter | None = None) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    reader = FrameReader(await open_stdin(stdin))

    async def read_loop() -> None:
        while True:
            try:
                item = await reader.read()
            except Exception as exc:  # an unreadable stdin is the end of input
                item = FrameError("invalid_frame", f"cannot read input: {exc}", True)
            queue.put_nowait(item)
            if item is None or (isinstance(item, FrameError) and item.fatal):
                return

    reading = loop.create_task(read_loop())
    writer = writer or FrameWriter()
    session = _Session(writer)

    while True:
        batch = [await queue.get()]
        while len(batch) < BATCH_MAX and not queue.empty():
            batch.append(queue.get_nowait())
        if await session.handle(batch):
            break
    reading.cancel()
    await session.finish_tasks()
    await session.close()


class _Session:
    """Turns frames into replies.

    pydantic, the store and the deliverer load in a thread; a `hello` that arrives before they are
    ready is answered from light modules, so the extension knows at once that the host is there.
    The thread starts once the first frame has been handled (the extension's first frame is its
    `hello`), or after LOAD_AFTER_S without one: started earlier, it only takes turns at the GIL
    from the hello path (measured: start -> hello 15-30 ms later), and everything it loads is
    ready no later, as the two share one interpreter lock anyway. A store that cannot be opened
    makes every other reply an error that says why, instead of a host that dies.
    """

    def __init__(self, writer: FrameWriter) -> None:
        self.writer = writer
        # One thread for the store's work (loading, the httpx warm-up after it, each fsync): a pool
        # of the default kind may start a second thread when work is handed over the moment the
        # first finished, and a second thread costs 0.5 MB at idle (its malloc arena).
        self._store_thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ucc-webhooks-store")
        self._tasks: set[asyncio.Task] = set()
        self._managed_enabled: bool | None = None  # told in a hello answered before the App was ready
        self.app: App | None = None
        self.startup_error: str | None = None
        self.startup_detail = ""
        loop = asyncio.get_running_loop()
        self._start_loading = asyncio.Event()
        self._loading = loop.create_task(self._load_when_started())
        # resume what a previous run left pending as soon as the store is open, message or not
        self._becoming_ready = loop.create_task(self._become_ready())

    async def _load_when_started(self) -> App:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._start_loading.wait(), LOAD_AFTER_S)
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, self._load)

    def _load(self) -> App:
        from ucc_webhooks.service.app import App

        return App.open(self.writer.write)

    async def _ready(self) -> None:
        self._start_loading.set()
        await asyncio.shield(self._becoming_ready)

    async def _become_ready(self) -> None:
        try:
            app = self.app = await self._loading
        except Exception as exc:
            self.startup_detail = str(exc)
            self.startup_error = f"the host cannot open its data store: {exc}"
            log.error("%s", self.startup_error)
            return
        app.state.set_managed_enabled(self._managed_enabled)
        app.start()
        # warm up while idle, so that the first delivery is quick: after the store, in the same
        # (now idle) worker thread, rather than in a second thread beside it, which measured
        # 0.1-0.2 MB more resident memory at idle (a second malloc arena) and no gain in time
        asyncio.get_running_loop().run_in_executor(self._store_thread, __import__, "httpx")

    def _early_hello(self, message: dict) -> bool:
        if self.app is not None or message.get("type") != "hello" or not isinstance(message.get("id"), (int, str)):
            return False
        from ucc_webhooks.engine.policy import read_policy
        from ucc_webhooks.native.hello import failed_count_on_disk, hello_result

        policy = read_policy()
        managed = message.get("managed_webhooks_enabled")
        if isinstance(managed, bool):
            self._managed_enabled = managed  # handed to the App once it is ready
            if managed is False and policy.webhooks_enabled:
                policy = dataclasses.replace(policy, webhooks_enabled=False, source="managed storage")
        self.writer.write(ok_reply(message["id"], hello_result(policy, failed_count_on_disk())))
        self._start_loading.set()
        return True

    async def handle(self, batch: list) -> bool:
        """Handle frames in order; consecutive call events share one commit. True at end of input."""
        events: list[tuple[object, object]] = []
        for item in batch:
            try:
                if await self._handle_item(item, events):
                    return True
            except Exception as exc:  # nothing in any input ends the host
                log.exception("a frame could not be handled")
                request_id = None
                if isinstance(item, bytes):
                    message, _ = decode(item)
                    request_id = message.get("id") if message else None
                    if not isinstance(request_id, (int, str)):
                        request_id = None
                self.writer.write(error_reply(request_id, "internal", f"the host could not handle this frame: {exc}"))
        await self._flush_events(events)
        return False

    async def _handle_item(self, item: object, events: list) -> bool:
        """One frame; True at end of input. Call events are collected in `events` for one commit."""
        if item is None:
            await self._flush_events(events)
            return True
        if isinstance(item, FrameError):
            log.warning("%s", item.message)
            self.writer.write(error_reply(None, item.code, item.message))
            if item.fatal:
                await self._flush_events(events)
                return True
            return False
        assert isinstance(item, bytes)
        message, problem = decode(item)
        if message is None:
            log.warning("%s", problem)
            self.writer.write(error_reply(None, "invalid_json", problem or "the frame is not a JSON object"))
            return False
        if self._early_hello(message):
            return False
        await self._ready()
        request = self._validate(message)
        if request is None:
            return False
        if request.type == "call_event":
            events.append((request.id, request.event))
            return False
        await self._flush_events(events)
        from ucc_webhooks.native.dispatch import BESIDE_THE_LOOP

        if request.type in BESIDE_THE_LOOP:
            self._beside(self._handle_one(request))
        else:
            await self._handle_one(request)
        return False

    async def finish_tasks(self) -> None:
        """At the end of input: requests running beside the loop get their (bounded) time to answer."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=SHUTDOWN_WAIT_S + 30)

    def _validate(self, message: dict):
        from pydantic import ValidationError

        from ucc_webhooks.engine.validation import invalid_input
        from ucc_webhooks.native import protocol as p
        from ucc_webhooks.native.replies import error_reply, refusal_reply

        request_id = message.get("id")
        if not isinstance(request_id, (int, str)) or isinstance(request_id, bool):
            self.writer.write(error_reply(None, "validation_error", "request needs an \"id\" (number or string)", "id",
                                          reason="request_needs_id"))
            return None
        kind = message.get("type")
        model = p.REQUESTS.get(kind) if isinstance(kind, str) else None
        if model is None:
            known = ", ".join(sorted(p.REQUESTS))
            self.writer.write(error_reply(request_id, "unknown_type", f"unknown message type {kind!r}; known types: {known}",
                                          reason="unknown_type", params={"type": str(kind), "known": known}))
            return None
        if self.app is None:
            self.writer.write(error_reply(request_id, "internal", self.startup_error or "",
                                          reason="store_unavailable", params={"detail": self.startup_detail}))
            return None
        try:
            return model.model_validate(message)
        except ValidationError as exc:
            prefix = ("event",) if kind == "call_event" else ()
            self.writer.write(refusal_reply(request_id, invalid_input(exc, prefix)))
            return None

    async def _handle_one(self, request) -> None:
        from ucc_webhooks.engine.errors import Refusal
        from ucc_webhooks.native.dispatch import HANDLERS
        from ucc_webhooks.native.replies import refusal_reply

        assert self.app is not None  # requests are handled only once the store is open
        try:
            result = await HANDLERS[request.type](self.app, request)
            self.writer.write(ok_reply(request.id, result))
        except Refusal as exc:
            self.writer.write(refusal_reply(request.id, exc))
        except Exception as exc:
            log.exception("%s failed", request.type)
            self.writer.write(error_reply(request.id, "internal", f"{request.type} failed: {exc}",
                                          reason="request_failed", params={"type": request.type, "detail": str(exc)}))

    async def _flush_events(self, events: list) -> None:
        if not events:
            return
        app = self.app
        assert app is not None  # events are handled only once the store is open
        try:
            results = app.call_events.accept([e for _, e in events])
            # The new deliveries put their requests on the wire while the WAL is synced to disk;
            # the events are acknowledged only after that fsync (durable even across a power cut).
            # httpx needs a few turns of the loop to write a request; handing the fsync to a thread
            # before that puts the thread's wake-up in the request's way (measured: 3 turns,
            # 0.71 ms from frame to receiver; 1 turn, 0.89 ms).
            for _ in range(LOOP_TURNS_BEFORE_FSYNC):
                await asyncio.sleep(0)
            await asyncio.get_running_loop().run_in_executor(self._store_thread, app.store.sync_to_disk)
            for (request_id, _), result in zip(events, results, strict=False):
                if isinstance(result, dict):
                    self.writer.write(ok_reply(request_id, result))
                else:  # waits for its call's lookup: acknowledged once it is stored, beside the loop
                    self._beside(self._acknowledge_later(request_id, result))
        except Exception as exc:  # e.g. a full disk: the extension keeps the events and sends them again
            log.exception("could not store %d call event(s)", len(events))
            for request_id, _ in events:
                self._not_stored(request_id, exc)
        events.clear()

    async def _acknowledge_later(self, request_id: object, result: Awaitable[dict]) -> None:
        app = self.app
        assert app is not None
        try:
            reply = await result
            await asyncio.get_running_loop().run_in_executor(self._store_thread, app.store.sync_to_disk)
            self.writer.write(ok_reply(request_id, reply))
        except Exception as exc:
            log.exception("could not store a call event that waited for its lookup")
            self._not_stored(request_id, exc)

    def _not_stored(self, request_id: object, exc: Exception) -> None:
        self.writer.write(error_reply(request_id, "internal", f"could not store the call event: {exc}; "
                                      "it will be sent again (free disk space if the disk is full)",
                                      reason="event_not_stored", params={"detail": str(exc)}))

    def _beside(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run beside the frame loop; at the end of input it gets its bounded time (finish_tasks)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        await self._ready()
        if self.app is not None:
            # a request on the wire may take up to its timeout; then we are gone within SHUTDOWN_WAIT_S
            await self.app.close(SHUTDOWN_WAIT_S)
        self._store_thread.shutdown(wait=False)
