"""The user's command line offers only what a user's install can run: the demo and the benchmarks
are development tools of a checkout (`make demo`, `make bench`)."""

from __future__ import annotations

import subprocess
import sys


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], capture_output=True, text=True, timeout=60)


def test_help_lists_no_development_commands():
    out = _cli("--help")
    assert out.returncode == 0, out.stderr
    assert "install" in out.stdout and "doctor" in out.stdout
    for dev_only in ("demo", "bench"):
        assert dev_only not in out.stdout.split("{", 1)[-1].split("}", 1)[0].split(","), out.stdout


def test_demo_is_not_a_command():
    out = _cli("demo")
    assert out.returncode == 2
    assert "invalid choice: 'demo'" in out.stderr
