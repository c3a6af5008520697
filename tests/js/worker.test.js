// Tests for the worker's modules: message dispatch and sender checks, notices, script registration, effective settings.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT, ROOT } from "./helpers/page.js";
import { createHandlers, createListener, PAGE_REQUESTS, senderKind } from "../../extension/bg/handlers.js";
import { badgeText, createNoticeHandlers } from "../../extension/bg/notices.js";
import { BRIDGE_ID, BRIDGE_JS, OBSERVER_ID, OBSERVER_JS, WATCHING_ID, WATCHING_JS, scriptsFor, syncContentScripts } from "../../extension/bg/registration.js";
import { checkOriginInput, isMatchPattern, toMatchPattern, urlMatches } from "../../extension/common/origins.js";
import { createSettingsReader, merge, readSettings } from "../../extension/bg/settings.js";

const ID = "amlncininjibhhckajeabpanpcfpeeig";
const runtime = { id: ID, getURL: (p) => `chrome-extension://${ID}/${p}` };
const fromPage = { id: ID, url: `chrome-extension://${ID}/popup.html` };
const fromOptionsTab = { id: ID, url: `chrome-extension://${ID}/options.html`, tab: { id: 3 } };
const fromContent = { id: ID, url: "https://ucc.example.com/", tab: { id: 7 } };
const fromStranger = { id: "someotherextensionidaaaaaaaaaaaa", url: "chrome-extension://someother/x.html" };
const fromStrangersContent = { id: "someotherextensionidaaaaaaaaaaaa", url: "https://ucc.example.com/", tab: { id: 7 } };
const event = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/protocol/call_event.request.json"), "utf8")).event;

function setup({ enabled = true, hostEnabled = true } = {}) {
  const port = {
    events: [], requests: [], extensionVersion: "0.1.0",
    sendCallEvent(e) { this.events.push(e); },
    request(type, fields, timeoutMs) {
      this.requests.push([type, fields, timeoutMs]);
      return Promise.resolve(type === "hello" ? { webhooks_enabled: hostEnabled } : { echoed: type });
    },
    connect: () => Promise.resolve({}),
    snapshot: () => ({ state: "connected", queued: 0 }),
  };
  const table = createHandlers({
    port, state: { hostEnabled: true, failedCount: 2 }, sync: async () => ({ registered: [] }),
    settings: async () => merge({ uccOrigins: ["https://ucc.example.com/*"] }, enabled ? {} : { WEBHOOKS_ENABLED: false }),
  });
  const listener = createListener(table, runtime);
  const send = (message, sender) => new Promise((resolve) => {
    const async = listener(message, sender, resolve);
    if (!async) setTimeout(() => resolve(undefined), 5);
  });
  return { port, send };
}

test("senderKind tells our pages, our content scripts and strangers apart", () => {
  assert.equal(senderKind(fromPage, runtime), "page");
  assert.equal(senderKind(fromOptionsTab, runtime), "page");
  assert.equal(senderKind(fromContent, runtime), "content");
  assert.equal(senderKind(fromStranger, runtime), null);
  assert.equal(senderKind(fromStrangersContent, runtime), null);
  assert.equal(senderKind({ id: ID, url: "https://x/" }, runtime), null); // no tab, not our page
});

test("call events from our content script reach the port", async () => {
  const { port, send } = setup();
  const reply = await send({ type: "call_event", event }, fromContent);
  assert.deepEqual(reply, { ok: true, result: { forwarded: true } });
  assert.equal(port.events.length, 1);
});

test("messages from other extensions, and from the wrong kind of sender, are refused", async () => {
  const { port, send } = setup();
  assert.equal((await send({ type: "call_event", event }, fromStranger)).error.code, "forbidden");
  assert.equal((await send({ type: "call_event", event }, fromStrangersContent)).error.code, "forbidden");
  assert.equal((await send({ type: "call_event", event }, fromPage)).error.code, "forbidden");
  assert.equal((await send({ type: "host.request", request: { type: "webhooks.list" } }, fromContent)).error.code, "forbidden");
  assert.equal(port.events.length + port.requests.length, 0);
  assert.equal(await send({ type: "no.such.type" }, fromPage), undefined);
});

