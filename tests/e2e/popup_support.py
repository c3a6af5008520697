"""What the popup's browser tests share: the popup at the browser's popup size, ten webhooks with a
real delivery history (a real host over real frames, a real receiver), and the contrast of every
text computed from the rendered styles."""

from __future__ import annotations

import time
import uuid
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks_dev.lab.host_client import HostClient

#: The largest popup Chromium shows (and so the size the overview must work in).
POPUP_SIZE = (800, 600)
CALLER, CALLER_NAME = "+4930123456", "Anna Müller"


def open_popup(lab, size: tuple[int, int] = POPUP_SIZE, dark: bool = False, state: str | None = "connected") -> Any:
    """The popup as a tab (headless browsers show no toolbar) at `size`, once the host status is `state`."""
    driver = lab.driver
    lab.ext.open_tab(lab.ext.popup_url)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
    scheme(driver, dark)
    if state:
        WebDriverWait(driver, 15).until(
            lambda d: d.find_element(By.ID, "host-status").get_attribute("data-state") == state,
            message="host status never became " + state)
    return driver


def scheme(driver, dark: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


def close_popup(lab) -> None:
    lab.ext.close_tab(lab.page.handle)


def by_testid(root, name: str):
    return root.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')


def rows(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, '#webhook-list li[data-testid="webhook-row"]')


def row(driver, webhook_id: str):
    return driver.find_element(By.CSS_SELECTOR, f'#webhook-list li[data-webhook-id="{webhook_id}"]')


def click_in_row(driver, webhook_id: str, testid: str) -> None:
    """Click a control of a row. The overview re-renders a row when one of its deliveries changes,
    so the row found may be replaced before the click lands (stale): then find it again."""
    def click(d):
        by_testid(row(d, webhook_id), testid).click()
        return True

    WebDriverWait(driver, 5, ignored_exceptions=(StaleElementReferenceException,)).until(click)


def open_editor(driver, webhook_id: str):
    click_in_row(driver, webhook_id, "row-open")
    return WebDriverWait(driver, 5).until(
        lambda d: d.find_element(By.CSS_SELECTOR, f'#editor-slot article[data-webhook-id="{webhook_id}"]'))


def _event(trigger: str, call_id: str, **extra: Any) -> dict:
    now = time.time()
    # a fresh call id each time: the host drops a repeated (call_id, trigger)
    event = {"trigger": trigger, "call_id": f"{call_id}-{uuid.uuid4().hex[:8]}", "direction": "incoming", "queue": None, "callee": "200",
             "caller": CALLER, "caller_name": CALLER_NAME, "user": "agent200", "started_at": now - 1,
             "answered_at": None, "ended_at": None}
    event.update(extra)
    return event


def ten_webhooks_with_history(host, receiver) -> dict[str, Any]:
    """Ten webhooks (one switched off); a ringing call (a tab and a GET delivered), an ended call
    (a POST delivered), a missed call whose POST the receiver refuses (failed). Returns them by role."""
    add = host.add
    made = {
        "pop": add("incoming_call_ringing", "open_tab", receiver.url("/crm") + "?n={caller_name}", name="CRM screen pop"),
        "ring": add("incoming_call_ringing", "get", receiver.url("/ring") + "?c={caller}&n={caller_name}", name="Ringing log"),
        "log": add("incoming_call_ended", "post", receiver.url("/calls") + "?caller={caller}&name={caller_name}"
                   "&duration={duration}&start={time}&ended={ended_at}&callee={callee}&user={user}",
                   body='{{"caller": "{caller}", "duration": {duration}}}', name="Call log"),
        "missed": add("incoming_call_missed", "post", receiver.url("/missed"), body='{{"caller": "{caller}"}}',
                      name="Missed calls"),
        "out": add("outgoing_call_started", "get", receiver.url("/out?n={callee}"), name="Dialling"),
        "queue": add("queue_call_accepted", "get", receiver.url("/queue?q={queue}"), name="Queue pick-up"),
        "queue_end": add("queue_call_ended", "post", receiver.url("/queue-end"), name="Queue wrap-up"),
        "out_end": add("outgoing_call_ended", "get", receiver.url("/out-end?d={duration}"), name="Outgoing log"),
        "accept": add("incoming_call_accepted", "open_tab", receiver.url("/ticket?c={caller}"), name="Ticket"),
        "off": add("incoming_call_ringing", "get", receiver.url("/off"), name="Old lookup", enabled=False),
    }
    with HostClient(env=host.environ) as client:
        client.request("call_event", event=_event("incoming_call_ringing", "c1@lab"))
        client.request("call_event", event=_event("incoming_call_ended", "c2@lab", started_at=time.time() - 70,
                                                  answered_at=time.time() - 60,
                                                  ended_at=time.time(), duration=60))
        receiver.wait_for(1, path="/ring")
        receiver.wait_for(1, path="/calls")
        receiver.respond(default=404)
        client.request("call_event", event=_event("incoming_call_missed", "c3@lab", ended_at=time.time()))
        client.delivery_when(lambda d: d["state"] == "failed", webhook_id=made["missed"].id, timeout=15)
        receiver.respond(default=200)
    return made


# Every visible text (and every field's value) against the background it is drawn on, from the
# rendered styles: colours composited over the nearest opaque ancestor background (WCAG 2.x).
CONTRAST_JS = r"""
const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1); };
const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const bg = parse(getComputedStyle(e).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let out = [255, 255, 255, 1];
  if (!layers.length || layers[layers.length - 1][3] < 1) out = matchMedia('(prefers-color-scheme: dark)').matches ? [18, 18, 18, 1] : out;
  for (const layer of layers.reverse()) out = over(layer, out);
  return out;
}
const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[hidden], .sr-only'); };
const checked = [], failed = [];
for (const el of document.body.querySelectorAll('*')) {
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const field = /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && el.value && el.type !== 'checkbox';
  if (!(own || field) || !visible(el) || el.closest(':disabled, [aria-hidden=true]')) continue;
  const bg = background(el);
  const fg = over(parse(getComputedStyle(el).color), bg);
  const l1 = lum(fg), l2 = lum(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const item = {text: (own ? el.textContent : el.value).trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100,
                tag: el.tagName, fg: fg.slice(0, 3).join(','), bg: bg.slice(0, 3).join(',')};
  checked.push(item);
  if (ratio < 4.5) failed.push(item);
}
return {checked: checked.length, failed, dark: matchMedia('(prefers-color-scheme: dark)').matches};
"""


def contrast(driver) -> dict:
    return driver.execute_script(CONTRAST_JS)


def add_through_ui(driver, trigger: str, action: str, url: str):
    """Add a webhook in the open popup as a user does; returns its editor once saved, with its id."""
    from selenium.webdriver.support.ui import Select

    driver.find_element(By.ID, "add-webhook").click()
    card = WebDriverWait(driver, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, '#editor-slot article[data-testid="webhook"]'))
    Select(by_testid(card, "webhook-trigger")).select_by_value(trigger)
    Select(by_testid(card, "webhook-action")).select_by_value(action)
    by_testid(card, "webhook-url").send_keys(url)
    WebDriverWait(driver, 10).until(lambda d: card.get_attribute("data-save-state") == "saved",
                                    message=f"card not saved: {card.get_attribute('data-save-state')}")
    WebDriverWait(driver, 5).until(lambda d: card.get_attribute("data-webhook-id"))
    return card


