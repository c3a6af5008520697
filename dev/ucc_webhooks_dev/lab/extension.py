"""The extension's own pages in a lab browser: settings in `storage.local`, the popup, the options.

Settings are written the way the options page writes them (`storage.local.set` from an extension
page), then the lab waits, by condition, until the service worker has registered the observer for
the configured origins (`scripting.getRegisteredContentScripts`), as ARCHITECTURE.md ("Extension settings") describes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID
from ucc_webhooks_dev.lab.browser import FIREFOX_EXTENSION_UUID

__all__ = ["DEFAULT_QUEUE_RULE", "FIREFOX_EXTENSION_UUID", "ExtensionPages"]

#: The queue rule the tests use unless they say otherwise.
DEFAULT_QUEUE_RULE = {"header": "X-Queue", "displayNamePattern": None}

_API = "const api = globalThis.browser || globalThis.chrome;"

#: Ends the page script once the observer is registered for every one of `origins` (within `timeoutMs`).
_WAIT_REGISTERED = """(async () => {
  const deadline = Date.now() + timeoutMs;
  let scripts = [];
  while (Date.now() < deadline) {
    scripts = await api.scripting.getRegisteredContentScripts();
    const matched = scripts.filter((s) => !id || s.id === id).flatMap((s) => s.matches || []);
    if (origins.every((o) => matched.includes(o))) { return done(null); }
    await new Promise((r) => setTimeout(r, 50));
  }
  done({__error: 'the service worker did not register the observer for ' + origins.join(', ') +
        ' within ' + timeoutMs + ' ms (registered: ' + JSON.stringify(scripts) + ')'});
})().catch((e) => done({__error: String(e)}))"""


class ExtensionPages:
    """Open and script the extension's pages in `driver` (a browser that has the extension)."""

    def __init__(self, driver: Any, browser: str, extension_dir: Path) -> None:
        self.driver = driver
        self.extension_dir = extension_dir
        self.browser = browser
        self.manifest = json.loads((extension_dir / "manifest.json").read_text(encoding="utf-8"))
        if browser == "firefox":
            self.base = f"moz-extension://{FIREFOX_EXTENSION_UUID}/"
        else:
            self.base = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"

    # -- addresses --------------------------------------------------------------------------
    @property
    def popup_url(self) -> str:
        popup = (self.manifest.get("action") or self.manifest.get("browser_action") or {}).get("default_popup")
        if not popup:
            raise LookupError("manifest.json has no action.default_popup")
        return self.base + popup.lstrip("/")

    @property
    def options_url(self) -> str:
        page = (self.manifest.get("options_ui") or {}).get("page") or self.manifest.get("options_page")
        if not page:
            raise LookupError("manifest.json has no options_ui.page / options_page")
        return self.base + page.lstrip("/")

    @property
    def script_page_url(self) -> str:
        """An extension page to run storage/scripting calls in: options, else the popup."""
        for url in (self.options_url, self.popup_url):
            if (self.extension_dir / url[len(self.base):]).is_file():
                return url
        raise LookupError("the extension has neither an options page nor a popup file")

    # -- tabs -------------------------------------------------------------------------------
    def open_tab(self, url: str) -> str:
        """Open `url` in a new tab, switch to it, wait for the document; returns its handle."""
        if url.startswith("moz-extension:"):
            self._open_firefox_extension_tab(url)
        else:
            self.driver.switch_to.new_window("tab")
            self.driver.get(url)
        WebDriverWait(self.driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
        return self.driver.current_window_handle

    def _open_firefox_extension_tab(self, url: str) -> None:
        """Marionette will not navigate to moz-extension:// ("not allowed in this context"); the
        browser's own chrome code may, so the tab is opened from there with the system principal."""
        driver = self.driver
        before = set(driver.window_handles)
        with driver.context(driver.CONTEXT_CHROME):
            driver.execute_script(
                "gBrowser.selectedTab = gBrowser.addTab(arguments[0],"
                " {triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal()});", url)
        WebDriverWait(driver, 10).until(lambda d: set(d.window_handles) - before)
        (handle,) = set(driver.window_handles) - before
        driver.switch_to.window(handle)
        WebDriverWait(driver, 10).until(lambda d: d.current_url.startswith(url.split("#")[0]))

    def close_tab(self, back_to: str | None) -> None:
        self.driver.close()
        if back_to:
            self.driver.switch_to.window(back_to)

    def _in_extension_page(self, script: str, *args: Any) -> Any:
        """Run an async script (ends by calling `done(value)`) in an extension page, then come back."""
        back = self.driver.current_window_handle if self.driver.window_handles else None
        self.open_tab(self.script_page_url)
        try:
            self.driver.set_script_timeout(15)
            result = self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];" + _API + script, *args)
        finally:
            self.close_tab(back)
        if isinstance(result, dict) and result.get("__error"):
            raise RuntimeError(f"extension page script failed: {result['__error']}")
        return result

    # -- settings ---------------------------------------------------------------------------
    def configure(self, settings: dict[str, Any], wait_for_origins: bool = True) -> None:
        """`storage.local.set(settings)`; with `uccOrigins`, wait until the observer is registered
        (in the same extension page: one tab, not two)."""
        origins = settings.get("uccOrigins") if wait_for_origins else None
        self._in_extension_page(
            "const [settings, origins, timeoutMs, id] = [arguments[0], arguments[1], arguments[2], arguments[3]];"
            "api.storage.local.set(settings).then(() => origins && origins.length ? " + _WAIT_REGISTERED + " : done(null),"
            " (e) => done({__error: String(e)}));",
            settings, origins, 10000, None)

    def wait_registered(self, origins: list[str], timeout_ms: int = 10000, script_id: str | None = None) -> None:
        """Wait until the service worker has registered the observer for every one of `origins`
        (with `script_id`: that registration, e.g. the workers-watching one, names them all)."""
        self._in_extension_page(
            "const [origins, timeoutMs, id] = [arguments[0], arguments[1], arguments[2]];" + _WAIT_REGISTERED + ";",
            origins, timeout_ms, script_id)

    def storage(self, keys: list[str] | None = None) -> dict[str, Any]:
        return self._in_extension_page(
            "api.storage.local.get(arguments[0]).then(done, (e) => done({__error: String(e)}));", keys)

    def page_states(self) -> dict[str, Any]:
        """What the worker keeps of each UCC tab's worker report (`page.states`): {tabId: {workers, sipSeen, url, at}}."""
        return self._in_extension_page(
            "api.runtime.sendMessage({type: 'page.states'}).then((r) => done(r && r.ok ? r.result : {__error: JSON.stringify(r)}),"
            " (e) => done({__error: String(e)}));")

    def tab_id(self, url_prefix: str) -> int:
        """The id of the open tab whose URL starts with `url_prefix`."""
        found = self._in_extension_page(
            "api.tabs.query({}).then((tabs) => done(tabs.filter((t) => (t.url || '').startsWith(arguments[0])).map((t) => t.id)),"
            " (e) => done({__error: String(e)}));", url_prefix)
        if len(found) != 1:
            raise LookupError(f"{len(found)} tabs start with {url_prefix}")
        return found[0]

    def session_set(self, values: dict[str, Any]) -> None:
        """`storage.session.set(values)`: where the worker keeps what it must not lose while it sleeps."""
        self._in_extension_page(
            "api.storage.session.set(arguments[0]).then(() => done(null), (e) => done({__error: String(e)}));", values)

    def drops(self) -> dict[str, Any]:
        """What the worker dropped (`drops.get`): {count, byReason, last}."""
        return self._in_extension_page(
            "api.runtime.sendMessage({type: 'drops.get'}).then((r) => done(r && r.ok ? r.result : {__error: JSON.stringify(r)}),"
            " (e) => done({__error: String(e)}));")
