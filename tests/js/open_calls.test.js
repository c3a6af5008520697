// Tests for extension/bg/open_calls.js: an answered or started call whose page or browser goes away gets its end once, with the talk time up to then.
import test from "node:test";
import assert from "node:assert/strict";
import { OPEN_CALLS_KEY, createOpenCalls, madeUpEnd } from "../../extension/bg/open_calls.js";
import { heartbeatSwitch, HEARTBEAT_ALARM } from "../../extension/bg/page_life.js";
import { checkCallEvent } from "../../extension/common/protocol.js";
import { settle } from "./helpers/fake_runtime.js";

const T0 = 1764000000;

function localArea(initial = {}) {
  const data = JSON.parse(JSON.stringify(initial));
  return { data, get: async (k) => ({ [k]: data[k] }), set: async (items) => { Object.assign(data, JSON.parse(JSON.stringify(items))); } };
}

/** An open-calls store over `storage` with a settable clock; `ended` collects what it sends. */
function calls(storage = localArea(), { endFails = false } = {}) {
  const clock = { now: T0 };
  const ended = [];
  const counts = [];
  const open = createOpenCalls({
    storage, now: () => clock.now, onCount: (n) => counts.push(n),
    end: async (event, from) => {
      const checked = checkCallEvent(event);
      assert.ok(checked.ok, checked.error); // a made-up end passes the same shape check as any event
      ended.push({ event, from });
      if (endFails) throw new Error("refused");
      await open.seen(from, event, "forwarded"); // as handlers.js admitCallEvent does
    },
  });
  return { open, clock, ended, counts, storage };
}

const tab1 = { source: "observer", tab: 1, frame: 0, doc: "doc-a" };
const tab2 = { source: "observer", tab: 2, frame: 0, doc: "doc-b" };
const base = { call_id: "c1", direction: "incoming", queue: null, callee: "200", caller: "+4930123456", caller_name: "Anna",
  user: "agent200", started_at: T0 - 10, answered_at: null, ended_at: null, duration: null,
  outcome: null, ended_by: null, sip_status: null, transfer_to: null };
const accepted = { ...base, trigger: "incoming_call_accepted", answered_at: T0 - 4 };

test("a reloaded page (a new document in its frame) ends its answered call at once, with the talk time up to then", async () => {
  const { open, clock, ended, storage } = calls();
  await open.seen(tab1, accepted, "forwarded");
  assert.ok(storage.data[OPEN_CALLS_KEY].c1, "kept in storage.local");
  clock.now = T0 + 26.7;
  await open.documentStarted({ ...tab1, doc: "doc-new" });
  assert.equal(ended.length, 1);
  const end = ended[0].event;
  assert.deepEqual([end.trigger, end.ended_by, end.outcome, end.duration, end.ended_at, end.sip_status],
    ["incoming_call_ended", "page_closed", "answered", 30, T0 + 26.7, 200]);
  assert.deepEqual(ended[0].from, { source: "observer", tab: 1, frame: 0, doc: "doc-a" });
  assert.deepEqual(storage.data[OPEN_CALLS_KEY], {}, "forgotten once its end is on its way");
  await open.documentStarted({ ...tab1, doc: "doc-newer" });
  await open.tabRemoved(1);
  assert.equal(ended.length, 1, "never twice");
});

test("a call whose real end was seen gets nothing made up", async () => {
  const { open, ended } = calls();
  await open.seen(tab1, accepted, "forwarded");
  await open.seen(tab1, { ...accepted, trigger: "incoming_call_ended", ended_at: T0, duration: 4, outcome: "answered", ended_by: "remote" }, "forwarded");
  await open.leaving(tab1);
  await open.tabRemoved(1);
  assert.equal(ended.length, 0);
});

