"""The integrator's bits of the popup in the real browser against the real host: "Add from
preset" makes a webhook (switched off) from the host's gallery, the conditions editor saves what
the host then applies, the test result names whose values it used, and a JSON body typed as JSON
is accepted."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from .test_e2e_popup import _card, _close_popup, _in, _open_popup, _rows, _wait_saved

pytestmark = pytest.mark.browser


def test_add_from_preset_opens_a_switched_off_card(chromium):
    driver = chromium.driver
    _open_popup(chromium)
    before = len(_rows(driver))
    driver.find_element(By.ID, "add-from-preset").click()
    picks = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="preset-list"] li[data-preset-id="slack-missed-call"] button'))
    picks[0].click()
    WebDriverWait(driver, 10).until(lambda d: len(_rows(d)) == before + 1)
    [saved] = [w for w in chromium.host.webhooks() if w.name.startswith("Slack")]
    assert saved.enabled is False and saved.trigger == "incoming_call_missed" and '"blocks"' in saved.body
    card = WebDriverWait(driver, 10).until(  # the new webhook's editor opens by itself
        lambda d: d.find_element(By.CSS_SELECTOR, f'#editor-slot article[data-webhook-id="{saved.id}"]'))
    assert _in(card, "webhook-enabled").is_selected() is False
    assert _in(card, "webhook-url").get_attribute("value").startswith("https://hooks.slack.com/services/")
    _close_popup(chromium)


def test_a_crm_lookup_preset_keeps_its_response_map_and_an_unknown_caller_preset_its_condition(chromium):
    from ucc_webhooks.engine.presets import PRESETS

    driver = chromium.driver
    for preset_id in ("hubspot-lookup", "hubspot-create-contact"):
        _open_popup(chromium)
        before = len(_rows(driver))
        driver.find_element(By.ID, "add-from-preset").click()
        WebDriverWait(driver, 10).until(lambda d, i=preset_id: d.find_elements(
            By.CSS_SELECTOR, f'[data-testid="preset-list"] li[data-preset-id="{i}"] button'))[0].click()
        WebDriverWait(driver, 10).until(lambda d, n=before: len(_rows(d)) == n + 1)
        _close_popup(chromium)
    lookup, create = (next(p for p in PRESETS if p["id"] == i) for i in ("hubspot-lookup", "hubspot-create-contact"))
    saved = {w.name: w for w in chromium.host.webhooks()}
    assert saved[lookup["name"]].action == "lookup" and saved[lookup["name"]].response_map == lookup["response_map"]
    assert saved[create["name"]].conditions.contact == "unknown_caller"


def test_conditions_editor_and_values_from(chromium, receiver):
    webhook = chromium.host.add("queue_call_ended", "post", receiver.url("/cond"),
                                body='{"caller": "{caller}", "seconds": {duration}}')
    driver = chromium.driver
    _open_popup(chromium)
    card = _card(driver, webhook.id)
    card.find_element(By.CSS_SELECTOR, "details.conditions summary").click()
    Select(_in(card, "condition-numbers")).select_by_value("external")
    queues = _in(card, "condition-queues")
    queues.send_keys("Sales, Billing")
    minimum = _in(card, "condition-min-duration")
    minimum.send_keys("15")
    minimum.send_keys("\t")
    WebDriverWait(driver, 10).until(
        lambda d: [w.conditions.model_dump() for w in chromium.host.webhooks() if w.id == webhook.id]
        == [{"numbers": "external", "queues": ["Sales", "Billing"], "min_duration": 15, "contact": "any"}])
    _wait_saved(driver, card)
    _in(card, "test-webhook").click()
    [request] = receiver.wait_for(1, path="/cond")
    assert json.loads(request.text) == {"caller": "+49 30 1234567", "seconds": 60}
    result = _in(card, "test-result")
    WebDriverWait(driver, 10).until(lambda d: result.get_attribute("data-ok") == "true")
    assert "sample values" in result.text
    _close_popup(chromium)
