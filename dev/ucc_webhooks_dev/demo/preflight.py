"""What the demo needs before it starts anything, each missing piece named with its fix.

    problems = missing_parts()   # [] when the machine is ready
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

__all__ = ["SETUP_HINT", "missing_parts"]

SETUP_HINT = "run `make setup` in the repository (it installs the apt packages, the Python packages into .venv and `npm ci`)"

# program -> (Debian package, where Debian puts it when PATH lacks sbin)
_PROGRAMS = {
    "kamailio": ("kamailio", "/usr/sbin/kamailio"),
    "sipp": ("sip-tester", "/usr/bin/sipp"),
    "chromium": ("chromium", "/usr/bin/chromium"),
    "chromedriver": ("chromium-driver", "/usr/bin/chromedriver"),
}
_KAMAILIO_MODULE_DIRS = ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/aarch64-linux-gnu/kamailio/modules",
                         "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules")


def _program_missing(name: str, fallback: str) -> bool:
    return shutil.which(name) is None and not Path(fallback).exists()


def missing_parts() -> list[str]:
    """One line per missing piece: what is missing and which package brings it."""
    problems = []
    for program, (package, fallback) in _PROGRAMS.items():
        if _program_missing(program, fallback):
            problems.append(f"{program} not found (apt package {package})")
    if not _program_missing("kamailio", "/usr/sbin/kamailio") and not any(
            (Path(d) / "websocket.so").is_file() for d in _KAMAILIO_MODULE_DIRS):
        problems.append("Kamailio's websocket module not found (apt package kamailio-websocket-modules)")
    if importlib.util.find_spec("selenium") is None:
        problems.append("Python package selenium not installed (run `make setup`)")
    try:
        from ucc_webhooks_dev.lab.browser import repo_extension_dir

        repo_extension_dir()
    except FileNotFoundError as exc:
        problems.append(f"{exc} (the demo runs from a checkout of the repository)")
    try:
        from ucc_webhooks_dev.lab.jsbundle import node_modules_dir

        node_modules_dir()
    except FileNotFoundError:
        problems.append("npm package jssip not found in node_modules (`npm ci` in the repository)")
    return problems
