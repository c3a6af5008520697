"""Start the host the way a browser does and say `hello` to it over real native-messaging frames.

A frame is a 4-byte length in native byte order followed by that many bytes of UTF-8 JSON, in
both directions. The probe writes `{"id":1,"type":"hello","extension_version":"doctor"}`,
skips notices (frames without `id`) and waits for the reply with `"id": 1`, at most `timeout`
seconds; then it closes stdin, which ends the host.
"""

from __future__ import annotations

import contextlib
import json
import struct
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ucc_webhooks.constants import MAX_FRAME_BYTES

__all__ = ["HELLO", "HelloResult", "encode_frame", "last_line", "say_hello"]

HELLO = {"id": 1, "type": "hello", "extension_version": "doctor"}


def encode_frame(message: dict) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return struct.pack("@I", len(body)) + body


@dataclass(frozen=True)
class HelloResult:
    ok: bool
    detail: str
    reply: dict | None = None
    stderr: str = ""
    exit_code: int | None = None


def _read_exact(stream, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError(f"the host closed stdout after {len(data)} of {n} bytes")
        data += chunk
    return data


def say_hello(argv: list[str], timeout: float = 2.0, env: dict | None = None) -> HelloResult:
    started = time.monotonic()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=Path(argv[0]).parent, env=env)
    except OSError as e:
        return HelloResult(False, f"cannot start {argv[0]}: {e.strerror or e}")
    assert proc.stdin and proc.stdout and proc.stderr  # all three are pipes
    stdin, stdout, errors = proc.stdin, proc.stdout, proc.stderr
    err_chunks: list[bytes] = []
    drain = threading.Thread(target=lambda: err_chunks.extend(iter(lambda: errors.read(4096), b"")), daemon=True)
    drain.start()
    outcome: dict = {}

    def talk() -> None:
        try:
            stdin.write(encode_frame(HELLO))
            stdin.flush()
            while True:
                (length,) = struct.unpack("@I", _read_exact(stdout, 4))
                if length > MAX_FRAME_BYTES:
                    raise ValueError(f"the host announced a frame of {length} bytes (over 1 MiB)")
                message = json.loads(_read_exact(stdout, length).decode("utf-8"))
                if isinstance(message, dict) and message.get("id") == HELLO["id"]:
                    outcome["reply"] = message
                    return
        except Exception as e:
            outcome["error"] = e

    talker = threading.Thread(target=talk, daemon=True)
    talker.start()
    talker.join(timeout)
    timed_out = talker.is_alive()
    elapsed_ms = int((time.monotonic() - started) * 1000)
    answered = "reply" in outcome
    with contextlib.suppress(OSError):
        stdin.close()
    try:
        code = proc.wait(timeout=1.0 if answered else 0.2)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    drain.join(0.5)
    stderr = b"".join(err_chunks).decode("utf-8", "replace").strip()
    if timed_out:
        return HelloResult(False, f"no answer within {timeout:g} s", None, stderr, None)
    if not answered:
        why = outcome.get("error")
        if isinstance(why, EOFError):
            detail = f"the host exited (code {code}) without answering"
        else:
            detail = f"the host's answer is not a valid frame ({why})"
        return HelloResult(False, detail, None, stderr, code)
    reply = outcome["reply"]
    result = reply.get("result") if reply.get("ok") is True else None
    if not isinstance(result, dict) or not isinstance(result.get("host_version"), str):
        return HelloResult(False, f"unexpected answer to hello: {json.dumps(reply)[:300]}", reply, stderr, code)
    return HelloResult(True, f"host {result['host_version']} answered in {elapsed_ms} ms", reply, stderr, code)


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""

