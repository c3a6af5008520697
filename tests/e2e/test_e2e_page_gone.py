"""No answered call without its end (Chromium and Firefox, Kamailio + SIPp): a call whose UCC tab is
reloaded, closed or navigated away during the call fires `incoming_call_ended` exactly once, at once, with
`{ended_by}` = `page_closed` and the talk time up to then as `{duration}`; an answered outgoing call
likewise ends `answered`. The remote party's BYE comes later and reaches no page (`uac_page_gone` and
`uas_page_gone` tolerate that). A page script's own `pagehide` event ends nothing."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import CALLER, assert_quiet, q

pytestmark = pytest.mark.browser

TALK_S = 2.0  # how long the agent talks before the page goes away: the duration the end must carry
ENDED = ("duration={duration}&ended_by={ended_by}&outcome={outcome}&caller={caller}"
         "&answered_at={answered_at}&ended_at={ended_at}")


@pytest.fixture(params=["chromium", "firefox"])
def lab(request):
    return request.getfixturevalue(request.param)


def answered_call(lab, remote, receiver):
    """A call through Kamailio, answered in the page; returns the SIPp run once `accepted` fired."""
    lab.host.add("incoming_call_accepted", "get", receiver.url("/hook/accepted"), name="e2e accepted")
    lab.host.add("incoming_call_ended", "get", receiver.url("/hook/ended") + "?" + ENDED, name="e2e ended")
    # The remote talks long enough for the test to take the page away; its BYE then finds no page.
    run = remote.call("agent200", "uac_page_gone", caller=CALLER, talk_ms=int((TALK_S + 3) * 1000))
    lab.page.wait_calls(1)
    lab.page.answer()
    lab.page.wait_event("confirmed", 0)
    receiver.wait_for(1, 15, path="/hook/accepted")
    return run


def check_end(receiver, gone_at: float) -> None:
    """One incoming_call_ended, page_closed, with the talk time up to the moment the page went away."""
    (hook,) = receiver.wait_for(1, 15, path="/hook/ended")
    ended = q(hook)
    assert (ended["ended_by"], ended["outcome"], ended["caller"]) == ("page_closed", "answered", CALLER)
    duration, answered_at, ended_at = int(ended["duration"]), int(ended["answered_at"]), int(ended["ended_at"])
    assert TALK_S - 1 <= duration <= TALK_S + 3, ended  # the talk, plus the test's own steps
    assert abs((ended_at - answered_at) - duration) <= 1, ended
    assert gone_at - 2 <= ended_at <= gone_at + 3, (ended, gone_at)  # at once, not when the remote hung up
    assert hook.received_at < gone_at + 5


def test_a_call_whose_tab_is_reloaded_ends_once_with_page_closed(lab, receiver, remote):
    run = answered_call(lab, remote, receiver)
    lab.page.js("window.dispatchEvent(new PageTransitionEvent('pagehide'))")  # a page script's own
    assert_quiet(receiver, 0, within=TALK_S, path="/hook/ended")  # during the talk: it ended nothing
    gone_at = time.time()
    lab.driver.refresh()  # the agent reloads the UCC tab during the call
    check_end(receiver, gone_at)
    WebDriverWait(lab.driver, 15, 0.1).until(
        lambda d: d.execute_script("return window.phone && phone.registration") == "registered")
    run.wait(30)  # the remote's BYE reached no page, and the scenario took that
    assert_quiet(receiver, 1, path="/hook/ended")


def test_a_call_whose_tab_is_closed_ends_once_with_page_closed(lab, receiver, remote):
    run = answered_call(lab, remote, receiver)
    driver = lab.driver
    page = lab.page.handle
    driver.switch_to.new_window("tab")  # the browser keeps a window when the UCC tab goes
    other = driver.current_window_handle
    driver.switch_to.window(page)
    time.sleep(TALK_S)  # the talk itself
    gone_at = time.time()
    driver.close()  # the agent closes the UCC tab during the call
    driver.switch_to.window(other)
    check_end(receiver, gone_at)
    run.wait(30)
    assert_quiet(receiver, 1, path="/hook/ended")
    lab.page.open()  # the softphone again, in the remaining tab, for the next test


def test_a_call_whose_tab_navigates_away_ends_once_with_page_closed(lab, receiver, remote):
    run = answered_call(lab, remote, receiver)
    time.sleep(TALK_S)  # the talk itself
    gone_at = time.time()
    lab.driver.get(receiver.url("/elsewhere"))  # the agent follows a link out of the UCC client
    check_end(receiver, gone_at)
    run.wait(30)
    assert_quiet(receiver, 1, path="/hook/ended")
    lab.page.open()


def test_an_answered_outgoing_call_whose_tab_is_reloaded_ends_once_answered(lab, receiver, remote):
    """An outgoing call's answer fires no trigger; the observer tells the worker, so its end says answered."""
    lab.host.add("outgoing_call_ended", "get", receiver.url("/hook/ended") + "?" + ENDED.replace("&caller={caller}", ""),
                 name="e2e out ended")
    target = remote.serve("uas_page_gone", number="0301234567", talk_ms=int((TALK_S + 3) * 1000))
    lab.page.call(target.uri)
    lab.page.wait_event("confirmed", 0)
    time.sleep(TALK_S)  # the talk itself
    gone_at = time.time()
    lab.driver.refresh()
    (hook,) = receiver.wait_for(1, 15, path="/hook/ended")
    ended = q(hook)
    assert (ended["ended_by"], ended["outcome"]) == ("page_closed", "answered"), ended
    assert TALK_S - 1 <= int(ended["duration"]) <= TALK_S + 3, ended
    assert gone_at - 2 <= int(ended["ended_at"]) <= gone_at + 3, (ended, gone_at)
    WebDriverWait(lab.driver, 15, 0.1).until(
        lambda d: d.execute_script("return window.phone && phone.registration") == "registered")
    target.wait(30)
    assert_quiet(receiver, 1, path="/hook/ended")


def stop_service_worker(driver) -> None:
    """Stop the extension's service worker, as Chromium does after 30 s idle (CDP Target.closeTarget)."""
    def ours() -> list[str]:
        targets = driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
        return [t["targetId"] for t in targets if t["type"] == "service_worker" and t["url"].startswith("chrome-extension://")]

    for target in ours():
        driver.execute_cdp_cmd("Target.closeTarget", {"targetId": target})
    WebDriverWait(driver, 10, 0.1).until(lambda d: not ours(), "the service worker still runs")


def test_the_service_worker_stopped_mid_call_still_ends_the_call_of_a_reloaded_tab(chromium, receiver, remote):
    """The open call is in storage.local, the listeners at the worker's top level: a worker that
    was stopped during the call is woken by the page going away and ends the call once."""
    run = answered_call(chromium, remote, receiver)
    stop_service_worker(chromium.driver)
    time.sleep(TALK_S)  # the talk itself
    gone_at = time.time()
    chromium.driver.refresh()
    check_end(receiver, gone_at)
    run.wait(30)
    assert_quiet(receiver, 1, path="/hook/ended")
