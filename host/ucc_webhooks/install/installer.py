"""`ucc-webhooks install` / `uninstall`: register the native-messaging host with browsers.

    ucc-webhooks install [--browser NAME|all]... [--system | --profile-dir DIR]

What it writes, per user (default), for all users (`--system`, needs root/administrator) or for
one browser profile started with `--user-data-dir=DIR` (`--profile-dir DIR`):

1. the launcher (`files.write_launcher`: a shell script, on Windows an executable) in
   `browsers.launcher_dir`: the per-user data folder, or a system folder for `--system`;
2. one manifest per browser, from `manifests/<family>.json`, in the folder the browser reads
   (`browsers.BROWSERS`); on Windows into the launcher folder, plus a registry key
   `HKCU|HKLM\\Software\\<vendor>\\NativeMessagingHosts\\org.uccwebhooks.host` whose default
   value is the manifest's path (`registry_entries`, written through a `RegistryWriter`).

Then it reads back what it wrote (`manifest.check_manifest`) and prints one line per file
(`report.Report`; with `--json` one object for scripts).
Snap and flatpak browsers get an explanation instead of a manifest they could not use.

`nativemessaging-ng`'s installer (`nativemessaging.install`) does not fit here, so it is not
used: it knows only chrome/chromium/firefox, computes its per-user folders from `$HOME` once at
import, has no system or profile scope, creates only the last folder (`os.mkdir`, so it fails on
a fresh `~/.config/chromium`), registers Chromium on Windows under Chrome's key and writes a
`.bat` that runs whichever `python` is first on PATH. The host uses nativemessaging-ng to write frames.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from ucc_webhooks.constants import HOST_NAME
from ucc_webhooks.install.browsers import (
    BROWSER_NAMES,
    BROWSERS,
    Browser,
    available_on,
    is_present,
    launcher_dir,
    manifest_dir,
    manifest_file_name,
)
from ucc_webhooks.install.files import remove_launcher, write_atomic, write_launcher
from ucc_webhooks.install.manifest import check_manifest, launcher_name, python_for_launcher, render_manifest
from ucc_webhooks.install.registry import RegistryWriter, WinRegWriter, registry_entries
from ucc_webhooks.install.report import Report
from ucc_webhooks.install.sandbox import detect_sandboxed
from ucc_webhooks.native.callers import split_ids

__all__ = ["RegistryWriter", "WinRegWriter", "configure", "registry_entries", "run", "select_browsers"]

FIREFOX_PROFILE_NOTE = (
    "Firefox reads no manifest from a profile folder: it reads only $HOME/.mozilla/native-messaging-hosts "
    "(and the system folders). For a throwaway Firefox profile, start Firefox with its own HOME and run "
    "`HOME=<that home> ucc-webhooks install --browser firefox` (the e2e tests do this)."
)
WINDOWS_PROFILE_NOTE = (
    "On Windows, browsers read native-messaging hosts only from the registry, never from a profile "
    "folder: run `ucc-webhooks install --browser NAME` (per user) instead; it serves every profile."
)


def configure(parser: argparse.ArgumentParser, command_name: str) -> None:
    verb = "register the host with" if command_name == "install" else "remove the host from"
    parser.add_argument("--browser", action="append", metavar="NAME", choices=[*BROWSER_NAMES, "all"],
                        help=f"browser to {verb}: {', '.join(BROWSER_NAMES)} or all; repeatable "
                             + ("(default: the browsers found on this machine)" if command_name == "install" else "(default: all)"))
    if command_name == "install":
        parser.add_argument("--extension-id", action="append", metavar="ID", dest="extension_ids",
                            help="an extension the host may serve (repeatable): a Chromium id (32 letters a-p) or a Firefox "
                                 "add-on id; a family without one keeps this project's own id (default: "
                                 "amlncininjibhhckajeabpanpcfpeeig and ucc-webhooks@uccwebhooks.org)")
        parser.add_argument("--family", choices=["chromium", "firefox"],
                            help="with --manifest-dir: which manifest to write there")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object: each file and registry key with what happened to it")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--manifest-dir", type=Path, metavar="DIR",
                       help="write the manifest into DIR for a browser not in the list (needs --family when installing)")
    where.add_argument("--system", action="store_true", help="for all users of this computer (needs root/administrator)")
    where.add_argument("--profile-dir", type=Path, metavar="DIR",
                       help="for one browser profile started with --user-data-dir=DIR (Chromium family, Linux and macOS)")


def select_browsers(names: list[str] | None, platform: str, command: str = "install") -> list[Browser]:
    """Without --browser: `install` serves the browsers found here (all on Windows, where a
    registry key costs nothing), `uninstall` removes from all. Browsers that do not exist on this
    operating system (Arc on Linux) are left out of `all`."""
    if not names and command == "install" and platform != "win32":
        return [b for b in BROWSERS.values() if available_on(b, platform) and is_present(b, platform=platform)]
    if not names or "all" in names:
        return [b for b in BROWSERS.values() if available_on(b, platform)]
    return [BROWSERS[n] for n in dict.fromkeys(names)]


def run(args: argparse.Namespace, platform: str | None = None, registry: RegistryWriter | None = None) -> int:
    platform = platform or sys.platform
    out = Report(args.command, bool(getattr(args, "json", False)))
    return out.finish(_run(args, platform, registry, out))


def _run(args: argparse.Namespace, platform: str, registry: RegistryWriter | None, out: Report) -> int:
    try:
        callers = split_ids(getattr(args, "extension_ids", None))
    except ValueError as e:
        out.fail(f"error: {e}")
        return 2
    if getattr(args, "manifest_dir", None):
        from ucc_webhooks.install.custom import run_manifest_dir

        return run_manifest_dir(args, platform, callers, out)
    browsers = select_browsers(args.browser, platform, args.command)
    missing = [b for b in browsers if not available_on(b, platform)]
    if missing:
        names = ", ".join(f"{b.label} ({' and '.join(_OS_NAMES[p] for p in b.platforms)})" for b in missing)
        out.fail(f"error: not made for this operating system: {names}.",
                 "For a build that exists here, use --manifest-dir DIR --family chromium|firefox.")
        return 2
    if not browsers:
        out.fail("No browser found on this machine. Name it: ucc-webhooks "
                 f"{args.command} --browser {'|'.join(BROWSER_NAMES)}|all")
        return 2
    scope = "profile" if args.profile_dir else "system" if args.system else "user"
    if scope == "profile":
        if platform == "win32":
            out.fail(WINDOWS_PROFILE_NOTE)
            return 2
        if all(b.family == "firefox" for b in browsers):
            out.fail(FIREFOX_PROFILE_NOTE)
            return 2
        args.profile_dir = args.profile_dir.expanduser().absolute()
    if platform == "win32" and registry is None:
        registry = WinRegWriter()
    try:
        if args.command == "uninstall":
            return _uninstall(browsers, scope, args.profile_dir, platform, registry, out)
        return _install(browsers, scope, args.profile_dir, platform, registry, callers, out)
    except PermissionError as e:
        again = ""
        if scope == "system":
            again = " ".join([args.command, "--system", *(f"--browser {b}" for b in (args.browser or []))])
            again = f"Run it as root/administrator: sudo {python_for_launcher()} -m ucc_webhooks {again}"
        out.fail(f"error: {e.strerror}: {e.filename}", *([again] if again else []))
        return 1
    except RuntimeError as e:  # the Windows launcher's stub is missing (distlib not installed)
        out.fail(f"error: {e}")
        return 1


_OS_NAMES = {"linux": "Linux", "darwin": "macOS", "win32": "Windows"}


def _sandbox_notes(browsers: Iterable[Browser], platform: str, out: Report) -> None:
    for browser in browsers:
        for box in detect_sandboxed(browser, platform=platform):
            out.line(browser.name, f"{box.kind}", box.where, "")
            out.note(box.explanation)


def _install(browsers: list[Browser], scope: str, profile_dir: Path | None, platform: str,
             registry: RegistryWriter | None, callers: dict[str, list[str]], out: Report) -> int:
    if scope == "profile":
        for b in [b for b in browsers if b.family == "firefox"]:
            out.line(b.name, "skipped", profile_dir, FIREFOX_PROFILE_NOTE)
        browsers = [b for b in browsers if b.family != "firefox"]
    _sandbox_notes(browsers, platform, out)
    launcher = write_launcher(scope, platform, callers, out)
    failed = False
    written: dict[Path, str] = {}
    for browser in browsers:
        for folder in manifest_dir(browser, scope, platform=platform, profile_dir=profile_dir):
            path = folder / manifest_file_name(browser, platform)
            if path not in written:
                write_atomic(path, render_manifest(browser.family, launcher, callers), 0o644)
                written[path] = browser.name
            checks, _ = check_manifest(path, browser.family, platform, callers)
            bad = [c for c in checks if not c.ok]
            shared = f"; shared with {written[path]}" if written[path] != browser.name else ""
            if bad:
                failed = True
                out.line(browser.name, "FAILED", path, "; ".join(c.detail for c in bad))
            else:
                out.line(browser.name, "written", path, f"checked: valid JSON, launcher executable, {checks[-1].detail}{shared}")
            if platform == "win32" and registry is not None:
                for hive, key, value in registry_entries([browser], scope == "system", path):
                    registry.set_default(hive, key, value)
                    ok = registry.get_default(hive, key) == value
                    failed |= not ok
                    out.line(browser.name, "written" if ok else "FAILED", f"{hive}\\{key}", f"default value = {value}")
            if browser.name == "brave" and scope == "profile":
                out.note("Brave reads only its own folder ~/.config/BraveSoftware/Brave-Browser, whatever "
                         "--user-data-dir says: also run `ucc-webhooks install --browser brave`.")
    if failed:
        out.done("Some files did not check out; see the lines marked FAILED.")
        return 1
    names = ", ".join(b.label for b in browsers)
    out.done(f"Done. Restart {names}, load the extension, then run `ucc-webhooks doctor"
             + (f" --profile-dir {profile_dir}" if profile_dir else "") + "`.")
    return 0


def _uninstall(browsers: list[Browser], scope: str, profile_dir: Path | None, platform: str,
               registry: RegistryWriter | None, out: Report) -> int:
    launcher = launcher_dir(scope == "system", platform=platform) / launcher_name(platform)
    for browser in browsers:
        if platform == "win32" and registry is not None:
            path = manifest_dir(browser, scope, platform=platform)[0] / manifest_file_name(browser, platform)
            for hive, key, _ in registry_entries([browser], scope == "system", path):
                if registry.get_default(hive, key) is None:
                    out.line(browser.name, "absent", f"{hive}\\{key}")
                else:
                    registry.delete_key(hive, key)
                    out.line(browser.name, "removed", f"{hive}\\{key}")
            continue
        for folder in manifest_dir(browser, scope, platform=platform, profile_dir=profile_dir):
            path = folder / manifest_file_name(browser, platform)
            sharing = _installed_sharers(path, browsers, scope, profile_dir, platform)
            if sharing and path.is_file():
                out.line(browser.name, "kept", path, f"also read by {', '.join(sharing)}, installed here; "
                                                      f"uninstall {' and '.join([browser.name, *sharing])} together to remove it")
            elif path.is_file() or path.is_symlink():
                path.unlink()
                out.line(browser.name, "removed", path)
            else:
                out.line(browser.name, "absent", path)
    # What nothing refers to any more goes: Windows manifests no key names, and the launcher.
    still = _manifests_in_use(scope, profile_dir, platform, registry)
    if platform == "win32" and registry is not None:
        for family in ("chromium", "firefox"):
            path = launcher.parent / f"{HOST_NAME}.{family}.json"
            if path.exists() and str(path) not in still:
                path.unlink()
                out.line(family, "removed", path)
    users = [m for m in still if _launcher_of(Path(m)) == str(launcher)]
    if launcher.exists() and not users:
        remove_launcher(launcher, out)
    elif launcher.exists():
        out.line("launcher", "kept", launcher, f"still used by {', '.join(users)}")
    return 0


def _installed_sharers(path: Path, leaving: list[Browser], scope: str, profile_dir: Path | None, platform: str) -> list[str]:
    """Browsers that read this very file (Zen and Firefox; Chrome, Brave, Vivaldi and Opera for the
    whole system on Linux), are installed here, and are not being uninstalled with it."""
    return [b.name for b in BROWSERS.values()
            if b not in leaving and available_on(b, platform) and is_present(b, platform=platform)
            and path in [f / manifest_file_name(b, platform) for f in manifest_dir(b, scope, platform=platform, profile_dir=profile_dir)]]


def _launcher_of(manifest: Path) -> str | None:
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("path")
    except (OSError, ValueError, AttributeError):
        return None


def _manifests_in_use(scope: str, profile_dir: Path | None, platform: str, registry: RegistryWriter | None) -> list[str]:
    found: list[str] = []
    for browser in BROWSERS.values():
        if platform == "win32" and registry is not None:
            for system in (False, True):
                for hive, key, _ in registry_entries([browser], system, Path()):
                    value = registry.get_default(hive, key)
                    if value and value not in found:
                        found.append(value)
            continue
        scopes = ["user", "system"] + (["profile"] if profile_dir else [])
        for s in scopes:
            for folder in manifest_dir(browser, s, platform=platform, profile_dir=profile_dir):
                path = folder / manifest_file_name(browser, platform)
                if path.is_file() and str(path) not in found:
                    found.append(str(path))
    return found
