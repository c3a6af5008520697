"""`ucc-webhooks doctor`: walk the chain from browser to host, one line per link, each failure with its fix.

For each browser: the manifest is where the browser looks and is valid JSON; its path is an
executable launcher; the allowed origin is our extension in the exact form the browser demands;
the launcher, started as the browser starts it, answers `hello` within 2 s. Then for the
machine: the policy switch `WEBHOOKS_ENABLED`, and the data folder (writable, 0700).
Exit code 0 only when every link holds; the last line is then "Looks good".
`--json` prints the same as one JSON object; `--explain` prints what the browsers' error
messages mean ("native messaging host not found", "access forbidden", "native host has exited");
after a failure doctor prints the explanation of the message that failure causes.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ucc_webhooks.constants import VERSION
from ucc_webhooks.engine.policy import read_policy
from ucc_webhooks.install.browsers import (
    BROWSER_NAMES,
    BROWSERS,
    Browser,
    available_on,
    is_present,
    manifest_dir,
    manifest_file_name,
)
from ucc_webhooks.install.manifest import browser_launch_args, check_manifest
from ucc_webhooks.install.probe import HelloResult, last_line, say_hello
from ucc_webhooks.install.sandbox import detect_sandboxed
from ucc_webhooks.install.served import id_links
from ucc_webhooks.native.callers import read_callers
from ucc_webhooks.paths import data_dir, policy_path

__all__ = ["EXPLAIN_EXITED", "EXPLAIN_FORBIDDEN", "EXPLAIN_NOT_FOUND", "EXPLANATIONS", "Link", "configure", "run"]

# What the browser tells the extension for each broken link. The messages, and which breakage
# gives which, were checked against Chromium 156 and Firefox ESR 153 (tests/test_installer.py).
EXPLAIN_NOT_FOUND = """\
"Specified native messaging host not found." (Chromium, Chrome, Edge, Brave, Vivaldi)
"No such native application org.uccwebhooks.host" (Firefox)
  The browser has no usable manifest named org.uccwebhooks.host where it looks. Either none was
  installed for this browser (or it sits in another browser's folder; or the browser runs with
  --user-data-dir=DIR, and then it must be in DIR/NativeMessagingHosts), or the manifest is
  unusable: not valid JSON, another "name", for Chromium a "path" that does not exist or an
  allowed origin not written exactly as chrome-extension://<id>/ (a missing trailing slash
  counts), for Firefox "allowed_extensions" without ucc-webhooks@uccwebhooks.org. A snap/flatpak
  browser cannot see the manifest at all, and a policy (NativeMessagingUserLevelHosts = false)
  hides per-user manifests.
  What to do: run `ucc-webhooks install --browser <your browser>` (add `--profile-dir DIR` for a
  browser started with --user-data-dir=DIR, or `--system` as root for all users), restart the
  browser, then run `ucc-webhooks doctor`."""

EXPLAIN_FORBIDDEN = """\
"Access to the specified native messaging host is forbidden." (Chromium family; Firefox says
"No such native application" for this case)
  The manifest is fine but names another extension: "allowed_origins" must list
  "chrome-extension://amlncininjibhhckajeabpanpcfpeeig/". A copy of the extension with another
  id (packed with another key, from another store) is refused, and so is every host a policy
  (NativeMessagingBlocklist) blocks.
  What to do: run `ucc-webhooks install --browser <your browser>` to rewrite the manifest, load
  the extension from this project's extension/ folder (its fixed key gives the id above), check
  chrome://policy for NativeMessagingBlocklist/Allowlist, restart the browser."""

EXPLAIN_EXITED = """\
"Native host has exited." (Chromium family; sometimes, for the same cause,
"Error when communicating with the native messaging host.")
"An unexpected error occurred" (Firefox)
  The browser found the manifest and started its "path", which ended at once or could not be
  started: the launcher is not executable (or, for Firefox, missing), the Python environment it
  names was moved or deleted, or the host failed at start (its last error is on doctor's hello
  line).
  What to do: the fix on doctor's launcher or hello line; usually `ucc-webhooks install --browser
  <your browser>` from the Python environment you want the browser to use."""

EXPLANATIONS = {"not_found": EXPLAIN_NOT_FOUND, "forbidden": EXPLAIN_FORBIDDEN, "exited": EXPLAIN_EXITED}


@dataclass
class Link:
    who: str  # a browser's name, "policy" or "data"
    link: str
    ok: bool | None  # None: a note, neither pass nor fail
    detail: str
    fix: str | None = None
    symptom: str | None = None  # what the browser reports: a key of EXPLANATIONS


def configure(parser: argparse.ArgumentParser, command_name: str) -> None:
    parser.add_argument("--browser", action="append", metavar="NAME", choices=[*BROWSER_NAMES, "all"],
                        help="check this browser (repeatable, or all); default: every browser with a manifest")
    parser.add_argument("--profile-dir", type=Path, metavar="DIR",
                        help="check the profile a browser runs with --user-data-dir=DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    parser.add_argument("--explain", action="store_true",
                        help='explain "native messaging host not found" and "access forbidden", then exit')


