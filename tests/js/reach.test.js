// Tests for page/reach.js and page/workers.js: by default workers are only counted (and the popup told when a page runs workers without a SIP socket); watched origins start them from the bootstrap.
import test from "node:test";
import assert from "node:assert/strict";
import { inject, realm } from "./helpers/realm.js";

/** A realm whose timers run when the test says so. */
function withClock(r) {
  const timers = [];
  r.win.setTimeout = (fn, ms) => { timers.push({ fn, ms }); return timers.length; };
  return { run: () => { for (const t of timers.splice(0)) t.fn(); }, pending: () => timers.map((t) => t.ms) };
}

test("by default a worker starts from the page's own URL, exactly as asked; nothing is made or sent", () => {
  const page = realm();
  const made = [];
  page.win.URL.createObjectURL = () => { made.push("blob"); return "blob:x"; };
  inject(page);
  const w = page.run("new Worker('sipua.js', { name: 'phone' })");
  const s = page.run("new SharedWorker('sipua.js', 'lab-sip')");
  assert.equal(w.url, "sipua.js");
  assert.equal(s.url, "sipua.js");
  assert.deepEqual(made, [], "no bootstrap blob");
});

test("a page that runs workers and opens no SIP socket is reported once after the quiet time, and again when one opens", () => {
  const page = realm();
  const clock = withClock(page);
  const states = [];
  inject(page, [], { onPageState: (s) => states.push({ ...s }) });
  page.run("new Worker('a.js'); new SharedWorker('b.js'); new Worker('c.js')");
  assert.deepEqual(states, [], "not at once: the page may open its socket a moment later");
  assert.equal(clock.pending().length, 1, "one timer for the first worker only");
  clock.run();
  assert.deepEqual(states, [{ workers: 3, sipSeen: false }]);
  page.run("new WebSocket('wss://pbx/ws', 'chat')");
  assert.equal(states.length, 1, "a socket that is not SIP changes nothing");
  page.run("new WebSocket('wss://pbx/ws', 'sip')");
  assert.deepEqual(states, [{ workers: 3, sipSeen: false }, { workers: 3, sipSeen: true }]);
  page.run("new WebSocket('wss://pbx/ws', 'sip'); new Worker('d.js')");
  clock.run();
  assert.equal(states.length, 2, "at most twice per page");
});

test("a page whose SIP socket opened before the quiet time ran out is never reported", () => {
  const page = realm();
  const clock = withClock(page);
  const states = [];
  inject(page, [], { onPageState: (s) => states.push(s) });
  page.run("new Worker('a.js'); new WebSocket('wss://pbx/ws', ['sip'])");
  clock.run();
  assert.deepEqual(states, []);
});

test("a page callback that throws never reaches the page", () => {
  const page = realm();
  const clock = withClock(page);
  inject(page, [], { onPageState: () => { throw new Error("bridge gone"); } });
  page.run("new Worker('a.js')");
  assert.doesNotThrow(() => clock.run());
});

test("on a watched origin a same-origin worker starts from the bootstrap, and nothing is reported", () => {
  const page = realm();
  const texts = [];
  page.win.URL.createObjectURL = (blob) => { texts.push(blob.parts.join("")); return "blob:https://ucc.example.com/" + texts.length; };
  const states = [];
  const { reached } = inject(page, [], { watch: true, onPageState: (s) => states.push(s) });
  const w = page.run("new Worker('sipua.js')");
  assert.equal(w.url, "blob:https://ucc.example.com/1");
  assert.match(texts[0], /importScripts\("https:\/\/ucc\.example\.com\/sipua\.js"\)/);
  assert.equal(page.run("Worker.prototype.constructor === Worker && new Worker('x.js').constructor === Worker"), true);
  assert.equal(reached.pageState().watched, true);
  assert.deepEqual(states, []);
});
