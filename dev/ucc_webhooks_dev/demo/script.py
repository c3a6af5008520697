"""The demo's story: start the parts, add the sample webhooks, three calls, screenshots, summary.

`Demo.run()` may raise anywhere (a part that does not start, a call that does not connect);
`Demo.stop()` ends whatever was started, in reverse order; `Demo.step` names what was being
tried and `Demo.hint()` what to do about it. The command line around it is `demo.py`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from ucc_webhooks_dev.demo.console import Console
from ucc_webhooks_dev.lab.proc import kill_processes_naming

__all__ = ["Demo"]

USER = "agent200"
QUEUE_RULE = {"header": "X-Queue", "displayNamePattern": None}
ANNA = ("03012345678", "Anna Müller")      # calls the agent directly; a contact in the CRM
BERND = ("0891234567", "Bernd Huber")      # calls the Support queue; not in the CRM yet
CARLA = "040555123"                        # the agent calls her
POPUP_CLIP = {"x": 0, "y": 0, "width": 644, "height": 600}  # body.popup is 620 px + padding

# step -> what to do when it fails (the error itself is printed above this hint)
_HINTS = {
    "start the phone system (Kamailio)": "check `kamailio -v`; run `make setup` to install kamailio-websocket-modules",
    "register the host with Chromium": "the output of `ucc-webhooks install` above names what failed; "
                                       "`make setup` repairs a broken package",
    "start Chromium with the extension": "chromium and chromium-driver must have the same version: run `make setup`",
    "open the softphone": "the softphone registers at Kamailio over WebSocket; see kamailio/kamailio.log in the folder named below",
}


def _no_display(chromium_log: Path) -> bool:
    """Chromium's log says it could not open the display (DISPLAY set, but no X server behind it)."""
    text = chromium_log.read_text(errors="replace") if chromium_log.is_file() else ""
    return "Missing X server" in text or "platform failed to initialize" in text


def _display_name() -> str:
    return ", ".join(f"{k}={os.environ[k]}" for k in ("DISPLAY", "WAYLAND_DISPLAY") if os.environ.get(k))


