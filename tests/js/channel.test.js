// The observer's private channel (page/main.js <-> content.js): the handshake in either order, nothing a page script can read or write afterwards, the opt-in page bridge.
import test from "node:test";
import assert from "node:assert/strict";
import { listenerCount, FakeCustomEvent } from "./helpers/fake_websocket.js";
import { settle } from "./helpers/fake_runtime.js";
import { BRIDGE_HELLO, FakeEvent, OBSERVER_HELLO, fakeChrome, isolatedWorld, mainWorld, makePage } from "./helpers/worlds.js";
import { asteriskInvite, jssipInvite, response } from "./fixtures/sip_traffic.js";

const URL_ = "wss://ucc.example.com:8443/ws";
const ORDERS = [["content script first (Chromium)", ["isolated", "main"]], ["observer first (Firefox)", ["main", "isolated"]]];

/** Both worlds injected in `order`; the content script's config arrives; returns the page and its parts. */
async function inject(order, { config } = {}) {
  const page = makePage();
  const runtime = fakeChrome({ config });
  let main = null;
  for (const world of order) {
    if (world === "main") main = mainWorld(page);
    else isolatedWorld(page, runtime);
  }
  await settle();
  return { page, runtime, main };
}

function ring(main, callId = "call-1") {
  const ws = new main.WebSocket(URL_, "sip");
  ws.serverOpens();
  ws.serverSends(asteriskInvite({ callId, extra: ["X-Queue: Sales"] }));
  return ws;
}

/** A page script that learnt the handshake's names from our source and tries them after the handshake. */
function hostileScript(page) {
  const heard = [];
  for (const type of [OBSERVER_HELLO, BRIDGE_HELLO, "ucc-webhooks:config", "ucc-webhooks:ready"]) {
    page.window.addEventListener(type, (e) => heard.push([type, e.detail]));
  }
  page.window.dispatchEvent(new FakeEvent(OBSERVER_HELLO)); // "I am the observer: give me the token"
  page.window.dispatchEvent(new FakeCustomEvent(BRIDGE_HELLO, { detail: "f".repeat(32) })); // "take my token"
  return heard;
}

for (const [name, order] of ORDERS) {
  test(`${name}: the handshake completes before any page script, and no one listens to its names afterwards`, async () => {
    const { page, runtime, main } = await inject(order);
    for (const type of [OBSERVER_HELLO, BRIDGE_HELLO]) assert.equal(listenerCount(page.window, type), 0, type);
    assert.equal(page.watching(), 0, "no MutationObserver left once the handshake is done");
    ring(main);
    const [message] = runtime.forwarded();
    assert.equal(message.source, "observer");
    assert.equal(message.event.trigger, "incoming_call_ringing");
    assert.equal(message.event.queue, "Sales", "the queue rule reached the observer over the channel");
    assert.match(message.doc, /^[0-9a-f]{16}$/);
  });

  test(`${name}: a page script can neither learn the token nor hand either side one of its own`, async () => {
    const { page, runtime, main } = await inject(order);
    const before = page.dispatched.length;
    const heard = hostileScript(page);
    assert.deepEqual(heard.filter(([type]) => type !== OBSERVER_HELLO && type !== BRIDGE_HELLO), []);
    assert.deepEqual(heard.map(([type]) => type), [OBSERVER_HELLO, BRIDGE_HELLO], "it hears only itself");
    // the observer still speaks on the agreed channel, not the page's token
    ring(main);
    assert.equal(runtime.forwarded().length, 1);
    const token = page.dispatched.slice(0, before).find((e) => e.type === BRIDGE_HELLO).detail;
    const after = page.dispatched.slice(before);
    assert.ok(after.every((e) => e.detail !== token), "the token is never sent again");
    assert.ok(after.some((e) => e.type === token), "the observer's messages go out under the token");
    assert.ok(!after.some((e) => e.type === "f".repeat(32)), "the page's token is not used");
  });
}

test("forged events on the old channel name are ignored while the page bridge is off", async () => {
  const { page, runtime } = await inject(["isolated", "main"]);
  const good = { trigger: "incoming_call_accepted", call_id: "forged-1", direction: "incoming", started_at: 1, answered_at: 2 };
  for (let n = 0; n < 1000; n++) page.window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:call", { detail: { ...good, call_id: `f${n}` } }));
  page.window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:unwatched", { detail: "csp_blob_worker" }));
  await settle();
  assert.equal(runtime.forwarded().length, 0);
  assert.equal(runtime.sent.filter((m) => m.type === "page.unwatched").length, 0, "only the observer can say a worker runs unwatched");
});

