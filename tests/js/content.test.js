// Tests for extension/content.js (isolated world): page events are checked, cleaned and forwarded; config is pushed to the page.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT, loadScripts, runScripts } from "./helpers/page.js";
import { FakeCustomEvent, FakeEventTarget } from "./helpers/fake_websocket.js";
import { settle } from "./helpers/fake_runtime.js";

const good = JSON.parse(fs.readFileSync(path.join(EXT, "../tests/fixtures/protocol/call_event.request.json"), "utf8")).event;

function world({ config = { queueRule: { header: "X-Queue", displayNamePattern: null }, userName: null, webhooksEnabled: true }, id = "amlncininjibhhckajeabpanpcfpeeig" } = {}) {
  const window = new FakeEventTarget();
  const sent = [];
  const storageListeners = [];
  const chrome = {
    runtime: {
      id,
      sendMessage(message) {
        sent.push(JSON.parse(JSON.stringify(message)));
        return Promise.resolve(message.type === "config.get" ? { ok: true, result: config } : { ok: true, result: { forwarded: true } });
      },
    },
    storage: { onChanged: { addListener: (fn) => storageListeners.push(fn) } },
  };
  const pushed = [];
  window.addEventListener("ucc-webhooks:config", (e) => pushed.push(JSON.parse(e.detail)));
  const globals = { window, chrome, CustomEvent: FakeCustomEvent, console: { warn() {}, log() {} } };
  const ctx = loadScripts(["common/call_event.js", "content.js"], globals);
  const call = (detail) => window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:call", { detail }));
  return { ctx, globals, window, sent, pushed, call, chrome, storageListeners, forwarded: () => sent.filter((m) => m.type === "call_event") };
}

test("a valid CallEvent object is forwarded to the worker as a clean copy", async () => {
  const w = world();
  await settle();
  w.call({ ...good, injected: "<b>x</b>" });
  const [m] = w.forwarded();
  assert.equal(m.event.call_id, good.call_id);
  assert.equal(m.event.injected, undefined);
  assert.deepEqual(Object.keys(m.event).sort(), Object.keys(good).sort());
});

test("a JSON string detail is accepted too (page bridge in any world)", () => {
  const w = world();
  w.call(JSON.stringify(good));
  assert.equal(w.forwarded().length, 1);
});

test("invalid or hostile details are dropped without throwing", () => {
  const w = world();
  for (const detail of [null, "not json", { ...good, trigger: "no such trigger!" }, { ...good, started_at: "soon" }, 42, { toJSON() { throw new Error("x"); } }]) {
    assert.doesNotThrow(() => w.call(detail));
  }
  assert.equal(w.forwarded().length, 0);
});

test("the effective config is pushed to the page, again when the observer says it is ready", async () => {
  const w = world();
  await settle();
  assert.deepEqual(w.pushed, [{ queueRule: { header: "X-Queue", displayNamePattern: null }, userName: null }]);
  w.window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:ready"));
  assert.equal(w.pushed.length, 2);
  w.storageListeners[0]({}, "local");
  await settle();
  assert.equal(w.sent.filter((m) => m.type === "config.get").length, 2, "storage change asks again");
});

test("the userName setting overrides the user of every forwarded event", async () => {
  const w = world({ config: { queueRule: {}, userName: "a.meier", webhooksEnabled: true } });
  await settle();
  w.call(good);
  assert.equal(w.forwarded()[0].event.user, "a.meier");
});

test("injected twice into one frame: events are forwarded once", () => {
  const w = world();
  runScripts(w.ctx, ["common/call_event.js", "content.js"]); // the same world gets the script again
  w.call(good);
  assert.equal(w.forwarded().length, 1);
});

test("after the extension was reloaded (no runtime.id) nothing is sent and nothing throws", () => {
  const w = world({ id: null });
  assert.doesNotThrow(() => w.call(good));
  assert.equal(w.sent.length, 0);
});
