// Tests for extension/bg/guard.js: a page cannot flood the host or open tabs without bound; what is dropped is counted and kept.
import test from "node:test";
import assert from "node:assert/strict";
import { DROPS_KEY, LIMITS, createDropLog, createGuard, evictionIndex } from "../../extension/bg/guard.js";
import { HostPort } from "../../extension/bg/port.js";
import { createHandlers, createListener } from "../../extension/bg/handlers.js";
import { merge } from "../../extension/bg/settings.js";
import { FakeRuntime, ManualClock, settle } from "./helpers/fake_runtime.js";

const ID = "amlncininjibhhckajeabpanpcfpeeig";
const runtime = { id: ID, getURL: (p) => `chrome-extension://${ID}/${p}` };

function sessionArea() {
  const data = {};
  return { data, get: async (k) => ({ [k]: data[k] }), set: async (items) => { Object.assign(data, JSON.parse(JSON.stringify(items))); } };
}

const forged = (n, trigger = "incoming_call_ringing") => ({
  trigger, call_id: `forged-${n}`, direction: "incoming", queue: null, callee: "200", caller: String(1000 + n), caller_name: null,
  user: null, started_at: 1764000000, answered_at: trigger.endsWith("accepted") ? 1764000001 : null, ended_at: null, duration: null,
});

function worker({ now = () => 0, local = {} } = {}) {
  const session = sessionArea();
  const drops = createDropLog({ storage: session, now });
  const timers = [];
  const guard = createGuard({ drops, now, setTimer: (fn, ms) => timers.push([fn, ms]) });
  const forwarded = [];
  const port = { sendCallEvent: (e) => forwarded.push(e) };
  const table = createHandlers({
    port, guard, drops, state: {}, sync: async () => ({}),
    settings: async () => merge({ uccOrigins: ["https://ucc.example.com:8443/*"], ...local }, {}),
  });
  const listener = createListener(table, runtime);
  const send = (message, sender) => new Promise((resolve) => { listener(message, sender, resolve); });
  return { session, drops, guard, forwarded, send, timers };
}
const tab = (id, url = "https://ucc.example.com:8443/phone", frameId = 0) => ({ id: ID, url, tab: { id, url }, frameId });
const bridged = (n, trigger) => ({ type: "call_event", event: forged(n, trigger), source: "bridge" });

test("1,000 forged ringing events in a burst: at most the per-tab limit reaches the host, the rest is counted", async () => {
  const w = worker();
  for (let n = 0; n < 1000; n++) await w.send({ type: "call_event", event: forged(n) }, tab(5));
  assert.equal(w.forwarded.length, LIMITS.eventsPerFramePerMinute);
  const log = await w.drops.get();
  assert.equal(log.count, 1000 - LIMITS.eventsPerFramePerMinute);
  assert.deepEqual(log.byReason, { rate_limited: 1000 - LIMITS.eventsPerFramePerMinute });
  assert.equal(log.last.length, 20);
  assert.deepEqual(Object.keys(log.last[0]).sort(), ["at", "reason", "trigger"]);
  assert.equal(log.last[0].trigger, "incoming_call_ringing");
  assert.deepEqual(w.session.data[DROPS_KEY], log, "kept in storage.session under droppedEvents");
  // another tab has its own budget
  await w.send({ type: "call_event", event: forged(2000) }, tab(6));
  assert.equal(w.forwarded.length, LIMITS.eventsPerFramePerMinute + 1);
});

test("the budget comes back after a minute", async () => {
  let clock = 0;
  const w = worker({ now: () => clock });
  for (let n = 0; n < LIMITS.eventsPerFramePerMinute + 5; n++) await w.send({ type: "call_event", event: forged(n) }, tab(5));
  clock = 60001;
  await w.send({ type: "call_event", event: forged(999) }, tab(5));
  assert.equal(w.forwarded.at(-1).call_id, "forged-999");
});

test("drops.get answers extension pages only, with the counted object", async () => {
  const w = worker();
  await w.send({ type: "call_event", event: forged(1) }, tab(5, "https://ucc.example.com/phone")); // wrong port
  const reply = await w.send({ type: "drops.get" }, { id: ID, url: `chrome-extension://${ID}/popup.html` });
  assert.equal(reply.ok, true);
  assert.deepEqual(reply.result.byReason, { origin_not_configured: 1 });
  const refused = await w.send({ type: "drops.get" }, tab(5));
  assert.equal(refused.error.code, "forbidden");
});

