"""Drive the lab softphone page in a Selenium browser: `window.phone` as a Python object.

Every wait is a WebDriverWait on the page's own event list, never a sleep.
"""

from __future__ import annotations

from typing import Any

from selenium.webdriver.support.ui import WebDriverWait

__all__ = ["OBSERVER_PROBE", "PhonePage"]

# `window.Function`, not `Function`: geckodriver runs a script in a sandbox of its own, whose
# globals are not the page's.
OBSERVER_PROBE = ("const toString = window.Function.prototype.toString;"
                  " return toString.call(toString, '\\u0000ucc-webhooks:probe') === '\\u0000ucc-webhooks:ours'")


class PhonePage:
    """The softphone in one tab of `driver`: `open()`, then call, answer, hang up, wait for events."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        self.url = url
        self.handle: str | None = None

    def open(self, timeout: float = 15.0) -> PhonePage:
        """Load the page in the current tab and wait until it is registered at the SIP server."""
        self.driver.get(self.url)
        self.handle = self.driver.current_window_handle
        self._wait(lambda: self.js("return window.phone && phone.registration") == "registered",
                   timeout, "softphone registration")
        return self

    def observed(self) -> bool:
        """Whether the extension's page step runs in this page.

        Its wrappers read as native code, so the test asks the question the page step's own
        injections ask each other (`extension/page/disguise.js`: PROBE answered by ANSWER).
        """
        return bool(self.js(OBSERVER_PROBE))

    def focus(self) -> None:
        if self.handle and self.driver.current_window_handle != self.handle:
            self.driver.switch_to.window(self.handle)

    def js(self, script: str, *args: Any) -> Any:
        self.focus()
        return self.driver.execute_script(script, *args)

    # -- actions ---------------------------------------------------------------------------
    def call(self, target: str) -> int:
        """Call `target` (a number or sip: URI); returns the call's index on this page."""
        return self.js("return phone.call(arguments[0])", target)

    def answer(self, index: int | None = None) -> None:
        self.js("phone.answer(arguments[0])", index)

    def reject(self, index: int | None = None, status: int = 486) -> None:
        self.js("phone.reject(arguments[0], arguments[1])", index, status)

    def hangup(self, index: int | None = None) -> None:
        self.js("phone.hangup(arguments[0])", index)

    def refer(self, target: str, index: int | None = None) -> None:
        """Blind transfer of the answered call to `target` (JsSIP `session.refer`)."""
        self.js("phone.refer(arguments[0], arguments[1])", index, target)

    def hold(self, index: int | None = None, timeout: float = 15.0) -> None:
        """Put the call on hold (re-INVITE) and wait until the remote party accepted it."""
        self._reinvite("hold", index, timeout)

    def unhold(self, index: int | None = None, timeout: float = 15.0) -> None:
        """Resume the call (re-INVITE) and wait until the remote party accepted it."""
        self._reinvite("unhold", index, timeout)

    def _reinvite(self, method: str, index: int | None, timeout: float) -> None:
        if index is None:
            index = self.js("return phone.calls.filter((c) => !['ended', 'failed'].includes(c.state)).pop().index")
        done = f"{method}_done"
        before = len(self.js("return phone.seen(arguments[0], arguments[1])", done, index))
        if self.js(f"return phone.{method}(arguments[0])", index) is False:
            raise RuntimeError(f"JsSIP refused {method} on call {index} (another re-INVITE in progress?)")
        self.wait_event(done, index, count=before + 1, timeout=timeout)

    # -- observation -----------------------------------------------------------------------
    def calls(self) -> list[dict[str, Any]]:
        return self.js("return phone.snapshot()")

    def events(self) -> list[dict[str, Any]]:
        return self.js("return phone.events")

    def wait_event(self, type_: str, index: int | None = None, count: int = 1, timeout: float = 15.0) -> list[dict]:
        """Wait until the page saw `count` events of `type_` (for call `index`, if given)."""
        found: list[dict] = []

        def seen() -> bool:
            nonlocal found
            found = self.js("return phone.seen(arguments[0], arguments[1])", type_, index)
            return len(found) >= count

        self._wait(seen, timeout, f"softphone event {type_!r} x{count} (call {index})")
        return found

    def wait_calls(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Wait until the page knows `count` calls (incoming INVITEs or outgoing calls)."""
        return self.wait_event("new", None, count, timeout)

    def _wait(self, condition, timeout: float, what: str) -> None:
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda _d: condition())
        except Exception as exc:
            events = self.driver.execute_script("return window.phone ? phone.events : 'no window.phone'")
            raise TimeoutError(f"{what}: not within {timeout}s; page events: {events}") from exc
