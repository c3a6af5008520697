"""Where each browser looks for the host manifest and where our launcher lives (sandboxed browsers: `sandbox.py`).

One table (`BROWSERS`) says, per browser and operating system, which folder (Linux, macOS) or
registry key (Windows) the browser reads. `installer` writes there, `doctor` reads there; neither
has a path of its own. Every function takes `env` and `platform` so that tests can lay out a
macOS or Windows machine inside a temporary folder:

- `HOME` (and `XDG_CONFIG_HOME`, `XDG_DATA_HOME`, `LOCALAPPDATA`, `ProgramData`) are honoured;
- `UCC_WEBHOOKS_SYSTEM_ROOT` is put in front of every system path (`/etc/...`, `/Library/...`,
  `/snap/bin`, `/var/lib/flatpak`); it exists for tests and for staging an image, never set it
  on a real desktop.

Sources for the paths: each browser's documentation where there is one (Chrome, Edge, Firefox),
otherwise traces of the real browsers (Brave and Vivaldi on Linux read only Chrome's system
folder; Brave's user folder ignores `--user-data-dir`).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ucc_webhooks.constants import HOST_NAME
from ucc_webhooks.paths import data_dir, launcher_dir, system_root, under_root
from ucc_webhooks.paths import home_dir as _home

__all__ = [
    "BROWSERS",
    "BROWSER_NAMES",
    "Browser",
    "available_on",
    "data_dir",
    "is_present",
    "launcher_dir",
    "manifest_dir",
    "manifest_file_name",
    "registry_hive",
    "system_root",
]

Env = Mapping[str, str]


@dataclass(frozen=True)
class Browser:
    name: str  # what `--browser` takes
    label: str
    family: str  # "chromium" or "firefox": decides the manifest template
    linux_user: str  # Chromium family: below $XDG_CONFIG_HOME; Firefox: below $HOME
    linux_system: tuple[str, ...]
    mac_user: str  # below ~/Library/Application Support
    mac_system: str
    registry: str  # below HKCU or HKLM; the host name is the subkey
    binaries: tuple[str, ...]  # names on PATH that tell the browser is installed (Linux)
    mac_app: str
    snap: str | None
    flatpak: str
    platforms: tuple[str, ...] = ("linux", "darwin", "win32")  # where the browser exists at all


BROWSERS: dict[str, Browser] = {
    b.name: b
    for b in (
        Browser("chrome", "Google Chrome", "chromium", "google-chrome",
                ("/etc/opt/chrome/native-messaging-hosts",),
                "Google/Chrome", "/Library/Google/Chrome/NativeMessagingHosts",
                r"Software\Google\Chrome\NativeMessagingHosts",
                ("google-chrome", "google-chrome-stable"), "Google Chrome.app", None, "com.google.Chrome"),
        Browser("chromium", "Chromium", "chromium", "chromium",
                ("/etc/chromium/native-messaging-hosts",),
                "Chromium", "/Library/Application Support/Chromium/NativeMessagingHosts",
                r"Software\Chromium\NativeMessagingHosts",
                ("chromium", "chromium-browser"), "Chromium.app", "chromium", "org.chromium.Chromium"),
        Browser("edge", "Microsoft Edge", "chromium", "microsoft-edge",
                ("/etc/opt/edge/native-messaging-hosts",),
                "Microsoft Edge", "/Library/Microsoft/Edge/NativeMessagingHosts",
                r"Software\Microsoft\Edge\NativeMessagingHosts",
                ("microsoft-edge", "microsoft-edge-stable"), "Microsoft Edge.app", None, "com.microsoft.Edge"),
        # Brave and Vivaldi on Linux read no system folder of their own, only Chrome's (traced).
        Browser("brave", "Brave", "chromium", "BraveSoftware/Brave-Browser",
                ("/etc/opt/chrome/native-messaging-hosts",),
                "BraveSoftware/Brave-Browser",
                "/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
                r"Software\Google\Chrome\NativeMessagingHosts",  # Windows: Brave reads Chrome's key
                ("brave-browser", "brave"), "Brave Browser.app", "brave", "com.brave.Browser"),
        Browser("vivaldi", "Vivaldi", "chromium", "vivaldi",
                ("/etc/opt/chrome/native-messaging-hosts",),
                "Vivaldi", "/Library/Application Support/Vivaldi/NativeMessagingHosts",
                r"Software\Google\Chrome\NativeMessagingHosts",  # Windows: Vivaldi reads Chrome's key
                ("vivaldi", "vivaldi-stable"), "Vivaldi.app", None, "com.vivaldi.Vivaldi"),
        # Chrome's and Edge's other channels: their own user folders, the stable channel's system
        # folder and registry key (as KeePassXC's and browserpass's installers register them).
        *(Browser(f"chrome-{ch}", f"Google Chrome {ch.title()}", "chromium", linux,
                  ("/etc/opt/chrome/native-messaging-hosts",),
                  f"Google/Chrome {ch.title()}", "/Library/Google/Chrome/NativeMessagingHosts",
                  r"Software\Google\Chrome\NativeMessagingHosts",
                  (linux,), f"Google Chrome {ch.title()}.app", None, "")
          for ch, linux in (("beta", "google-chrome-beta"), ("dev", "google-chrome-unstable"),
                            ("canary", "google-chrome-canary"))),
        *(Browser(f"edge-{ch}", f"Microsoft Edge {ch.title()}", "chromium", f"microsoft-edge-{ch}",
                  ("/etc/opt/edge/native-messaging-hosts",),
                  f"Microsoft Edge {ch.title()}", "/Library/Microsoft/Edge/NativeMessagingHosts",
                  r"Software\Microsoft\Edge\NativeMessagingHosts",
                  (f"microsoft-edge-{ch}",), f"Microsoft Edge {ch.title()}.app", None, "")
          for ch in ("beta", "dev")),
        # Opera documents Chrome's registry key (Windows) and Chrome's system folder (macOS) as
        # the places it reads; per user it reads its own profile folder like every Chromium fork.
        # On Linux it has no system folder of its own documented; Chrome's is used as for Brave.
        Browser("opera", "Opera", "chromium", "opera",
                ("/etc/opt/chrome/native-messaging-hosts",),
                "com.operasoftware.Opera", "/Library/Google/Chrome/NativeMessagingHosts",
                r"Software\Google\Chrome\NativeMessagingHosts",
                ("opera", "opera-stable"), "Opera.app", "opera", "com.opera.Opera"),
        # Arc (The Browser Company) exists for macOS (and Windows, where it is a store app without a
        # documented native-messaging place); its profile root is "Arc/User Data".
        Browser("arc", "Arc", "chromium", "",
                (), "Arc/User Data", "/Library/Google/Chrome/NativeMessagingHosts",
                "", (), "Arc.app", None, "", platforms=("darwin",)),
        # Firefox forks with folders of their own.
        Browser("librewolf", "LibreWolf", "firefox", ".librewolf/native-messaging-hosts",
                ("/usr/lib/librewolf/native-messaging-hosts",),
                "librewolf", "/Library/Application Support/librewolf/NativeMessagingHosts",
                r"Software\LibreWolf\NativeMessagingHosts",
                ("librewolf",), "LibreWolf.app", None, "io.gitlab.librewolf-community"),
        Browser("waterfox", "Waterfox", "firefox", ".waterfox/native-messaging-hosts",
                ("/usr/lib/waterfox/native-messaging-hosts",),
                "Waterfox", "/Library/Application Support/Waterfox/NativeMessagingHosts",
                r"Software\Waterfox\NativeMessagingHosts",
                ("waterfox",), "Waterfox.app", None, ""),
        # Firefox: Debian-style builds read /usr/lib/mozilla, Fedora-style builds /usr/lib64/mozilla.
        Browser("firefox", "Firefox", "firefox", ".mozilla/native-messaging-hosts",
                ("/usr/lib/mozilla/native-messaging-hosts", "/usr/lib64/mozilla/native-messaging-hosts"),
                "Mozilla", "/Library/Application Support/Mozilla/NativeMessagingHosts",
                r"Software\Mozilla\NativeMessagingHosts",
                ("firefox", "firefox-esr"), "Firefox.app", "firefox", "org.mozilla.firefox"),
        # Zen reads Firefox's folders and Firefox's registry key on every system (its ~/.zen folder
        # holds only its profiles), so it shares Firefox's manifest. It comes after Firefox because
        # doctor names the first browser of a shared file.
        Browser("zen", "Zen", "firefox", ".mozilla/native-messaging-hosts",
                ("/usr/lib/mozilla/native-messaging-hosts", "/usr/lib64/mozilla/native-messaging-hosts"),
                "Mozilla", "/Library/Application Support/Mozilla/NativeMessagingHosts",
                r"Software\Mozilla\NativeMessagingHosts",
                ("zen", "zen-browser"), "Zen.app", None, "app.zen_browser.zen"),
    )
}
BROWSER_NAMES = tuple(BROWSERS)


def manifest_file_name(browser: Browser, platform: str | None = None) -> str:
    """Linux and macOS demand `<host name>.json`; on Windows the registry names the file."""
    if (platform or sys.platform) == "win32":
        return f"{HOST_NAME}.{browser.family}.json"
    return f"{HOST_NAME}.json"


def manifest_dir(
    browser: Browser,
    scope: str,
    env: Env | None = None,
    platform: str | None = None,
    profile_dir: Path | None = None,
) -> list[Path]:
    """Folders where `browser` reads the manifest for `scope` ("user", "system" or "profile").

    Usually one; Firefox's system scope on Linux has two (see `BROWSERS`), of which only the ones
    whose `/usr/lib*` exists are returned. On Windows the folder is ours and the registry points
    to it (see `installer.registry_entries`).
    """
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not available_on(browser, platform):
        return []
    if platform == "win32":
        return [launcher_dir(scope == "system", env, platform)]
    if scope == "profile":
        if profile_dir is None:
            raise ValueError("profile scope needs profile_dir")
        return [Path(profile_dir) / "NativeMessagingHosts"]
    if platform == "darwin":
        if scope == "system":
            return [under_root(env, browser.mac_system)]
        base = _home(env) / "Library" / "Application Support" / browser.mac_user
        return [base / ("NativeMessagingHosts")]
    if scope == "system":
        dirs = [under_root(env, d) for d in browser.linux_system]
        existing = [d for d in dirs if d.parent.parent.is_dir() and not d.parent.parent.is_symlink()]
        return existing or dirs[:1]
    if browser.family == "firefox":
        return [_home(env) / browser.linux_user]
    config = Path(env.get("XDG_CONFIG_HOME") or _home(env) / ".config")
    return [config / browser.linux_user / "NativeMessagingHosts"]


def available_on(browser: Browser, platform: str | None = None) -> bool:
    return (platform or sys.platform) in browser.platforms


def registry_hive(system: bool) -> str:
    return "HKEY_LOCAL_MACHINE" if system else "HKEY_CURRENT_USER"


def is_present(browser: Browser, env: Env | None = None, platform: str | None = None) -> bool:
    """Best guess whether the browser is installed natively for this user (Linux and macOS)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not available_on(browser, platform):
        return False
    if platform == "darwin":
        home_app = _home(env) / "Applications" / browser.mac_app
        return (under_root(env, "/Applications") / browser.mac_app).exists() or home_app.exists()
    if platform == "win32":
        return False
    # A profile the browser made itself (our own install creates NativeMessagingHosts/, so that
    # folder alone proves nothing).
    if browser.name in _PROFILES_INI:
        made = _home(env) / _PROFILES_INI[browser.name]
    elif browser.family == "firefox":  # a fork keeps profiles.ini in its own dot folder
        made = _home(env) / Path(browser.linux_user).parts[0] / "profiles.ini"
    else:
        made = manifest_dir(browser, "user", env, platform)[0].parent / "Local State"
    if made.is_file():
        return True
    path = env.get("PATH", "")
    for binary in browser.binaries:
        found = shutil.which(binary, path=path)
        if found and not _is_snap_wrapper(found, env):
            return True
    return False


# Where a Firefox-family browser keeps profiles.ini when its manifest folder does not tell.
_PROFILES_INI = {"firefox": ".mozilla/firefox/profiles.ini", "zen": ".zen/profiles.ini"}


def _is_snap_wrapper(found: str, env: Env) -> bool:
    """Ubuntu's `chromium-browser` deb is only a script that starts the snap."""
    resolved = os.path.realpath(found)
    if "/snap/" in resolved:
        return True
    try:
        with open(resolved, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and b"/snap/bin/" in head
