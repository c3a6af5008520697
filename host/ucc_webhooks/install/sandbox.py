"""Snap and flatpak installs of a browser (Linux), each with what works there and what not."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ucc_webhooks.install.browsers import Browser, Env
from ucc_webhooks.paths import home_dir, under_root

__all__ = ["Sandboxed", "detect_sandboxed"]


@dataclass(frozen=True)
class Sandboxed:
    browser: Browser
    kind: str  # "snap" or "flatpak"
    where: Path
    works: bool  # whether our normal manifest reaches it (Firefox snap through the portal)
    explanation: str


def detect_sandboxed(browser: Browser, env: Env | None = None, platform: str | None = None) -> list[Sandboxed]:
    """Snap and flatpak installs of `browser` (Linux), each with what works there and what not."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform != "linux":
        return []
    home = home_dir(env)
    found: list[Sandboxed] = []
    if browser.snap:
        for where in (under_root(env, f"/snap/bin/{browser.snap}"), home / "snap" / browser.snap):
            if where.exists():
                found.append(_snap_note(browser, where))
                break
    for where in () if not browser.flatpak else (
        home / ".var" / "app" / browser.flatpak,
        home / ".local" / "share" / "flatpak" / "app" / browser.flatpak,
        under_root(env, f"/var/lib/flatpak/app/{browser.flatpak}"),
    ):
        if where.exists():
            found.append(_flatpak_note(browser, where))
            break
    return found


def _snap_note(browser: Browser, where: Path) -> Sandboxed:
    if browser.family == "firefox":
        return Sandboxed(browser, "snap", where, True,
            "Firefox from the snap store starts native hosts through the desktop's WebExtensions portal "
            "(Ubuntu 22.04 and later): it reads the ordinary manifest in ~/.mozilla/native-messaging-hosts, "
            "which is written, and asks you once to allow UCC Webhooks to start. Where the portal is "
            "missing (xdg-desktop-portal not running, other distributions) the snap cannot reach the host: "
            "use Firefox from a .deb/.rpm or Mozilla's tarball.")
    return Sandboxed(browser, "snap", where, False,
        f"{browser.label} from the snap store runs confined: it reads manifests only inside "
        f"~/snap/{browser.snap}/ and cannot start a program outside the snap, such as our launcher and "
        f"its Python. No manifest is written there. What works: {browser.label} or Google Chrome from a "
        ".deb/.rpm package, or Firefox (also as a snap).")


def _flatpak_note(browser: Browser, where: Path) -> Sandboxed:
    if browser.family == "firefox":
        return Sandboxed(browser, "flatpak", where, False,
            "Firefox as a flatpak (org.mozilla.firefox) cannot start a program outside its sandbox itself; "
            "only through the desktop's WebExtensions portal, which reads the ordinary manifest in "
            "~/.mozilla/native-messaging-hosts (written) and asks you once. Few desktops offer that portal "
            "(Ubuntu's does); elsewhere use Firefox from your distribution's package or Mozilla's tarball.")
    return Sandboxed(browser, "flatpak", where, False,
        f"{browser.label} as a flatpak ({browser.flatpak}) runs in a sandbox that sees neither our launcher "
        "nor the Python it runs, and reads manifests only inside ~/.var/app/"
        f"{browser.flatpak}/. No manifest is written there. What works: {browser.label} from your "
        "distribution's or the vendor's package. If you must keep the flatpak and accept a hole in its "
        f"sandbox: `flatpak override --user --talk-name=org.freedesktop.Flatpak {browser.flatpak}` and a "
        "manifest whose path is a script running `flatpak-spawn --host <launcher> \"$@\"` "
        "(manifests/README.md shows it).")