test("100 forged accepted events open no more tabs than the cap; one tab per delivery", () => {
  const drops = createDropLog({ storage: null });
  let clock = 0;
  const guard = createGuard({ drops, now: () => clock });
  let opened = 0;
  for (let n = 0; n < 100; n++) if (guard.admitTab({ url: "https://crm.example.com/", webhook_id: "wh_1", delivery_id: `msg_${n}` })) opened++;
  assert.equal(opened, LIMITS.tabsPerMinute);
  clock = 61000;
  assert.ok(guard.admitTab({ url: "https://crm.example.com/", webhook_id: "wh_1", delivery_id: "msg_new" }));
  assert.ok(!guard.admitTab({ url: "https://crm.example.com/", webhook_id: "wh_1", delivery_id: "msg_new" }), "the same delivery twice");
  return drops.get().then((log) => assert.deepEqual(log.byReason, { tab_limit: 96, tab_already_opened: 1 }));
});

test("a call forked to two tabs: one event per trigger, and the tab that did not answer fires nothing", async () => {
  const w = worker();
  const call = (trigger) => ({ ...forged(1, trigger), call_id: "fork-1", answered_at: trigger.includes("accepted") ? 2 : null,
    ended_at: trigger.includes("missed") || trigger.includes("elsewhere") ? 3 : null });
  await w.send({ type: "call_event", event: call("incoming_call_ringing") }, tab(1));
  await w.send({ type: "call_event", event: call("incoming_call_ringing") }, tab(2));
  // tab 2 hears the CANCEL (completed elsewhere) before tab 1's answer reaches the worker
  const held = await w.send({ type: "call_event", event: call("incoming_call_answered_elsewhere") }, tab(2));
  assert.equal(held.result.reason, "held");
  await w.send({ type: "call_event", event: call("incoming_call_accepted") }, tab(1));
  for (const [fn] of w.timers) fn();
  assert.deepEqual(w.forwarded.map((e) => e.trigger), ["incoming_call_ringing", "incoming_call_accepted"]);
  assert.equal((await w.drops.get()).count, 0, "a duplicate from a second tab is no drop");
  // a call both tabs let ring out: missed once
  const other = (trigger) => ({ ...call(trigger), call_id: "fork-2" });
  await w.send({ type: "call_event", event: other("incoming_call_ringing") }, tab(1));
  await w.send({ type: "call_event", event: other("incoming_call_ringing") }, tab(2));
  await w.send({ type: "call_event", event: other("incoming_call_missed") }, tab(1));
  await w.send({ type: "call_event", event: other("incoming_call_missed") }, tab(2));
  for (const [fn] of w.timers.slice(1)) fn();
  assert.deepEqual(w.forwarded.slice(2).map((e) => e.trigger), ["incoming_call_ringing", "incoming_call_missed"]);
});

test("the offline queue keeps events of calls it saw ring, drops ones out of nowhere first, and counts every drop", async () => {
  const clock = new ManualClock();
  const drops = createDropLog({ storage: null });
  const guard = createGuard({ drops });
  const port = new HostPort({
    runtime: new FakeRuntime({ installed: false }), extensionVersion: "0.1.0", setTimer: clock.setTimer, clearTimer: clock.clearTimer,
    queueLimit: 10, log: { warn() {} }, random: () => 1,
    evict: (queue) => { const i = evictionIndex(queue, guard.sawStart); drops.record("queue_full", queue[i].event.trigger); return i; },
  });
  const real = { ...forged(0), call_id: "real-call" };
  guard.admitEvent({ source: "observer", tab: 1, frame: 0 }, real, (e) => port.sendCallEvent(e));
  guard.admitEvent({ source: "observer", tab: 1, frame: 0 }, { ...real, trigger: "incoming_call_accepted", answered_at: 1764000003 }, (e) => port.sendCallEvent(e));
  for (let n = 1; n <= 250; n++) port.sendCallEvent(forged(n, "incoming_call_accepted")); // out of nowhere (no ringing seen)
  await settle();
  const queued = port.queue.map((i) => `${i.event.call_id}:${i.event.trigger}`);
  assert.ok(queued.includes("real-call:incoming_call_ringing") && queued.includes("real-call:incoming_call_accepted"), queued.join());
  assert.equal(port.queue.length, 10);
  const log = await drops.get();
  assert.deepEqual(log.byReason, { queue_full: 242 });
  assert.equal(log.count + port.queue.length, 252, "every event is queued or counted");
});

