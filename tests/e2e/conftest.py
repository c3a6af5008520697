"""Fixtures for the browser tests: one Kamailio and one softphone server per session, a SIPp
factory and a receiver per test, browsers that are always quit (also when a test fails)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ucc_webhooks_dev.lab import browser as lab_browser
from ucc_webhooks_dev.lab.extension import DEFAULT_QUEUE_RULE
from ucc_webhooks_dev.lab.net import wait_until
from ucc_webhooks_dev.lab.policy import FileServer, may_write_machine_policy
from ucc_webhooks_dev.lab.proc import processes_naming
from ucc_webhooks_dev.lab.receiver import Receiver
from ucc_webhooks_dev.lab.sipp import Sipp
from ucc_webhooks_dev.lab.sipserver import SipServer
from ucc_webhooks_dev.lab.softphone import SoftphoneServer
from ucc_webhooks_dev.lab.stack import BrowserLab

REPO = Path(__file__).resolve().parents[2]

_NEEDS = {"kamailio": "kamailio", "sipp": "sip-tester", "chromium": "chromium", "chromedriver": "chromium-driver",
         "firefox-esr": "firefox-esr"}


def _require_programs() -> None:
    """Browser tests fail (not skip) without the lab's programs: a green run that tested nothing
    would hide a broken CI set-up. Deselect them with `-m "not browser"` on a machine without."""
    missing = [f"{prog} (apt package {pkg})" for prog, pkg in _NEEDS.items()
               if shutil.which(prog) is None and not Path(f"/usr/sbin/{prog}").exists()]
    if missing:
        pytest.fail("lab programs missing: " + ", ".join(missing) + "; `.ci/run` installs them, "
                    "or run `pytest -m 'not browser'`", pytrace=False)


def _leftovers(markers: list[bytes]) -> list[tuple[int, str]]:
    """Processes (not this one) whose command line or environment names one of `markers`."""
    return [(pid, cmd[:160]) for pid, cmd in processes_naming(*markers)]


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Set up first, torn down last: every process started during the browser tests must be gone.

    A session token in the environment is inherited by everything started from here (Kamailio,
    SIPp, drivers, browsers, the hosts the browsers launch), so leftovers are recognised without
    touching anyone else's processes. Leftovers are stopped and reported as an error."""
    marker = f"UCC_LAB_SESSION={uuid.uuid4().hex}"
    os.environ["UCC_LAB_SESSION"] = marker.split("=", 1)[1]
    yield
    markers = [marker.encode()]
    try:
        wait_until(lambda: not _leftovers(markers), 5.0, "lab processes to exit")
        return
    except TimeoutError:
        left = _leftovers(markers)
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, "processes started during the browser tests were still running: " + "; ".join(
        f"{pid} {cmd}" for pid, cmd in left)


@pytest.fixture(scope="session")
def sip() -> Iterator[SipServer]:
    _require_programs()
    with SipServer() as server:
        yield server


@pytest.fixture(scope="session")
def softphone_server() -> Iterator[SoftphoneServer]:
    with SoftphoneServer() as server:
        yield server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can print diagnostics when a test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or report.failed


@pytest.fixture
def remote(sip: SipServer, request: pytest.FixtureRequest) -> Iterator[Sipp]:
    """The remote party: SIPp runs against the session's Kamailio, all stopped after the test.

    When the test failed, SIPp's own logs and Kamailio's tail are printed into the report."""
    with Sipp(sip) as factory:
        yield factory
        if _failed(request):
            for run in factory.runs:
                print(f"=== SIPp {run.scenario} on port {run.port}\n{run.logs()}")
            if sip.process is not None:
                print(f"=== Kamailio\n{sip.process.log_tail(30)}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture(scope="module")
def plain_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab_browser.BrowserSession]:
    """Headless Chromium with fake media and a fresh profile, without the extension, for a module
    (each test opens its page afresh)."""
    root = tmp_path_factory.mktemp("plain-chromium")
    session = lab_browser.chromium(root / "profile", log_path=root / "chromedriver.log")
    try:
        yield session
    finally:
        session.quit()


# -- the real chain: browser + extension + host ------------------------------------------------


def _extension_ready() -> str | None:
    manifest = REPO / "extension" / "manifest.json"
    return None if manifest.is_file() else f"{manifest} does not exist yet"


def _start_lab(kind: str, root: Path, sip: SipServer, softphone_server: SoftphoneServer) -> BrowserLab:
    problem = _extension_ready()
    if problem:
        pytest.fail(f"cannot start {kind} with the extension: {problem}")
    return BrowserLab(kind, root, sip, softphone_server).start()


def _print_lab_diagnostics(lab: BrowserLab) -> None:
    print(f"=== {lab.kind} lab at {lab.root}")
    for log in sorted((lab.root / "host" / "data").glob("*.log")):
        print(f"--- {log}\n{log.read_text(errors='replace')[-4000:]}")
    if lab.session is not None:
        try:
            print("--- page events", lab.page.events() if lab.page else None)
        except Exception as exc:
            print("--- page events unavailable:", exc)


@pytest.fixture(scope="module")
def chromium_lab(sip, softphone_server, tmp_path_factory) -> Iterator[BrowserLab]:
    """Headless Chromium with the extension and the host, shared by the tests of one module."""
    lab = _start_lab("chromium", tmp_path_factory.mktemp("chromium-lab"), sip, softphone_server)
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def firefox_lab(sip, softphone_server, tmp_path_factory) -> Iterator[BrowserLab]:
    """Headless Firefox ESR with the add-on and the host, shared by the tests of one module."""
    lab = _start_lab("firefox", tmp_path_factory.mktemp("firefox-lab"), sip, softphone_server)
    try:
        yield lab
    finally:
        lab.stop()


def _fresh(lab: BrowserLab, request: pytest.FixtureRequest) -> Iterator[BrowserLab]:
    """Per test: no webhooks, no policy file, default settings, one tab, a freshly registered page."""
    if lab.session is None:  # an earlier test's restart failed: start again
        lab.start()
    lab.host.clear()
    lab.host.set_policy(None)
    lab.close_other_tabs()
    lab.reload_page()
    yield lab
    if _failed(request):
        _print_lab_diagnostics(lab)
    if lab.session is not None:
        lab.host.set_policy(None)


@pytest.fixture
def chromium(chromium_lab: BrowserLab, request: pytest.FixtureRequest) -> Iterator[BrowserLab]:
    yield from _fresh(chromium_lab, request)


@pytest.fixture
def firefox(firefox_lab: BrowserLab, request: pytest.FixtureRequest) -> Iterator[BrowserLab]:
    yield from _fresh(firefox_lab, request)


__all__ = ["DEFAULT_QUEUE_RULE"]


@pytest.fixture
def packed(tmp_path, softphone_server):
    """The administrator's build (`extension pack --json`: its report, and the server on 127.0.0.1
    that serves it), for the roll-out tests; they write machine policy, so only where that is allowed."""
    problem = may_write_machine_policy()
    if problem:
        pytest.skip(problem)
    out = tmp_path / "release"
    out.mkdir()
    with FileServer(out) as server:
        done = subprocess.run(
            [sys.executable, "-m", "ucc_webhooks", "extension", "pack", "--key", str(tmp_path / "key.pem"),
             "--ucc-origin", softphone_server.origin, "--update-url", server.url("updates.xml"), "--out", str(out),
             "--queue-header", "X-Queue", "--json"],
            capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        yield json.loads(done.stdout), server
