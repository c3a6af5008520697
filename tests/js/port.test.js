// Tests for extension/bg/port.js with a fake chrome.runtime: hello, ids, timeouts, backoff, the bounded call-event queue.
import test from "node:test";
import assert from "node:assert/strict";
import { HostError, HostPort, compatible, disconnectCode } from "../../extension/bg/port.js";
import { FakeRuntime, ManualClock, defaultHost, settle } from "./helpers/fake_runtime.js";

const quiet = { warn() {}, log() {} };

function make(runtimeOptions = {}, portOptions = {}) {
  const clock = new ManualClock();
  const runtime = new FakeRuntime(runtimeOptions);
  const notices = [];
  const statuses = [];
  const alarms = [];
  const port = new HostPort({
    runtime, extensionVersion: "0.1.0", setTimer: clock.setTimer, clearTimer: clock.clearTimer,
    wakeAt: (ms) => alarms.push(ms), onNotice: (n) => notices.push(n), onStatus: (s) => statuses.push(s),
    random: () => 1, log: quiet, requestTimeoutMs: 5000, ...portOptions,
  });
  return { clock, runtime, port, notices, statuses, alarms };
}

const event = (n, trigger = "incoming_call_ringing") => ({
  trigger, call_id: `call-${n}`, direction: "incoming", queue: null, callee: "200", caller: "0301", caller_name: null,
  user: "agent200", started_at: 1764000000 + n, answered_at: null, ended_at: null, duration: null,
});

test("connect says hello with the extension version and reports the host version", async () => {
  const { port, runtime, statuses } = make();
  const hello = await port.connect();
  assert.equal(hello.host_version, "0.1.0");
  assert.deepEqual(runtime.posted()[0], { extension_version: "0.1.0", id: 1, type: "hello" });
  assert.equal(port.snapshot().state, "connected");
  assert.deepEqual(statuses.map((s) => s.state), ["connecting", "connected"]);
  await port.connect();
  assert.equal(runtime.ports.length, 1, "one port, reused");
});

test("requests get their own ids; replies are matched by id, in any order", async () => {
  const held = [];
  const base = defaultHost();
  const { port, runtime } = make({ host: (m, p) => (m.type === "settings.get" ? (held.push([m, p]), undefined) : base(m)) });
  await port.connect();
  const a = port.request("settings.get");
  const b = port.request("settings.get");
  await settle();
  const [[ma, p], [mb]] = held;
  assert.notEqual(ma.id, mb.id);
  p.onMessage.fire({ id: mb.id, ok: true, result: { settings: { default_region: "B" } } });
  p.onMessage.fire({ id: ma.id, ok: true, result: { settings: { default_region: "A" } } });
  assert.equal((await a).settings.default_region, "A");
  assert.equal((await b).settings.default_region, "B");
  assert.equal(runtime.ports.length, 1);
});

test("a request the host never answers resolves to a named timeout error", async () => {
  const base = defaultHost();
  const { port, clock } = make({ host: (m) => (m.type === "webhooks.list" ? undefined : base(m)) });
  await port.connect();
  const pending = port.request("webhooks.list");
  const outcome = pending.then(() => null, (e) => e);
  await settle();
  await clock.tick(4999);
  assert.equal(port.pending.size, 1, "not before its time");
  await clock.tick(1);
  const error = await outcome;
  assert.ok(error instanceof HostError);
  assert.equal(error.code, "timeout");
  assert.equal(port.pending.size, 0);
});

test("host not installed: the request rejects with host_not_found and the status says so", async () => {
  const { port } = make({ installed: false });
  await assert.rejects(port.request("webhooks.list"), (e) => e.code === "host_not_found");
  assert.equal(port.snapshot().state, "error");
  assert.equal(port.snapshot().error.code, "host_not_found");
});

test("an incompatible host version is refused with host_incompatible", async () => {
  const { port, runtime } = make({ host: defaultHost({ version: "0.9.0" }) });
  await assert.rejects(port.connect(), (e) => e.code === "host_incompatible" && /0\.9\.0/.test(e.message));
  assert.equal(runtime.ports[0].closed, true);
  assert.equal(compatible("0.1.0", "0.1.7"), true);
  assert.equal(compatible("1.2.0", "1.9.0"), true);
  assert.equal(compatible("1.2.0", "2.0.0"), false);
  assert.equal(compatible("0.1.0", "garbage"), false);
});

test("error replies keep the host's code, message and field", async () => {
  const base = defaultHost();
  const { port } = make({
    host: (m) => (m.type === "webhooks.save"
      ? { id: m.id, ok: false, error: { code: "validation_error", field: "url", message: "{duration} is not available" } }
      : base(m)),
  });
  await assert.rejects(port.request("webhooks.save", { webhook: {} }), (e) => e.code === "validation_error" && e.field === "url" && /duration/.test(e.message));
});

test("disconnect messages map to codes", () => {
  assert.equal(disconnectCode("Specified native messaging host not found."), "host_not_found");
  assert.equal(disconnectCode("No such native application org.uccwebhooks.host"), "host_not_found");
  assert.equal(disconnectCode("Access to the specified native messaging host is forbidden."), "host_forbidden");
  assert.equal(disconnectCode("Native host has exited."), "disconnected");
});

