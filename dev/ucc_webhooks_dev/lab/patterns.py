"""The self-checking pattern pages of `lab/patterns/` (what a page and its workers observe), and
running them in a browser: `run.html` loads them in frames, a few at a time, and hands back each
page's result as JSON. The e2e tests run them with and without the extension and compare."""

from __future__ import annotations

import time
from typing import Any

from ucc_webhooks_dev.lab.softphone import PATTERN_DIR, SoftphoneServer

__all__ = ["HELPERS", "WATCHING_ID", "pattern_names", "run_patterns", "watch_workers"]

#: The registration of the observer that starts workers from the bootstrap (extension/bg/registration.js).
WATCHING_ID = "ucc-webhooks-observer-workers"
DEFAULT_ID = "ucc-webhooks-observer"

#: Pages in the folder that are not patterns themselves.
HELPERS = frozenset({"run", "shared_race_client"})


def pattern_names() -> list[str]:
    """Every pattern page (`<name>.html`), sorted."""
    return sorted(p.stem for p in PATTERN_DIR.glob("*.html") if p.stem not in HELPERS and not p.stem.startswith(("zz_", "bench_")))


def run_patterns(driver: Any, server: SoftphoneServer, names: list[str], parallel: int = 6,
                 timeout_s: float = 120.0) -> dict[str, Any]:
    """Open the runner in the driver's current tab and return {name: result} for `names`."""
    driver.get(server.pattern_url("run.html", names=",".join(names), parallel=str(parallel)))
    driver.set_script_timeout(timeout_s)
    return driver.execute_async_script("const done = arguments[0]; window.runnerResults.then(done, (e) => done({runner: String(e)}));")


def _workers_watched(driver: Any, server: SoftphoneServer) -> bool:
    """Whether a page loaded now starts its workers from the bootstrap (a worker's location is a blob:)."""
    result = run_patterns(driver, server, ["worker_location"], parallel=1, timeout_s=30)["worker_location"]
    return str(result.get("value", {}).get("href", "")).startswith("blob:")


def watch_workers(lab: Any, on: bool = True, timeout_s: float = 15.0) -> None:
    """Opt the lab's UCC origin in to watching workers (or out again), as the options page does, and
    wait until the registration is there and a page loaded now sees it (checked, not assumed)."""
    origin = lab.softphone.match_pattern
    lab.ext.configure({"watchWorkerOrigins": [origin] if on else []}, wait_for_origins=False)
    lab.ext.wait_registered([origin], script_id=WATCHING_ID if on else DEFAULT_ID)
    driver = lab.driver
    back = driver.current_window_handle
    driver.switch_to.new_window("tab")
    try:
        deadline = time.monotonic() + timeout_s
        while _workers_watched(driver, lab.softphone) != on:
            if time.monotonic() > deadline:
                raise TimeoutError(f"pages still {'un' if on else ''}watched {timeout_s} s after the switch")
            time.sleep(0.2)
    finally:
        driver.close()
        driver.switch_to.window(back)
