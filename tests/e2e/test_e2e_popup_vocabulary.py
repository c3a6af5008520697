"""The host's vocabulary is the popup's only source: a trigger added on the host side (one
`TriggerSpec`, loaded here as a plugin module on the host's PYTHONPATH) is offered by the real popup
in Chromium, with the placeholders and conditions its spec allows, and saved by the real host. No
JavaScript knows of it; only its label is missing (the popup shows the id)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from ucc_webhooks_dev.lab.stack import BrowserLab

from .popup_support import add_through_ui, by_testid, close_popup, open_popup

pytestmark = pytest.mark.browser

NEW = "queue_call_waiting"
PLUGIN = f'''
from ucc_webhooks.engine.triggers import TriggerSpec, define

define(TriggerSpec("{NEW}", "incoming", "ringing", "always"))
'''


@pytest.fixture(scope="module")
def extended(sip, softphone_server, tmp_path_factory) -> Iterator[BrowserLab]:
    root = tmp_path_factory.mktemp("vocabulary-lab")
    plugin = root / "plugin"
    plugin.mkdir()
    (plugin / "sitecustomize.py").write_text(PLUGIN, encoding="utf-8")  # the browser's host inherits PYTHONPATH
    lab = BrowserLab("chromium", root, sip, softphone_server, browser_env={"PYTHONPATH": str(plugin)}).start()
    try:
        yield lab
    finally:
        lab.stop()


def _stored(lab: BrowserLab) -> list[dict]:
    """The webhooks as the host stored them, read raw: this test process has no such trigger."""
    import json
    import sqlite3

    from ucc_webhooks.paths import DB_NAME

    db = sqlite3.connect(lab.host.data_dir / DB_NAME)
    try:
        return [json.loads(row[0]) for row in db.execute("SELECT data FROM webhooks")]
    finally:
        db.close()


def _chips(card) -> dict[str, bool]:
    return {c.get_attribute("data-placeholder"): c.get_attribute("aria-disabled") != "true"
            for c in card.find_elements(By.CSS_SELECTOR, '[data-testid="placeholder-chip"]')}


def test_a_trigger_added_on_the_host_is_offered_with_its_rules(extended, receiver):
    driver = open_popup(extended)
    card = add_through_ui(driver, NEW, "get", receiver.url("/wait") + "?q={queue}&c={caller_e164}")
    assert Select(by_testid(card, "webhook-trigger")).first_selected_option.text == NEW  # no label: the id
    chips = _chips(card)
    assert chips["queue"] and chips["caller"] and chips["caller_name"]
    assert not chips["duration"] and not chips["answered_at"] and not chips["outcome"]
    card.find_element(By.CSS_SELECTOR, "details.conditions summary").click()
    assert by_testid(card, "condition-queues").is_displayed()
    assert not by_testid(card, "condition-min-duration").is_displayed()
    [saved] = [w for w in _stored(extended) if w["trigger"] == NEW]
    assert saved["url"].endswith("?q={queue}&c={caller_e164}")

    # a placeholder the new trigger does not offer is refused by the host, named at the URL field
    url = by_testid(card, "webhook-url")
    url.send_keys("&d={duration}")
    error = WebDriverWait(driver, 10).until(
        lambda d: card.find_element(By.CSS_SELECTOR, '[data-testid="field-error"][data-for="url"]:not([hidden])'))
    assert "{duration}" in error.text
    close_popup(extended)


def test_the_plugin_is_what_adds_it():
    """Without the plugin the host has no such trigger: the test above tests the plugin's trigger."""
    from ucc_webhooks.engine.triggers import trigger_ids

    assert NEW not in trigger_ids()
