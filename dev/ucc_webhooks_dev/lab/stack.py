"""One browser with the real extension and the real host, pointed at the lab softphone.

`BrowserLab` does what a user does, in order: register the host into the browser profile with
`ucc-webhooks install`, start the browser with the extension (the test copy that pre-grants the
page's origin), set the extension's settings (`uccOrigins`, `queueRule`, `userName`), open the
softphone page and wait until it is registered at the SIP server. The e2e tests and the demo use it:

    with SipServer() as sip, SoftphoneServer() as page_server:
        lab = BrowserLab("chromium", tmp, sip, page_server).start()
        try:
            lab.host.add("incoming_call_accepted", "open_tab", "http://crm/?n={caller}")
            ... lab.page.answer() ...
        finally:
            lab.stop()
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID
from ucc_webhooks_dev.lab import browser as lab_browser
from ucc_webhooks_dev.lab.extension import DEFAULT_QUEUE_RULE, ExtensionPages
from ucc_webhooks_dev.lab.hostenv import HostEnv
from ucc_webhooks_dev.lab.phonepage import PhonePage
from ucc_webhooks_dev.lab.sipserver import SipServer
from ucc_webhooks_dev.lab.softphone import SoftphoneServer

__all__ = ["BrowserLab"]


class BrowserLab:
    """`kind` is "chromium" or "firefox"; everything lives under `root` (kept for a restart)."""

    def __init__(self, kind: str, root: Path, sip: SipServer, softphone: SoftphoneServer, *,
                 user: str = "agent200", queue_rule: dict | None = None, user_name: str | None = None,
                 configure: bool = True, install: bool = True, headless: bool = True,
                 browser_args: list[str] | None = None, browser_env: dict[str, str] | None = None,
                 browser_prefs: dict[str, object] | None = None) -> None:
        if kind not in ("chromium", "firefox"):
            raise ValueError(f"unknown browser {kind!r}")
        self.kind = kind
        self.root = Path(root)
        self.sip = sip
        self.softphone = softphone
        self.user = user
        self.settings: dict[str, Any] = {
            "uccOrigins": [softphone.match_pattern],
            "queueRule": DEFAULT_QUEUE_RULE if queue_rule is None else queue_rule,
        }
        if user_name is not None:
            self.settings["userName"] = user_name
        self.configure_on_start = configure
        self.headless = headless  # the demo shows the browser where a display exists
        self.browser_args = list(browser_args or [])  # Chromium only
        # e.g. LANGUAGE=de: Chromium on Linux takes its UI language from the environment, not --lang
        self.browser_env = dict(browser_env or {})  # both browsers (e.g. the lab's D-Bus for notifications)
        self.browser_prefs = dict(browser_prefs or {})  # Firefox only: profile preferences
        self.host = HostEnv(self.root / "host")
        self.extension_dir = self.root / "extension"
        self.profile_dir = self.root / "profile"
        self.session: lab_browser.BrowserSession | None = None
        self.ext: ExtensionPages | None = None
        self.page: PhonePage | None = None
        self._registered = not install  # install=False: a browser whose user never ran `install`

    @property
    def driver(self) -> Any:
        assert self.session is not None, "BrowserLab.start() first"
        return self.session.driver

    def start(self) -> BrowserLab:
        """Install, start the browser, configure the extension, open the registered softphone."""
        if not self.extension_dir.exists():
            lab_browser.test_extension_copy(self.extension_dir, [self.softphone.match_pattern])
        if not self._registered:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            if self.kind == "chromium":
                self.host.install_chromium(self.profile_dir)
            else:
                self.host.install_firefox()
            self._registered = True
        try:
            self._start_browser()
            self.ext = ExtensionPages(self.driver, self.kind, self.extension_dir)
            try:
                if self.configure_on_start:
                    self.ext.configure(self.settings)
                    self.configure_on_start = False  # a restart must find them in the profile
                else:
                    # After a restart the worker registers the observer again from the stored settings;
                    # a page loaded before that is not observed, so wait for it (by condition).
                    self.ext.wait_registered(self.settings["uccOrigins"])
            except Exception:
                if self.kind == "chromium":  # asked only now: reading chrome://extensions costs a tab
                    self.session.require_extension(CHROMIUM_EXTENSION_ID)  # raises with Chromium's load error
                raise
            self.page = PhonePage(self.driver, self.softphone.url(ws=self.sip.ws_url, user=self.user)).open()
        except BaseException:
            self.stop_browser()
            raise
        return self

    def _start_browser(self) -> None:
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        if self.kind == "chromium":
            self.session = lab_browser.chromium(self.profile_dir, self.extension_dir, env={**self.host.environ, **self.browser_env},
                                                log_path=logs / "chromedriver.log", headless=self.headless,
                                                extra_args=self.browser_args)
        else:
            addon = lab_browser.zip_extension(self.extension_dir, self.root / "extension.zip")
            self.session = lab_browser.firefox(self.profile_dir, addon, env={**self.host.environ, **self.browser_env},
                                               log_path=logs / "geckodriver.log", headless=self.headless,
                                               prefs=self.browser_prefs)

    def restart(self) -> BrowserLab:
        """Quit the browser and start it again with the same profile (Chromium keeps its settings)."""
        self.stop_browser()
        return self.start()

    def reload_page(self) -> None:
        """Open the softphone afresh in its tab (new JsSIP UA, new registration)."""
        assert self.page is not None
        self.page.focus()
        self.page.open()

    def close_other_tabs(self) -> None:
        """Close every tab but the softphone's (opened CRM tabs, extension pages)."""
        assert self.page is not None and self.page.handle is not None
        for handle in list(self.driver.window_handles):
            if handle != self.page.handle:
                self.driver.switch_to.window(handle)
                self.driver.close()
        self.driver.switch_to.window(self.page.handle)

    def stop_browser(self) -> None:
        if self.session is not None:
            self.session.quit()
            self.session = None
        # hosts the browser started end with it (end of stdin); any left over are ours to stop
        self.host.kill_hosts()

    def stop(self, remove: bool = False) -> None:
        self.stop_browser()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)