test("a worker the page's CSP keeps unwatched is counted for the popup; any other word is not", async () => {
  const w = worker();
  const told = await w.send({ type: "page.unwatched", reason: "csp_blob_worker" }, tab(5));
  assert.deepEqual(told.result, { recorded: true });
  const other = await w.send({ type: "page.unwatched", reason: "<img src=x>" }, tab(5));
  assert.deepEqual(other.result, { recorded: false });
  const reply = await w.send({ type: "drops.get" }, { id: ID, url: `chrome-extension://${ID}/popup.html` });
  assert.deepEqual(reply.result.byReason, { worker_unwatched_csp: 1 });
});

// -- budgets per source: the observer's own events and the opt-in page bridge -------------------
test("page-bridge events while the bridge is off are refused and counted apart", async () => {
  const w = worker();
  const reply = await w.send(bridged(1), tab(5));
  assert.deepEqual(reply.result, { forwarded: false, reason: "bridge_off" });
  assert.equal(w.forwarded.length, 0);
  assert.deepEqual((await w.drops.get()).byReason, { bridge_off: 1 });
});

test("a bridge flood spends the bridge's budget only: the observer's next call still goes through", async () => {
  const w = worker({ local: { pageBridge: true } });
  for (let n = 0; n < 1000; n++) await w.send(bridged(n, "incoming_call_accepted"), tab(5));
  assert.equal(w.forwarded.length, LIMITS.bridgeEventsPerTabPerMinute);
  assert.deepEqual((await w.drops.get()).byReason, { bridge_rate_limited: 1000 - LIMITS.bridgeEventsPerTabPerMinute });
  const real = { ...forged(5000), call_id: "real-call" };
  for (const trigger of ["incoming_call_ringing", "incoming_call_accepted"]) {
    const reply = await w.send({ type: "call_event", event: { ...real, trigger, answered_at: trigger.endsWith("accepted") ? 2 : null }, source: "observer" }, tab(5));
    assert.deepEqual(reply.result, { forwarded: true }, trigger);
  }
  // and the other way round: an observer flood leaves the bridge its own budget
  for (let n = 0; n < 300; n++) await w.send({ type: "call_event", event: forged(9000 + n) }, tab(6));
  const fromBridge = await w.send(bridged(20000), tab(6));
  assert.deepEqual(fromBridge.result, { forwarded: true });
  assert.equal((await w.drops.get()).byReason.rate_limited, 300 - LIMITS.eventsPerFramePerMinute);
});

test("the observer's budget is per frame and per call direction", async () => {
  const w = worker();
  for (let n = 0; n < 200; n++) await w.send({ type: "call_event", event: forged(n) }, tab(5, undefined, 7)); // a frame floods
  const top = await w.send({ type: "call_event", event: forged(500) }, tab(5, undefined, 0));
  assert.deepEqual(top.result, { forwarded: true }, "the top frame keeps its own budget");
  const out = { ...forged(600, "outgoing_call_started"), direction: "outgoing", caller: null };
  for (let n = 0; n < 200; n++) await w.send({ type: "call_event", event: { ...out, call_id: `out-${n}` } }, tab(5)); // made-up sent INVITEs
  const ringing = await w.send({ type: "call_event", event: forged(700) }, tab(5));
  assert.deepEqual(ringing.result, { forwarded: true }, "incoming calls keep their budget");
});

test("screen pops count against the budget of the call's source (open_tab notices name the call)", async () => {
  const drops = createDropLog({ storage: null });
  const guard = createGuard({ drops });
  const fromBridge = { source: "bridge", tab: 1, frame: 0 };
  for (let n = 0; n < 20; n++) guard.admitEvent(fromBridge, forged(n, "incoming_call_accepted"), () => {});
  let opened = 0;
  for (let n = 0; n < 20; n++) if (guard.admitTab({ url: "https://crm.example.com/", delivery_id: `b${n}`, call_id: `forged-${n}` })) opened++;
  assert.equal(opened, LIMITS.bridgeTabsPerMinute);
  guard.admitEvent({ source: "observer", tab: 1, frame: 0 }, { ...forged(99, "incoming_call_accepted"), call_id: "real" }, () => {});
  assert.ok(guard.admitTab({ url: "https://crm.example.com/", delivery_id: "r1", call_id: "real" }), "the observed call's pop still opens");
  const log = await drops.get();
  assert.deepEqual(log.byReason, { bridge_tab_limit: 20 - LIMITS.bridgeTabsPerMinute });
});