test("managed WEBHOOKS_ENABLED=false: nothing is forwarded", async () => {
  const { port, send } = setup({ enabled: false });
  const reply = await send({ type: "call_event", event }, fromContent);
  assert.deepEqual(reply.result, { forwarded: false, reason: "disabled_by_policy" });
  assert.equal(port.events.length, 0);
});

test("a malformed call event is refused with validation_error", async () => {
  const { port, send } = setup();
  const reply = await send({ type: "call_event", event: { ...event, duration: "long" } }, fromContent);
  assert.equal(reply.error.code, "validation_error");
  assert.equal(port.events.length, 0);
});

test("pages may pass through the webhook, delivery and settings requests only", async () => {
  const { port, send } = setup();
  const ok = await send({ type: "host.request", request: { type: "webhooks.delete", webhook_id: "wh_1" } }, fromPage);
  assert.deepEqual(ok, { ok: true, result: { echoed: "webhooks.delete" } });
  assert.deepEqual(port.requests[0], ["webhooks.delete", { webhook_id: "wh_1" }, undefined]);
  await send({ type: "host.request", request: { type: "webhooks.test", webhook_id: "wh_1" } }, fromPage);
  assert.ok(port.requests[1][2] > 10000, "a test may take longer than the host's own 10 s request timeout");
  for (const type of ["call_event", "hello", "bogus"]) {
    const reply = await send({ type: "host.request", request: { type } }, fromPage);
    assert.equal(reply.error.code, "unknown_type", type);
  }
  assert.ok(PAGE_REQUESTS.has("deliveries.retry"));
});

test("host.status and config.get answer their callers", async () => {
  const { send } = setup();
  const status = await send({ type: "host.status" }, fromPage);
  assert.equal(status.result.state, "connected");
  assert.equal(status.result.hostEnabled, true);
  assert.equal(status.result.failedCount, 2);
  assert.equal(status.result.policyEnabled, true);
  const config = await send({ type: "config.get" }, fromContent);
  assert.deepEqual(Object.keys(config.result).sort(), ["pageBridge", "queueRule", "userName", "webhooksEnabled"]);
  assert.equal(config.result.pageBridge, false, "the page bridge is off unless switched on");
});

test("open_tab opens http(s) tabs only; delivery notices set the badge and reach the popup", async () => {
  const tabs = [];
  const badges = [];
  const broadcasts = [];
  const state = {};
  const { handlers } = createNoticeHandlers({
    tabs: { create: async (p) => tabs.push(p.url) },
    action: { setBadgeText: async (p) => badges.push(p.text), setBadgeBackgroundColor: async () => {} },
    broadcast: (m) => broadcasts.push(m), state,
  });
  handlers.open_tab({ type: "open_tab", url: "https://crm.example.com/?q=%2B49" });
  handlers.open_tab({ type: "open_tab", url: "javascript:alert(1)" });
  handlers.open_tab({ type: "open_tab", url: "file:///etc/passwd" });
  handlers.open_tab({ type: "open_tab", url: "chrome://settings" });
  assert.deepEqual(tabs, ["https://crm.example.com/?q=%2B49"]);
  handlers.delivery({ type: "delivery", delivery: { id: "m1" }, failed_count: 3 });
  handlers.delivery({ type: "delivery", delivery: { id: "m2" }, failed_count: 0 });
  assert.deepEqual(badges, ["3", ""]);
  handlers.policy({ type: "policy", webhooks_enabled: false });
  assert.equal(state.hostEnabled, false);
  assert.deepEqual(broadcasts.map((b) => b.type), ["ucc-webhooks:delivery", "ucc-webhooks:delivery", "ucc-webhooks:policy"]);
  assert.equal(badgeText(150), "99+");
  assert.equal(badgeText(null), "");
});

