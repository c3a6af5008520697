"""The administrator's roll-out, in a real Firefox ESR: `ucc-webhooks extension pack` builds the XPI
and `policies/firefox-policies.json`; that snippet, written as the machine's `policies.json`,
force-installs the add-on from a file server on 127.0.0.1 (`ExtensionSettings`,
`installation_mode: force_installed`) and sets its managed settings (`3rdparty.Extensions.<gecko
id>`); `ucc-webhooks install --browser firefox` registers the host under a throwaway HOME. No page
of the add-on is opened: a call in the lab softphone fires the webhook (the queue rule comes from
the policy only) and opens the screen-pop tab.

Where: this Debian firefox-esr reads `/etc/firefox/policies/policies.json` (and, only when that
file is absent, `distribution/policies.json` beside the binary); `/etc/firefox-esr/policies/` is
not read. Firefox reads exactly that one file name, so `MachinePolicy` refuses to run over a
policy the machine already has, and removes only the file it made.

Signing: the packed XPI is unsigned. Firefox ESR (unlike release) honours the pref
`xpinstall.signatures.required = false`. The test sets it as a profile pref through the Selenium
options (browser configuration, like the fake media devices, not a change to the add-on), and once
more from the machine policy itself (`Preferences`, locked), the way an administrator of ESR
desktops could. An administrator should ship a Mozilla-signed XPI instead (README, "For
administrators").

The policy reaches every Firefox on this computer, so the test runs only with CI=true or
UCC_WEBHOOKS_E2E_MACHINE_POLICY=1 (and as root), and removes the file (and the folders it made)
also when it fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from ucc_webhooks.constants import FIREFOX_EXTENSION_ID
from ucc_webhooks_dev.lab import browser as lab_browser
from ucc_webhooks_dev.lab.hostenv import HostEnv
from ucc_webhooks_dev.lab.phonepage import PhonePage
from ucc_webhooks_dev.lab.policy import MachinePolicy

from .e2e_support import queue_call_pops_the_crm

pytestmark = [pytest.mark.browser, pytest.mark.machine_policy]

FIREFOX_POLICIES = Path("/etc/firefox/policies")
NO_SIGNATURE_CHECK = {"xpinstall.signatures.required": False}

# Chrome context (what about:policies shows): did Firefox read our file, and which add-ons does it
# force? Read once at startup, before Marionette answers, so no wait is needed.
POLICY_ENGINE = ("const active = Services.policies.getActivePolicies() || {};"
                 "return [Services.policies.status === Ci.nsIEnterprisePolicies.ACTIVE,"
                 " Object.keys(active.ExtensionSettings || {})]")
# Chrome context: is the add-on installed and running? (AddonManager is Firefox's own.)
ADDON_STATE = """
const done = arguments[arguments.length - 1];
const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
AddonManager.getAddonByID(arguments[0]).then((a) => done(a && {active: a.isActive}), (e) => done({error: String(e)}));
"""
# The observer is in the page (its settings reach it on a private channel the page cannot see; SIP
# messages that come before them are held, so the first call is classified by the policy's rule).

@pytest.mark.parametrize("unsigned_by", ["profile pref", "policy"])
def test_policy_installs_the_xpi_and_a_call_pops_the_crm(unsigned_by, packed, tmp_path, sip, softphone_server,
                                                         receiver, remote):
    info, server = packed
    policy = json.loads(Path(info["files"]["firefox"]).read_text())
    addon = policy["policies"]["ExtensionSettings"][FIREFOX_EXTENSION_ID]
    assert addon == {"installation_mode": "force_installed", "install_url": server.url("ucc-webhooks.xpi")}
    assert policy["policies"]["3rdparty"]["Extensions"][FIREFOX_EXTENSION_ID]["queueRule"] == {"header": "X-Queue"}
    if unsigned_by == "policy":
        policy["policies"]["Preferences"] = {
            key: {"Value": value, "Status": "locked"} for key, value in NO_SIGNATURE_CHECK.items()}

    host = HostEnv(tmp_path / "host")
    host.install_firefox()  # HOME is the throwaway one: ~/.mozilla/native-messaging-hosts/ there
    host.add("queue_call_accepted", "get", receiver.url("/hook/accepted") + "?caller={caller}&queue={queue}")
    host.add("queue_call_accepted", "open_tab", receiver.url("/crm") + "?phone={caller}")

    there_before = [p for p in (FIREFOX_POLICIES, FIREFOX_POLICIES.parent) if p.exists()]
    with MachinePolicy(FIREFOX_POLICIES, policy, file_name="policies.json") as written:
        session = lab_browser.firefox(tmp_path / "profile", None, env=host.environ,
                                      log_path=tmp_path / "geckodriver.log",
                                      prefs=NO_SIGNATURE_CHECK if unsigned_by == "profile pref" else None)
        try:
            driver = session.driver
            driver.set_script_timeout(10)
            with driver.context(driver.CONTEXT_CHROME):
                engine = driver.execute_script(POLICY_ENGINE)
            assert engine == [True, [FIREFOX_EXTENSION_ID]], f"Firefox did not apply {written}: {engine}"

            def addon_active(d) -> bool:
                with d.context(d.CONTEXT_CHROME):
                    state = d.execute_async_script(ADDON_STATE, FIREFOX_EXTENSION_ID)
                assert not (state or {}).get("error"), state
                return bool(state and state["active"])

            WebDriverWait(driver, 30, 0.3).until(addon_active, "the policy did not install the add-on")
            assert "/ucc-webhooks.xpi" in server.requests
            page = PhonePage(driver, softphone_server.url(ws=sip.ws_url, user="agent200")).open()

            def observed(d) -> bool:
                if page.observed():
                    return True
                page.open()  # loaded before the add-on registered the observer: load it again
                return False

            WebDriverWait(driver, 15, 1).until(observed, "the observer never came into the page")
            queue_call_pops_the_crm(driver, page, remote, receiver)
        finally:
            session.quit()
            host.kill_hosts()
    assert not written.exists()
    assert [p for p in (FIREFOX_POLICIES, FIREFOX_POLICIES.parent) if p.exists()] == there_before
