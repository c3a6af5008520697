"""The popup in Firefox ESR, against the real host: add a webhook through the UI and a call fires
it, switch it off, delete it; the overview shows a real delivery history. The same popup code as
in Chromium (tests/e2e/test_e2e_popup.py), in the other engine and its extension pages."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .e2e_support import CALLER, q
from .popup_support import add_through_ui, by_testid, click_in_row, row, row_state, rows, ten_webhooks_with_history
from .test_e2e_popup import _card, _close_popup, _in, _open_popup, _rows, _wait_saved

pytestmark = pytest.mark.browser


def test_popup_add_switch_off_delete_in_firefox(firefox, receiver, remote):
    driver, host = firefox.driver, firefox.host
    _open_popup(firefox)
    before = len(_rows(driver))
    card = add_through_ui(driver, "incoming_call_missed", "get", receiver.url("/ff-ui") + "?c={caller}")
    webhook_id = card.get_attribute("data-webhook-id")
    (saved,) = [w for w in host.webhooks() if w.id == webhook_id]
    assert (saved.trigger, saved.action, saved.url) == ("incoming_call_missed", "get", receiver.url("/ff-ui") + "?c={caller}")
    driver.find_element(By.ID, "editor-back").click()
    WebDriverWait(driver, 5).until(lambda d: len(_rows(d)) == before + 1)
    _close_popup(firefox)

    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    assert q(receiver.wait_for(1, path="/ff-ui")[0])["c"] == CALLER
    run.wait()

    _open_popup(firefox)
    card = _card(driver, webhook_id)
    _in(card, "webhook-enabled").click()
    _wait_saved(driver, card)
    assert [w.enabled for w in host.webhooks() if w.id == webhook_id] == [False]
    _in(card, "delete-webhook").click()
    _in(card, "delete-webhook").click()
    WebDriverWait(driver, 10).until(lambda d: webhook_id not in [w.id for w in host.webhooks()])
    _close_popup(firefox)


def test_overview_shows_the_delivery_history_in_firefox(firefox, receiver):
    made = ten_webhooks_with_history(firefox.host, receiver)
    _open_popup(firefox)
    driver = firefox.driver
    WebDriverWait(driver, 10).until(lambda d: len(rows(d)) == 10)
    WebDriverWait(driver, 10).until(lambda d: row_state(d, made["missed"].id) == "failed")
    assert row_state(driver, made["ring"].id) == "delivered"
    assert by_testid(row(driver, made["ring"].id), "row-name").text == "Ringing log"
    assert row_state(driver, made["off"].id) == "off"
    click_in_row(driver, made["off"].id, "row-enabled")  # the row's own switch
    WebDriverWait(driver, 10).until(lambda d: [w.enabled for w in firefox.host.webhooks() if w.id == made["off"].id] == [True])
    _close_popup(firefox)
