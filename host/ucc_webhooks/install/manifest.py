"""The host manifest and its launcher: render them from the templates, and check them.

`render_manifest` fills `manifests/<family>.json` with the launcher's absolute path.
`render_launcher` writes the small script the browser starts (on Windows an executable,
`install.winlauncher`): it runs the host with the Python
the package is installed into (`sys.executable`, as it is: a venv's `bin/python` must not be
resolved to the interpreter it links to, or the venv is lost), never a `python` found on PATH.
`check_manifest` is the one judgement of "is this manifest right", used by `install` after
writing and by `doctor` link by link.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME, VERSION
from ucc_webhooks.native.callers import CALLERS_ENV, DEFAULT_CALLERS

# Earlier installs on Windows wrote a `.bat` (it breaks on a non-ASCII user folder); install
# and uninstall remove it.
WINDOWS_LAUNCHER_NAME = "ucc-webhooks-host.exe"
LEGACY_WINDOWS_LAUNCHER_NAME = "ucc-webhooks-host.bat"

__all__ = [
    "LAUNCHER_PLACEHOLDER",
    "LEGACY_WINDOWS_LAUNCHER_NAME",
    "WINDOWS_LAUNCHER_NAME",
    "ManifestCheck",
    "browser_launch_args",
    "check_manifest",
    "expected_allowed",
    "launcher_name",
    "load_template",
    "python_for_launcher",
    "pythonpath_for_launcher",
    "render_launcher",
    "render_manifest",
]

LAUNCHER_PLACEHOLDER = "@LAUNCHER@"
CHROMIUM_ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"
_ORIGIN_FORM = re.compile(r"^chrome-extension://[a-p]{32}/$")
# A checkout reads manifests/ at the top; a wheel carries a copy in the package (`_bundled/`,
# put there at build time by setup.py). The built-in fallback says the same (tests/test_installer.py).
_TEMPLATE_DIRS = (Path(__file__).resolve().parents[1] / "_bundled" / "manifests", Path(__file__).resolve().parents[3] / "manifests")
_FAMILY_KEY = {"chromium": "allowed_origins", "firefox": "allowed_extensions"}
_BUILTIN = {family: {key: DEFAULT_CALLERS[key]} for family, key in _FAMILY_KEY.items()}


def load_template(family: str) -> dict:
    for folder in _TEMPLATE_DIRS:
        path = folder / f"{family}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return {
        "name": HOST_NAME,
        "description": "UCC Webhooks: outgoing webhooks for the UCware UCC web client",
        "path": LAUNCHER_PLACEHOLDER,
        "type": "stdio",
        **_BUILTIN[family],
    }


def render_manifest(family: str, launcher: Path, callers: dict[str, list[str]] | None = None) -> str:
    """The manifest for `family`; `callers` (`native.callers.split_ids`) replaces the template's
    allowed ids (default: the ids this project ships)."""
    manifest = load_template(family)
    if manifest.get("path") != LAUNCHER_PLACEHOLDER:
        raise ValueError(f"template {family}.json has no {LAUNCHER_PLACEHOLDER} path")
    manifest["path"] = str(launcher)
    if callers is not None:
        manifest[_FAMILY_KEY[family]] = list(callers[_FAMILY_KEY[family]])
    return json.dumps(manifest, indent=2) + "\n"


def expected_allowed(family: str, callers: dict[str, list[str]] | None = None) -> tuple[str, list[str]]:
    key = _FAMILY_KEY.get(family, "allowed_origins")
    return key, list((callers or DEFAULT_CALLERS)[key])


def browser_launch_args(family: str, manifest_path: Path, caller: str | None = None) -> list[str]:
    """The arguments the browser gives the host (doctor starts it the same way)."""
    if family == "firefox":
        return [str(manifest_path), caller or FIREFOX_EXTENSION_ID]
    return [caller or CHROMIUM_ORIGIN]


def launcher_name(platform: str | None = None) -> str:
    return WINDOWS_LAUNCHER_NAME if (platform or sys.platform) == "win32" else "ucc-webhooks-host"


def python_for_launcher() -> str:
    """The interpreter of this environment; on Windows `python.exe`, not the windowless `pythonw.exe`."""
    exe = sys.executable
    if exe.lower().endswith("pythonw.exe"):
        exe = exe[: -len("pythonw.exe")] + "python.exe"
    return exe


def pythonpath_for_launcher(python: str) -> str | None:
    """When the package is importable only through this process's PYTHONPATH (a checkout that was
    never `pip install`ed), the launcher must carry that folder; a browser passes no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        ok = subprocess.run([python, "-c", "import ucc_webhooks"], env=env, cwd="/", capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return None if ok else str(Path(__file__).resolve().parents[2])


def render_launcher(
    platform: str | None = None,
    python: str | None = None,
    pinned_home: str | None = None,
    pythonpath: str | None = None,
    callers_file: str | None = None,
) -> str:
    """The launcher script (Linux, macOS; Windows: `install.winlauncher`). `pinned_home` is `UCC_WEBHOOKS_HOME` as set during `install` (used only
    when the browser's environment has none); `pythonpath` see `pythonpath_for_launcher`;
    `callers_file` the ids the host serves (`native.callers`)."""
    platform = platform or sys.platform
    if platform == "win32":
        raise ValueError("the Windows launcher is an executable: install.winlauncher.build")
    python = python or python_for_launcher()
    lines = [
        "#!/bin/sh",
        f"# UCC Webhooks native-messaging host launcher, written by `ucc-webhooks install` {VERSION}.",
        "# The browser starts this file; it runs the host with the Python it was installed into.",
        "# After moving or deleting that Python environment, run `ucc-webhooks install` again.",
    ]
    if platform == "darwin":
        lines += [
            "# Browsers started from the Dock get launchd's bare PATH, without Homebrew's folders.",
            'PATH="/opt/homebrew/bin:/opt/homebrew/sbin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin${PATH:+:$PATH}"',
            "export PATH",
        ]
    if pinned_home:
        lines += [f'[ -n "${{UCC_WEBHOOKS_HOME:-}}" ] || UCC_WEBHOOKS_HOME={shlex.quote(pinned_home)}',
                  "export UCC_WEBHOOKS_HOME"]
    if pythonpath:
        lines += [f'PYTHONPATH={shlex.quote(pythonpath)}"${{PYTHONPATH:+:$PYTHONPATH}}"', "export PYTHONPATH"]
    if callers_file:
        lines += [f"{CALLERS_ENV}={shlex.quote(callers_file)}", f"export {CALLERS_ENV}"]
    lines.append(f'exec {shlex.quote(python)} -m ucc_webhooks host "$@"')
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ManifestCheck:
    """One link of the chain: `link` names it ("manifest", "launcher", "origin"). `symptom` is
    what the browser then tells the extension (checked against Chromium 156 and Firefox ESR 153 in
    tests/test_installer.py): "not_found" ("Specified native messaging host not found." / "No
    such native application ..."), "forbidden" ("Access to the specified native messaging host is
    forbidden.", Chromium only) or "exited" ("Native host has exited." / "An unexpected error
    occurred")."""

    link: str
    ok: bool
    detail: str
    symptom: str | None = None


def check_manifest(path: Path, family: str, platform: str | None = None,
                   callers: dict[str, list[str]] | None = None) -> tuple[list[ManifestCheck], dict | None]:
    """Check a manifest file as the browser would. Stops at the first broken link, since what
    follows depends on it; returns the checks and the parsed manifest (None if unreadable).
    `callers`: the ids the host serves (default: the ones this project ships)."""
    platform = platform or sys.platform
    checks: list[ManifestCheck] = []
    if not path.is_file():
        checks.append(ManifestCheck("manifest", False, f"no manifest at {path}", "not_found"))
        return checks, None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        checks.append(ManifestCheck("manifest", False, f"{path} is not valid JSON ({e})", "not_found"))
        return checks, None
    if not isinstance(manifest, dict):
        checks.append(ManifestCheck("manifest", False, f"{path} is not a JSON object", "not_found"))
        return checks, None
    wrong = [f"{k}={manifest.get(k)!r}" for k, v in (("name", HOST_NAME), ("type", "stdio")) if manifest.get(k) != v]
    if wrong:
        checks.append(ManifestCheck("manifest", False, f"{path}: {', '.join(wrong)} (expected name={HOST_NAME!r}, type='stdio')",
                                    "not_found"))
        return checks, manifest
    checks.append(ManifestCheck("manifest", True, f"{path}"))

    launcher = manifest.get("path")
    problem = _launcher_problem(launcher, platform)
    # Chromium treats a missing or relative path as no manifest, one that cannot run as an exited
    # host; Firefox reports both as "An unexpected error occurred" (our "exited").
    symptom = None if problem is None else "exited" if "not executable" in problem or family == "firefox" else "not_found"
    checks.append(ManifestCheck("launcher", problem is None, problem or f"{launcher}", symptom))
    if problem:
        return checks, manifest

    key, expected = expected_allowed(family, callers)
    got = manifest.get(key)
    if got == expected:
        checks.append(ManifestCheck("origin", True, f"{key} = {', '.join(expected)}"))
    elif family == "chromium" and isinstance(got, list) and any(not isinstance(o, str) or not _ORIGIN_FORM.match(o) for o in got):
        bad = next(o for o in got if not isinstance(o, str) or not _ORIGIN_FORM.match(o))
        checks.append(ManifestCheck("origin", False, f"{key} has {bad!r}, not of the form chrome-extension://<32 letters a-p>/ "
                                                      f"(trailing slash included); expected {expected[0]}",
                                    "not_found"))  # Chromium rejects the whole manifest
    else:
        # Firefox says "No such native application" when allowed_extensions lacks us.
        checks.append(ManifestCheck("origin", False, f"{key} is {got!r}; expected {expected!r}",
                                    "not_found" if family == "firefox" else "forbidden"))
    return checks, manifest


def _launcher_problem(launcher: object, platform: str) -> str | None:
    if not isinstance(launcher, str) or not launcher:
        return "the manifest has no path"
    if platform == "win32":
        if not (re.match(r"^[A-Za-z]:[\\/]", launcher) or launcher.startswith("\\\\") or launcher.startswith("/")):
            return f"path {launcher!r} is not absolute"
        if not Path(launcher).is_file():
            return f"{launcher} does not exist"
        return None
    if not launcher.startswith("/"):
        return f"path {launcher!r} is not absolute (browsers on Linux and macOS need an absolute path)"
    if not Path(launcher).is_file():
        return f"{launcher} does not exist"
    if not os.access(launcher, os.X_OK):
        return f"{launcher} is not executable"
    return None
