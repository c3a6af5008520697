"""The Windows launcher: an executable, because a `.bat` does not survive `C:\\Users\\Jürgen\\…`.

A browser on Windows starts the host through `cmd.exe`, which reads a batch file in the console's
code page (437, 850, …). A `.bat` naming a Python below a user folder with a non-ASCII letter
written in UTF-8 therefore points at a path that does not exist. An executable's own command
line is UTF-16 and `cmd.exe` passes it on untouched.

The executable is the one pip puts in every `Scripts\\` folder: distlib's console launcher
(`t64.exe`, `t64-arm.exe` on ARM64), followed by `#!"<python.exe>"` and a zip archive whose
`__main__.py` runs the host. The launcher decodes that first line as UTF-8, starts the named Python
with its own path as the script, passes its stdin and stdout on, and ties the child to itself
(a job object), so the host ends when the browser ends the launcher. Python runs the appended zip
as it runs any zip application. Building it here rather than pointing the manifest at pip's
`ucc-webhooks.exe` lets the archive carry what the `.bat` carried in `set` lines: the pinned
`UCC_WEBHOOKS_HOME`, the extension ids file, and the source folder of a checkout that was never
`pip install`ed.

`distlib` is a runtime dependency on Windows only. Elsewhere, the tests build the same bytes and
run the archive part with the local Python (`tests/test_windows_launcher.py`).
"""

from __future__ import annotations

import io
import platform as platform_module
import zipfile
from importlib import resources

from ucc_webhooks.constants import VERSION
from ucc_webhooks.native.callers import CALLERS_ENV

__all__ = ["build", "main_py", "stub_name"]


def stub_name(machine: str | None = None) -> str:
    """distlib's console launcher for this processor (Windows reports `ARM64` or `AMD64`)."""
    machine = (machine if machine is not None else platform_module.machine()).lower()
    return "t64-arm.exe" if machine in ("arm64", "aarch64") else "t64.exe"


def main_py(pinned_home: str | None, pythonpath: str | None, callers_file: str | None) -> str:
    """The archive's `__main__.py`. Paths are written with `ascii()`, so the file is ASCII whatever
    letters the user folder has, and Python reads it back exactly."""
    lines = [
        f"# UCC Webhooks native-messaging host launcher, written by `ucc-webhooks install` {VERSION}.",
        "# The browser starts this executable; it runs the host with the Python named in its first line.",
        "# After moving or deleting that Python environment, run `ucc-webhooks install` again.",
        "import os",
        "import sys",
    ]
    if pinned_home:
        lines.append(f"os.environ.setdefault('UCC_WEBHOOKS_HOME', {pinned_home!a})")
    if callers_file:
        lines.append(f"os.environ[{CALLERS_ENV!r}] = {callers_file!a}")
    if pythonpath:
        lines.append(f"sys.path.insert(1, {pythonpath!a})")
    lines += [
        "from ucc_webhooks.cli import main",
        "sys.exit(main(['host', *sys.argv[1:]]))",
    ]
    return "\n".join(lines) + "\n"


def build(python: str, pinned_home: str | None = None, pythonpath: str | None = None,
          callers_file: str | None = None, machine: str | None = None) -> bytes:
    """The launcher's bytes: stub, `#!"python"` line (UTF-8), zip with `__main__.py`."""
    stub = _stub(stub_name(machine))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        z.writestr("__main__.py", main_py(pinned_home, pythonpath, callers_file))
    # Quoted always: the launcher takes the text between the quotes as the program, spaces and all.
    shebang = f'#!"{python}"\r\n'.encode()
    return stub + shebang + archive.getvalue()


def _stub(name: str) -> bytes:
    try:
        return resources.files("distlib").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise RuntimeError(
            f"the Windows launcher needs distlib's {name} (pip install distlib; the Windows install of "
            "ucc-webhooks brings it)") from e
