"""`make bench` ("workers"): how long a page takes to start 50 workers, in headless Chromium without
the extension (the floor), with it (the default: workers only counted) and with the page's origin
opted in to watching workers (each started from the observer's bootstrap). The three browsers run
side by side, rounds alternating, each round on a freshly loaded page (lab `patterns/bench_workers.html`)."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from ucc_webhooks_dev.bench.host import summary

__all__ = ["start_workers"]

_RUN = "const done = arguments[1]; startWorkers(arguments[0]).then(done, (e) => done(-1));"


def _measure(driver, url: str, workers: int) -> float:
    driver.get(url)
    ms = driver.execute_async_script(_RUN, workers)
    if ms < 0:
        raise RuntimeError(f"a worker failed to start on {url}")
    return float(ms)


def start_workers(workers: int = 50, rounds: int = 15) -> dict:
    """Median ms to start `workers` workers, per setting, and the ratios to the floor."""
    from ucc_webhooks_dev.lab import browser as lab_browser
    from ucc_webhooks_dev.lab.sipserver import SipServer
    from ucc_webhooks_dev.lab.softphone import SoftphoneServer
    from ucc_webhooks_dev.lab.stack import BrowserLab

    times: dict[str, list[float]] = {"without": [], "default": [], "watched": []}
    with tempfile.TemporaryDirectory(prefix="ucc-bench-workers-") as tmp, SipServer() as sip, SoftphoneServer() as page:
        url = page.pattern_url("bench_workers.html")
        plain = lab_browser.chromium(Path(tmp) / "plain")
        default = BrowserLab("chromium", Path(tmp) / "default", sip, page).start()
        watched = BrowserLab("chromium", Path(tmp) / "watched", sip, page).start()
        try:
            watched.ext.configure({"watchWorkerOrigins": [page.match_pattern]}, wait_for_origins=False)
            watched.ext.wait_registered([page.match_pattern], script_id="ucc-webhooks-observer-workers")
            drivers = {"without": plain.driver, "default": default.driver, "watched": watched.driver}
            for driver in drivers.values():  # warm up: the first page load fills caches
                _measure(driver, url, workers)
            for _ in range(rounds):
                for name, driver in drivers.items():
                    times[name].append(_measure(driver, url, workers))
        finally:
            plain.quit()
            default.stop()
            watched.stop()
    median = {name: statistics.median(samples) for name, samples in times.items()}
    ratio = {name: round(median[name] / median["without"], 2) for name in ("default", "watched")}
    return {
        "workers": workers, "rounds": rounds,
        "without": summary(times["without"]), "default": summary(times["default"]), "watched": summary(times["watched"]),
        "default_ratio": ratio["default"], "watched_ratio": ratio["watched"],
        "summary": (f"{workers} workers started in {median['without']:.1f} ms without the extension, {median['default']:.1f} ms with it "
                    f"({ratio['default']}x), {median['watched']:.1f} ms with workers watched ({ratio['watched']}x); median of {rounds} rounds"),
        "target": "default within 1.1x of without", "met": ratio["default"] <= 1.1,
    }
