"""The CRM loop in real Chromium and Firefox ESR, calls through Kamailio and SIPp: a lookup webhook
asks a CRM on 127.0.0.1 while the call rings; the caller card shows the contact's name as a desktop
notification (to the lab's notification server on its own D-Bus, where the browsers send them); a
click on it opens the record in a tab that carries the user's CRM cookie; the call's end takes the
card away; the call log reaches the CRM on that contact. An unknown caller shows "Unknown caller"
and the number, and the card goes when the caller gives up. The shipped HubSpot presets do the same
against the lab's HubSpot server (`lab/crm_vendors.py`).

Chromium's permission prompt cannot be answered headless, so its extension copy has
`notifications` granted as the enterprise build has it; Firefox gets the shipped copy, where the
options page's switch asks for the optional permission (granted by the profile preference that
answers such prompts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from ucc_webhooks.engine.presets import PRESETS
from ucc_webhooks_dev.lab import browser as lab_browser
from ucc_webhooks_dev.lab.crm_vendors import VENDORS, point_at
from ucc_webhooks_dev.lab.notifications import CLOSED_BY_CALL, DISMISSED, NotificationServer
from ucc_webhooks_dev.lab.stack import BrowserLab

from .crm_support import Crm

pytestmark = pytest.mark.browser

#: The contact: quotes, a backslash and braces, which must arrive as written in the notification and the call log.
CONTACT_ID = "4711"
CONTACT_NAME = 'Anna "Nina" Müller {VIP} \\ Co'
COMPANY = "Müller & Söhne GmbH"
KNOWN, UNKNOWN = "+4930123456", "+4940999888"
SESSION = "crm_session"
RESPONSE_MAP = {"contact_id": "results[0].id", "contact_name": "results[0].properties.name",
                "contact_company": "results[0].properties.company"}


@pytest.fixture(scope="module")
def desktop(tmp_path_factory) -> Iterator[NotificationServer]:
    with NotificationServer(tmp_path_factory.mktemp("desktop")) as server:
        yield server


def _lab(kind: str, root: Path, sip, softphone, desktop: NotificationServer) -> BrowserLab:
    lab = BrowserLab(kind, root, sip, softphone, browser_env=desktop.environ,
                     browser_prefs={"extensions.webextOptionalPermissionPrompts": False})
    # Chromium: no prompt to answer headless, so granted as the enterprise build grants it
    lab_browser.test_extension_copy(lab.extension_dir, [softphone.match_pattern],
                                    grant=("notifications",) if kind == "chromium" else ())
    return lab.start()


@pytest.fixture(scope="module", params=["chromium", "firefox"])
def crm_lab(request, sip, softphone_server, desktop, tmp_path_factory) -> Iterator[BrowserLab]:
    lab = _lab(request.param, tmp_path_factory.mktemp(f"{request.param}-crm"), sip, softphone_server, desktop)
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture
def lab(crm_lab: BrowserLab) -> BrowserLab:
    if crm_lab.session is None:
        crm_lab.start()
    crm_lab.host.clear()
    crm_lab.close_other_tabs()
    crm_lab.reload_page()
    return crm_lab


@pytest.fixture
def crm() -> Iterator[Crm]:
    with Crm((KNOWN, CONTACT_ID, CONTACT_NAME, COMPANY)) as server:
        yield server


def _sign_in(lab: BrowserLab, crm: Crm) -> str:
    """The user's own session in the CRM: a cookie only the browser has."""
    value = f"{lab.kind}-s3cret"
    lab.ext.open_tab(crm.url("/login"))
    lab.driver.add_cookie({"name": SESSION, "value": value, "path": "/"})
    lab.ext.close_tab(lab.page.handle)
    return value


def _switch_card_on(lab: BrowserLab) -> None:
    """The options page's switch, clicked as a user clicks it (Firefox asks for the permission then)."""
    driver = lab.driver
    lab.ext.open_tab(lab.ext.options_url)
    # once it shows the stored setting: a click before that would be undone (or turn it off)
    box = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, '#caller-card[data-ready="true"]'))
    if not box.is_selected():
        box.click()
    WebDriverWait(driver, 10).until(lambda d: d.execute_async_script(
        "const done = arguments[0]; const api = globalThis.browser || globalThis.chrome;"
        "Promise.all([api.storage.local.get('callerCard'), api.permissions.contains({permissions: ['notifications']})])"
        ".then(([s, granted]) => done(s.callerCard === true && granted));"), "the caller card did not switch on")
    assert driver.find_element(By.ID, "caller-card-denied").get_attribute("hidden") is not None
    lab.ext.close_tab(lab.page.handle)


