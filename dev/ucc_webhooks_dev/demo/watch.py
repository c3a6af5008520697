"""Watch a running demo call: the softphone's events, the tabs the extension opens, the CRM's requests.

Everything runs on the caller's thread (Selenium is not thread-safe): `until(condition)` and
`pause(seconds)` poll the page and the browser's tab list ten times a second and hand what they
find, with its own time, to the console, which prints it in time order.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from ucc_webhooks_dev.demo.browser import page_tabs
from ucc_webhooks_dev.demo.console import Console, describe_page_event
from ucc_webhooks_dev.demo.crm import Crm

__all__ = ["WatchTimeout", "Watcher"]


class WatchTimeout(Exception):
    """What the demo waited for did not happen in time; the message says what it was."""


class Watcher:
    def __init__(self, console: Console, page: Any, crm: Crm) -> None:
        self.console = console
        self.page = page
        self.crm = crm
        self.events: list[dict] = []        # the softphone page's events, as seen so far
        self.opened_tabs: list[tuple[str, str]] = []  # (handle, url) of tabs the extension opened
        self._calls: dict[int, dict] = {}   # call index -> what describe_page_event keeps
        self._known_tabs = set(page_tabs(page.driver))
        self._claimed: set[int] = set()     # ids of CRM requests already matched to an opened tab

    def ignore_tab(self, handle: str) -> None:
        """A tab the demo opened itself (the popup): not the extension's doing."""
        self._known_tabs.add(handle)

    def mark_queue(self, index: int, queue: str) -> None:
        """Call `index` came through `queue` (the demo knows: it sent the X-Queue header)."""
        self._calls.setdefault(index, {})["queue"] = queue

    def seen(self, kind: str, index: int) -> bool:
        """The softphone reported event `kind` ("new", "accepted", "ended") for call `index`."""
        return any(e.get("type") == kind and e.get("call") == index for e in self.events)

    def until(self, condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if condition():
                return
            if time.monotonic() > deadline:
                raise WatchTimeout(f"waited {timeout:.0f} s for {what}; it did not happen")
            time.sleep(0.1)

    def pause(self, seconds: float) -> None:
        """A pause a person would make (let it ring, talk), still printing what happens."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump()
            time.sleep(0.1)

    def pump(self, hold: float = 0.4) -> None:
        """Hand the new softphone events and tabs to the console; print what is older than `hold`."""
        for event in self.page.js("return phone.events.slice(arguments[0])", len(self.events)):
            self.events.append(event)
            line = describe_page_event(event, self._calls)
            if line:
                self.console.later("phone", line, event.get("at") or time.time())
        for handle, url in page_tabs(self.page.driver).items():
            if handle not in self._known_tabs and url.startswith(("http://", "https://")):
                self._known_tabs.add(handle)
                self.opened_tabs.append((handle, url))
                self.console.later("tab", f"the extension opened a tab: {url}", self._tab_time(url))
        self.console.flush(hold)

    def _tab_time(self, url: str) -> float:
        """When the tab opened: just before the CRM saw the tab's request, if it already did."""
        parts = urllib.parse.urlsplit(url)
        wanted = parts.path + ("?" + parts.query if parts.query else "")
        for request in list(self.crm.requests):
            if not request.from_webhook and request.raw_path == wanted and id(request) not in self._claimed:
                self._claimed.add(id(request))
                return request.received_at - 0.01
        return time.time()
