"""Onboarding in the real browser: each broken link of the set-up, in order, is named in the popup
with the one action that fixes it — no host (the commands for this browser, copyable, and the
README's install section), a host too old, no UCC address, no access granted, a UCC tab opened
before access was granted (reload), webhooks switched off by the administrator (banner)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.stack import BrowserLab

from .popup_support import close_popup, open_popup

pytestmark = pytest.mark.browser
OLD_HOST = """-c 'import sys, ucc_webhooks.constants as c; c.VERSION = "0.0.9"; from ucc_webhooks.cli import main; sys.exit(main())'"""


@pytest.fixture(scope="module")
def lab(sip, softphone_server, tmp_path_factory) -> Iterator[BrowserLab]:
    lab = BrowserLab("chromium", tmp_path_factory.mktemp("onboarding-lab"), sip, softphone_server).start()
    try:
        yield lab
    finally:
        lab.stop()


def _manifest(lab) -> Path:
    (path,) = (lab.profile_dir / "NativeMessagingHosts").glob("org.uccwebhooks.host.json")
    return path


def _step(driver, step: str):
    box = driver.find_element(By.ID, "onboarding")
    WebDriverWait(driver, 15).until(lambda d: box.get_attribute("data-step") == step and box.is_displayed(),
                                    message=f"onboarding step {box.get_attribute('data-step')!r}, not {step!r}")
    return box


def _settings(lab, origins: list[str]) -> None:
    lab.ext.configure({"uccOrigins": origins}, wait_for_origins=bool(origins))


def test_no_host_names_the_commands_for_this_browser(lab):
    manifest = _manifest(lab)
    hidden = manifest.with_suffix(".away")
    manifest.rename(hidden)
    lab.host.kill_hosts()
    try:
        driver = open_popup(lab, state="not_installed")
        _step(driver, "no_host")
        command = driver.find_element(By.ID, "install-command")
        assert command.text == "pipx install .\nucc-webhooks install --browser chromium\nucc-webhooks doctor"
        assert "not installed" in driver.find_element(By.ID, "onboarding-text").text
        link = driver.find_element(By.ID, "install-link")
        assert link.is_displayed() and link.get_attribute("href").endswith("#install-for-real-users")
        assert driver.find_element(By.ID, "add-webhook").get_attribute("disabled") is not None
        assert driver.find_element(By.ID, "add-disabled-reason").is_displayed()
        assert driver.find_element(By.ID, "add-webhook").get_attribute("aria-describedby") == "add-disabled-reason"
        driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        driver.find_element(By.ID, "copy-command").click()
        WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "copy-state").text == "Copied")
        pasted = driver.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done(String(e)));")
        assert pasted == command.text
        close_popup(lab)
    finally:
        hidden.rename(manifest)
    driver = open_popup(lab)
    assert not driver.find_element(By.ID, "onboarding").is_displayed()
    close_popup(lab)


def test_a_host_too_old_is_named_with_both_versions(lab):
    launcher = Path(json.loads(_manifest(lab).read_text())["path"])
    original = launcher.read_text()
    assert '-m ucc_webhooks host "$@"' in original
    launcher.write_text(original.replace('-m ucc_webhooks host "$@"', OLD_HOST + ' host "$@"'))
    lab.host.kill_hosts()
    try:
        driver = open_popup(lab, state="incompatible")
        _step(driver, "host_old")
        text = driver.find_element(By.ID, "onboarding-text").text
        assert "version 0.0.9" in text and "version 0.1.0" in text
        assert "ucc-webhooks install --browser chromium" in driver.find_element(By.ID, "install-command").text
        close_popup(lab)
    finally:
        launcher.write_text(original)
        lab.host.kill_hosts()


def test_no_address_opens_the_settings(lab):
    _settings(lab, [])
    try:
        driver = open_popup(lab)
        _step(driver, "no_address")
        action = driver.find_element(By.ID, "onboarding-action")
        assert action.text == "Enter address"
        action.click()
        # the options tab opened by runtime.openOptionsPage is not among chromedriver's handles: ask the browser
        tabs = "const done = arguments[0]; chrome.tabs.query({}).then((t) => done(t.map((x) => x.url)));"
        WebDriverWait(driver, 10).until(lambda d: lab.ext.options_url in d.execute_async_script(tabs),
                                        message="the settings did not open")
        driver.execute_async_script("const done = arguments[1];"
                                    "chrome.tabs.query({url: arguments[0]}).then((t) => chrome.tabs.remove(t.map((x) => x.id))).then(done);",
                                    lab.ext.options_url)
        close_popup(lab)
    finally:
        _settings(lab, [lab.softphone.match_pattern])


def test_an_address_without_access_offers_the_button(lab):
    _settings(lab, ["https://ucc.example.com/*"])
    try:
        driver = open_popup(lab)
        _step(driver, "not_granted")
        assert "https://ucc.example.com/*" in driver.find_element(By.ID, "onboarding-text").text
        assert driver.find_element(By.ID, "onboarding-action").text == "Allow access"
        close_popup(lab)
    finally:
        _settings(lab, [lab.softphone.match_pattern])


def test_a_tab_opened_before_access_is_reloaded_from_the_popup(lab):
    _settings(lab, [])
    lab.reload_page()  # the softphone now runs without the observer
    _settings(lab, [lab.softphone.match_pattern])  # registered now, but the open tab stays unobserved
    try:
        driver = open_popup(lab)
        box = _step(driver, "tab_unobserved")
        assert "reload it" in driver.find_element(By.ID, "onboarding-text").text
        action = driver.find_element(By.ID, "onboarding-action")
        assert action.text == "Reload tab"
        action.click()
        WebDriverWait(driver, 15).until(lambda d: not box.is_displayed(), message="still unobserved after the reload")
        close_popup(lab)
    finally:
        lab.reload_page()


def test_webhooks_switched_off_by_the_administrator_show_the_banner(lab):
    lab.host.set_policy(False)
    try:
        driver = open_popup(lab)
        banner = driver.find_element(By.ID, "policy-banner")
        WebDriverWait(driver, 10).until(lambda d: banner.is_displayed())
        assert "WEBHOOKS_ENABLED" in banner.text and banner.get_attribute("role") == "alert"
        close_popup(lab)
    finally:
        lab.host.set_policy(None)
