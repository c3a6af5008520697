"""Benchmarks of the host alone, each beside a floor measured in the same run.

Everything talks to a real host process over real frames and to a real HTTP receiver on
127.0.0.1; latencies are taken in this process with `time.perf_counter()`, from just before the
frame is written to the moment the receiver has read the request.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ucc_webhooks_dev.lab.host_client import HostClient
from ucc_webhooks_dev.lab.receiver import Receiver

__all__ = ["burst", "fanout", "footprint_idle", "host_alone", "start_to_hello", "summary"]


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered), 3), "p99_ms": round(p99, 3)}


@contextmanager
def private_host(**env: str) -> Iterator[HostClient]:
    with tempfile.TemporaryDirectory(prefix="ucc-bench-") as home, HostClient(
            env={"UCC_WEBHOOKS_HOME": home, "UCC_WEBHOOKS_POLICY": os.path.join(home, "none.json"), **env}) as host:
        yield host


def _event(n: int, trigger: str = "incoming_call_ended") -> dict:
    now = time.time()
    return {"trigger": trigger, "call_id": f"bench-{n}-{now}", "direction": "incoming", "callee": "200",
            "caller": "+49 30 1234567", "caller_name": "Bench", "user": "agent200", "started_at": now - 30,
            "answered_at": now - 25, "ended_at": now, "duration": 25}


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _ReceiverProcess:
    """The receiver in a process of its own, so that its arrival times do not wait for this
    process's GIL (the host client's reader thread runs here). It prints `<perf_counter>` per
    request; CLOCK_MONOTONIC is shared by all processes, so the times compare with ours."""

    def __init__(self) -> None:
        import subprocess
        import sys
        import threading

        code = ("import sys, time, http.server\n"
                "class H(http.server.BaseHTTPRequestHandler):\n"
                "    protocol_version = 'HTTP/1.1'\n"
                "    disable_nagle_algorithm = True\n"
                "    def log_message(self, *a): pass\n"
                "    def do_GET(self):\n"
                "        t = time.perf_counter()\n"
                "        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()\n"
                "        sys.stdout.write(repr(t) + '\\n'); sys.stdout.flush()\n"
                "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
                "print(s.server_address[1], flush=True)\n"
                "s.serve_forever()\n")
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.arrivals: list[float] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._cond:
                self.arrivals.append(float(line))
                self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> float:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.arrivals) >= count, timeout):
                raise TimeoutError(f"receiver got {len(self.arrivals)} of {count} requests")
            return self.arrivals[count - 1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def host_alone(n: int = 1000) -> dict:
    """call_event frame written -> request received; floor: the same GET from a running httpx client."""
    import httpx

    receiver = _ReceiverProcess()
    try:
        with private_host() as host, httpx.Client() as client:
            host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get",
                                                   "url": receiver.url("/cdr?c={caller}&d={duration}")})
            floor_url = receiver.url("/floor?c=%2B49%2030%201234567&d=25")
            host_ms, floor_ms = [], []
            count = 0
            for i in range(n + 50):  # interleaved, so that both see the same machine; the first 50 warm up
                count += 1
                t0 = time.perf_counter()
                host.send({"type": "call_event", "event": _event(i)})
                arrived = receiver.wait_for(count)
                if i >= 50:
                    host_ms.append((arrived - t0) * 1000)
                count += 1
                t0 = time.perf_counter()
                client.get(floor_url)
                arrived = receiver.wait_for(count)
                if i >= 50:
                    floor_ms.append((arrived - t0) * 1000)
    finally:
        receiver.close()
    host_s, floor_s = summary(host_ms), summary(floor_ms)
    return {"host": host_s, "floor": floor_s, "p50_ratio": round(host_s["p50_ms"] / floor_s["p50_ms"], 2),
            "target": "p50 <= 1.5x floor, p99 < 10 ms",
            "met": host_s["p50_ms"] <= 1.5 * floor_s["p50_ms"] and host_s["p99_ms"] < 10}


def fanout(webhooks: int = 100, answer_after_s: float = 0.5) -> dict:
    """One event, 100 webhooks, a receiver that answers after 500 ms: time until all arrived."""
    with Receiver() as receiver, private_host() as host:
        for i in range(webhooks):
            host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "post",
                                                   "url": receiver.url(f"/fan/{i}"), "body": '{{"d": {duration}}}'})
        receiver.respond(default=200, delay=answer_after_s)
        t0 = time.perf_counter()
        host.send({"type": "call_event", "event": _event(0)})
        got = receiver.wait_for(webhooks, timeout=30)
        all_arrived = (max(r.received_mono for r in got) - t0) * 1000
        # and answered: the host has each outcome once the receiver's delay is over
        return {"webhooks": webhooks, "answer_after_ms": answer_after_s * 1000,
                "all_arrived_ms": round(all_arrived, 1), "target": "< 700 ms", "met": all_arrived < 700}


def burst(events: int = 1000, over_s: float = 1.0) -> dict:
    """1,000 events paced over one second: time until all were delivered; host memory after."""
    with Receiver() as receiver, private_host() as host:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "post",
                                               "url": receiver.url("/burst"),
                                               "body": '{{"c": "{caller}", "d": {duration}, "id": "{call_id}"}}'})
        rss_before = _rss_kb(host.proc.pid)
        t0 = time.perf_counter()
        for i in range(events):
            due = t0 + over_s * i / events
            while time.perf_counter() < due:
                time.sleep(max(0.0, due - time.perf_counter()))
            host.send({"type": "call_event", "event": _event(i)})
        host.wait_replies(events + 1, timeout=60)
        got = receiver.wait_for(events, timeout=60)
        done = (max(r.received_mono for r in got) - t0) * 1000
        return {"events": events, "sent_over_ms": over_s * 1000, "all_delivered_ms": round(done, 1),
                "rss_before_mb": round(rss_before / 1024, 1), "rss_after_mb": round(_rss_kb(host.proc.pid) / 1024, 1),
                "floor_imports_mb": round(import_floor_rss_kb() / 1024, 1),
                "target": "< 2000 ms", "met": done < 2000}


def start_to_hello(runs: int = 15) -> dict:
    """Host process start -> first `hello` reply; floor: the same Python starting and exiting."""
    import subprocess
    import sys

    host_ms, floor_ms = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        with private_host() as host:
            host.request("hello")
            host_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        floor_ms.append((time.perf_counter() - t0) * 1000)
    h = summary(host_ms)
    return {"host": h, "floor_python_start": summary(floor_ms), "target": "< 200 ms", "met": h["p50_ms"] < 200}


def import_floor_rss_kb() -> int:
    """RSS of a Python that only imports the host's three heavy dependencies: what no layout of
    ours can go below, so that the host's own cost shows beside it."""
    import subprocess
    import sys

    code = "import sys, httpx, pydantic, phonenumbers; sys.stdout.write('ready\\n'); sys.stdout.flush(); sys.stdin.read()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        return _rss_kb(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def footprint_idle(idle_s: float = 60.0) -> dict:
    """Resident memory after hello and CPU used while idle, beside the import-only floor."""
    with private_host() as host:
        host.request("hello")
        host.request("webhooks.list")
        time.sleep(0.5)  # let the background httpx import finish; RSS is read after it
        rss = _rss_kb(host.proc.pid)
        cpu0 = _cpu_s(host.proc.pid)
        time.sleep(idle_s)  # measuring idleness is the point: nothing to wait for
        cpu = _cpu_s(host.proc.pid) - cpu0
        return {"rss_idle_mb": round(rss / 1024, 1), "floor_imports_mb": round(import_floor_rss_kb() / 1024, 1),
                "idle_s": idle_s, "cpu_idle_s": round(cpu, 3),
                "target": "RSS < 40 MB, CPU ~0", "met": rss / 1024 < 40 and cpu < 0.05 * idle_s / 60}
