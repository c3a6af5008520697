"""Nothing a page or its workers can observe changes because the extension is installed: every
self-checking page of `lab/patterns/` (a web phone's ways with workers, shared workers, module
workers, blob: URLs, errors, CSP and Trusted Types, and the tamper checks a page may run on
WebSocket, Worker, the iframe getters and toString) runs in Chromium and Firefox, once in a browser
without the extension and once with it (the UCC origin configured and granted), and the two
results are compared. Where the origin opts in to watching workers (`watchWorkerOrigins`), what can
be fixed compares equal too, and what cannot differs exactly where ARCHITECTURE.md says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ucc_webhooks_dev.lab import browser as lab_browser
from ucc_webhooks_dev.lab.patterns import pattern_names, run_patterns, watch_workers

pytestmark = pytest.mark.browser

#: What differs even by default, and why (ARCHITECTURE.md, "What the page step changes"): Firefox
#: names a Proxy in structuredClone's DataCloneError ("Proxy object could not be cloned").
RESIDUAL_DEFAULT: dict[str, set[str]] = {"chromium": set(), "firefox": {"clone_error"}}

#: What a watched worker still sees of its bootstrap (listed beside the switch in the options page).
_WATCHED = {
    "worker_location", "worker_url_from_location", "worker_webpack_public_path",  # self.location is the blob:
    "module_location", "shared_location",
    "classic_404",  # the plain Event is ours: isTrusted is false
    "csp_worker_src",  # the first blob: worker a CSP refuses costs one violation report
    "shared_race",  # two documents starting one SharedWorker at the same moment get two (a race: mostly)
}
#: Differences that come and go with timing, so they are allowed but not required.
MAY_DIFFER = {"shared_race"}
RESIDUAL_WATCHED: dict[str, set[str]] = {"chromium": _WATCHED, "firefox": _WATCHED | {"clone_error"}}


@pytest.fixture(scope="module")
def plain_results() -> Iterator[dict[str, dict[str, Any]]]:
    """What each browser without the extension (not installed at all) observed, once per module."""
    yield {}


def _plain(kind: str, root: Path, softphone_server, names: list[str]) -> dict[str, Any]:
    profile = root / f"plain-{kind}"
    session = lab_browser.chromium(profile) if kind == "chromium" else lab_browser.firefox(profile)
    try:
        return run_patterns(session.driver, softphone_server, names)
    finally:
        session.quit()


def _differing(plain: dict[str, Any], ext: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (plain.get(name), ext.get(name)) for name in sorted(set(plain) | set(ext)) if plain.get(name) != ext.get(name)}


def _report(differing: dict[str, tuple[Any, Any]], names: set[str]) -> str:
    return "\n".join(f"{n}:\n  without: {differing[n][0]}\n  with:    {differing[n][1]}" for n in sorted(names))


def _compare(kind: str, plain: dict[str, Any], ext: dict[str, Any], residual: set[str]) -> None:
    for name, result in plain.items():
        assert not (isinstance(result, dict) and "failed" in result), f"{name} failed without the extension: {result}"
    differing = _differing(plain, ext)
    unexpected = set(differing) - residual
    assert not unexpected, f"{kind}: these pages observe something else with the extension:\n" + _report(differing, unexpected)
    gone = residual - set(differing) - MAY_DIFFER
    assert not gone, f"{kind}: documented differences no longer differ (update ARCHITECTURE.md and the options page): {sorted(gone)}"


@pytest.mark.parametrize("kind", ["chromium", "firefox"])
def test_pages_observe_the_same_with_and_without_the_extension(kind, request, plain_results, softphone_server, tmp_path_factory):
    names = pattern_names()
    assert len(names) >= 40, names
    lab = request.getfixturevalue(f"{kind}_lab")
    plain_results[kind] = _plain(kind, tmp_path_factory.mktemp("plain"), softphone_server, names)
    ext = run_patterns(lab.driver, softphone_server, names)
    _compare(kind, plain_results[kind], ext, RESIDUAL_DEFAULT[kind])
    # the comparison means something: pages that start workers did (a bootstrap would show in them)
    assert plain_results[kind]["worker_location"]["value"]["href"].endswith("/patterns/w/probe.js")
    assert plain_results[kind]["module_message_early"] == "early"


@pytest.mark.parametrize("kind", ["chromium", "firefox"])
def test_watched_workers_see_only_the_documented_differences(kind, request, plain_results, softphone_server, tmp_path_factory):
    names = pattern_names()
    lab = request.getfixturevalue(f"{kind}_lab")
    if kind not in plain_results:
        plain_results[kind] = _plain(kind, tmp_path_factory.mktemp("plain"), softphone_server, names)
    watch_workers(lab)
    try:
        ext = run_patterns(lab.driver, softphone_server, names)
    finally:
        watch_workers(lab, on=False)
    _compare(kind, plain_results[kind], ext, RESIDUAL_WATCHED[kind])
    # and it is the bootstrap they see: the worker's self.location is a blob:
    assert ext["worker_location"]["value"]["href"].startswith("blob:")