test("the observer is registered in the MAIN world at document_start, the bridge in the isolated world", () => {
  const [observer, bridge] = scriptsFor(["https://ucc.example.com/*"]);
  assert.equal(observer.world, "MAIN");
  assert.equal(observer.runAt, "document_start");
  assert.equal(observer.allFrames, true);
  assert.equal(bridge.world, undefined);
  assert.equal(bridge.runAt, "document_start");
  assert.deepEqual(observer.matches, ["https://ucc.example.com/*"]);
  assert.equal(observer.js.at(-1), "page/main.js");
  for (const file of [...OBSERVER_JS, ...BRIDGE_JS]) assert.ok(fs.existsSync(path.join(EXT, file)), file);
  assert.deepEqual(scriptsFor([]), []);
});

test("sync replaces our registrations, one change after the other", async () => {
  const calls = [];
  let registered = [];
  const scripting = {
    async getRegisteredContentScripts({ ids }) { calls.push("get"); return registered.filter((s) => ids.includes(s.id)); },
    async unregisterContentScripts({ ids }) { calls.push(`unregister ${ids.length}`); registered = registered.filter((s) => !ids.includes(s.id)); },
    async registerContentScripts(scripts) {
      calls.push(`register ${scripts.length}`);
      if (registered.some((s) => scripts.some((n) => n.id === s.id))) throw new Error("Duplicate script ID");
      registered.push(...scripts);
    },
  };
  await Promise.all([
    syncContentScripts(scripting, ["https://a.example/*"]),
    syncContentScripts(scripting, ["https://b.example/*"]),
    syncContentScripts(scripting, []),
  ]);
  assert.deepEqual(calls, ["get", "register 2", "get", "unregister 2", "register 2", "get", "unregister 2"]);
  assert.deepEqual(registered, []);
});

test("settings: managed values win, origins are merged, WEBHOOKS_ENABLED only from policy", async () => {
  const s = merge(
    { uccOrigins: ["https://mine.example/*", "not a pattern"], userName: "me", queueRule: { header: "X-Q" } },
    { uccOrigins: ["https://corp.example/*"], queueRule: { displayNamePattern: "^Q:" }, WEBHOOKS_ENABLED: false },
  );
  assert.deepEqual(s.uccOrigins, ["https://corp.example/*", "https://mine.example/*"]);
  assert.deepEqual(s.queueRule, { header: null, displayNamePattern: "^Q:" });
  assert.equal(s.userName, "me");
  assert.equal(s.webhooksEnabled, false);
  assert.deepEqual(s.managed, ["uccOrigins", "queueRule", "WEBHOOKS_ENABLED"]);
  assert.equal(merge({}, {}).webhooksEnabled, true);
  const firefoxWithoutPolicy = { local: { get: async () => ({ userName: "x" }) }, managed: { get: async () => { throw new Error("Managed storage manifest not found"); } } };
  assert.equal((await readSettings(firefoxWithoutPolicy)).userName, "x");
});

test("what people type becomes a match pattern, or is refused", () => {
  assert.equal(toMatchPattern("ucc.example.com"), "https://ucc.example.com/*");
  assert.equal(toMatchPattern("https://ucc.example.com/app/#/calls"), "https://ucc.example.com/*");
  assert.equal(toMatchPattern("http://192.0.2.5:8080"), "http://192.0.2.5:8080/*", "an explicit port is kept");
  assert.equal(toMatchPattern("https://*.example.com/*"), "https://*.example.com/*");
  assert.equal(toMatchPattern("ftp://x.example"), null);
  assert.equal(toMatchPattern("javascript:alert(1)"), null);
  assert.equal(toMatchPattern(""), null);
  assert.equal(toMatchPattern("bad url with spaces"), null);
  assert.equal(toMatchPattern("https://ucc.example.com:8443"), "https://ucc.example.com:8443/*");
  assert.equal(toMatchPattern("http://[::1]:8080/x"), "http://[::1]:8080/*");
  assert.deepEqual(merge({ uccOrigins: ["https://ucc.example.com:8443/*", "https://ucc.example.com/*"] }).uccOrigins,
    ["https://ucc.example.com:8443/*", "https://ucc.example.com/*"]);
  assert.ok(!isMatchPattern("https://bad%20url/*"));
  assert.ok(isMatchPattern("https://ucc.example.com/*"));
  assert.ok(!isMatchPattern("https://ucc.example.com"));
});