def _popup_card(lab: BrowserLab) -> dict:
    """The popup's card of the ringing call, as shown."""
    driver = lab.driver
    lab.ext.open_tab(lab.ext.popup_url)
    try:
        card = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="caller-card"]'))
        return {"name": card.find_element(By.CSS_SELECTOR, '[data-testid="card-name"]').text,
                "detail": card.find_element(By.CSS_SELECTOR, '[data-testid="card-detail"]').text,
                "open": bool(card.find_elements(By.CSS_SELECTOR, '[data-testid="card-open"]'))}
    finally:
        lab.ext.close_tab(lab.page.handle)


def test_caller_card_from_the_crm_a_click_opens_the_record_and_the_call_log_names_the_contact(lab, crm, desktop, remote):
    cookie = _sign_in(lab, crm)
    _switch_card_on(lab)
    lab.host.add("incoming_call_ringing", "lookup", crm.url("/api/search?phone={caller_e164}"), name="CRM lookup",
                 response_map={**RESPONSE_MAP, "contact_url": crm.url("/contacts/{contact_id}")})
    lab.host.add("incoming_call_ended", "post", crm.url("/api/calls"), name="Call log",
                 body='{"contact_id": "{contact_id}", "found": {contact_found}, "name": "{contact_name}", "seconds": {duration}}')
    mark = desktop.mark()  # one notification server for both browsers: only what this call shows counts
    tabs_before = set(lab.driver.window_handles)

    run = remote.call("agent200", "uac_page_hangup", caller=KNOWN, caller_name="Anna")
    card = desktop.wait_for(lambda n: n.summary == CONTACT_NAME, what=f"the caller card of {CONTACT_NAME!r}", after=mark)
    (search,) = crm.wait_for("/api/search")
    assert search.query == {"phone": KNOWN} and "webhook-id" in search.headers
    assert card.body == f"{COMPANY}\n{KNOWN}"
    assert "default" in card.action_keys, card.actions  # a click on the notification itself is the record
    assert desktop.mark() == mark + 1, "one card per call"
    assert _popup_card(lab) == {"name": CONTACT_NAME, "detail": f"{COMPANY} · {KNOWN}", "open": True}

    desktop.click(card)
    (record,) = crm.wait_for(f"/contacts/{CONTACT_ID}")
    assert f"{SESSION}={cookie}" in record.headers.get("cookie", ""), "the record opened in the user's own session"
    assert "webhook-id" not in record.headers, "a browser tab, not the host"
    WebDriverWait(lab.driver, 10).until(lambda d: len(set(d.window_handles) - tabs_before) == 1)

    lab.page.focus()
    lab.page.answer()
    lab.page.wait_event("accepted", 0)
    lab.page.hangup()
    (log,) = crm.wait_for("/api/calls")
    run.wait()
    assert log.json()["contact_id"] == CONTACT_ID and log.json()["found"] is True
    assert log.json()["name"] == CONTACT_NAME and isinstance(log.json()["seconds"], int)
    assert card.closed_reason == DISMISSED


def test_unknown_caller_card_goes_when_the_caller_gives_up(lab, crm, desktop, remote):
    _switch_card_on(lab)
    lab.host.add("incoming_call_ringing", "lookup", crm.url("/api/search?phone={caller_e164}"), name="CRM lookup",
                 response_map=RESPONSE_MAP)
    mark = desktop.mark()
    run = remote.call("agent200", "uac_cancel", caller=UNKNOWN, caller_name="Someone", talk_ms=6000)
    card = desktop.wait_for(lambda n: n.body == UNKNOWN, what="the unknown caller's card", after=mark)
    assert card.summary == "Unknown caller"
    crm.wait_for("/api/search")
    assert desktop.wait_closed(card, timeout=20) == CLOSED_BY_CALL, "taken away by the extension on the missed call"
    run.wait()


def test_hubspot_presets_against_the_lab_hubspot_card_and_call_on_the_contact(lab, desktop, remote):
    """The shipped HubSpot presets against the lab's HubSpot (its documented search, stored numbers
    in another format): the card names the contact, the call engagement lands on that contact."""
    _switch_card_on(lab)
    with VENDORS["HubSpot"]() as hubspot:
        for preset in ("hubspot-lookup", "hubspot-call-contact", "hubspot-call"):
            lab.host.add(**point_at(next(p for p in PRESETS if p["id"] == preset), hubspot))
        anna_id, anna = hubspot.person("anna")  # stored as "030 1234567"
        mark = desktop.mark()
        run = remote.call("agent200", "uac_page_hangup", caller="+49301234567", caller_name="Anna")
        card = desktop.wait_for(lambda n: n.summary == anna.name, what=f"the caller card of {anna.name!r}", after=mark)
        assert card.body == f"{anna.company}\n+49301234567"
        lab.page.answer()
        lab.page.wait_event("accepted", 0)
        lab.page.hangup()
        (call,) = hubspot.wait_created(1, "call", timeout=15)
        run.wait()
        assert call.contact_id == anna_id and call.problems == [], call
        assert desktop.wait_closed(card) == CLOSED_BY_CALL, "the card goes with the call's end"


