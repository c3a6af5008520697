"""Native-messaging frames: a 4-byte native-endian length, then that many bytes of UTF-8 JSON.

nativemessaging-ng's `get_message_raw` reads whatever length the header claims before looking
at it and decodes on the spot, so one garbage header (say 0xFFFFFFFF) would swallow the rest of
the stream. The reader here checks the length first and skips an oversized frame byte for byte,
keeping the stream in sync. Frames are written with nativemessaging-ng's `send_message_raw`,
under a lock, to the real stdout kept behind `StdoutGuard`.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from ucc_webhooks.constants import MAX_FRAME_BYTES
from ucc_webhooks.engine.depth import MAX_DEPTH, too_deep

__all__ = ["FrameError", "FrameReader", "FrameWriter", "StdoutGuard", "decode", "open_stdin"]

_HEADER = struct.Struct("@I")


@dataclass(frozen=True)
class FrameError:
    """A frame that could not be read; `fatal` when the stream ended inside it."""

    code: str  # "too_large" or "invalid_frame"
    message: str
    fatal: bool = False


class FrameReader:
    """Frames from an `asyncio.StreamReader` (see `open_stdin`)."""

    def __init__(self, stream: asyncio.StreamReader, max_bytes: int = MAX_FRAME_BYTES) -> None:
        self.stream = stream
        self.max_bytes = max_bytes

    async def read(self) -> bytes | FrameError | None:
        """The next frame's payload, a FrameError, or None at a clean end of input."""
        try:
            header = await self.stream.readexactly(_HEADER.size)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None
            return FrameError("invalid_frame", f"input ended inside a frame header ({len(exc.partial)} of 4 bytes)", True)
        (length,) = _HEADER.unpack(header)
        if length > self.max_bytes:
            skipped = await self._skip(length)
            if skipped < length:
                return FrameError("invalid_frame", f"input ended inside an oversized frame ({skipped} of {length} bytes)", True)
            return FrameError("too_large", f"frame of {length} bytes refused: the limit is {self.max_bytes} bytes")
        try:
            return await self.stream.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            return FrameError("invalid_frame", f"input ended inside a frame ({len(exc.partial)} of {length} bytes)", True)

    async def _skip(self, n: int) -> int:
        done = 0
        while done < n:
            chunk = await self.stream.read(min(65536, n - done))
            if not chunk:
                break
            done += len(chunk)
        return done


async def open_stdin(stdin: BinaryIO) -> asyncio.StreamReader:
    """stdin as an asyncio stream, so that reading never blocks and never needs a thread hop.

    Where the loop cannot watch the pipe (Windows, or stdin redirected from a file), a thread
    reads it and feeds the stream instead.
    """
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_FRAME_BYTES + 8)
    try:
        mode = os.fstat(stdin.fileno()).st_mode
    except (OSError, ValueError):  # closed or unreadable: there is no input, so it has ended
        reader.feed_eof()
        return reader
    # Only pipes and sockets go to the loop: it accepts a character device such as /dev/null,
    # then epoll refuses it and nothing is ever read (the host would hang instead of ending).
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
            return reader
        except (ValueError, OSError, NotImplementedError):
            pass

    def pump() -> None:
        read = getattr(stdin, "read1", stdin.read)
        while True:
            try:
                chunk = read(65536)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                loop.call_soon_threadsafe(reader.feed_eof)
                return
            loop.call_soon_threadsafe(reader.feed_data, chunk)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return reader


class StdoutGuard:
    """Stands in for `sys.stdout` in the host: text written to it (a stray `print`) goes to
    stderr, while `.buffer` stays the real binary stdout, where nativemessaging-ng writes frames."""

    def __init__(self, buffer: BinaryIO, err: TextIO) -> None:
        self.buffer = buffer
        self._err = err

    def write(self, text: str) -> int:
        return self._err.write(text)

    def flush(self) -> None:
        self._err.flush()


class FrameWriter:
    """Writes frames with nativemessaging-ng's `send_message_raw` (encode, then take the length),
    one at a time: deliveries and replies may want to write at once."""

    def __init__(self, send_raw: Callable[[str], None] | None = None) -> None:
        if send_raw is None:
            from nativemessaging import send_message_raw

            send_raw = send_message_raw
        self._send_raw: Callable[[str], None] = send_raw
        self._lock = threading.Lock()
        self.closed = False

    def write(self, message: dict) -> bool:
        """Write one frame; False once the browser has gone (broken pipe)."""
        text = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
        if len(text) > MAX_FRAME_BYTES // 4 and len(text.encode("utf-8")) > MAX_FRAME_BYTES:
            text = json.dumps({"id": message.get("id"), "ok": False, "error": {
                "code": "too_large", "message": "the reply would exceed the browser's 1 MiB limit; ask for less (limit)"}})
        with self._lock:
            if self.closed:
                return False
            try:
                self._send_raw(text)
                return True
            except (BrokenPipeError, OSError, ValueError):
                self.closed = True
                return False


def decode(payload: bytes) -> tuple[dict | None, str | None]:
    """(message, None) or (None, error message) for a payload that is not a JSON object."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"frame is not valid UTF-8 ({exc.reason} at byte {exc.start})"
    try:
        message = json.loads(text)
    except RecursionError:
        return None, f"frame is nested too deep to read (the limit is {MAX_DEPTH} levels)"
    except ValueError as exc:
        return None, f"frame is not valid JSON: {exc}"
    if not isinstance(message, dict):
        return None, f"frame must hold a JSON object, not {type(message).__name__}"
    if too_deep(message):
        return None, f"frame is nested too deep (the limit is {MAX_DEPTH} levels)"
    return message, None
