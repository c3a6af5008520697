"""Start a lab process with its output in a log file, and stop it for sure (TERM, then KILL)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

__all__ = ["LabProcess", "kill_processes_naming", "processes_naming"]


def processes_naming(*needles: bytes) -> list[tuple[int, str]]:
    """Other processes whose command line or environment contains one of `needles`, as
    (pid, command line). How the lab and the demo find what they started, children and the
    browser's hosts included, without touching anyone else's. Linux (/proc); [] elsewhere."""
    proc = Path("/proc")
    found = []
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if any(n in cmdline or n in environ for n in needles):
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace").strip()))
    return found



def kill_processes_naming(*needles: bytes) -> list[int]:
    """SIGKILL the processes `processes_naming` finds; the pids it could kill."""
    killed = []
    for pid, _ in processes_naming(*needles):
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            continue
    return killed


class LabProcess:
    """A child process in its own process group, so that stopping it stops its children too."""

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            env=env, cwd=cwd, start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout: float) -> int:
        """Wait for a normal exit; raise TimeoutError (with the log's tail) if it does not come."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"{self.argv[0]} still running after {timeout}s; log tail:\n{self.log_tail()}") from None

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM to the process group, SIGKILL if it lingers; safe to call twice."""
        if self.popen.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.popen.wait(timeout)
        else:  # the leader is gone; children in its group may not be
            self._signal(signal.SIGKILL)
        self._log.close()

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)