def test_popup_editor_makes_a_lookup_and_tries_its_map(lab, crm):
    """The editor as an integrator uses it: per trigger only the actions hello lists, the response map
    with Try the map on a pasted answer, the contact condition and chips, all saved to the host."""
    driver = lab.driver
    lab.ext.open_tab(lab.ext.popup_url)
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "host-status").get_attribute("data-state") == "connected")
    driver.find_element(By.ID, "add-webhook").click()
    card = WebDriverWait(driver, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, '#editor-slot article[data-testid="webhook"]'))

    def testid(name: str):
        return card.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')

    def offered() -> list[str]:
        return [o.get_attribute("value") for o in Select(testid("webhook-action")).options]

    Select(testid("webhook-trigger")).select_by_value("incoming_call_ended")
    assert "lookup" not in offered()
    Select(testid("webhook-trigger")).select_by_value("incoming_call_ringing")
    assert "lookup" in offered()
    Select(testid("webhook-action")).select_by_value("lookup")
    assert testid("lookup-fields").is_displayed() and testid("post-fields").is_displayed()
    chips = {c.get_attribute("data-placeholder"): c.get_attribute("aria-disabled") for c in
             card.find_elements(By.CSS_SELECTOR, '[data-testid="placeholder-chip"]')}
    for name in ("contact_id", "contact_name", "contact_company", "contact_url", "contact_found"):
        assert chips.get(name) == "true", f"{{{name}}} must be offered, greyed inside a lookup: {chips}"
    for key, expression in RESPONSE_MAP.items():
        testid(f"map-{key}").send_keys(expression)
    testid("webhook-url").send_keys(crm.url("/api/search?phone={caller_e164}"))
    WebDriverWait(driver, 10).until(lambda d: card.get_attribute("data-save-state") == "saved",
                                    message=f"not saved: {card.text}")
    testid("try-map").find_element(By.XPATH, "./ancestor::details").click()
    sample = json.dumps({"results": [{"id": 42, "properties": {"name": CONTACT_NAME, "company": COMPANY}}]})
    testid("map-sample").send_keys(sample)
    testid("try-map").click()
    WebDriverWait(driver, 10).until(lambda d: testid("map-result").get_attribute("data-found") == "true",
                                    message=f"map result: {testid('map-result').text}")
    assert CONTACT_NAME in testid("map-result").text and "id 42" in testid("map-result").text
    testid("map-sample").clear()
    testid("map-sample").send_keys("not json")
    testid("try-map").click()
    WebDriverWait(driver, 10).until(lambda d: "JSON" in testid("map-result").text)
    assert testid("map-result").get_attribute("data-ok") == "false"

    (saved,) = lab.host.webhooks()
    assert saved.action == "lookup" and dict(saved.response_map) == RESPONSE_MAP
    # an open_tab after it: the contact condition and the fallback are offered, and saved
    Select(testid("webhook-action")).select_by_value("open_tab")
    assert testid("fallback-fields").is_displayed() and not testid("lookup-fields").is_displayed()
    chips = {c.get_attribute("data-placeholder"): c.get_attribute("aria-disabled") for c in
             card.find_elements(By.CSS_SELECTOR, '[data-testid="placeholder-chip"]')}
    assert all(chips.get(name) is None for name in ("contact_id", "contact_name", "contact_company", "contact_url",
                                                    "contact_found")), f"the call's other webhooks use them: {chips}"
    card.find_element(By.CSS_SELECTOR, "details.conditions").click()
    Select(testid("condition-contact")).select_by_value("found")
    testid("webhook-url").clear()
    testid("webhook-url").send_keys("{contact_url}")
    testid("fallback-url").send_keys(crm.url("/new?phone={caller_e164}"))
    fallback = crm.url("/new?phone={caller_e164}")
    WebDriverWait(driver, 10).until(lambda d: card.get_attribute("data-save-state") == "saved"
                                    and lab.host.webhooks()[0].fallback_url == fallback,
                                    message=f"not saved: {card.text}")
    (saved,) = lab.host.webhooks()
    assert saved.action == "open_tab" and saved.conditions.contact == "found" and saved.url == "{contact_url}"
    assert not saved.response_map, "the lookup's map is not carried over to another action"
    lab.ext.close_tab(lab.page.handle)