test("events wait while the host is missing and are delivered in order once it is back (backoff + alarm)", async () => {
  const { port, runtime, clock, alarms } = make({ installed: false });
  port.sendCallEvent(event(1));
  await settle();
  port.sendCallEvent(event(2));
  await settle();
  assert.equal(port.queue.length, 2);
  assert.equal(alarms.length, 1, "an alarm backs the retry timer");
  const firstDelay = clock.pending()[0];
  assert.equal(firstDelay, 1000); // first failure -> 1 s (random()=1: no jitter shortening)
  runtime.installed = true;
  await clock.tick(firstDelay);
  const sent = runtime.posted().filter((m) => m.type === "call_event").map((m) => m.event.call_id);
  assert.deepEqual(sent, ["call-1", "call-2"]);
  assert.equal(port.queue.length, 0);
});

test("backoff grows while the host stays away", async () => {
  const { port, clock } = make({ installed: false });
  port.sendCallEvent(event(1));
  const delays = [];
  for (let i = 0; i < 4; i++) {
    await settle();
    delays.push(clock.pending()[0]);
    await clock.tick(clock.pending()[0]);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
  assert.equal(port.queue.length, 1, "still kept");
});

test("the queue is bounded: the oldest events are dropped first, and counted", async () => {
  const { port, runtime, clock } = make({ installed: false }, { queueLimit: 3 });
  for (let n = 1; n <= 5; n++) port.sendCallEvent(event(n));
  await settle();
  assert.equal(port.snapshot().dropped, 2);
  runtime.installed = true;
  await clock.tick(clock.pending()[0]);
  assert.deepEqual(runtime.posted().filter((m) => m.type === "call_event").map((m) => m.event.call_id), ["call-3", "call-4", "call-5"]);
});

test("an event in flight when the host dies is resent after reconnecting (the host drops duplicates)", async () => {
  let answer = false;
  const base = defaultHost();
  const { port, runtime, clock } = make({ host: (m) => (m.type === "call_event" && !answer ? undefined : base(m)) });
  await port.connect();
  port.sendCallEvent(event(1, "incoming_call_accepted"));
  await settle();
  runtime.ports[0].hostExits();
  await settle();
  assert.equal(port.snapshot().state, "error");
  assert.equal(port.queue.length, 1);
  answer = true;
  await clock.tick(clock.pending()[0]);
  const sent = runtime.posted().filter((m) => m.type === "call_event");
  assert.equal(sent.length, 2);
  assert.equal(runtime.ports.length, 2);
  assert.equal(port.queue.length, 0);
});

test("an event the host refuses for good is dropped, not retried", async () => {
  const base = defaultHost();
  const { port, runtime, clock } = make({
    host: (m) => (m.type === "call_event" ? { id: m.id, ok: false, error: { code: "validation_error", message: "bad", field: "event" } } : base(m)),
  });
  await port.connect();
  port.sendCallEvent(event(1));
  await settle();
  await clock.tick(60000);
  assert.equal(port.queue.length, 0);
  assert.equal(port.snapshot().rejected, 1);
  assert.equal(runtime.posted().filter((m) => m.type === "call_event").length, 1);
});

test("the same call_id+trigger is queued once", async () => {
  const { port } = make({ installed: false });
  port.sendCallEvent(event(1));
  port.sendCallEvent(event(1));
  port.sendCallEvent(event(1, "incoming_call_missed"));
  assert.equal(port.queue.length, 2);
});

test("notices reach the handler; malformed ones and unsafe URLs are ignored", async () => {
  const { port, runtime, notices } = make();
  await port.connect();
  const p = runtime.ports[0];
  p.onMessage.fire({ type: "open_tab", url: "https://crm.example.com/?q=1" });
  p.onMessage.fire({ type: "open_tab", url: "javascript:alert(1)" });
  p.onMessage.fire({ type: "delivery", delivery: { id: "m", state: "failed", url: "https://x", attempts: 3 }, failed_count: 1 });
  p.onMessage.fire({ type: "policy", webhooks_enabled: false });
  p.onMessage.fire({ id: 999, ok: true, result: {} }); // nobody waits for it
  assert.deepEqual(notices.map((n) => n.type), ["open_tab", "delivery", "policy"]);
});

test("queued events survive a worker restart through the store", async () => {
  let saved = [];
  const store = { load: async () => saved, save: async (events) => { saved = events; } };
  const first = make({ installed: false }, { store });
  first.port.sendCallEvent(event(1));
  first.port.sendCallEvent(event(2));
  await settle();
  assert.equal(saved.length, 2);
  const second = make({}, { store });
  await second.port.restore();
  await settle();
  await settle();
  assert.deepEqual(second.runtime.posted().filter((m) => m.type === "call_event").map((m) => m.event.call_id), ["call-1", "call-2"]);
  assert.deepEqual(saved, []);
});
