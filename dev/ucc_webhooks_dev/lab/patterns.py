"""The self-checking pattern pages of `lab/patterns/` (what a page and its workers observe), and
running them in a browser: `run.html` loads them in frames, a few at a time, and hands back each
page's result as JSON. The e2e tests run them with and without the extension and compare."""

from __future__ import annotations

from typing import Any

from ucc_webhooks_dev.lab.softphone import PATTERN_DIR, SoftphoneServer

__all__ = ["HELPERS", "pattern_names", "run_patterns"]

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
