"""Writing what `install` leaves on disk: the launcher, the ids file beside it, the manifests.

Every file is written to a temporary name in its folder and renamed over the old one, so a
browser that starts the host meanwhile sees the old file or the new one, never half of one.
On Windows the launcher may be running (an open browser keeps its host): Windows refuses to
overwrite or delete a running executable but lets it be renamed, so the old one is moved aside
first and deleted when it is no longer in use (at the latest by the next `install`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from ucc_webhooks.install.browsers import data_dir, launcher_dir
from ucc_webhooks.install.manifest import (
    LEGACY_WINDOWS_LAUNCHER_NAME,
    launcher_name,
    python_for_launcher,
    pythonpath_for_launcher,
    render_launcher,
)
from ucc_webhooks.install.report import Report
from ucc_webhooks.native.callers import CALLERS_FILE_NAME

__all__ = ["remove_launcher", "write_atomic", "write_launcher"]


def write_atomic(path: Path, content: str | bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as f:
                f.write(content)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_launcher(scope: str, platform: str, callers: dict[str, list[str]], out: Report) -> Path:
    """The launcher and, beside it, the ids the host serves (`native.callers`)."""
    system = scope == "system"
    if not system:  # the data folder holds the database: only its owner may enter it
        home = data_dir(platform=platform)
        if not home.exists():
            home.mkdir(parents=True, mode=0o700)
    folder = launcher_dir(system, platform=platform)
    folder.mkdir(parents=True, exist_ok=True, mode=0o755 if system else 0o700)
    launcher = folder / launcher_name(platform)
    python = python_for_launcher()
    pinned = None if system or not os.environ.get("UCC_WEBHOOKS_HOME") else os.path.abspath(os.environ["UCC_WEBHOOKS_HOME"])
    callers_file = folder / CALLERS_FILE_NAME
    write_atomic(callers_file, json.dumps(callers, indent=2) + "\n", 0o644)
    pythonpath = pythonpath_for_launcher(python)
    if platform == "win32":
        from ucc_webhooks.install import winlauncher

        content: str | bytes = winlauncher.build(python, pinned, pythonpath, str(callers_file))
        _set_aside(launcher)
    else:
        content = render_launcher(platform, python, pinned, pythonpath, str(callers_file))
    write_atomic(launcher, content, 0o755)
    out.line("launcher", "written", launcher, f"runs {python} -m ucc_webhooks host")
    if platform == "win32":
        legacy = folder / LEGACY_WINDOWS_LAUNCHER_NAME
        if legacy.exists():
            legacy.unlink()
            out.line("launcher", "removed", legacy, "the old .bat launcher, replaced by the .exe")
    ids = [*callers["allowed_origins"], *callers["allowed_extensions"]]
    out.line("ids", "written", callers_file, "the host serves " + ", ".join(ids))
    if system and python.startswith(("/home/", "/Users/", "/root/", str(Path.home()) + os.sep)):
        out.line("launcher", "warning", python,
                 "this Python is inside a home folder, which other users may not read; for --system install "
                 "into a shared environment, e.g. `python3 -m venv /opt/ucc-webhooks && /opt/ucc-webhooks/bin/pip install ucc-webhooks`")
    return launcher


def remove_launcher(launcher: Path, out: Report) -> None:
    """The launcher, the ids beside it, and on Windows an old `.bat` and set-aside copies."""
    try:
        launcher.unlink()
        out.line("launcher", "removed", launcher)
    except PermissionError:  # Windows: a browser still runs it
        aside = _set_aside(launcher)
        out.line("launcher", "kept", aside or launcher,
                 "in use by a running browser; delete it after closing the browser (the next install also does)")
    legacy = launcher.parent / LEGACY_WINDOWS_LAUNCHER_NAME
    if launcher.suffix == ".exe" and legacy.exists():
        legacy.unlink()
        out.line("launcher", "removed", legacy)
    with contextlib.suppress(FileNotFoundError):
        (launcher.parent / CALLERS_FILE_NAME).unlink()
        out.line("ids", "removed", launcher.parent / CALLERS_FILE_NAME)


def _set_aside(launcher: Path) -> Path | None:
    """Move a (possibly running) launcher out of the way; delete what earlier installs set aside
    and is no longer running. Returns where the launcher went, if it still exists."""
    for old in launcher.parent.glob(f"{launcher.name}.old-*"):
        with contextlib.suppress(OSError):  # still running: the next install tries again
            old.unlink()
    if not launcher.exists():
        return None
    aside = launcher.with_name(f"{launcher.name}.old-{os.getpid()}")
    os.replace(launcher, aside)
    try:
        aside.unlink()
    except OSError:
        return aside
    return None
