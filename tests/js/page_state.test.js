// Tests for bg/page_state.js: what each UCC tab's page reported about its workers, for the popup's offer to watch them.
import test from "node:test";
import assert from "node:assert/strict";
import { createPageStates, forgetOnNavigation, pageStateHandlers } from "../../extension/bg/page_state.js";

test("page states: a content script's report is kept per tab (top frame only, checked), the popup reads them, a tab's goes with it", async () => {
  const stored = {};
  const storage = { get: async (k) => ({ [k]: stored[k] }), set: async (o) => Object.assign(stored, o) };
  const states = createPageStates({ storage, now: () => 5000 });
  const handlers = pageStateHandlers(states);
  const tab = { id: 7, url: "https://ucc.example.com/app" };
  assert.deepEqual(handlers["page.state"].handle({ workers: 2, sipSeen: false }, { tab, frameId: 0 }), { recorded: true });
  assert.deepEqual(handlers["page.state"].handle({ workers: 1, sipSeen: false }, { tab: { id: 8 }, frameId: 3 }), { recorded: false }, "a frame's own workers");
  for (const bad of [{ workers: -1, sipSeen: false }, { workers: 1.5, sipSeen: false }, { workers: "2", sipSeen: false }, { workers: 1, sipSeen: "no" }, null]) {
    assert.deepEqual(handlers["page.state"].handle(bad, { tab, frameId: 0 }), { recorded: false }, JSON.stringify(bad));
  }
  assert.equal(handlers["page.state"].from, "content");
  assert.equal(handlers["page.states"].from, "page");
  assert.deepEqual(await handlers["page.states"].handle(), { 7: { workers: 2, sipSeen: false, url: "https://ucc.example.com/app", at: 5 } });
  const listeners = {};
  forgetOnNavigation({ onRemoved: { addListener: (f) => (listeners.removed = f) }, onUpdated: { addListener: (f) => (listeners.updated = f) } }, states);
  listeners.updated(7, { title: "x" });
  assert.ok(7 in (await states.all()), "a title change keeps it");
  listeners.updated(7, { status: "loading" });
  assert.deepEqual(await states.all(), {}, "another page loads: its report goes");
  handlers["page.state"].handle({ workers: 1, sipSeen: true }, { tab, frameId: 0 });
  listeners.removed(7);
  assert.deepEqual(await states.all(), {});
});
