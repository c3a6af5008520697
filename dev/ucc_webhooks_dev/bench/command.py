"""`make bench`: how fast a call reaches the CRM, and what the host costs to keep running.

Every figure is a median and p99 over many samples, measured beside its floor in the same run
(the same request sent by the cheapest means at hand), so the ratio holds on a noisy machine.
Prints a table and writes the same figures as JSON (`--json`, default `bench-results.json`).
These are benchmarks, not tests: they report what they reach against the targets of issue 8.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", default="bench-results.json", metavar="FILE", help="where to write the figures")
    parser.add_argument("--quick", action="store_true", help="fewer samples and a 10 s idle window (for a smoke run)")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium measurements")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only these (host_alone, fanout, burst, start_to_hello, footprint, hanging, browser, observer, workers, caller_card)")


def run(args: argparse.Namespace) -> int:
    from ucc_webhooks_dev.bench import host as bench_host

    quick = args.quick
    plan = [
        ("host_alone", lambda: bench_host.host_alone(200 if quick else 1000)),
        ("fanout", lambda: bench_host.fanout()),
        ("burst", lambda: bench_host.burst()),
        ("start_to_hello", lambda: bench_host.start_to_hello(5 if quick else 15)),
        ("footprint", lambda: bench_host.footprint_idle(10.0 if quick else 60.0)),
        ("hanging", lambda: _hanging(100, 100 if quick else 300)),
    ]
    if not args.no_browser:
        from ucc_webhooks_dev.bench import browser as bench_browser
        from ucc_webhooks_dev.bench import workers as bench_workers

        plan += [("browser", lambda: bench_browser.end_to_end(10 if quick else 30)),
                 ("observer", lambda: bench_browser.observer_overhead(2000 if quick else 10000)),
                 ("workers", lambda: bench_workers.start_workers(50, 5 if quick else 15)),
                 ("caller_card", lambda: _caller_card(10 if quick else 30))]
    if args.only:
        plan = [p for p in plan if p[0] in args.only]
    results: dict = {"machine": {"python": platform.python_version(), "cpus": _cpus(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}}
    for name, measure in plan:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        try:
            results[name] = measure()
        except Exception as exc:  # one broken measurement must not hide the others
            results[name] = {"error": f"{type(exc).__name__}: {exc}", "met": False}
        print(_row(name, results[name]), flush=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=2)
    print(f"\nfigures written to {args.json}")
    return 0


def _hanging(receivers: int, samples: int) -> dict:
    from ucc_webhooks_dev.bench.hanging import while_receivers_hang

    return while_receivers_hang(receivers, samples)


def _caller_card(calls: int) -> dict:
    from ucc_webhooks_dev.bench.caller_card import ringing_to_card

    return ringing_to_card(calls)


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _row(name: str, r: dict) -> str:
    if "error" in r:
        return f"{name:<15} ERROR {r['error']}"
    met = "met" if r.get("met") else "MISSED"
    if name == "host_alone":
        h, f = r["host"], r["floor"]
        text = f"p50 {h['p50_ms']:.3f} ms, p99 {h['p99_ms']:.3f} ms | floor p50 {f['p50_ms']:.3f}, p99 {f['p99_ms']:.3f} | ratio {r['p50_ratio']}x"
    elif name == "fanout":
        text = f"{r['webhooks']} webhooks, receiver answers after {r['answer_after_ms']:.0f} ms: all arrived after {r['all_arrived_ms']} ms"
    elif name == "burst":
        text = (f"{r['events']} events over {r['sent_over_ms']:.0f} ms: all delivered after {r['all_delivered_ms']} ms; "
                f"host RSS {r['rss_before_mb']} -> {r['rss_after_mb']} MB | floor (imports only) {r['floor_imports_mb']} MB")
    elif name == "start_to_hello":
        text = f"p50 {r['host']['p50_ms']} ms, p99 {r['host']['p99_ms']} ms | floor (python -c pass) p50 {r['floor_python_start']['p50_ms']} ms"
    elif name == "footprint":
        text = (f"RSS idle {r['rss_idle_mb']} MB, CPU {r['cpu_idle_s']} s over {r['idle_s']:.0f} s idle"
                f" | floor (imports only) {r['floor_imports_mb']} MB")
    else:
        text = r.get("summary", json.dumps({k: v for k, v in r.items() if k not in ("met", "target")}))
    return f"{name:<15} {text}  [{r.get('target', '')}: {met}]"
