"""Small network helpers for the lab: pick free ports on 127.0.0.1 and wait for a port by condition."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

__all__ = ["LOCALHOST", "free_port", "wait_tcp", "wait_udp_bound", "wait_until"]

LOCALHOST = "127.0.0.1"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port that is free on 127.0.0.1 right now, for TCP (default) or UDP (`socket.SOCK_DGRAM`).

    Free for both protocols, so one number can serve a server that listens on TCP and UDP.
    """
    while True:
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((LOCALHOST, 0))
            port = s.getsockname()[1]
        other = socket.SOCK_DGRAM if kind == socket.SOCK_STREAM else socket.SOCK_STREAM
        try:
            with socket.socket(socket.AF_INET, other) as s:
                s.bind((LOCALHOST, port))
        except OSError:
            continue
        return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               process: subprocess.Popen | None = None, interval: float = 0.02) -> None:
    """Poll `condition` until it is true; fail early when `process` has exited, late on `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready within {timeout}s")
        time.sleep(interval)


def _tcp_open(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=0.2):
            return True
    except OSError:
        return False


def _udp_bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((LOCALHOST, port))
        except OSError:
            return True
        return False


def wait_tcp(port: int, timeout: float = 10.0, process: subprocess.Popen | None = None) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:`port`."""
    wait_until(lambda: _tcp_open(port), timeout, f"TCP port {port}", process)


def wait_udp_bound(port: int, timeout: float = 10.0, process: subprocess.Popen | None = None) -> None:
    """Wait until some process has bound UDP 127.0.0.1:`port` (we can no longer bind it)."""
    wait_until(lambda: _udp_bound(port), timeout, f"UDP port {port}", process)
