"""A page cannot turn the extension against its user (Chromium and Firefox, real host, Kamailio +
SIPp): scripts on the UCC page that forge call events cannot write the observer's channel, so a
real call after a flood of 1,000 forged events still fires exactly once and opens its screen pop;
the page bridge is off unless switched on (in the options page), and then bounded by a budget of
its own; drops are counted apart (`drops.get`, and the popup's log)."""

from __future__ import annotations

import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.net import wait_until

from .e2e_support import CALLER, assert_quiet

pytestmark = pytest.mark.browser

BRIDGE_EVENTS = 60  # extension/bg/guard.js LIMITS.bridgeEventsPerTabPerMinute
BRIDGE_TABS = 4  # LIMITS.bridgeTabsPerMinute

FORGE = """
const [n, trigger] = arguments;
const now = Date.now() / 1000;
for (let i = 0; i < n; i++) {
  window.dispatchEvent(new CustomEvent('ucc-webhooks:call', {detail: {
    trigger, call_id: 'forged-' + trigger + '-' + i + '-' + Math.random(), direction: 'incoming', queue: null,
    callee: '200', caller: String(1000 + i), caller_name: null, user: null,
    started_at: now - 1, answered_at: trigger === 'incoming_call_accepted' ? now : null, ended_at: null, duration: null}}));
}
"""
# The same, on the observer's handshake names: what a page that read our source might try.
HANDSHAKE = """
const heard = [];
for (const t of ['ucc-webhooks:bridge-hello', 'ucc-webhooks:observer-hello', 'ucc-webhooks:config']) {
  window.addEventListener(t, (e) => heard.push(t));
}
window.dispatchEvent(new Event('ucc-webhooks:observer-hello'));
window.dispatchEvent(new CustomEvent('ucc-webhooks:bridge-hello', {detail: 'f'.repeat(32)}));
return heard;
"""


@pytest.fixture(params=["chromium", "firefox"])
def lab(request):
    return request.getfixturevalue(request.param)


STORED_BRIDGE = ("const done = arguments[arguments.length - 1];"
                 "(globalThis.browser || globalThis.chrome).storage.local.get('pageBridge').then((r) => done(r.pageBridge === true));")


def set_bridge(lab, on: bool, receiver) -> None:
    """Switch the page bridge as a person does, in the options page (off unless switched on); when
    on, wait until the page's content script took it (probe events: each one the content script
    heard spent one of the bridge's budget, see `probes`)."""
    driver = lab.driver
    lab.ext.open_tab(lab.ext.options_url)
    try:
        box = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "page-bridge"))
        WebDriverWait(driver, 10).until(lambda d: d.execute_async_script(STORED_BRIDGE) == box.is_selected())
        if box.is_selected() != on:
            box.click()
        WebDriverWait(driver, 10).until(lambda d: d.execute_async_script(STORED_BRIDGE) is on, "pageBridge not saved")
    finally:
        lab.ext.close_tab(lab.page.handle)
    if not on:
        return
    lab.host.add("incoming_call_missed", "get", receiver.url("/probe"), name="e2e bridge probe")

    def took() -> bool:
        lab.page.js(FORGE, 1, "incoming_call_missed")
        try:
            receiver.wait_for(1, 2.0, path="/probe")
            return True
        except TimeoutError:
            return False

    wait_until(took, 15, "the page bridge to be switched on in the page")


def probes(receiver) -> int:
    """The probes that reached the host, each one event of the bridge's budget."""
    return len([r for r in receiver.requests if r.path == "/probe"])


def fresh_tab(lab) -> None:
    """The softphone in a new tab (the old one closed): budgets are per tab and minute, and an
    earlier test in this browser may have spent the one of the tab the lab keeps reloading."""
    driver = lab.driver
    old = lab.page.handle
    driver.switch_to.new_window("tab")
    lab.page.open()
    driver.switch_to.window(old)
    driver.close()
    driver.switch_to.window(lab.page.handle)


def drops_since(before: dict, lab) -> dict:
    """What the worker dropped since `before` (its byReason), by reason; the log lives as long as the browser."""
    now = lab.ext.drops()["byReason"]
    return {k: n - before.get(k, 0) for k, n in now.items() if n != before.get(k, 0)}


def hooks(lab, receiver) -> None:
    lab.host.add("incoming_call_ringing", "get", receiver.url("/ring") + "?caller={caller}", name="e2e ring")
    lab.host.add("incoming_call_accepted", "open_tab", receiver.url("/crm") + "?caller={caller}", name="e2e pop")


def of_caller(receiver, path: str, caller: str) -> list:
    return [r for r in receiver.requests if r.path == path and r.query.get("caller") == [caller]]


