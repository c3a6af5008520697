// background.js wired to a fake browser: content-script events reach the host, notices open tabs and set the badge, settings re-register scripts.
import test from "node:test";
import assert from "node:assert/strict";
import { FakeRuntime, defaultHost, settle } from "./helpers/fake_runtime.js";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./helpers/page.js";
import { listeners, messenger } from "./helpers/fake_chrome.js";

const ID = "amlncininjibhhckajeabpanpcfpeeig";
const event = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/protocol/call_event.request.json"), "utf8")).event;


// --- the fake browser -------------------------------------------------------------------------
let hostReplies = defaultHost();
const native = new FakeRuntime({ host: (m, p) => hostReplies(m, p) });
const store = { local: { uccOrigins: ["https://ucc.example.com/*"] }, session: {}, managed: {} };
const area = (name) => ({
  get: async (keys) => {
    const all = store[name];
    if (keys === null || keys === undefined) return { ...all };
    return Object.fromEntries([].concat(keys).filter((k) => k in all).map((k) => [k, all[k]]));
  },
  set: async (items) => { Object.assign(store[name], items); },
});
const seen = { tabs: [], badge: [], titles: [], registered: [], alarms: [], broadcasts: [] };
const chrome = {
  runtime: {
    id: ID,
    getURL: (p) => `chrome-extension://${ID}/${p}`,
    getManifest: () => ({ version: "0.1.0" }),
    connectNative: (name) => native.connectNative(name),
    get lastError() { return native.lastError; },
    sendMessage: async (m) => { seen.broadcasts.push(m); },
    onMessage: listeners(), onInstalled: listeners(), onStartup: listeners(),
  },
  storage: { local: area("local"), session: area("session"), managed: area("managed"), onChanged: listeners() },
  alarms: { create: (name, info) => seen.alarms.push([name, info]), clear: async () => true, onAlarm: listeners() },
  action: {
    setBadgeText: async ({ text }) => { seen.badge.push(text); },
    setBadgeBackgroundColor: async () => {},
    setTitle: async ({ title }) => { seen.titles.push(title); },
  },
  tabs: { create: async ({ url }) => { seen.tabs.push(url); }, onRemoved: listeners(), onUpdated: listeners(), sendMessage: async () => null },
  permissions: { onAdded: listeners() },
  scripting: {
    getRegisteredContentScripts: async ({ ids }) => seen.registered.filter((s) => ids.includes(s.id)),
    unregisterContentScripts: async ({ ids }) => { seen.registered = seen.registered.filter((s) => !ids.includes(s.id)); },
    registerContentScripts: async (scripts) => { seen.registered.push(...scripts); },
  },
};
globalThis.chrome = chrome;
await import("../../extension/background.js");

const send = messenger(chrome);
const content = { id: ID, url: "https://ucc.example.com/phone", tab: { id: 1 } };
const popup = { id: ID, url: `chrome-extension://${ID}/popup.html` };

test("a call event from the content script is sent to the host as call_event", async () => {
  const reply = await send({ type: "call_event", event }, content);
  assert.deepEqual(reply, { ok: true, result: { forwarded: true } });
  await settle(); await settle();
  const posted = native.posted();
  assert.equal(posted[0].type, "hello");
  assert.deepEqual(posted.find((m) => m.type === "call_event").event, event);
  assert.deepEqual(store.session.pendingCallEvents, [], "acknowledged: nothing left to keep");
});

test("open_tab notices open a tab; delivery notices set the badge and reach the popup", async () => {
  const port = native.ports.at(-1);
  port.onMessage.fire({ type: "open_tab", url: "https://crm.example.com/contacts?phone=%2B49" });
  port.onMessage.fire({ type: "open_tab", url: "file:///etc/passwd" });
  port.onMessage.fire({ type: "delivery", failed_count: 2,
    delivery: { id: "msg_1", state: "failed", url: "https://crm.example.com/", attempts: 3, webhook_id: "wh_1" } });
  await settle();
  assert.deepEqual(seen.tabs, ["https://crm.example.com/contacts?phone=%2B49"]);
  assert.equal(seen.badge.at(-1), "2");
  assert.ok(seen.broadcasts.some((m) => m.type === "ucc-webhooks:delivery" && m.failed_count === 2));
});

