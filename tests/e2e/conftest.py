"""Fixtures for the browser tests: one Kamailio and one softphone server per session, a SIPp
factory and a receiver per test, browsers that are always quit (also when a test fails)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
try:
    import ucc_webhooks  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "host"))

from ucc_webhooks.lab import browser as lab_browser  # noqa: E402
from ucc_webhooks.lab.receiver import Receiver  # noqa: E402
from ucc_webhooks.lab.sipp import Sipp  # noqa: E402
from ucc_webhooks.lab.sipserver import SipServer  # noqa: E402
from ucc_webhooks.lab.softphone import SoftphoneServer  # noqa: E402

_NEEDS = {"kamailio": "kamailio", "sipp": "sip-tester", "chromium": "chromium", "chromedriver": "chromium-driver"}


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests need the lab's programs; say which package is missing instead of erroring."""
    missing = [f"{prog} (apt package {pkg})" for prog, pkg in _NEEDS.items() if shutil.which(prog) is None
               and not Path(f"/usr/sbin/{prog}").exists()]
    if missing:
        skip = pytest.mark.skip(reason="lab programs missing: " + ", ".join(missing) + "; `.ci/run` installs them")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def sip() -> Iterator[SipServer]:
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


@pytest.fixture
def plain_chromium(tmp_path: Path) -> Iterator[lab_browser.BrowserSession]:
    """Headless Chromium with fake media and a fresh profile, without the extension."""
    session = lab_browser.chromium(tmp_path / "profile", log_path=tmp_path / "chromedriver.log")
    try:
        yield session
    finally:
        session.quit()