def real_call_fires_once_and_pops(lab, remote, receiver, tabs_before: int) -> None:
    """A call through Kamailio and SIPp, answered in the page: one ringing, one screen pop (a new tab)."""
    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, talk_ms=800)
    lab.page.wait_calls(1)
    lab.page.answer()
    wait_until(lambda: of_caller(receiver, "/crm", CALLER), 20, "the real call's screen pop")
    run.wait()
    assert len(of_caller(receiver, "/ring", CALLER)) == 1
    assert len(of_caller(receiver, "/crm", CALLER)) == 1
    driver = lab.driver
    WebDriverWait(driver, 10, 0.2).until(lambda d: len(d.window_handles) == tabs_before + 1, "no screen-pop tab")
    urls = []
    for handle in driver.window_handles:
        driver.switch_to.window(handle)
        urls.append(driver.current_url)
    lab.page.focus()
    assert [u for u in urls if urllib.parse.parse_qs(urllib.parse.urlsplit(u).query).get("caller") == [CALLER]]


def test_with_the_bridge_off_forged_events_are_ignored_and_the_real_call_fires_once(lab, receiver, remote):
    set_bridge(lab, False, receiver)
    before = lab.ext.drops()["byReason"]
    hooks(lab, receiver)
    tabs = len(lab.driver.window_handles)
    lab.page.js(FORGE, 1000, "incoming_call_accepted")
    lab.page.js(FORGE, 1000, "incoming_call_ringing")
    assert lab.page.js(HANDSHAKE) == ["ucc-webhooks:observer-hello", "ucc-webhooks:bridge-hello"], "heard only itself"
    real_call_fires_once_and_pops(lab, remote, receiver, tabs)
    assert_quiet(receiver, 1, path="/ring")
    assert_quiet(receiver, 1, path="/crm")  # nothing forged got through
    assert drops_since(before, lab) == {}, "nothing forged even reached the worker"


def test_with_the_bridge_on_a_flood_spends_its_own_budget_and_the_real_call_still_pops(lab, receiver, remote):
    try:
        fresh_tab(lab)
        before = lab.ext.drops()["byReason"]
        set_bridge(lab, True, receiver)
        hooks(lab, receiver)
        tabs = len(lab.driver.window_handles)
        lab.page.js(FORGE, 1000, "incoming_call_accepted")
        receiver.wait_for(BRIDGE_TABS, 15.0, path="/crm")
        WebDriverWait(lab.driver, 10, 0.2).until(lambda d: len(d.window_handles) == tabs + BRIDGE_TABS)
        lab.page.focus()
        real_call_fires_once_and_pops(lab, remote, receiver, tabs + BRIDGE_TABS)
        assert_quiet(receiver, BRIDGE_TABS + 1, path="/crm")
        spent = probes(receiver)
        assert drops_since(before, lab) == {"bridge_rate_limited": 1000 - (BRIDGE_EVENTS - spent),
                                            "bridge_tab_limit": BRIDGE_EVENTS - spent - BRIDGE_TABS}
    finally:
        set_bridge(lab, False, receiver)


def test_the_bridge_when_on_fires_like_an_observed_call_within_its_budget(lab, receiver):
    try:
        fresh_tab(lab)
        before = lab.ext.drops()["byReason"]
        set_bridge(lab, True, receiver)
        lab.host.add("incoming_call_ringing", "get", receiver.url("/ring") + "?c={caller}", name="e2e ring")
        lab.page.js(FORGE, 1000, "incoming_call_ringing")
        rings = lambda: [r for r in receiver.requests if r.path == "/ring"]  # noqa: E731
        wait_until(lambda: len(rings()) + probes(receiver) >= BRIDGE_EVENTS, 15, "the bridge's budget of events")
        spent = probes(receiver)
        assert_quiet(receiver, BRIDGE_EVENTS - spent, path="/ring")
        assert probes(receiver) == spent
        assert rings()[0].query["c"] == ["1000"]
        assert drops_since(before, lab) == {"bridge_rate_limited": 1000 - (BRIDGE_EVENTS - spent)}
        drops = lab.ext.drops()
        assert drops["count"] == sum(drops["byReason"].values())
        assert len(drops["last"]) == 20 and drops["last"][-1]["reason"] == "bridge_rate_limited"
        # where drops are shown: the popup's log, the bridge's own line
        lab.ext.open_tab(lab.ext.popup_url)  # a tab: headless browsers show no toolbar
        driver = lab.driver
        try:
            driver.find_element(By.ID, "tab-log").click()
            line = WebDriverWait(driver, 10).until(
                lambda d: d.find_element(By.CSS_SELECTOR, '#drop-list li[data-reason="bridge_rate_limited"]'))
            assert line.text.endswith("page bridge: too many call events from one tab in a minute"), line.text
        finally:
            lab.ext.close_tab(lab.page.handle)
    finally:
        set_bridge(lab, False, receiver)
