// The browser ended during a call: background.js, started again with that call still in storage.local, sends its incoming_call_ended once at runtime.onStartup (ended_by browser_closed, duration up to the last heartbeat).
import test from "node:test";
import assert from "node:assert/strict";
import { FakeRuntime, defaultHost, settle } from "./helpers/fake_runtime.js";
import { OPEN_CALLS_KEY } from "../../extension/bg/open_calls.js";
import { HEARTBEAT_ALARM } from "../../extension/bg/page_life.js";
import { listeners, storageArea } from "./helpers/fake_chrome.js";

const ID = "amlncininjibhhckajeabpanpcfpeeig";
const T0 = 1764000000;


// What the last session left: one answered call, last known alive at its last heartbeat (T0 + 95).
const opening = {
  trigger: "incoming_call_accepted", call_id: "left-open", direction: "incoming", queue: null, callee: "200",
  caller: "+4930123456", caller_name: "Anna", user: "agent200", started_at: T0, answered_at: T0 + 5, ended_at: null,
  duration: null, outcome: null, ended_by: null, sip_status: null, transfer_to: null,
};
const store = {
  local: {
    uccOrigins: ["https://ucc.example.com/*"],
    [OPEN_CALLS_KEY]: { "left-open": { source: "observer", opened_by: "incoming_call_accepted", event: opening,
      holders: [{ tab: 7, frame: 0, doc: "d1" }], alive_at: T0 + 95, transfer_to: null } },
  },
  session: {}, managed: {},
};
const area = (name) => storageArea(store, name);
const native = new FakeRuntime({ host: defaultHost() });
const alarms = { made: [], cleared: [] };
globalThis.chrome = {
  runtime: {
    id: ID, getURL: (p) => `chrome-extension://${ID}/${p}`, getManifest: () => ({ version: "0.1.0" }),
    connectNative: (name) => native.connectNative(name), get lastError() { return native.lastError; },
    sendMessage: async () => {}, onMessage: listeners(), onInstalled: listeners(), onStartup: listeners(),
  },
  storage: { local: area("local"), session: area("session"), managed: area("managed"), onChanged: listeners() },
  alarms: { create: (name, info) => alarms.made.push([name, info]), clear: async (name) => { alarms.cleared.push(name); return true; }, onAlarm: listeners() },
  action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {}, setTitle: async () => {} },
  tabs: { create: async () => {}, onRemoved: listeners(), onUpdated: listeners(), sendMessage: async () => null },
  permissions: { onAdded: listeners() },
  scripting: { getRegisteredContentScripts: async () => [], unregisterContentScripts: async () => {}, registerContentScripts: async () => {} },
};
await import("../../extension/background.js");

const sent = () => native.posted().filter((m) => m.type === "call_event").map((m) => m.event);

async function settled() {
  for (let i = 0; i < 8; i++) await settle();
}

test("at runtime.onStartup a call left open by the last session ends once, up to its last heartbeat", async () => {
  await settled();
  assert.deepEqual(sent(), [], "a worker start alone ends nothing (the worker may just have been stopped)");
  chrome.runtime.onStartup.fire();
  await settled();
  const ends = sent();
  assert.equal(ends.length, 1);
  assert.deepEqual(
    [ends[0].trigger, ends[0].call_id, ends[0].ended_by, ends[0].ended_at, ends[0].duration, ends[0].outcome, ends[0].caller],
    ["incoming_call_ended", "left-open", "browser_closed", T0 + 95, 90, "answered", "+4930123456"]);
  assert.deepEqual(store.local[OPEN_CALLS_KEY], {}, "nothing left open");
  assert.ok(alarms.cleared.includes(HEARTBEAT_ALARM), "no heartbeat without open calls");
  chrome.runtime.onStartup.fire(); // once more (or a second window): nothing new
  await settled();
  assert.equal(sent().length, 1);
});
