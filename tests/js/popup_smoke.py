#!/usr/bin/env python3
"""Smoke check of the popup against the real host in headless Chromium: every editing feature of a webhook's editor.

Run by hand or from CI (needs Chromium, chromedriver, Python selenium and the ucc-webhooks host on PATH):
    python3 tests/js/popup_smoke.py
It installs the host into a fresh profile (`ucc-webhooks install --profile-dir`, data in a temp UCC_WEBHOOKS_HOME),
then drives popup.html by the hooks documented at the top of extension/popup.js: add a webhook, see the host's
validation message at the URL field, insert a placeholder chip at the cursor, see an unavailable chip's reason,
switch to POST with a JSON body, add a header (masked once saved), generate a secret (shown once), test it
against a local receiver (status + latency), switch it off, reload (kept), delete it (two clicks).
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
POPUP = "chrome-extension://amlncininjibhhckajeabpanpcfpeeig/popup.html"
received = []


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        received.append((self.path, body.decode(), dict(self.headers)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *a):
        pass


def main():
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    srv = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    profile, home = tempfile.mkdtemp(), tempfile.mkdtemp()
    env = {**os.environ, "UCC_WEBHOOKS_HOME": home}
    subprocess.run(["ucc-webhooks", "install", "--browser", "chromium", "--profile-dir", profile], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--disable-features=DisableLoadExtensionCommandLineSwitch", f"--load-extension={ROOT / 'extension'}",
              "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}"]:
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=opts)
    wait = lambda cond, t=10: WebDriverWait(d, t).until(cond)  # noqa: E731
    tid = lambda el, name: el.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')  # noqa: E731
    try:
        d.get(POPUP)
        wait(lambda drv: drv.find_element(By.ID, "host-status").get_attribute("data-state") == "connected")
        check(True, "host status: " + d.find_element(By.ID, "host-status-text").text)
        d.find_element(By.ID, "add-webhook").click()
        card = d.find_element(By.CSS_SELECTOR, '#editor-slot article[data-testid="webhook"]')
        check(card.get_attribute("data-save-state") == "needs-url", "a new card waits for its URL")
        Select(tid(card, "webhook-trigger")).select_by_value("incoming_call_accepted")
        tid(card, "webhook-url").send_keys(base + "/hook?d={duration}")
        wait(lambda drv: card.get_attribute("data-save-state") == "error")
        errors = [e for e in card.find_elements(By.CSS_SELECTOR, '[data-testid="field-error"]') if e.is_displayed()]
        check([e.get_attribute("data-for") for e in errors] == ["url"] and "{duration}" in errors[0].text,
              "the host's validation message shows at the URL field")
        url = tid(card, "webhook-url")
        url.clear()
        url.send_keys(base + "/hook?c=")
        card.find_element(By.CSS_SELECTOR, '[data-placeholder="caller"]').click()
        check(url.get_attribute("value") == base + "/hook?c={caller}", "a chip inserts its placeholder at the cursor")
        duration = card.find_element(By.CSS_SELECTOR, '[data-placeholder="duration"]')
        duration.click()
        check(duration.get_attribute("aria-disabled") == "true" and tid(card, "chip-reason").is_displayed()
              and "hung up" in tid(card, "chip-reason").text, "an unavailable chip is greyed and explains why")
        Select(tid(card, "webhook-action")).select_by_value("post")
        check(tid(card, "post-fields").is_displayed(), "POST shows body and content type")
        tid(card, "webhook-body").send_keys('{{"from": "{caller}"}}')
        wait(lambda drv: card.get_attribute("data-save-state") == "saved" and card.get_attribute("data-webhook-id"))
        time.sleep(0.8)
        wait(lambda drv: card.get_attribute("data-save-state") == "saved")
        webhook_id = card.get_attribute("data-webhook-id")
        check(bool(webhook_id), f"saved by itself as {webhook_id}")
        d.execute_script("arguments[0].open = true", card.find_element(By.CSS_SELECTOR, "details"))
        tid(card, "add-header").click()
        row = card.find_elements(By.CSS_SELECTOR, '[data-testid="header-row"]')[-1]
        tid(row, "header-name").send_keys("Authorization")
        tid(row, "header-value").send_keys("Bearer s3cr3t")
        wait(lambda drv: tid(row, "header-value").get_attribute("data-masked") == "1")
        check(tid(row, "header-value").get_attribute("value") == "", "a header value is masked once saved")
        tid(card, "generate-secret").click()
        wait(lambda drv: tid(card, "secret-once").text.startswith("whsec_"))
        check(tid(card, "secret-once-box").is_displayed(), "a generated secret is shown once")
        tid(card, "test-webhook").click()
        wait(lambda drv: tid(card, "test-result").get_attribute("data-ok") is not None)
        result = tid(card, "test-result").text
        check(tid(card, "test-result").get_attribute("data-ok") == "true" and "201" in result and "ms" in result,
              "test shows status and latency: " + result)
        hit = received[-1] if received else ("", "", {})
        check(hit[0].startswith("/hook?c=") and json.loads(hit[1]).get("from") and hit[2].get("Authorization") == "Bearer s3cr3t"
              and hit[2].get("webhook-signature", "").startswith("v1,"), "the receiver got the signed POST with the header")
        tid(card, "webhook-enabled").click()
        time.sleep(0.2)
        wait(lambda drv: card.get_attribute("data-save-state") == "saved")
        d.get(POPUP)
        wait(lambda drv: drv.find_elements(By.CSS_SELECTOR, f'#webhook-list li[data-webhook-id="{webhook_id}"]'))
        d.find_element(By.CSS_SELECTOR, f'#webhook-list li[data-webhook-id="{webhook_id}"] [data-testid="row-open"]').click()
        card = d.find_element(By.CSS_SELECTOR, f'#editor-slot article[data-webhook-id="{webhook_id}"]')
        check(not tid(card, "webhook-enabled").is_selected() and tid(card, "webhook-url").get_attribute("value") == base + "/hook?c={caller}"
              and tid(card, "secret-state").get_attribute("textContent") != "" and not tid(card, "secret-once-box").is_displayed(),
              "after a reload: switched off, URL kept, secret hidden")
        tid(card, "delete-webhook").click()
        check(bool(d.find_elements(By.CSS_SELECTOR, f'article[data-webhook-id="{webhook_id}"]')), "the first delete click only asks")
        tid(card, "delete-webhook").click()
        wait(lambda drv: not drv.find_elements(By.CSS_SELECTOR, f'#webhook-list li[data-webhook-id="{webhook_id}"]'))
        check(d.find_element(By.ID, "webhooks-empty").is_displayed(), "deleted; the list says it is empty")
    finally:
        d.quit()
        srv.shutdown()
    print("FAILED: " + "; ".join(failures) if failures else "Looks good")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
