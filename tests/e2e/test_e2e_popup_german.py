"""The popup in a German Chromium (LANGUAGE=de and `--lang=de`, with Debian's chromium-l10n): labels, states and the
host's own validation errors arrive in German; English stays the fallback and the CLI's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.stack import BrowserLab

from .popup_support import by_testid, close_popup, log_entries, open_editor, open_popup, row, rows, ten_webhooks_with_history

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def german(sip, softphone_server, tmp_path_factory) -> Iterator[BrowserLab]:
    lab = BrowserLab("chromium", tmp_path_factory.mktemp("german-lab"), sip, softphone_server,
                     browser_args=["--lang=de", "--accept-lang=de-DE,de"],
                     browser_env={"LANGUAGE": "de", "LANG": "de_DE.UTF-8"}).start()
    try:
        yield lab
    finally:
        lab.stop()


def test_german_popup_overview_editor_log_and_host_errors(german, receiver):
    made = ten_webhooks_with_history(german.host, receiver)
    driver = open_popup(german)
    assert driver.execute_script("return chrome.i18n.getUILanguage()").startswith("de")
    assert driver.execute_script("return document.documentElement.lang") == "de"
    WebDriverWait(driver, 10).until(lambda d: len(rows(d)) == 10)
    assert driver.find_element(By.ID, "host-status-text").text == "Host verbunden (Version 0.1.0)"
    assert driver.find_element(By.ID, "tab-log").text == "Protokoll"
    assert driver.find_element(By.ID, "add-webhook").text == "Webhook hinzufügen"
    subs = {key: by_testid(row(driver, w.id), "row-sub").text for key, w in made.items()}
    assert subs["ring"] == "Eingehender Anruf klingelt · Hintergrundanfrage (GET)"
    assert subs["log"] == "Eingehender Direktanruf beendet · Hintergrundanfrage (POST)"
    assert subs["missed"] == "Eingehender Anruf verpasst · Hintergrundanfrage (POST)"
    assert subs["accept"] == "Eingehender Direktanruf angenommen · In neuem Tab öffnen"
    assert subs["out"] == "Ausgehender Direktanruf gestartet · Hintergrundanfrage (GET)"
    assert subs["queue"] == "Warteschlangenanruf angenommen · Hintergrundanfrage (GET)"
    WebDriverWait(driver, 10).until(lambda d: by_testid(row(d, made["missed"].id), "row-state").text == "fehlgeschlagen")
    assert by_testid(row(driver, made["ring"].id), "row-state").text == "zugestellt"
    assert by_testid(row(driver, made["out"].id), "row-state").text == "noch nicht ausgelöst"
    assert by_testid(row(driver, made["off"].id), "row-state").text == "ausgeschaltet"
    assert by_testid(row(driver, made["ring"].id), "row-enabled").accessible_name == "Aktiv: Ringing log"

    # the editor, and a refusal of the host, translated from its reason code
    card = open_editor(driver, made["ring"].id)
    assert driver.find_element(By.ID, "editor-title").text == "Webhook bearbeiten"
    labels = [s.text for s in card.find_elements(By.CSS_SELECTOR, "label > span") if s.is_displayed()]
    assert labels[:5] == ["Aktiv", "Name", "Auslöser", "Aktion", "URL"]
    by_testid(card, "webhook-name").send_keys("x" * 200)
    error = WebDriverWait(driver, 10).until(
        lambda d: card.find_element(By.CSS_SELECTOR, '[data-testid="field-error"][data-for="name"]').text)
    assert error == "Name ist zu lang: höchstens 200 Zeichen."
    assert by_testid(card, "save-state").text == "Nicht gespeichert: Name ist zu lang: höchstens 200 Zeichen."
    driver.find_element(By.ID, "editor-back").click()

    # the log
    driver.find_element(By.ID, "tab-log").click()
    entries = log_entries(driver, lambda entries: made["missed"].id in {e["webhook_id"] for e in entries})
    [failed] = [e for e in entries if e["webhook_id"] == made["missed"].id]
    assert failed["state_text"] == "fehlgeschlagen"
    assert failed["retry"]["text"] == "Erneut senden"
    assert "Versuche: 1" in failed["detail"]
    assert driver.find_element(By.CSS_SELECTOR, "#view-log h2").text == "Zustellprotokoll"
    close_popup(german)


def test_german_options_page_labels_and_host_version(german):
    driver = german.driver
    german.ext.open_tab(german.ext.options_url)
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "host-version").text)
    assert driver.find_element(By.ID, "host-version").text == "Host-Version 0.1.0, Erweiterungs-Version 0.1.0."
    names = {i: driver.find_element(By.ID, i).accessible_name for i in ("origin-input", "user-name", "default-region")}
    assert names == {"origin-input": "Neue Adresse des UCC-Clients", "user-name": "Benutzername für {user}",
                     "default-region": "Regionscode (zwei Buchstaben)"}
    region = driver.find_element(By.ID, "default-region")
    region.clear()
    region.send_keys("QQ")
    error = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "region-error").text)
    assert error == "QQ ist kein bekannter Regionscode."
    assert region.get_attribute("aria-describedby") == "region-error"
    region.clear()
    region.send_keys("DE")
    WebDriverWait(driver, 10).until(lambda d: not d.find_element(By.ID, "region-error").is_displayed())
    german.ext.close_tab(german.page.handle)
