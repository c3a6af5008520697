// Tests for extension/content.js (isolated world): what the observer sends over the private channel is checked, cleaned and forwarded; config goes back the same way.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXT, runScripts } from "./helpers/page.js";
import { settle } from "./helpers/fake_runtime.js";
import { fakeChrome, fakeObserver, isolatedWorld, makePage } from "./helpers/worlds.js";

const good = JSON.parse(fs.readFileSync(path.join(EXT, "../tests/fixtures/protocol/call_event.request.json"), "utf8")).event;

function world({ config, id } = {}) {
  const page = makePage();
  const runtime = fakeChrome({ config, id });
  const ctx = isolatedWorld(page, runtime);
  const observer = fakeObserver(page);
  const pushed = [];
  page.window.addEventListener(observer.token() + ":config", (e) => pushed.push(JSON.parse(e.detail)));
  return { ctx, page, runtime, observer, pushed, call: (event) => observer.send({ kind: "call", event }), forwarded: runtime.forwarded };
}

test("a valid CallEvent from the observer is forwarded to the worker as a clean copy, with its source and document", async () => {
  const w = world();
  await settle();
  w.call({ ...good, injected: "<b>x</b>" });
  const [m] = w.forwarded();
  assert.equal(m.event.call_id, good.call_id);
  assert.equal(m.event.injected, undefined);
  assert.deepEqual(Object.keys(m.event).sort(), Object.keys(good).sort());
  assert.equal(m.source, "observer");
  assert.match(m.doc, /^[0-9a-f]{16}$/);
});

test("invalid or hostile messages are dropped without throwing", () => {
  const w = world();
  for (const event of [null, "not an object", { ...good, trigger: "no such trigger!" }, { ...good, started_at: "soon" }, 42]) {
    assert.doesNotThrow(() => w.call(event));
  }
  for (const detail of ["{not json", "null", "42"]) {
    assert.doesNotThrow(() => w.page.window.dispatchEvent({ type: w.observer.token(), detail }));
  }
  assert.equal(w.forwarded().length, 0);
});

test("the effective config is pushed to the observer over the channel, again after a storage change", async () => {
  const w = world();
  await settle();
  assert.deepEqual(w.pushed, [{ queueRule: { header: "X-Queue", displayNamePattern: null } }]); // the page needs no user name
  w.runtime.storageChanged({ openCalls: {} }); // the worker's own bookkeeping: not a setting
  await settle();
  assert.equal(w.runtime.sent.filter((m) => m.type === "config.get").length, 1);
  w.runtime.storageChanged({ queueRule: {} });
  await settle();
  assert.equal(w.runtime.sent.filter((m) => m.type === "config.get").length, 2, "a settings change asks again");
  assert.equal(w.pushed.length, 2);
  w.runtime.storageChanged({}, "managed");
  await settle();
  assert.equal(w.runtime.sent.filter((m) => m.type === "config.get").length, 3, "so does any change of the administrator's");
});

test("the userName setting overrides the user of every forwarded event", async () => {
  const w = world({ config: { queueRule: {}, userName: "a.meier", webhooksEnabled: true, pageBridge: false } });
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
  assert.equal(w.runtime.sent.length, 0);
});

test("a worker the page's CSP keeps unwatched is told once, and only in the one known word", async () => {
  const w = world();
  w.observer.send({ kind: "unwatched", reason: "<img src=x>" });
  w.observer.send({ kind: "unwatched", reason: "csp_blob_worker" });
  w.observer.send({ kind: "unwatched", reason: "csp_blob_worker" });
  await settle();
  assert.deepEqual(w.runtime.sent.filter((m) => m.type === "page.unwatched").map((m) => m.reason), ["csp_blob_worker"]);
});

test("the page's report on its workers goes to the worker as page.state, at most twice a page, numbers only", async () => {
  const w = world();
  w.observer.send({ kind: "state", workers: "many", sipSeen: false });
  w.observer.send({ kind: "state", workers: 2, sipSeen: false });
  w.observer.send({ kind: "state", workers: 2, sipSeen: true });
  w.observer.send({ kind: "state", workers: 3, sipSeen: true });
  await settle();
  assert.deepEqual(w.runtime.sent.filter((m) => m.type === "page.state").map((m) => [m.workers, m.sipSeen]), [[2, false], [2, true]]);
});