test("the popup's requests go through the same port; others are refused", async () => {
  hostReplies = (m) => (m.type === "webhooks.list" ? { id: m.id, ok: true, result: { webhooks: [] } } : defaultHost()(m));
  assert.deepEqual(await send({ type: "host.request", request: { type: "webhooks.list" } }, popup), { ok: true, result: { webhooks: [] } });
  assert.equal((await send({ type: "host.request", request: { type: "webhooks.list" } }, content)).error.code, "forbidden");
  assert.equal(native.ports.length, 1, "one port for everything");
});

test("changed uccOrigins re-register the observer and the bridge", async () => {
  store.local.uccOrigins = ["https://ucc.example.com/*"];
  chrome.storage.onChanged.fire({ uccOrigins: { newValue: store.local.uccOrigins } }, "local");
  await settle(); await settle(); await settle();
  assert.deepEqual(seen.registered.map((s) => [s.id, s.world || "ISOLATED", s.matches[0]]), [
    ["ucc-webhooks-observer", "MAIN", "https://ucc.example.com/*"],
    ["ucc-webhooks-bridge", "ISOLATED", "https://ucc.example.com/*"],
  ]);
});

test("when the host dies, events wait; an alarm brings them to the restarted host", async () => {
  native.ports.at(-1).hostExits();
  native.installed = false; // and cannot be started again for now
  await settle();
  await send({ type: "call_event", event: { ...event, trigger: "incoming_call_missed", duration: null } }, content);
  await settle(); await settle();
  assert.ok(seen.alarms.length >= 1, "a retry alarm was set");
  assert.equal(store.session.pendingCallEvents.length, 1, "kept across a worker suspension");
  const before = native.posted().filter((m) => m.type === "call_event").length;
  native.installed = true;
  chrome.alarms.onAlarm.fire({ name: seen.alarms.at(-1)[0] });
  await settle(); await settle(); await settle();
  assert.equal(native.posted().filter((m) => m.type === "call_event").length, before + 1);
  assert.deepEqual(store.session.pendingCallEvents, []);
});

test("managed WEBHOOKS_ENABLED=false: events are not forwarded, the popup is told", async () => {
  store.managed.WEBHOOKS_ENABLED = false;
  chrome.storage.onChanged.fire({ WEBHOOKS_ENABLED: { newValue: false } }, "managed");
  const events = () => native.posted().filter((m) => m.type === "call_event").length;
  const count = events();
  const reply = await send({ type: "call_event", event: { ...event, call_id: "x2" } }, content);
  assert.equal(reply.result.forwarded, false);
  await settle();
  assert.equal(events(), count);
  // the host is told, so that it stops retries and tests too
  assert.ok(native.posted().some((m) => m.type === "hello" && m.managed_webhooks_enabled === false));
  const status = await send({ type: "host.status" }, popup);
  assert.equal(status.result.policyEnabled, false);
  delete store.managed.WEBHOOKS_ENABLED;
  chrome.storage.onChanged.fire({ WEBHOOKS_ENABLED: { oldValue: false } }, "managed");
  const again = await send({ type: "call_event", event: { ...event, call_id: "x3" } }, content);
  assert.equal(again.result.forwarded, true, "the policy change is seen without a restart");
});

test("a host whose policy file switched webhooks off is shown as off, and on again when it accepts events", async () => {
  hostReplies = (m) => (m.type === "call_event" ? { id: m.id, ok: true, result: { matched: 0, disabled_by_policy: true } } : defaultHost()(m));
  await send({ type: "call_event", event: { ...event, call_id: "p1" } }, content);
  await settle(); await settle();
  assert.ok(seen.broadcasts.some((m) => m.type === "ucc-webhooks:policy" && m.webhooks_enabled === false));
  hostReplies = defaultHost();
  await send({ type: "call_event", event: { ...event, call_id: "p2" } }, content);
  await settle(); await settle();
  assert.equal(seen.broadcasts.filter((m) => m.type === "ucc-webhooks:policy").at(-1).webhooks_enabled, true);
});

test("config.get reads local settings afresh: a content script told of a change may ask before the worker heard of it", async () => {
  const before = await send({ type: "config.get", doc: "d1" }, content);
  assert.equal(before.result.pageBridge, false);
  store.local.pageBridge = true; // written; the worker's own storage.onChanged has not run yet
  const after = await send({ type: "config.get", doc: "d1" }, content);
  assert.equal(after.result.pageBridge, true);
  delete store.local.pageBridge;
});
