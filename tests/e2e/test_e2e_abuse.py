"""A page cannot turn the extension against its user (headless Chromium, real host): a script on the
UCC page that forges call events gets bounded work, and what was dropped is counted."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import assert_quiet

pytestmark = pytest.mark.browser

TAB_CAP = 4  # extension/bg/guard.js LIMITS.tabsPerMinute
EVENTS_PER_TAB = 120  # LIMITS.eventsPerTabPerMinute

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


def test_200_forged_accepted_events_open_no_more_tabs_than_the_cap(chromium, receiver):
    chromium.host.add("incoming_call_accepted", "open_tab", receiver.url("/crm") + "?caller={caller}", name="e2e pop")
    handles = len(chromium.driver.window_handles)
    chromium.page.js(FORGE, 200, "incoming_call_accepted")
    receiver.wait_for(TAB_CAP, 15.0, path="/crm")
    assert_quiet(receiver, TAB_CAP, path="/crm")
    chromium.driver.switch_to.window(chromium.page.handle)
    assert len(chromium.driver.window_handles) == handles + TAB_CAP
    drops = chromium.ext.drops()
    assert drops["byReason"].get("rate_limited") == 200 - EVENTS_PER_TAB, drops
    assert drops["byReason"].get("tab_limit") == EVENTS_PER_TAB - TAB_CAP, drops
    assert drops["count"] == sum(drops["byReason"].values())
    assert len(drops["last"]) == 20


def test_a_ringing_flood_reaches_the_host_within_the_per_tab_bound(chromium, receiver):
    chromium.host.add("incoming_call_ringing", "get", receiver.url("/ring") + "?c={caller}", name="e2e ring")
    # a tab of its own: the budget is per tab and minute, and the tab of the test above spent its own
    driver = chromium.driver
    driver.switch_to.new_window("tab")
    driver.get(chromium.softphone.url(ws=chromium.sip.ws_url, register="0"))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return Boolean(window.phone)"))
    driver.execute_script(FORGE, 1000, "incoming_call_ringing")
    receiver.wait_for(EVENTS_PER_TAB, 15.0, path="/ring")
    assert_quiet(receiver, EVENTS_PER_TAB)
