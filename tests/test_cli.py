"""The user's command line offers only what a user's install can run: the demo and the benchmarks
are development tools of a checkout (`make demo`, `make bench`)."""

from __future__ import annotations

import argparse
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


# Commands whose output is already meant for a program, or is not output at all.
WITHOUT_JSON = {
    "host": "speaks the native-messaging protocol",
    "export": "writes JSON already",
    "completion": "prints a shell script",
}


def test_every_command_that_prints_offers_json():
    """Roll-out scripts read every command's output (the issue: "every command that prints has --json")."""
    from ucc_webhooks.cli.main import COMMANDS, full_parser

    parser = full_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    missing = []
    for name in COMMANDS:
        if name in WITHOUT_JSON:
            continue
        sub = subparsers[name]
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        for p in ([*nested[0].choices.values()] if nested else [sub]):
            if not any("--json" in a.option_strings for a in p._actions):
                missing.append(p.prog)
    assert missing == []