test("patterns matching far more than one UCC client are refused with a reason; one site or its subdomains are fine", () => {
  const refused = { "*": "all_sites", "<all_urls>": "all_sites", "*://*/*": "all_sites", "https://*/*": "all_sites",
    "https://*.com/*": "tld", "*.com": "tld", "https://com/*": "tld", "de": "tld", "https://*.co.uk/*": "tld", "*.de:8443": "tld" };
  for (const [typed, reason] of Object.entries(refused)) {
    assert.deepEqual(checkOriginInput(typed), { error: reason }, typed);
    assert.equal(toMatchPattern(typed), null, typed);
  }
  for (const fine of ["https://*.example.com/*", "https://ucc.example.co.uk/*", "http://localhost:8080/*", "http://192.0.2.5/*",
    "https://*.firma.de/*"]) {
    assert.deepEqual(checkOriginInput(fine), { pattern: fine }, fine);
  }
  assert.deepEqual(merge({ uccOrigins: ["*://*/*", "https://*.com/*", "https://ucc.example.com/*"] }).uccOrigins, ["https://ucc.example.com/*"],
    "a broad pattern in storage or policy is never registered");
});

test("an explicit port is kept: registration is portless, the worker checks the port of each page", () => {
  const patterns = ["https://ucc.example.com:8443/*", "http://*.lab.example/*"];
  assert.ok(urlMatches(patterns, "https://ucc.example.com:8443/app"));
  assert.ok(!urlMatches(patterns, "https://ucc.example.com/app"));
  assert.ok(!urlMatches(patterns, "https://ucc.example.com:9443/app"));
  assert.ok(urlMatches(patterns, "http://a.lab.example:1234/"));
  assert.ok(urlMatches(patterns, "http://lab.example/"));
  assert.ok(!urlMatches(patterns, "http://evillab.example/"));
  assert.ok(!urlMatches(patterns, "not a url"));
  assert.deepEqual(scriptsFor(patterns)[0].matches, ["https://ucc.example.com/*", "http://*.lab.example/*"]);
  assert.equal(scriptsFor(patterns)[0].matchOriginAsFallback, true);
});

test("the worker reads managed storage once, and again only when it changes", async () => {
  let reads = 0;
  let policy = { WEBHOOKS_ENABLED: false };
  const storage = { local: { get: async () => ({}) }, managed: { get: async () => { reads++; return policy; } } };
  const reader = createSettingsReader(storage);
  assert.equal((await reader.read()).webhooksEnabled, false);
  await reader.read();
  assert.equal(reads, 1);
  policy = {};
  reader.managedChanged();
  assert.equal((await reader.read()).webhooksEnabled, true);
  assert.equal(reads, 3, "the reload, and one background re-check while the policy reads empty");
});

test("local settings are read once, and again only when they change", async () => {
  let reads = 0;
  let local = { userName: "anna" };
  const storage = { local: { get: async () => { reads++; return local; } }, managed: { get: async () => ({}) } };
  const reader = createSettingsReader(storage);
  assert.equal((await reader.read()).userName, "anna");
  await reader.read();
  assert.equal(reads, 1);
  local = { userName: "bert" };
  reader.localChanged();
  assert.equal((await reader.read()).userName, "bert");
  assert.equal(reads, 2);
});