test("a closed tab, a pagehide and a queue call: each ends once, as its own trigger", async () => {
  const { open, ended } = calls();
  await open.seen(tab1, { ...accepted, call_id: "q1", trigger: "queue_call_accepted", queue: "Support" }, "forwarded");
  await open.seen(tab2, { ...accepted, call_id: "c2" }, "forwarded");
  await open.tabRemoved(1);
  await open.leaving(tab2);
  assert.deepEqual(ended.map((e) => [e.event.call_id, e.event.trigger, e.event.queue]), [["q1", "queue_call_ended", "Support"], ["c2", "incoming_call_ended", null]]);
});

test("an outgoing call: still ringing it ends no_answer with duration 0; answered, with its talk time", async () => {
  const { open, clock, ended } = calls();
  const started = { ...base, trigger: "outgoing_call_started", direction: "outgoing", caller: null, caller_name: null };
  await open.seen(tab1, { ...started, call_id: "o1" }, "forwarded");
  await open.seen(tab1, { ...started, call_id: "o2" }, "forwarded");
  await open.answered(tab1, "o2", T0 - 2);
  await open.answered(tab2, "o1", T0 - 2); // another document cannot answer it
  clock.now = T0 + 10;
  await open.leaving(tab1);
  const byId = Object.fromEntries(ended.map((e) => [e.event.call_id, e.event]));
  assert.deepEqual([byId.o1.trigger, byId.o1.outcome, byId.o1.duration, byId.o1.sip_status], ["outgoing_call_ended", "no_answer", 0, null]);
  assert.deepEqual([byId.o2.outcome, byId.o2.duration, byId.o2.answered_at], ["answered", 12, T0 - 2]);
});

test("a call several tabs hold (a shared worker) ends only when the last of them is gone", async () => {
  const { open, ended } = calls();
  await open.seen(tab1, accepted, "forwarded");
  await open.seen(tab2, accepted, "duplicate");
  await open.tabRemoved(1);
  assert.equal(ended.length, 0, "tab 2 still has the call");
  await open.tabRemoved(2);
  assert.equal(ended.length, 1);
});

test("a forked call: the other tab's 'answered elsewhere' does not end the answered one's record", async () => {
  const { open, ended } = calls();
  await open.seen(tab1, accepted, "forwarded");
  await open.seen(tab2, { ...base, trigger: "incoming_call_answered_elsewhere", ended_at: T0, sip_status: 200 }, "duplicate");
  await open.tabRemoved(2);
  assert.equal(ended.length, 0);
  await open.tabRemoved(1);
  assert.equal(ended.length, 1);
});

test("the page bridge's events never close the observer's call, nor the other way round", async () => {
  const { open, ended } = calls();
  await open.seen(tab1, accepted, "forwarded");
  await open.seen({ ...tab1, source: "bridge" }, { ...accepted, trigger: "incoming_call_ended", duration: 1, ended_at: T0 }, "forwarded");
  await open.tabRemoved(1);
  assert.equal(ended.length, 1, "the bridge's made-up end did not count as the call's end");
  assert.equal(ended[0].from.source, "observer");
});

test("a tab that loaded something is pinged: the same document keeps its call, another one ends it", async () => {
  const { open, ended } = calls();
  await open.seen(tab1, accepted, "forwarded");
  let answer = { doc: "doc-a" };
  const pings = [];
  const ping = async (tab, frame) => { pings.push([tab, frame]); return answer; };
  await open.tabChanged(1, ping); // an iframe loaded: the page is still there
  await open.tabChanged(3, ping); // a tab without calls is not asked
  assert.deepEqual(pings, [[1, 0]]);
  assert.equal(ended.length, 0);
  answer = null; // navigated to a page without our content script
  await open.tabChanged(1, ping);
  assert.equal(ended.length, 1);
});

test("a dropped accepted opens nothing; a refused made-up end is forgotten, not retried forever", async () => {
  const { open, ended, storage } = calls(localArea(), { endFails: true });
  await open.seen(tab1, { ...accepted, call_id: "dropped" }, "dropped");
  await open.seen(tab1, accepted, "forwarded");
  await open.tabRemoved(1);
  assert.deepEqual(ended.map((e) => e.event.call_id), ["c1"]);
  assert.deepEqual(storage.data[OPEN_CALLS_KEY], {});
});

