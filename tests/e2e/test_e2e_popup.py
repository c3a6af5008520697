"""The popup in the real browser, against the real host: add a webhook through the UI, see it
saved, switch it off, delete it; a browser restart with the same profile keeps every setting;
the administrator's switch shows as a banner. Own module, so its restarts touch no other test."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.extension import DEFAULT_QUEUE_RULE

from .e2e_support import CALLER, assert_quiet, q
from .popup_support import add_through_ui, open_editor

pytestmark = pytest.mark.browser


def _open_popup(lab):
    """The popup as a tab (headless browsers show no toolbar), once it is connected to the host."""
    lab.ext.open_tab(lab.ext.popup_url)
    WebDriverWait(lab.driver, 15).until(
        lambda d: d.find_element(By.ID, "host-status").get_attribute("data-state") == "connected")


def _close_popup(lab):
    lab.ext.close_tab(lab.page.handle)


def _rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, '#webhook-list li[data-testid="webhook-row"]')


def _card(driver, webhook_id):
    """The editor of one webhook, opened from its row in the overview."""
    return open_editor(driver, webhook_id)


def _in(card, testid):
    return card.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def _wait_saved(driver, card):
    WebDriverWait(driver, 10).until(lambda d: card.get_attribute("data-save-state") == "saved",
                                    message=f"card not saved: {card.get_attribute('data-save-state')}")


def _ring_once(remote, caller=CALLER):
    run = remote.call("agent200", "uac_cancel", caller=caller, talk_ms=300)
    return run


def test_popup_add_switch_off_delete_and_restart_keeps_settings(chromium, receiver, remote):
    driver, host = chromium.driver, chromium.host

    # add through the UI
    _open_popup(chromium)
    before = len(_rows(driver))
    card = add_through_ui(driver, "incoming_call_ringing", "get", receiver.url("/ui") + "?c={caller}&n={caller_name}")
    webhook_id = card.get_attribute("data-webhook-id")
    (saved,) = [w for w in host.webhooks() if w.id == webhook_id]
    assert (saved.trigger, saved.action, saved.enabled) == ("incoming_call_ringing", "get", True)
    assert saved.url == receiver.url("/ui") + "?c={caller}&n={caller_name}"
    driver.find_element(By.ID, "editor-back").click()
    WebDriverWait(driver, 5).until(lambda d: len(_rows(d)) == before + 1)
    _close_popup(chromium)

    run = _ring_once(remote)
    assert q(receiver.wait_for(1, path="/ui")[0])["c"] == CALLER
    run.wait()

    # switch it off: nothing fires
    _open_popup(chromium)
    card = _card(driver, webhook_id)
    _in(card, "webhook-enabled").click()
    _wait_saved(driver, card)
    assert [w.enabled for w in host.webhooks() if w.id == webhook_id] == [False]
    _close_popup(chromium)
    run = _ring_once(remote)
    chromium.page.wait_event("failed", 0)
    run.wait()
    assert_quiet(receiver, 1)

    # delete it (the button asks first: two clicks)
    _open_popup(chromium)
    card = _card(driver, webhook_id)
    _in(card, "delete-webhook").click()
    _in(card, "delete-webhook").click()
    WebDriverWait(driver, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, f'#webhook-list [data-webhook-id="{webhook_id}"], #editor-slot [data-webhook-id="{webhook_id}"]'))
    assert webhook_id not in [w.id for w in host.webhooks()]

    # one to keep, then restart the browser with the same profile
    keeper = host.add("incoming_call_ringing", "get", receiver.url("/kept?c={caller}"), name="kept")
    _close_popup(chromium)
    chromium.restart()

    stored = chromium.ext.storage(["uccOrigins", "queueRule"])
    assert stored == {"uccOrigins": [chromium.softphone.match_pattern], "queueRule": DEFAULT_QUEUE_RULE}
    _open_popup(chromium)
    driver = chromium.driver
    assert _in(_card(driver, keeper.id), "webhook-url").get_attribute("value") == keeper.url
    _close_popup(chromium)
    run = _ring_once(remote, caller="+4930555555")  # the observer is registered again from the stored settings
    assert q(receiver.wait_for(1, path="/kept")[0])["c"] == "+4930555555"
    run.wait()
    assert driver is chromium.driver


def test_policy_off_at_browser_start_shows_the_banner_and_nothing_fires(chromium, receiver, remote):
    chromium.host.add("incoming_call_ringing", "get", receiver.url("/never"))
    chromium.host.set_policy(False)
    chromium.restart()  # the host is asked afresh (hello) with the policy already off
    _open_popup(chromium)
    banner = chromium.driver.find_element(By.ID, "policy-banner")
    WebDriverWait(chromium.driver, 10).until(lambda d: banner.is_displayed())
    assert "WEBHOOKS_ENABLED" in banner.text
    _close_popup(chromium)
    run = _ring_once(remote)
    chromium.page.wait_event("failed", 0)
    run.wait()
    assert_quiet(receiver, 0)


@pytest.fixture
def uninstalled(sip, softphone_server, tmp_path):
    """Chromium with the extension but without `ucc-webhooks install`: the first-run situation."""
    from ucc_webhooks_dev.lab.stack import BrowserLab

    lab = BrowserLab("chromium", tmp_path / "lab", sip, softphone_server, install=False).start()
    try:
        yield lab
    finally:
        lab.stop()


def test_popup_without_the_host_names_the_install_command(uninstalled):
    lab = uninstalled
    lab.ext.open_tab(lab.ext.popup_url)
    status = lab.driver.find_element(By.ID, "host-status")
    WebDriverWait(lab.driver, 15).until(lambda d: status.get_attribute("data-state") == "not_installed",
                                        message=f"host status: {status.get_attribute('data-state')}")
    command = lab.driver.find_element(By.ID, "install-command")
    assert command.is_displayed()
    assert "ucc-webhooks install --browser chromium" in command.text
    assert lab.driver.find_element(By.ID, "add-webhook").get_attribute("disabled") is not None
    assert lab.driver.find_element(By.ID, "add-disabled-reason").is_displayed()


def test_popup_test_button_fires_the_webhook_with_sample_values(chromium, receiver):
    webhook = chromium.host.add("incoming_call_accepted", "post", receiver.url("/try"),
                                content_type="application/json", body='{{"caller": "{caller}"}}')
    _open_popup(chromium)
    card = _card(chromium.driver, webhook.id)
    _in(card, "test-webhook").click()
    request = receiver.wait_for(1, path="/try")[0]
    result = _in(card, "test-result")
    WebDriverWait(chromium.driver, 10).until(lambda d: result.get_attribute("data-ok") == "true",
                                             message=f"test result: {result.text}")
    assert request.method == "POST" and json.loads(request.text)["caller"]
    _close_popup(chromium)


def test_popup_delivery_log_lists_what_a_call_fired(chromium, receiver, remote):
    webhook = chromium.host.add("incoming_call_ringing", "get", receiver.url("/logged?c={caller}"))
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    receiver.wait_for(1, path="/logged")
    run.wait()
    _open_popup(chromium)
    chromium.driver.find_element(By.ID, "tab-log").click()
    selector = f'#delivery-list li[data-testid="delivery"][data-webhook-id="{webhook.id}"]'
    WebDriverWait(chromium.driver, 10).until(
        lambda d: [li for li in d.find_elements(By.CSS_SELECTOR, selector) if li.get_attribute("data-state") == "delivered"],
        message="no delivered entry for the webhook in the popup's delivery log")
    _close_popup(chromium)


def test_admin_preset_fires_and_is_read_only_in_the_popup(chromium, receiver, remote):
    chromium.host.set_policy(True, presets=[{
        "id": "crm-pop", "name": "CRM (set by IT)", "trigger": "incoming_call_ringing", "action": "get",
        "url": receiver.url("/preset?c={caller}")}])
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    assert q(receiver.wait_for(1, path="/preset")[0])["c"] == CALLER
    run.wait()
    _open_popup(chromium)
    row = WebDriverWait(chromium.driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '#webhook-list li[data-origin="admin"]'))
    card = _card(chromium.driver, row.get_attribute("data-webhook-id"))
    assert _in(card, "admin-badge").is_displayed()
    assert not _in(card, "delete-webhook").is_displayed()
    url = _in(card, "webhook-url")
    assert url.get_attribute("value") == receiver.url("/preset?c={caller}")
    assert not url.is_enabled() or url.get_attribute("readonly") is not None
    _close_popup(chromium)
