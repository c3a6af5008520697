"""`make demo` as a developer runs it: a subprocess, its output, its screenshots, its clean-up."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ucc_webhooks_dev.demo import command as demo
from ucc_webhooks_dev.demo import preflight as demo_preflight
from ucc_webhooks_dev.lab.net import wait_until
from ucc_webhooks_dev.lab.proc import processes_naming

PNG = b"\x89PNG\r\n\x1a\n"


def _skip_without_lab_programs() -> None:
    missing = demo_preflight.missing_parts()
    if missing:
        pytest.skip("demo parts missing: " + "; ".join(missing))


def _demo(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # As a terminal's foreground job: a runner started in the background inherits SIGINT ignored,
    # and Python then never turns Ctrl-C into KeyboardInterrupt.
    return subprocess.Popen([sys.executable, "-m", "ucc_webhooks_dev.demo", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _processes_mentioning(text: str) -> list[str]:
    """Processes whose command line or environment names `text` (the demo's temp folder)."""
    return [f"{pid}: {cmd[:200]}" for pid, cmd in processes_naming(text.encode())]


def _temp_root(output: str) -> str:
    match = re.search(r"--profile-dir (\S+)/profile", output)
    assert match, f"the demo did not print its profile dir:\n{output}"
    return match.group(1)


@pytest.mark.browser
def test_demo_runs_three_calls_prints_them_and_saves_screenshots(tmp_path):
    _skip_without_lab_programs()
    started = time.monotonic()
    proc = _demo(tmp_path, "--headless", "--output", "shots")
    out, err = proc.communicate(timeout=120)
    took = time.monotonic() - started
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    assert took < 90, f"the demo took {took:.0f} s"

    # each call, as it happened
    assert 'call 1: ringing, incoming from "Anna Müller" <03012345678>' in out
    assert 'call 2: ringing, incoming from "Bernd Huber" <0891234567>' in out
    assert "call 3: dialling 040555123" in out
    for n in (1, 2, 3):
        assert f"call {n}: connected" in out and f"call {n}: hung up" in out
    # what the CRM received: a lookup per incoming call (E.164), the screen pops (Anna's record, found
    # by the lookup; the new-contact page for Bernd, whom the CRM does not know), the call records on
    # the found contact (null for Bernd), the outgoing GET
    assert "GET /api/contacts?phone=+493012345678\n" in out and "GET /api/contacts?phone=+49891234567\n" in out
    assert out.count("the lookup: the host asks who is calling, as the call rings; answered 200") == 2
    assert "GET /contacts/1001\n" in out
    assert "GET /contact?phone=+49891234567&queue=Support" in out
    assert out.count("signed in with the CRM's session cookie") == 2
    assert re.search(r'POST /calls  \{"caller": "03012345678", "contact_id": 1001, "start": \d+, "seconds": \d+\}', out)
    assert re.search(r'POST /calls  \{"caller": "0891234567", "contact_id": null, "start": \d+, "seconds": \d+\}', out)
    assert re.search(r'POST /calls  \{"callee": "040555123", "start": \d+, "seconds": \d+\}', out)
    assert "GET /dial-log?to=+4940555123&at=" in out
    # the tabs the extension opened
    assert out.count("the extension opened a tab: http://127.0.0.1:") == 2

    shots = tmp_path / "shots"
    for name in ("popup.png", "popup-dark.png", "popup-deliveries.png", "popup-deliveries-dark.png", "crm-tab.png"):
        assert str(shots / name) in out
        assert (shots / name).read_bytes()[:8] == PNG, name
        assert (shots / name).stat().st_size > 5000, f"{name} looks empty"
    log = json.loads((shots / "crm-requests.json").read_text(encoding="utf-8"))
    assert sum(r["from_webhook"] for r in log) == 6
    assert [r["path"] for r in log if not r["from_webhook"]] == ["/login", "/contacts/1001", "/contact"]

    root = _temp_root(out)
    assert not Path(root).exists(), "the temp folder was not removed"
    assert not _processes_mentioning(root)


@pytest.mark.browser
def test_demo_interrupted_stops_everything_it_started(tmp_path):
    _skip_without_lab_programs()
    proc = _demo(tmp_path, "--headless", "--output", "shots")
    lines = []
    try:
        for line in proc.stdout:  # read until the first call rings: everything is running then
            lines.append(line)
            if "call 1: ringing" in line:
                break
        else:
            pytest.fail("the demo ended before the first call:\n" + "".join(lines) + proc.stderr.read())
        root = _temp_root("".join(lines))
        assert _processes_mentioning(root), "expected the demo's browser, host and Kamailio to be running"
        proc.send_signal(signal.SIGINT)  # Ctrl-C, to the demo alone: its clean-up must stop the rest
        rest, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, f"exit {proc.returncode}\n{rest}\n{err}"
    assert "Interrupted: stopping everything" in rest
    with contextlib.suppress(TimeoutError):  # the assertion below names what is left
        wait_until(lambda: not _processes_mentioning(root), 5, "the demo's processes to end")
    assert not _processes_mentioning(root)
    assert not Path(root).exists()


def test_missing_program_names_the_package_and_make_setup(monkeypatch, capsys):
    monkeypatch.setitem(demo_preflight._PROGRAMS, "no-such-sip-server", ("sip-server-pkg", "/nonexistent/x"))
    args = argparse.Namespace(output=Path("unused"), headless=True, keep=False)
    assert demo.run(args) == 1
    err = capsys.readouterr().err
    assert "no-such-sip-server not found (apt package sip-server-pkg)" in err
    assert "run `make setup`" in err


def test_missing_jssip_names_npm_ci(monkeypatch, capsys):
    from ucc_webhooks_dev.lab import jsbundle

    def missing():
        raise FileNotFoundError("npm package jssip not found")

    monkeypatch.setattr(jsbundle, "node_modules_dir", missing)
    args = argparse.Namespace(output=Path("unused"), headless=True, keep=False)
    assert demo.run(args) == 1
    captured = capsys.readouterr()
    assert "npm package jssip not found in node_modules (`npm ci` in the repository)" in captured.err
    assert "Fix: run `make setup`" in captured.err
    assert captured.out == ""  # nothing was started


def test_output_that_cannot_be_written_is_refused_before_anything_starts(tmp_path, capsys):
    _skip_without_lab_programs()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    args = argparse.Namespace(output=blocker / "shots", headless=True, keep=False)
    assert demo.run(args) == 2
    captured = capsys.readouterr()
    assert f"cannot write its screenshots to {blocker / 'shots'}" in captured.err
    assert "--output DIR" in captured.err
    assert captured.out == ""


@pytest.mark.browser
def test_a_step_that_fails_ends_with_its_name_the_fix_and_the_logs_kept(tmp_path, monkeypatch, capsys):
    _skip_without_lab_programs()
    from ucc_webhooks_dev.demo import script as demo_script
    from ucc_webhooks_dev.demo.watch import WatchTimeout

    def queue_call_never_rings(self):
        self.step = "place the queue call"
        raise WatchTimeout("waited 15 s for the queue call to ring; it did not happen")

    monkeypatch.setattr(demo_script.Demo, "_queue_call", queue_call_never_rings)
    args = argparse.Namespace(output=tmp_path / "shots", headless=True, keep=False)
    assert demo.run(args) == 1
    captured = capsys.readouterr()
    assert "call 1: hung up" in captured.out  # the first call went through before the failure
    assert "failed while trying to place the queue call:\n  waited 15 s for the queue call to ring" in captured.err
    assert "Fix: the logs of every part are in the folder named below" in captured.err
    root = re.search(r"kept in (\S+)", captured.err).group(1)
    try:
        assert (Path(root) / "kamailio" / "kamailio.log").is_file()
        assert (Path(root) / "logs" / "chromedriver.log").is_file()
        assert not _processes_mentioning(root), "the failed demo left processes running"
    finally:
        shutil.rmtree(root, ignore_errors=True)