test("host.status asks the host afresh, so a policy switched off meanwhile shows at once", async () => {
  const { send } = setup({ hostEnabled: false });
  const status = await send({ type: "host.status" }, fromPage);
  assert.equal(status.result.hostEnabled, false);
});

test("settings: origins baked into an enterprise build join the union, malformed ones are dropped", () => {
  const s = merge({ uccOrigins: ["https://mine.example/*"] }, { uccOrigins: ["https://policy.example/*"] },
    { uccOrigins: ["https://baked.example:8443/*", "not a pattern"] });
  assert.deepEqual(s.uccOrigins, ["https://policy.example/*", "https://mine.example/*", "https://baked.example:8443/*"]);  // ports kept: the worker checks them
  assert.deepEqual(merge({}, {}).uccOrigins, [], "the committed build bakes in nothing");
});

test("a policy that arrives after the first, empty managed read is seen by a later read", async () => {
  let policy = {};
  let reads = 0;
  const storage = {
    local: { get: async () => ({}) },
    managed: { get: async () => (reads++, policy) },
  };
  const reader = createSettingsReader(storage);
  assert.deepEqual((await reader.read()).queueRule, { header: null, displayNamePattern: null });
  policy = { queueRule: { header: "X-Queue" } }; // Chromium loaded the policy; no onChanged follows
  await reader.read(); // asks again in the background
  await new Promise((r) => setTimeout(r, 0));
  assert.equal((await reader.read()).queueRule.header, "X-Queue");
  const settled = reads;
  await reader.read();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(reads, settled, "a non-empty policy is read once, then only on change");
});

test("origins that opt in to watching workers get the observer with the bootstrap; the others the plain one", () => {
  const scripts = scriptsFor(["https://a.example/*", "https://b.example:8443/*", "https://c.example/*"], ["https://b.example:8443/*", "https://x.example/*"]);
  const byId = Object.fromEntries(scripts.map((s) => [s.id, s]));
  assert.deepEqual(Object.keys(byId).sort(), [BRIDGE_ID, OBSERVER_ID, WATCHING_ID].sort());
  assert.deepEqual(byId[OBSERVER_ID].matches, ["https://a.example/*", "https://c.example/*"]);
  assert.deepEqual(byId[WATCHING_ID].matches, ["https://b.example/*"], "portless, and only among the UCC origins");
  assert.deepEqual(byId[WATCHING_ID].js, [...WATCHING_JS]);
  assert.ok(!OBSERVER_JS.includes("page/bootstrap.js") && !OBSERVER_JS.includes("page/watch_workers.js"), "by default no bootstrap is even loaded");
  assert.equal(WATCHING_JS.at(-2), "page/watch_workers.js");
  assert.equal(byId[WATCHING_ID].world, "MAIN");
  for (const file of WATCHING_JS) assert.ok(fs.existsSync(path.join(EXT, file)), file);
  assert.deepEqual(scriptsFor(["https://a.example/*"], ["https://a.example/*"]).map((s) => s.id), [WATCHING_ID, BRIDGE_ID]);
});

test("watchWorkerOrigins: only UCC origins; the policy's list replaces the user's", () => {
  const local = { uccOrigins: ["https://a.example/*", "https://b.example/*"], watchWorkerOrigins: ["https://a.example/*", "https://gone.example/*", 7] };
  assert.deepEqual(merge(local).watchWorkerOrigins, ["https://a.example/*"]);
  assert.deepEqual(merge(local, { watchWorkerOrigins: ["https://b.example/*"] }).watchWorkerOrigins, ["https://b.example/*"]);
  assert.deepEqual(merge(local, { watchWorkerOrigins: [] }).watchWorkerOrigins, [], "an empty policy list switches it off for everyone");
  assert.ok(merge(local, { watchWorkerOrigins: [] }).managed.includes("watchWorkerOrigins"));
  assert.deepEqual(merge({}).watchWorkerOrigins, []);
});
