"""Shared fixtures: a private data directory and policy path per test, a real host process,
the host's service in this process (for rules, where a process would add only its start-up), a
real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ucc_webhooks_dev.lab.host_client import HostClient
from ucc_webhooks_dev.lab.receiver import Receiver

FIXTURES = Path(__file__).parent / "fixtures"


#: Modules outside tests/e2e whose tests start browsers (`-m browser`); with tests/e2e they form
#: the browser groups of `make test`. A test marked `browser` elsewhere fails the collection.
BROWSER_MODULES = ("tests/test_demo.py", "tests/test_installer_real_browsers.py")
#: The browser modules of the second browser group (all others are in the first), chosen so that the
#: two take about as long. The browser tests leave the machine mostly idle (a run of `make test`
#: keeps its two cores about 30 % busy: the tests wait for calls, timeouts and pages), so two of
#: them run at once, each group's tests one after another.
SECOND_BROWSER_GROUP = frozenset({
    "test_e2e_sockets.py", "test_e2e_abuse.py", "test_e2e_patterns.py", "test_e2e_crm_loop.py",
    "test_e2e_workers_default.py", "test_e2e_firefox.py", "test_e2e_popup_firefox.py",
    "test_e2e_popup_onboarding.py", "test_e2e_popup_overview.py", "test_installer_real_browsers.py",
})


def xdist_scope(nodeid: str) -> str:
    """The group a test runs in under `make test` (pytest-xdist): the browser tests in two groups,
    each run one after another on a worker of its own (their session's Kamailio, page server and
    browsers are that worker's); every other module a group of its own, so that what its tests
    share (a build, a CA) is made once. The tests that write machine-wide browser policy run apart
    (`make test` runs them after the rest: a policy reaches every browser of the machine)."""
    path = nodeid.split("::", 1)[0]
    if not (path.startswith("tests/e2e/") or path in BROWSER_MODULES):
        return path
    return "browser-2" if path.rsplit("/", 1)[-1] in SECOND_BROWSER_GROUP else "browser-1"


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown (and unused) without it
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` with the groups of `xdist_scope` (xdist's own grouping by the
    `xdist_group` mark does not take effect with pytest 9.2: it rewrites a node id attribute that
    pytest no longer reads)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    # Groups in the order collected, not by their number of tests: tests/e2e comes first, so the
    # two browser groups (the longest by far) start at once on workers of their own, and the third
    # worker takes the other modules one after another.
    config.option.loadscopereorder = False

    class Groups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return Groups(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `xdist_scope` whole: a browser test outside its group would run beside another."""
    stray = [item.nodeid for item in items
             if item.get_closest_marker("browser") is not None and not xdist_scope(item.nodeid).startswith("browser-")]
    if stray:
        raise pytest.UsageError("browser tests outside tests/e2e and BROWSER_MODULES (tests/conftest.py): "
                                + ", ".join(stray))


@pytest.fixture(autouse=True, scope="session")
def never_the_real_data_dir(tmp_path_factory):
    """A test that forgets the `home` fixture still never writes the user's real store or policy."""
    import os

    saved = {k: os.environ.get(k) for k in ("UCC_WEBHOOKS_HOME", "UCC_WEBHOOKS_POLICY")}
    root = tmp_path_factory.mktemp("session-home")
    os.environ["UCC_WEBHOOKS_HOME"] = str(root / "data")
    os.environ["UCC_WEBHOOKS_POLICY"] = str(root / "policy.json")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment for running `ucc-webhooks install`/`doctor` as a subprocess: a temporary HOME
    and system root, a private policy path, and a PATH without the real browsers on it."""
    import os

    e = {k: v for k, v in os.environ.items()
         if k not in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "UCC_WEBHOOKS_HOME", "PYTHONPATH")}
    (tmp_path / "home").mkdir()
    (tmp_path / "bin").mkdir()
    e.update(HOME=str(tmp_path / "home"), UCC_WEBHOOKS_SYSTEM_ROOT=str(tmp_path / "root"),
             UCC_WEBHOOKS_POLICY=str(tmp_path / "policy.json"), PATH=str(tmp_path / "bin"))
    return e


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("UCC_WEBHOOKS_HOME", str(data))
    monkeypatch.setenv("UCC_WEBHOOKS_POLICY", str(tmp_path / "policy.json"))
    monkeypatch.setenv("UCC_WEBHOOKS_RETRY_BASE_S", "0.05")
    return data


@pytest.fixture
def policy_file(home) -> Path:
    return home.parent / "policy.json"


def write_policy(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def host(home):
    with HostClient() as client:
        yield client


@pytest.fixture
def app(home):
    """The host's service (`service.app.App`) in this process, on a real store in `home`: what a
    request does, without a process and frames around it. For what needs no event loop (saves,
    refusals, lists); test_service.py runs deliveries on one."""
    from ucc_webhooks.service.app import App
    from ucc_webhooks.storage.database import Store

    service = App(Store(), lambda notice: None)
    yield service
    service.store.close()


def refused(call, *args, **kwargs) -> dict:
    """The `error` of the reply the host sends when `call(*args, **kwargs)` is refused: the
    service's `Refusal` as `native.replies` puts it on the wire (code, message, field, reason, params)."""
    from ucc_webhooks.engine.errors import Refusal
    from ucc_webhooks.native.replies import refusal_reply

    with pytest.raises(Refusal) as info:
        call(*args, **kwargs)
    return refusal_reply(None, info.value)["error"]


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`ucc-webhooks ARGS` run by the CLI's own `main` in this process: what `python -m
    ucc_webhooks ARGS` does, less the interpreter's start-up. The environment is this process's,
    or exactly `env` while the command runs (as a subprocess given `env` would see it). The exit
    code (argparse's 2 included), stdout and stderr come back as from a subprocess."""
    import contextlib
    import io
    import os
    import sys

    from ucc_webhooks.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved_stdin, sys.stdin = sys.stdin, io.StringIO(stdin or "")
    saved_env = dict(os.environ)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, a usage error
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.stdin = saved_stdin
        if env is not None:
            os.environ.clear()
            os.environ.update(saved_env)
    return subprocess.CompletedProcess(["ucc-webhooks", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def event(trigger: str = "incoming_call_accepted", call_id: str = "call-1", **fields) -> dict:
    import time

    now = time.time()
    incoming = not trigger.startswith("outgoing")
    base = {
        "trigger": trigger, "call_id": call_id, "direction": "incoming" if incoming else "outgoing",
        "queue": "Support" if trigger.startswith("queue") else None,
        "callee": "200" if incoming else "+49 30 1234567", "caller": "+49 30 1234567" if incoming else "200",
        "caller_name": "Anna Müller", "user": "agent200",
        "started_at": now - 65.5 if trigger.endswith("_ended") else now - 5.5,
        "answered_at": now - 60.2 if trigger.endswith("_ended") else (now if "accepted" in trigger else None),
        "ended_at": now if "ended" in trigger or "missed" in trigger else None,
        "duration": 60 if trigger.endswith("_ended") else None,
    }
    base.update(fields)
    return base
