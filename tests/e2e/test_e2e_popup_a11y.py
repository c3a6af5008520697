"""The popup by keyboard alone (tab order, Enter/Space, Escape closes the editor, the delete
confirmation announced) and the contrast of every text it shows, computed from the rendered
styles in light and in dark mode (prefers-color-scheme emulated over CDP)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from .popup_support import by_testid, close_popup, contrast, open_editor, open_popup, row, rows, scheme, ten_webhooks_with_history

pytestmark = pytest.mark.browser


def _active(driver):
    return driver.switch_to.active_element


def _tab_until(driver, wanted, limit: int = 60, keys: str = Keys.TAB) -> int:
    """Press Tab until `wanted(active element)` holds; returns the number of presses."""
    for presses in range(1, limit + 1):
        ActionChains(driver).send_keys(keys).perform()
        if wanted(_active(driver)):
            return presses
    raise AssertionError(f"not reached with {limit} presses of Tab")


def _testid(el) -> str | None:
    return el.get_attribute("data-testid")


def test_keyboard_alone_reaches_everything_edits_and_deletes(chromium, receiver):
    made = ten_webhooks_with_history(chromium.host, receiver)
    driver = open_popup(chromium)
    WebDriverWait(driver, 10).until(lambda d: len(rows(d)) == 10)
    driver.execute_script("document.activeElement.blur()")  # the keyboard starts at the top of the page

    # the add button comes early, and every row's switch is in the tab order
    assert _tab_until(driver, lambda el: el.get_attribute("id") == "add-webhook", limit=8) <= 8
    switches = set()
    presses = 0
    while len(switches) < 10:
        presses += _tab_until(driver, lambda el: _testid(el) in ("row-enabled", "row-open"), limit=5)
        if _testid(_active(driver)) == "row-enabled":
            switches.add(_active(driver).find_element(By.XPATH, "..").get_attribute("data-webhook-id"))
    assert presses <= 25, f"{presses} presses of Tab to reach the 10 switches"

    # Space switches a webhook off, from the keyboard, and it is saved
    target = made["ring"].id
    by_testid(row(driver, target), "row-enabled").send_keys("")  # focus only
    _active(driver).send_keys(Keys.SPACE)
    WebDriverWait(driver, 10).until(lambda d: [w.enabled for w in chromium.host.webhooks() if w.id == target] == [False])
    assert _testid(_active(driver)) == "row-enabled", "the switch keeps the focus after the save redraws the list"

    # Enter opens the editor with the focus in the URL; typing saves; Escape closes and returns the focus
    _active(driver).send_keys(Keys.TAB)
    assert _testid(_active(driver)) == "row-open"
    _active(driver).send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: _testid(_active(d)) == "webhook-url")
    _active(driver).send_keys(Keys.END, "&via=keyboard")
    _active(driver).send_keys(Keys.ESCAPE)
    WebDriverWait(driver, 5).until(lambda d: _testid(_active(d)) == "row-open")
    WebDriverWait(driver, 10).until(
        lambda d: [w.url for w in chromium.host.webhooks() if w.id == target] == [made["ring"].url + "&via=keyboard"])

    # delete by keyboard: the first Enter asks (announced), the second deletes (announced)
    _active(driver).send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: _testid(_active(d)) == "webhook-url")
    _tab_until(driver, lambda el: _testid(el) == "delete-webhook")
    _active(driver).send_keys(Keys.ENTER)
    announcer = driver.find_element(By.ID, "announcer")
    assert announcer.get_attribute("aria-live") == "assertive"
    WebDriverWait(driver, 5).until(lambda d: "Press Delete again to delete “Ringing log”" in announcer.get_attribute("textContent"))
    _active(driver).send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: target not in [w.id for w in chromium.host.webhooks()])
    WebDriverWait(driver, 5).until(lambda d: "Webhook “Ringing log” deleted." in announcer.get_attribute("textContent"))
    assert _active(driver).get_attribute("id") == "add-webhook"
    assert len(rows(driver)) == 9

    # the tabs: arrow keys move between the views
    driver.find_element(By.ID, "tab-webhooks").send_keys(Keys.ARROW_RIGHT)
    assert _active(driver).get_attribute("id") == "tab-log"
    assert driver.find_element(By.ID, "view-log").is_displayed()
    close_popup(chromium)


def test_errors_are_tied_to_their_field_and_the_secret_can_be_copied(chromium, receiver):
    webhook = chromium.host.add("incoming_call_ringing", "post", receiver.url("/s"), name="Signed")
    driver = open_popup(chromium)
    card = open_editor(driver, webhook.id)
    name = by_testid(card, "webhook-name")
    assert name.accessible_name == "Name"
    name.send_keys("x" * 200)
    error = WebDriverWait(driver, 10).until(lambda d: [e for e in card.find_elements(By.CSS_SELECTOR, '[data-testid="field-error"]')
                                                       if e.is_displayed()])[0]
    assert error.get_attribute("data-for") == "name" and error.get_attribute("role") == "alert"
    assert error.text == "Name is too long: at most 200 characters."
    assert name.get_attribute("aria-describedby") == error.get_attribute("id")
    assert name.get_attribute("aria-invalid") == "true"
    name.send_keys(Keys.CONTROL, "a")
    name.send_keys("Signed")
    WebDriverWait(driver, 10).until(lambda d: card.get_attribute("data-save-state") == "saved")

    for el in card.find_elements(By.CSS_SELECTOR, "input, select, textarea"):
        if el.is_displayed():
            assert el.accessible_name, f"unlabelled {el.tag_name} {_testid(el)}"
    headers = card.find_element(By.XPATH, './/details[.//*[@data-testid="add-header"]]')  # not the conditions one
    driver.execute_script("arguments[0].open = true", headers)
    by_testid(card, "add-header").click()
    header = card.find_elements(By.CSS_SELECTOR, '[data-testid="header-row"]')[-1]
    assert [by_testid(header, n).accessible_name for n in ("header-name", "header-value")] == ["Header name", "Header value"]

    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    by_testid(card, "generate-secret").click()
    WebDriverWait(driver, 10).until(lambda d: by_testid(card, "secret-once").text.startswith("whsec_"))
    by_testid(card, "copy-secret").click()
    WebDriverWait(driver, 5).until(lambda d: by_testid(card, "copy-secret-state").text == "Copied")
    pasted = driver.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done(String(e)));")
    assert pasted == by_testid(card, "secret-once").text
    close_popup(chromium)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_text_has_contrast_in_light_and_dark_mode(chromium, receiver, dark):
    made = ten_webhooks_with_history(chromium.host, receiver)
    chromium.host.set_policy(False)
    driver = open_popup(chromium, dark=dark)
    WebDriverWait(driver, 10).until(lambda d: len(rows(d)) == 10 and d.find_element(By.ID, "policy-banner").is_displayed())
    WebDriverWait(driver, 10).until(lambda d: by_testid(row(d, made["missed"].id), "row-state").get_attribute("data-state") == "failed")
    seen = {}
    seen["overview"] = contrast(driver)
    card = open_editor(driver, made["log"].id)
    headers = card.find_element(By.XPATH, './/details[.//*[@data-testid="add-header"]]')  # not the conditions one
    driver.execute_script("arguments[0].open = true", headers)
    by_testid(card, "webhook-name").send_keys("x" * 200)  # an error shown
    WebDriverWait(driver, 10).until(lambda d: card.get_attribute("data-save-state") == "error")
    seen["editor"] = contrast(driver)
    driver.find_element(By.ID, "tab-log").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#delivery-list li[data-state="failed"]'))
    seen["log"] = contrast(driver)
    for view, result in seen.items():
        assert result["dark"] is dark
        assert result["checked"] >= 15, (view, result["checked"])
        assert result["failed"] == [], f"{view}: texts below 4.5:1: {result['failed']}"
    scheme(driver, False)
    close_popup(chromium)
