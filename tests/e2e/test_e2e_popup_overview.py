"""The popup at the browser's popup size with ten webhooks and a real delivery history: the
overview shows them all without scrolling, a row opens its editor (the whole URL template shown,
Escape closes it), the log is its own view (newest first, filters, decoded URLs, attempts and
"send again" only for background requests), dropped events and admin presets are shown."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from .popup_support import (
    CALLER_NAME,
    by_testid,
    close_popup,
    log_entries,
    open_editor,
    open_popup,
    row,
    rows,
    ten_webhooks_with_history,
)

pytestmark = pytest.mark.browser


def _visible_rows(driver) -> int:
    return driver.execute_script("""
        return [...document.querySelectorAll('#webhook-list li')].filter((li) => {
          const r = li.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }).length;""")


def test_overview_rows_editor_and_log_view(chromium, receiver):
    made = ten_webhooks_with_history(chromium.host, receiver)
    driver = open_popup(chromium)
    WebDriverWait(driver, 10).until(lambda d: len(rows(d)) == 10)
    assert driver.execute_script("return [innerWidth, innerHeight]") == [800, 600]
    assert _visible_rows(driver) >= 8, "fewer than 8 webhook rows fit in the popup without scrolling"
    assert driver.execute_script("return document.scrollingElement.scrollTop") == 0

    # each row: name, trigger and action in words, its switch, the state of its last delivery
    ring = row(driver, made["ring"].id)
    assert by_testid(ring, "row-name").text == "Ringing log"
    assert by_testid(ring, "row-sub").text == "Incoming call ringing · Background request (GET)"
    WebDriverWait(driver, 10).until(lambda d: by_testid(row(d, made["missed"].id), "row-state").get_attribute("data-state") == "failed")
    states = {key: by_testid(row(driver, w.id), "row-state") for key, w in made.items()}
    assert (states["ring"].get_attribute("data-state"), states["ring"].text) == ("delivered", "delivered")
    assert (states["pop"].get_attribute("data-state"), states["pop"].text) == ("opened", "opened in a tab")
    assert states["missed"].text == "failed"
    assert (states["out"].get_attribute("data-state"), states["out"].text) == ("none", "not fired yet")
    assert states["off"].get_attribute("data-state") == "off"
    assert not by_testid(row(driver, made["off"].id), "row-enabled").is_selected()
    assert by_testid(ring, "row-enabled").accessible_name == "Active: Ringing log"

    # the switch in the row saves by itself
    by_testid(row(driver, made["off"].id), "row-enabled").click()
    WebDriverWait(driver, 10).until(lambda d: [w.enabled for w in chromium.host.webhooks() if w.id == made["off"].id] == [True])

    # a row opens its editor; the URL field shows the whole template; Escape closes it, focus goes back
    card = open_editor(driver, made["log"].id)
    url = by_testid(card, "webhook-url")
    assert url.get_attribute("value") == made["log"].url
    assert driver.execute_script("return arguments[0].scrollHeight <= arguments[0].clientHeight + 2", url)
    assert driver.switch_to.active_element == url
    assert not driver.find_element(By.ID, "view-webhooks").is_displayed()
    url.send_keys(Keys.END, "&x=1")
    url.send_keys(Keys.ESCAPE)
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "view-webhooks").is_displayed())
    assert driver.switch_to.active_element == by_testid(row(driver, made["log"].id), "row-open")
    WebDriverWait(driver, 10).until(
        lambda d: [w.url for w in chromium.host.webhooks() if w.id == made["log"].id] == [made["log"].url + "&x=1"],
        message="the edit was not saved when the editor closed")

    # the log: its own view, newest first, URLs decoded, attempts and "send again" where they mean something
    driver.find_element(By.ID, "tab-log").click()
    entries = log_entries(driver, lambda entries: len(entries) >= 4)
    assert driver.find_element(By.ID, "tab-log").get_attribute("aria-selected") == "true"
    assert not driver.find_element(By.ID, "view-webhooks").is_displayed()
    assert entries[0]["webhook_id"] == made["missed"].id, "newest first"
    by_webhook = {e["webhook_id"]: e for e in entries}
    pop, ring_entry, failed = by_webhook[made["pop"].id], by_webhook[made["ring"].id], by_webhook[made["missed"].id]
    assert CALLER_NAME in pop["url"] and "%20" not in pop["url"]
    assert CALLER_NAME in ring_entry["url"]
    assert "attempts" not in pop["detail"]
    assert pop["retry"] is None
    assert "attempts: 1" in ring_entry["detail"]
    assert ring_entry["retry"] is None
    assert failed["retry"]["shown"] and "404" in failed["detail"]

    Select(driver.find_element(By.ID, "delivery-state-filter")).select_by_value("failed")
    log_entries(driver, lambda entries: [e["state"] for e in entries] == ["failed"], timeout=5)
    Select(driver.find_element(By.ID, "delivery-state-filter")).select_by_value("")
    Select(driver.find_element(By.ID, "delivery-filter")).select_by_value(made["ring"].id)
    log_entries(driver, lambda entries: {e["webhook_id"] for e in entries} == {made["ring"].id}, timeout=5)
    close_popup(chromium)


def test_log_shows_the_events_the_worker_dropped(chromium):
    drops = {"count": 3, "byReason": {"queue_full": 2, "some_new_reason": 1}, "last": []}
    open_popup(chromium)
    chromium.driver.execute_async_script(
        "const done = arguments[1]; chrome.storage.session.set({droppedEvents: arguments[0]}).then(done);", drops)
    driver = chromium.driver
    try:
        driver.find_element(By.ID, "tab-log").click()
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "drops").is_displayed())
        lines = {li.get_attribute("data-reason"): li.text for li in driver.find_elements(By.CSS_SELECTOR, "#drop-list li")}
        assert lines == {"queue_full": "2 × the queue for the absent host was full", "some_new_reason": "1 × some_new_reason"}
    finally:
        driver.execute_async_script("const done = arguments[0]; chrome.storage.session.remove('droppedEvents').then(done);")
        close_popup(chromium)


def test_admin_preset_is_marked_and_read_only(chromium, receiver):
    chromium.host.set_policy(True, presets=[{
        "id": "crm-pop", "name": "CRM (set by IT)", "trigger": "incoming_call_ringing", "action": "get",
        "url": receiver.url("/preset?c={caller}")}])
    driver = open_popup(chromium)
    preset = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, '#webhook-list li[data-origin="admin"]'))
    assert by_testid(preset, "row-admin").is_displayed()
    assert not by_testid(preset, "row-enabled").is_enabled()
    card = open_editor(driver, preset.get_attribute("data-webhook-id"))
    assert by_testid(card, "admin-badge").is_displayed()
    assert not by_testid(card, "delete-webhook").is_displayed()
    assert not by_testid(card, "webhook-url").is_enabled()
    assert by_testid(card, "webhook-url").get_attribute("value") == receiver.url("/preset?c={caller}")
    close_popup(chromium)