class Demo:
    """The parts and the script. `run()` may raise anywhere; `stop()` ends what was started."""

    def __init__(self, console: Console, root: Path, output: Path, headless: bool, lang: str | None = None) -> None:
        self.console = console
        self.lang = lang  # Chromium on Linux takes its UI language from LANGUAGE
        self.root = root
        self.output = output
        self.headless = headless
        self.step = "prepare"
        self._stack = contextlib.ExitStack()
        self.screenshots: dict[str, Path] = {}

    # -- the script -----------------------------------------------------------------------------
    def run(self) -> None:
        say = self.console.say
        say("UCC Webhooks demo: a browser, a softphone, a phone system and a CRM on this machine.")
        say("The extension reads the softphone's SIP messages and reports each call to the host, which")
        say("fires the webhooks: GET and POST in the background, open_tab as a tab in this browser (with")
        say("its cookies). Everything runs in a temp folder and is stopped at the end.")
        self._start_phone_parts()
        self._start_browser()
        self._add_webhooks()
        self._open_softphone()
        self._incoming_direct_call()
        self._queue_call()
        self._outgoing_call()
        self._screenshots()
        self._summary()

    def _start_phone_parts(self) -> None:
        """Phone system, softphone page, CRM, remote party."""
        from ucc_webhooks_dev.demo.crm import Crm
        from ucc_webhooks_dev.lab.sipp import Sipp
        from ucc_webhooks_dev.lab.sipserver import SipServer
        from ucc_webhooks_dev.lab.softphone import SoftphoneServer

        c = self.console
        c.section("Starting")
        self.step = "start the phone system (Kamailio)"
        self.sip = self._stack.enter_context(SipServer(workdir=self.root / "kamailio"))
        c.event("setup", f"phone system  Kamailio, SIP over WebSocket at {self.sip.ws_url}")
        self.step = "start the softphone page server"
        self.phone_server = self._stack.enter_context(SoftphoneServer())
        c.event("setup", f"softphone     {self.phone_server.origin}/ (JsSIP; stands in for the UCC web client)")
        self.step = "start the CRM"
        self.crm = self._stack.enter_context(Crm(on_request=self._crm_line))
        c.event("setup", f"CRM           {self.crm.url('/')} (records every request)")
        (self.root / "sipp").mkdir()
        self.remote = self._stack.enter_context(Sipp(self.sip, workdir=self.root / "sipp"))
        c.event("setup", "remote party  SIPp, calls in and answers calls")

    def _start_browser(self) -> None:
        """`ucc-webhooks install` into a fresh profile, Chromium with the extension, its settings."""
        from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID
        from ucc_webhooks_dev.demo.browser import start_chromium
        from ucc_webhooks_dev.lab.browser import test_extension_copy
        from ucc_webhooks_dev.lab.extension import ExtensionPages
        from ucc_webhooks_dev.lab.hostenv import HostEnv

        c = self.console
        self.step = "register the host with Chromium"
        self.host = HostEnv(self.root / "host")
        profile = self.root / "profile"
        profile.mkdir(parents=True)
        self.host.install_chromium(profile)
        c.event("setup", f"host          `ucc-webhooks install --browser chromium --profile-dir {profile}`")
        c.event("setup", f"              data in {self.host.data_dir} (UCC_WEBHOOKS_HOME), not your own")

        self.step = "start Chromium with the extension"
        extension = test_extension_copy(self.root / "extension", [self.phone_server.match_pattern])
        (self.root / "logs").mkdir()
        log = self.root / "logs" / "chromedriver.log"
        try:
            self.session = start_chromium(profile, extension, self._browser_env(), log, headless=self.headless)
        except Exception:
            if self.headless or not _no_display(log):
                raise
            c.event("setup", f"browser       no usable display ({_display_name()}): running headless instead")
            self.headless = True
            self.session = start_chromium(profile, extension, self._browser_env(), log, headless=True)
        self._stack.callback(self._stop_browser)
        self.session.require_extension(CHROMIUM_EXTENSION_ID)
        self.driver = self.session.driver
        self.ext = ExtensionPages(self.driver, "chromium", extension)
        c.event("setup", f"browser       Chromium ({'headless' if self.headless else 'window'}) with the extension "
                         f"{CHROMIUM_EXTENSION_ID}")
        c.event("setup", "              (extension/ as is, plus the softphone's origin pre-granted: a browser under "
                         "automation cannot answer the permission prompt)")

        self.step = "configure the extension"
        self.ext.configure({"uccOrigins": [self.phone_server.match_pattern], "queueRule": QUEUE_RULE})
        c.event("setup", f"extension     watches {self.phone_server.match_pattern}; a call with an X-Queue "
                         "header is a queue call")

    def _add_webhooks(self) -> None:
        self.step = "add the sample webhooks"
        crm = self.crm.url
        # the CRM loop: a lookup on ringing finds the caller; the screen pop opens the found record
        # (or, for a number the CRM does not know, the fallback), the call log names the contact
        lookup_map = {"contact_id": "results[0].id", "contact_name": "results[0].name",
                      "contact_company": "results[0].company", "contact_url": crm("/contacts/{contact_id}")}
        body_in = '{{"caller": "{caller}", "contact_id": {contact_id}, "start": {time}, "seconds": {duration}}}'
        body_out = '{{"callee": "{callee}", "start": {time}, "seconds": {duration}}}'
        samples: list[tuple[str, str, str, str, dict]] = [  # (name, trigger, action, url, other fields)
            ("CRM: who is calling", "incoming_call_ringing", "lookup", crm("/api/contacts") + "?phone={caller_e164}",
             {"response_map": lookup_map}),
            ("CRM: open the caller's record", "incoming_call_accepted", "open_tab", "{contact_url}",
             {"fallback_url": crm("/contact") + "?phone={caller_e164}&name={caller_name}"}),
            ("CRM: open the record (queue)", "queue_call_accepted", "open_tab", "{contact_url}",
             {"fallback_url": crm("/contact") + "?phone={caller_e164}&queue={queue}"}),
            ("CRM: log the call", "incoming_call_ended", "post", crm("/calls"), {"body": body_in}),
            ("CRM: log the queue call", "queue_call_ended", "post", crm("/calls"), {"body": body_in}),
            ("CRM: note the dialled number", "outgoing_call_started", "get",
             crm("/dial-log") + "?to={callee_e164}&at={time}", {}),
            ("CRM: log the outgoing call", "outgoing_call_ended", "post", crm("/calls"), {"body": body_out}),
        ]
        self.console.section("Webhooks (as you would set them in the popup or with `ucc-webhooks add`)")
        for name, trigger, action, url, fields in samples:
            self.host.add(trigger, action, url, name=name, **fields)
            self.console.say(f"  {trigger:<23} {action:<8} {url}")
            for field, value in fields.items():
                shown = ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
                self.console.say(f"  {'':32}{field.replace('_', ' ')} {shown}")

    def _open_softphone(self) -> None:
        from ucc_webhooks_dev.demo.watch import Watcher
        from ucc_webhooks_dev.lab.phonepage import PhonePage

        self.step = "sign in to the CRM"
        self.console.section("The agent signs in to the CRM, then opens the softphone")
        self.driver.get(self.crm.url("/login"))
        self.step = "open the softphone"
        self.page = PhonePage(self.driver, self.phone_server.url(ws=self.sip.ws_url, user=USER)).open()
        self.console.later("phone", f"softphone registered as {USER} at the phone system", time.time())
        self.console.flush()
        self.watch = Watcher(self.console, self.page, self.crm)

    def _incoming_direct_call(self) -> None:
        number, name = ANNA
        self.console.section(f"Call 1: {name} ({number}) calls the agent directly; she is in the CRM")
        self.step = "place the incoming direct call"
        run = self.remote.call(USER, "uac_remote_hangup", caller=number, caller_name=name, talk_ms=2000)
        self.watch.until(lambda: self.watch.seen("new", 0), "the call to ring")
        self.watch.pause(0.8)
        self.page.answer(0)
        self.watch.until(lambda: self.watch.seen("accepted", 0), "the agent to be connected")
        self.watch.until(lambda: len(self.watch.opened_tabs) >= 1 and self.crm.requests_to("/contacts/1001") >= 1,
                    "her record to open in a tab (open_tab on incoming_call_accepted, {contact_url})")
        self.watch.until(lambda: self.watch.seen("ended", 0), "the caller to hang up", timeout=20)
        self.watch.until(lambda: self.crm.requests_to("/calls") >= 1, "the call record (POST on incoming_call_ended)")
        run.wait(15)

    def _queue_call(self) -> None:
        number, name = BERND
        self.console.section(f"Call 2: {name} ({number}), not in the CRM yet, calls the Support queue; the agent takes it")
        self.step = "place the queue call"
        run = self.remote.call(USER, "uac_page_hangup", caller=number, caller_name=name,
                               headers={"X-Queue": "Support"})
        self.watch.until(lambda: self.watch.seen("new", 1), "the queue call to ring")
        self.watch.mark_queue(1, "Support")
        self.watch.pause(0.8)
        self.page.answer(1)
        self.watch.until(lambda: self.watch.seen("accepted", 1), "the agent to be connected")
        self.watch.until(lambda: len(self.watch.opened_tabs) >= 2 and self.crm.requests_to("/contact") >= 1,
                    "the new-contact page to open in a tab (open_tab on queue_call_accepted, its fallback URL)")
        self.watch.pause(2.0)
        self.page.hangup(1)
        self.watch.until(lambda: self.watch.seen("ended", 1), "the call to end")
        self.watch.until(lambda: self.crm.requests_to("/calls") >= 2, "the call record (POST on queue_call_ended)")
        run.wait(15)

    def _outgoing_call(self) -> None:
        self.console.section(f"Call 3: the agent calls {CARLA}")
        self.step = "place the outgoing call"
        target = self.remote.serve("uas_answer", number=CARLA)
        index = self.page.call(target.uri)
        self.watch.until(lambda: self.watch.seen("accepted", index), f"{CARLA} to answer")
        self.watch.until(lambda: self.crm.requests_to("/dial-log") >= 1, "the GET on outgoing_call_started")
        self.watch.pause(2.0)
        self.page.hangup(index)
        self.watch.until(lambda: self.watch.seen("ended", index), "the call to end")
        self.watch.until(lambda: self.crm.requests_to("/calls") >= 3, "the call record (POST on outgoing_call_ended)")
        target.wait(15)

    def _browser_env(self) -> dict[str, str]:
        return {**self.host.environ, **({"LANGUAGE": self.lang} if self.lang else {})}

    def _screenshots(self) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        from ucc_webhooks_dev.demo.browser import element_clip, save_screenshot

        self.step = "take the screenshots"
        self.console.section("Screenshots")
        self.output.mkdir(parents=True, exist_ok=True)
        popup_tab = self.ext.open_tab(self.ext.popup_url)
        self.watch.ignore_tab(popup_tab)
        WebDriverWait(self.driver, 15).until(
            lambda d: d.find_element(By.ID, "host-status").get_attribute("data-state") == "connected",
            message="the popup did not connect to the host")
        WebDriverWait(self.driver, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, '#webhook-list li [data-state="delivered"]'),
            message="the popup's overview shows no delivered webhook")
        time.sleep(0.3)  # let the list finish rendering before the picture
        # the popup as it opens (Chromium shows at most 800x600 px of it), then its log view; light and dark
        for dark in (False, True):
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
            suffix = (f"-{self.lang}" if self.lang else "") + ("-dark" if dark else "")
            self.driver.find_element(By.ID, "tab-webhooks").click()
            self.screenshots["popup" + suffix] = save_screenshot(self.driver, self.output / f"popup{suffix}.png", POPUP_CLIP)
            self.console.event("shot", f"the popup, as it opens:      {self.screenshots['popup' + suffix]}")
            self.driver.find_element(By.ID, "tab-log").click()
            WebDriverWait(self.driver, 10).until(
                lambda d: [li for li in d.find_elements(By.CSS_SELECTOR, "#delivery-list li") if li.is_displayed()],
                message="the popup's log shows no deliveries")
            self.screenshots["deliveries" + suffix] = save_screenshot(
                self.driver, self.output / f"popup-deliveries{suffix}.png", element_clip(self.driver, "#view-log"))
            self.console.event("shot", f"the popup's delivery log:    {self.screenshots['deliveries' + suffix]}")
        self.driver.close()

        handle, _url = self.watch.opened_tabs[0]
        self.driver.switch_to.window(handle)
        WebDriverWait(self.driver, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-testid=call-row]"),
            message="the contact record does not show the call record the webhook posted")
        self.screenshots["crm"] = save_screenshot(self.driver, self.output / "crm-tab.png")
        self.console.event("shot", f"the CRM tab opened on pickup: {self.screenshots['crm']}")
        self.page.focus()
        log = [{"method": r.method, "path": r.path, "query": r.query, "body": r.text,
                "from_webhook": r.from_webhook, "status": r.status} for r in self.crm.requests]
        (self.output / "crm-requests.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n",
                                                       encoding="utf-8")

    def _summary(self) -> None:
        background = sum(r.from_webhook for r in self.crm.requests)
        self.console.section("Done")
        lookups = self.crm.requests_to("/api/contacts")
        self.console.say(f"  3 calls; the CRM got {background} background requests from the host ({lookups} of them "
                         f"lookups) and {len(self.watch.opened_tabs)} tabs opened in the agent's own browser session.")
        self.console.say("  Screenshots: " + "  ".join(str(p) for p in self.screenshots.values()))
        self.console.say(f"  Every request the CRM received: {self.output / 'crm-requests.json'}")
        self.console.say(f"  Took {time.time() - self.console.t0:.0f} s. To use it for real: README.md, "
                         "`ucc-webhooks install`.")

    def _crm_line(self, request) -> None:
        from ucc_webhooks_dev.demo.console import describe_crm_request

        self.console.later("CRM", describe_crm_request(request), request.received_at)

    def hint(self) -> str:
        """What to do about a failure in the current step."""
        log = self.root / "logs" / "chromedriver.log"
        if self.step == "start Chromium with the extension" and log.is_file():
            return (f"see Chromium's own log {log}; chromium and chromium-driver must be the same version "
                    "(`make setup` installs both)")
        return _HINTS.get(self.step, "the logs of every part are in the folder named below (kamailio/, sipp/, "
                                     "logs/chromedriver.log, host/data/); `make setup` brings missing parts")

    # -- stopping -------------------------------------------------------------------------------
    def _stop_browser(self) -> None:
        self.session.quit()
        self.host.kill_hosts()  # hosts end with the browser (end of stdin); any left over are ours

    def stop(self) -> None:
        self.step = "stop"
        try:
            self._stack.close()
        finally:
            # what the clean-up missed (say, a Chromium whose chromedriver was interrupted while
            # starting it) still names the demo's own temp folder, which nothing else knows
            kill_processes_naming(str(self.root).encode())