def run(args: argparse.Namespace) -> int:
    if args.explain:
        print("\n\n".join(EXPLANATIONS.values()))
        return 0
    profile = args.profile_dir.expanduser().absolute() if args.profile_dir else None
    links: list[Link] = []
    emit = (lambda link: None) if args.json else _print
    for browser in _browsers(args.browser, profile, emit, links):
        for link in _browser_chain(browser, profile):
            links.append(link)
            emit(link)
    for link in [*id_links(Link), *_policy(), _data_folder()]:
        links.append(link)
        emit(link)
    failed = [link for link in links if link.ok is False]
    if args.json:
        print(json.dumps({"ok": not failed, "version": VERSION, "checks": [asdict(link) for link in links]}, indent=2))
    elif failed:
        print(f"{len(failed)} problem{'s' if len(failed) > 1 else ''} found; each FAIL line above says how to fix it.")
        seen = {link.symptom for link in failed}
        for symptom, text in EXPLANATIONS.items():
            if symptom in seen:
                print("\n" + text)
    else:
        print("Looks good")
    return 1 if failed else 0


def _print(link: Link) -> None:
    status = {True: "ok", False: "FAIL", None: "note"}[link.ok]
    print(f"{link.who:<9} {link.link:<9} {status:<5} {link.detail}")
    if link.fix:
        print(f"{'':<25}fix: {link.fix}")


def _install_fix(browser: Browser, scope: str, profile: Path | None) -> str:
    """'run `ucc-webhooks install ...`', as the user must type it for that scope."""
    if scope == "system" and sys.platform == "win32":
        return (f'run `"{sys.executable}" -m ucc_webhooks install --system --browser {browser.name}` '
                "in a command prompt opened as administrator")
    if scope == "system":
        return f"run `sudo {shlex.quote(sys.executable)} -m ucc_webhooks install --system --browser {browser.name}`"
    cmd = f"ucc-webhooks install --browser {browser.name}"
    if scope == "profile" and profile:
        cmd += f" --profile-dir {shlex.quote(str(profile))}"
    return f"run `{cmd}`"


def _candidates(browser: Browser, profile: Path | None) -> list[tuple[str, Path]]:
    """Manifests in the order the browser reads them. With --user-data-dir a Chromium-family
    browser reads DIR/NativeMessagingHosts instead of its usual user folder (Brave excepted);
    Firefox has no per-profile folder."""
    if sys.platform == "win32":  # the registry says where the manifest is
        from ucc_webhooks.install.installer import WinRegWriter, registry_entries

        reg = WinRegWriter()
        keys = [(s, e) for s, system in (("user", False), ("system", True)) for e in registry_entries([browser], system, Path())]
        return [(s, Path(reg.get_default(h, k) or manifest_dir(browser, s)[0] / manifest_file_name(browser)))
                for s, (h, k, _) in keys]
    first = "profile" if profile and browser.family == "chromium" and browser.name != "brave" else "user"
    found: list[tuple[str, Path]] = []
    for scope in (first, "system"):
        for folder in manifest_dir(browser, scope, profile_dir=profile):
            found.append((scope, folder / manifest_file_name(browser)))
    return found


def _browsers(names: list[str] | None, profile: Path | None, emit, links: list[Link]) -> list[Browser]:
    here = [b for b in BROWSERS.values() if available_on(b)]
    if names:
        named = here if "all" in names else [BROWSERS[n] for n in dict.fromkeys(names)]
        for b in [b for b in named if not available_on(b)]:
            link = Link(b.name, "manifest", False, f"{b.label} does not exist on this operating system",
                        "for a build that does, use `ucc-webhooks install --manifest-dir DIR --family chromium|firefox`")
            links.append(link)
            emit(link)
        return [b for b in named if available_on(b)]
    chosen: list[Browser] = []
    for b in here:
        paths = [p for _, p in _candidates(b, profile)]
        if not any(p.is_file() for p in paths):
            continue
        # Zen reads Firefox's very files: name it only where Zen itself is installed.
        twin = any([p for _, p in _candidates(c, profile)] == paths for c in chosen)
        if not twin or is_present(b):
            chosen.append(b)
    for b in here:
        if b not in chosen and is_present(b):
            note = Link(b.name, "manifest", None, f"{b.label} is installed but has no UCC Webhooks manifest",
                        f"if you phone in {b.label}: {_install_fix(b, 'profile' if profile else 'user', profile)}")
            links.append(note)
            emit(note)
    if not chosen:
        link = Link("browsers", "manifest", False, "no browser has a UCC Webhooks manifest",
                    "run `ucc-webhooks install --browser NAME` (NAME: " + ", ".join(BROWSER_NAMES) + ", or all)", "not_found")
        links.append(link)
        emit(link)
    return chosen


_hello_cache: dict[tuple[str, str], tuple[str, HelloResult]] = {}