def row_state(driver, webhook_id: str) -> str | None:
    """The row's delivery state, read in one step: the overview re-renders a row when a delivery
    changes, so an element found a moment earlier can be gone (stale) by the time it is read."""
    return driver.execute_script(
        "const el = document.querySelector(`#webhook-list li[data-webhook-id=\"${arguments[0]}\"] [data-testid=\"row-state\"]`);"
        " return el ? el.getAttribute('data-state') : null;", webhook_id)


_LOG_JS = """
return [...document.querySelectorAll('#delivery-list li[data-testid="delivery"]')].map((li) => {
  const text = (id) => { const el = li.querySelector(`[data-testid="${id}"]`); return el ? el.innerText : null; };
  const retry = li.querySelector('[data-testid="retry-delivery"]');
  return {webhook_id: li.getAttribute('data-webhook-id'), state: li.getAttribute('data-state'),
          state_text: text('delivery-state'), url: text('delivery-url'), detail: text('delivery-detail'),
          retry: retry ? {shown: retry.getClientRects().length > 0 && getComputedStyle(retry).visibility !== 'hidden',
                          text: retry.innerText} : null};
});"""


def log_entries(driver, condition=lambda entries: bool(entries), timeout: float = 10) -> list[dict]:
    """The delivery log as shown (webhook_id, state, state_text, url, detail, retry), once `condition(entries)`
    holds. Read in one step: the log re-renders when a delivery changes, so an element found a
    moment earlier can be gone (stale) by the time it is read."""
    found: list[list[dict]] = []

    def shown(d) -> bool:
        found[:] = [d.execute_script(_LOG_JS)]
        return condition(found[0])

    WebDriverWait(driver, timeout).until(shown, message="the log never showed what was expected")
    return found[0]