test("the page bridge, switched on, forwards the page's events as source bridge; switched off again, it stops", async () => {
  const { page, runtime } = await inject(["main", "isolated"], { config: { queueRule: {}, userName: null, webhooksEnabled: true, pageBridge: true } });
  const event = { trigger: "incoming_call_accepted", call_id: "bridge-1", direction: "incoming", started_at: 1, answered_at: 2 };
  page.window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:call", { detail: event }));
  page.window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:call", { detail: JSON.stringify({ ...event, call_id: "bridge-2" }) }));
  assert.deepEqual(runtime.forwarded().map((m) => [m.source, m.event.call_id]), [["bridge", "bridge-1"], ["bridge", "bridge-2"]]);
  runtime.state.config = { ...runtime.state.config, pageBridge: false };
  runtime.storageChanged();
  await settle();
  page.window.dispatchEvent(new FakeCustomEvent("ucc-webhooks:call", { detail: { ...event, call_id: "bridge-3" } }));
  assert.equal(runtime.forwarded().length, 2);
});

test("observer missing in a frame: the content script stops listening when the parser adds its first node", async () => {
  const page = makePage();
  const runtime = fakeChrome();
  isolatedWorld(page, runtime);
  assert.equal(listenerCount(page.window, OBSERVER_HELLO), 1, "waits for the observer during document_start");
  page.parserAddsNode();
  const heard = hostileScript(page);
  assert.deepEqual(heard.filter(([type]) => type === BRIDGE_HELLO).map(([, d]) => d), ["f".repeat(32)], "no token for the page");
  await settle();
  assert.equal(runtime.sent.filter((m) => m.type === "config.get").length, 1);
});

test("content script missing: the observer stops listening at the first node, and a late token changes nothing", () => {
  const page = makePage();
  const main = mainWorld(page);
  assert.equal(listenerCount(page.window, BRIDGE_HELLO), 1);
  page.parserAddsNode();
  assert.equal(listenerCount(page.window, BRIDGE_HELLO), 0);
  const heard = [];
  page.window.addEventListener("a".repeat(32), (e) => heard.push(e.detail));
  page.window.dispatchEvent(new FakeCustomEvent(BRIDGE_HELLO, { detail: "a".repeat(32) }));
  ring(main);
  assert.deepEqual(heard, [], "the observer never speaks on a page's channel");
});

test("main.js removes its namespace, installs once, and tells the answer of an outgoing call", async () => {
  const { page, runtime, main } = await inject(["isolated", "main"]);
  assert.equal(main.__uccWebhooks, undefined, "namespace left in the page");
  const ws = new main.WebSocket(URL_, "sip");
  ws.serverOpens();
  const invite = jssipInvite({ callId: "out-1" });
  ws.send(invite);
  ws.serverSends(response(invite, 200, "OK"));
  await settle();
  assert.deepEqual(runtime.forwarded().map((m) => m.event.trigger), ["outgoing_call_started"]);
  const [answered] = runtime.sent.filter((m) => m.type === "call.answered");
  assert.equal(answered.call_id, "out-1");
  assert.equal(typeof answered.answered_at, "number");
});

test("the content script says when its page goes away, and answers the worker's ping with its document id", async () => {
  const { page, runtime } = await inject(["isolated", "main"]);
  const reply = await runtime.fromWorker({ type: "ucc-webhooks:ping" });
  assert.match(reply.doc, /^[0-9a-f]{16}$/);
  assert.equal(await runtime.fromWorker({ type: "something else" }), undefined);
  page.window.dispatchEvent(new FakeEvent("pagehide")); // a page script's own: not trusted
  assert.equal(runtime.sent.filter((m) => m.type === "page.leaving").length, 0);
  page.window.dispatchEvent(Object.assign(new FakeEvent("pagehide"), { isTrusted: true })); // the browser's
  const [leaving] = runtime.sent.filter((m) => m.type === "page.leaving");
  assert.equal(leaving.doc, reply.doc);
  assert.equal(runtime.sent.find((m) => m.type === "config.get").doc, reply.doc, "config.get is this document's hello");
});