def _browser_chain(browser: Browser, profile: Path | None) -> list[Link]:
    links = [Link(browser.name, box.kind, None, f"{box.where}: {box.explanation}")
             for box in detect_sandboxed(browser)]
    candidates = _candidates(browser, profile)
    scope, path = next(((s, p) for s, p in candidates if p.is_file()), candidates[0])
    if not path.is_file():
        looked = " or ".join(str(p) for _, p in candidates)
        links.append(Link(browser.name, "manifest", False, f"not found: looked in {looked}",
                          _install_fix(browser, scope, profile), "not_found"))
        return links
    callers, _ = read_callers()
    checks, manifest = check_manifest(path, browser.family, callers=callers)
    reinstall = _install_fix(browser, scope, profile)
    for check in checks:
        detail = f"{check.detail} ({scope})" if check.link == "manifest" and check.ok else check.detail
        fix = None
        if not check.ok:
            fix = reinstall
            if check.link == "launcher" and "not executable" in check.detail:
                fix = f"run `chmod +x {shlex.quote((manifest or {}).get('path', ''))}` or {reinstall}"
        links.append(Link(browser.name, check.link, check.ok, detail, fix, check.symptom))
    if not all(c.ok for c in checks) or manifest is None:
        return links
    first = (callers["allowed_extensions"] if browser.family == "firefox" else callers["allowed_origins"])[0]
    argv = [manifest["path"], *browser_launch_args(browser.family, path, first)]
    key = (manifest["path"], browser.family)
    cached = _hello_cache.get(key)
    hello = cached[1] if cached else say_hello(argv, timeout=2.0)
    _hello_cache.setdefault(key, (browser.name, hello))
    if hello.ok:
        detail = hello.detail + (f" (same launcher as {cached[0]})" if cached else "")
        version = (hello.reply or {}).get("result", {}).get("host_version")
        if version != VERSION:
            detail += f"; this ucc-webhooks is {VERSION}: the browser runs another installation"
        links.append(Link(browser.name, "hello", True, detail))
        return links
    why = last_line(hello.stderr)
    fix = (f"run the launcher as the browser does and read its error: "
           f"`{' '.join(shlex.quote(a) for a in argv)} </dev/null`")
    if "No module named" in hello.stderr:
        fix = (f"the Python in {manifest['path']} no longer has ucc-webhooks: reinstall the package, then {reinstall}")
    elif hello.exit_code is None and "no answer" in hello.detail:
        fix += "; if it hangs, the host is stuck at start: report it with that output"
    links.append(Link(browser.name, "hello", False, hello.detail + (f": {why}" if why else ""), fix, "exited"))
    return links


def _policy() -> list[Link]:
    """The host's own reading of the policy file (`policy.read_policy`), so doctor and host agree."""
    policy = read_policy()
    where = policy_path()
    if policy.source == "default":
        return [Link("policy", "switch", True, f"WEBHOOKS_ENABLED not set (no policy file at {where}): webhooks may fire")]
    fix_file = f"ask your administrator to repair {where} (JSON like {{\"WEBHOOKS_ENABLED\": true}})"
    cause = next((e for e in policy.errors if not e.startswith("preset")), None) if not policy.webhooks_enabled else None
    if cause:
        links = [Link("policy", "switch", False, cause, fix_file)]
    elif not policy.webhooks_enabled:
        links = [Link("policy", "switch", False, f"WEBHOOKS_ENABLED is false in {where}: no webhook fires on this computer",
                      f"this is your administrator's switch: set \"WEBHOOKS_ENABLED\": true in {where} (needs root)")]
    else:
        presets = f"; {len(policy.presets)} preset webhook(s)" if policy.presets else ""
        links = [Link("policy", "switch", True, f"WEBHOOKS_ENABLED is true in {where}{presets}")]
    # Problems that switch nothing off (a preset skipped, say) are worth a note for the administrator.
    links += [Link("policy", "presets", None, error) for error in policy.errors if error != cause]
    return links


def _data_folder() -> Link:
    folder = data_dir()
    if not folder.exists():
        parent = next(p for p in folder.parents if p.exists())
        if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
            return Link("data", "folder", True, f"{folder} does not exist yet; the host creates it at first start")
        return Link("data", "folder", False, f"{folder} cannot be created: {parent} is not a writable folder",
                    f"create it: `mkdir -p -m 700 {shlex.quote(str(folder))}` (as a user who may), or set UCC_WEBHOOKS_HOME")
    q = shlex.quote(str(folder))
    if not folder.is_dir():
        return Link("data", "folder", False, f"{folder} is not a folder", f"move {folder} out of the way; the host recreates it")
    if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
        return Link("data", "folder", False, f"{folder} belongs to another user (uid {folder.stat().st_uid})",
                    f"run `sudo chown -R $(id -un) {q}` (it was probably created by a command run with sudo)")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return Link("data", "folder", False, f"{folder} is not writable ({e.strerror})", f"run `chmod u+rwx {q}`")
    mode = folder.stat().st_mode & 0o777
    if os.name == "posix" and mode & 0o077:
        return Link("data", "folder", False, f"{folder} is open to others (mode {mode:o}); webhook secrets live there",
                    f"run `chmod 700 {q}`")
    return Link("data", "folder", True, f"{folder} (writable" + (", 0700)" if os.name == "posix" else ")"))
