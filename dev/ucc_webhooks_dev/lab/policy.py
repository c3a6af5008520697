"""Browser machine policies for the roll-out tests: written under /etc, always removed again.

A machine policy reaches every browser of this computer, so it is written only when the run says
it may (`CI=true`, or `UCC_WEBHOOKS_E2E_MACHINE_POLICY=1` on a machine you own), under a name of its
own where the browser allows one (Firefox does not: there an existing file is refused, never
overwritten), and removed on leaving the `with` block whatever happened there, together with the
folders it had to create. `FileServer` serves the packed extension and its update manifest on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

__all__ = ["OPT_IN", "FileServer", "MachinePolicy", "may_write_machine_policy"]

OPT_IN = "UCC_WEBHOOKS_E2E_MACHINE_POLICY"


def may_write_machine_policy() -> str | None:
    """None when allowed, else why not."""
    if os.environ.get("CI") != "true" and os.environ.get(OPT_IN) != "1":
        return f"writes a machine policy under /etc: runs only with CI=true or {OPT_IN}=1"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "writes a machine policy under /etc: needs root"
    return None


class MachinePolicy:
    """`with MachinePolicy(Path("/etc/chromium/policies/managed"), {...}) as path:`

    Chromium reads every `*.json` in its folder, so by default the file gets a name of its own.
    Firefox reads exactly one name (`policies.json`), so there `file_name` is given, and the
    file may already be the machine's real policy: it is never overwritten (FileExistsError), and
    on leaving only the file this object created is removed, not one put in its place.
    """

    def __init__(self, folder: Path, policy: dict, file_name: str | None = None) -> None:
        self.folder = Path(folder)
        self.policy = policy
        self.path = self.folder / (file_name or f"ucc-webhooks-e2e-{uuid.uuid4().hex[:8]}.json")
        self._created: list[Path] = []
        # (device, inode, bytes) of the file we created: an inode number alone is reused at once
        # by a file written in its place, so the content is compared as well.
        self._ours: tuple[int, int, bytes] | None = None

    def __enter__(self) -> Path:
        problem = may_write_machine_policy()
        if problem:
            raise PermissionError(problem)
        missing = [p for p in [self.folder, *self.folder.parents] if not p.exists()]
        try:
            for folder in reversed(missing):
                folder.mkdir(mode=0o755)
                self._created.append(folder)
            data = json.dumps(self.policy, indent=2).encode("utf-8")
            try:
                # "x": created here or not at all, so an existing policy is never touched (no race
                # between a check and the write).
                with open(self.path, "xb", buffering=0) as f:
                    try:
                        if f.write(data) != len(data):
                            raise OSError(f"short write to {self.path}")
                    except BaseException:
                        self.path.unlink()  # made a moment ago, by us
                        raise
                    st = os.fstat(f.fileno())
                self._ours = (st.st_dev, st.st_ino, data)
            except FileExistsError:
                raise FileExistsError(
                    f"{self.path} exists and is not ours: this machine has a browser policy of its own, "
                    "left untouched (a leftover of a killed test run names ucc-webhooks; remove it then)") from None
            self.path.chmod(0o644)
        except BaseException:
            self.__exit__()
            raise
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self._ours is not None:
            with contextlib.suppress(FileNotFoundError):
                st = self.path.stat()
                if (st.st_dev, st.st_ino, self.path.read_bytes()) == self._ours:  # not one put in its place
                    self.path.unlink()
            self._ours = None
        for folder in reversed(self._created):  # deepest first
            with contextlib.suppress(OSError):  # someone else put something there meanwhile: theirs to keep
                folder.rmdir()
        self._created.clear()


class FileServer:
    """A static HTTP server for one folder on 127.0.0.1 (port chosen by the system)."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.requests: list[str] = []
        self.server.requests = self.requests  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)  # a quick stop()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{path.lstrip('/')}"

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, ".crx": "application/x-chrome-extension",
                      ".xpi": "application/x-xpinstall", ".xml": "text/xml"}

    def log_message(self, format: str, *args: object) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