test("the browser started again: an open call left in storage ends once, at the last moment it was known alive", async () => {
  const storage = localArea();
  const before = calls(storage); // the last session
  await before.open.seen(tab1, accepted, "forwarded");
  before.clock.now = T0 + 30;
  await before.open.heartbeat();
  before.clock.now = T0 + 47; // then the browser ended, with no heartbeat since
  const after = calls(storage); // a new session, same storage.local
  after.clock.now = T0 + 3600;
  await after.open.browserStarted();
  await after.open.browserStarted();
  assert.equal(after.ended.length, 1);
  const end = after.ended[0].event;
  assert.deepEqual([end.ended_by, end.ended_at, end.duration, end.outcome], ["browser_closed", T0 + 30, 34, "answered"]);
  assert.deepEqual(storage.data[OPEN_CALLS_KEY], {});
});

test("a worker stopped while a made-up end was on its way sends it again when it starts", async () => {
  const storage = localArea();
  const first = calls(storage);
  let release;
  const stuck = createOpenCalls({ storage, now: () => T0, end: () => new Promise((r) => { release = r; }) });
  await first.open.seen(tab1, accepted, "forwarded");
  stuck.tabRemoved(1); // the worker stops before the end left: the record stays, marked ending
  await settle(); await settle();
  assert.ok(storage.data[OPEN_CALLS_KEY].c1.ending, "kept with its end");
  const next = calls(storage); // the next worker
  await next.open.resume();
  assert.deepEqual(next.ended.map((e) => [e.event.trigger, e.event.ended_by]), [["incoming_call_ended", "page_closed"]]);
  assert.deepEqual(storage.data[OPEN_CALLS_KEY], {});
  release();
});

test("the heartbeat alarm runs while calls are open, and only then", async () => {
  const alarms = { made: [], cleared: 0, create(name, info) { this.made.push([name, info]); }, async clear() { this.cleared++; } };
  const storage = localArea();
  const open = createOpenCalls({ storage, now: () => T0, end: async () => {}, onCount: heartbeatSwitch(alarms) });
  await open.seen(tab1, accepted, "forwarded");
  await open.seen(tab1, { ...accepted, call_id: "c2" }, "forwarded");
  assert.deepEqual(alarms.made, [[HEARTBEAT_ALARM, { periodInMinutes: 0.5 }]]);
  await open.tabRemoved(1);
  assert.equal(alarms.cleared, 1);
});

test("madeUpEnd never ends before the call started", () => {
  const end = madeUpEnd({ opened_by: "incoming_call_accepted", event: accepted }, T0 - 100, "browser_closed");
  assert.deepEqual([end.ended_at, end.duration], [accepted.answered_at, 0]);
});

test("a flood costs no storage writes for what it does not change, and cannot push the observer's call out", async () => {
  const storage = localArea();
  let writes = 0;
  const set = storage.set;
  storage.set = (items) => { writes++; return set(items); };
  const { open, ended } = calls(storage);
  await open.seen(tab1, accepted, "forwarded");
  const bridge = { ...tab1, source: "bridge" };
  for (let n = 0; n < 1000; n++) await open.seen(bridge, { ...accepted, call_id: `forged-${n}` }, n < 100 ? "forwarded" : "dropped");
  for (let n = 0; n < 100; n++) await open.seen(tab1, { ...base, call_id: `ring-${n}`, trigger: "incoming_call_ringing" }, "forwarded");
  assert.equal(writes, 1 + 100, "one write per call opened, none for the dropped or the ringing");
  const map = await open.snapshot();
  assert.ok(map.c1, "the observer's call is still open");
  assert.equal(Object.values(map).filter((r) => r.source === "bridge").length, 64, "the bridge keeps its own newest 64");
  await open.tabRemoved(1);
  assert.ok(ended.some((e) => e.event.call_id === "c1" && e.from.source === "observer"));
});
