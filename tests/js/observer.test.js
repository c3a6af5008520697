// Tests for extension/page/observer.js and page/main.js: the WebSocket wrap reads SIP frames and leaves the page's view unchanged.
import test from "node:test";
import assert from "node:assert/strict";
import { pageNamespace, PAGE_SCRIPTS, runScripts } from "./helpers/page.js";
import { FakeEventTarget, listenerCount, makeWebSocketClass } from "./helpers/fake_websocket.js";
import { asteriskInvite, inDialog, jssipInvite, jssipRegister, response } from "./fixtures/sip_traffic.js";

const URL_ = "wss://ucc.example.com:8443/ws";
const bytes = (text) => new TextEncoder().encode(text).buffer;

function setup({ emit, config, awaitConfigMs } = {}) {
  const ns = pageNamespace();
  const Native = makeWebSocketClass();
  const win = { EventTarget: FakeEventTarget, TextDecoder, setTimeout, clearTimeout };
  Object.defineProperty(win, "WebSocket", { value: Native, writable: true, enumerable: false, configurable: true });
  const events = [];
  const errors = [];
  let clock = 100;
  const installed = ns.observer.install(win, {
    emit: emit || ((e) => events.push(JSON.parse(JSON.stringify(e)))),
    now: () => clock++,
    onError: (e) => errors.push(e),
    config,
    awaitConfigMs,
  });
  return { ns, Native, win, events, errors, installed };
}

test("JsSIP style: onmessage property, binaryType arraybuffer, ArrayBuffer frames both ways", () => {
  const { win, events, errors } = setup();
  const ws = new win.WebSocket(URL_, "sip");
  ws.binaryType = "arraybuffer";
  const seen = [];
  ws.onmessage = (event) => seen.push(event.data);
  ws.serverOpens("sip");
  ws.send(jssipRegister());
  const inv = asteriskInvite();
  const frames = [bytes(inv), bytes("\r\n\r\n"), bytes("\r\n")];
  for (const f of frames) ws.serverSends(f);
  const ok = bytes(response(inv, 200, "OK"));
  ws.send(ok);
  assert.strictEqual(ws.sentFrames.at(-1), ok, "send passes the page's own object through");
  ws.send("\r\n\r\n");
  ws.serverSends(bytes(inDialog(inv, "BYE")));
  assert.equal(seen.length, 4);
  assert.strictEqual(seen[0], frames[0]); // the very same object reaches the page
  assert.deepEqual(events.map((e) => e.trigger), ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]);
  assert.equal(events[0].user, "agent200");
  assert.equal(ws.sentFrames.length, 3);
  assert.equal(typeof ws.sentFrames[0], "string");
  assert.deepEqual(errors, []);
});

test("SIP.js style: addEventListener, protocol list, text frames", () => {
  const { win, events } = setup();
  const ws = new win.WebSocket(URL_, ["sip"]);
  const seen = [];
  ws.addEventListener("message", (event) => seen.push(event.data));
  ws.serverOpens("sip");
  const inv = jssipInvite();
  ws.send(inv);
  ws.serverSends(response(inv, 180, "Ringing"));
  ws.serverSends(response(inv, 200, "OK"));
  ws.send(inDialog(inv, "BYE"));
  assert.equal(seen.length, 2);
  assert.deepEqual(events.map((e) => e.trigger), ["outgoing_call_started", "outgoing_call_ended"]);
});

test("Blob frames (default binaryType) are read without being consumed", async () => {
  const { win, events } = setup();
  const ws = new win.WebSocket(URL_, "sip");
  let pageText = null;
  ws.onmessage = async (event) => { pageText = await event.data.text(); };
  ws.serverOpens();
  const inv = asteriskInvite();
  ws.serverSends(new Blob([inv]));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pageText, inv);
  assert.deepEqual(events.map((e) => e.trigger), ["incoming_call_ringing"]);
});

test("the page's view of WebSocket is unchanged", () => {
  const { win, Native } = setup();
  const W = win.WebSocket;
  assert.notStrictEqual(W, Native); // it is wrapped...
  assert.strictEqual(W.prototype, Native.prototype); // ...but everything the page can see is native
  assert.equal(W.name, "WebSocket");
  assert.equal(W.length, Native.length);
  assert.equal(W.OPEN, 1);
  assert.equal(W.CLOSED, 3);
  assert.throws(() => W(URL_, "sip"), TypeError); // without `new`, like the browser
  const ws = new W(URL_, "sip");
  const plain = new W(URL_);
  assert.ok(ws instanceof W);
  assert.ok(ws instanceof Native);
  assert.strictEqual(ws.constructor, W);
  assert.strictEqual(Object.getPrototypeOf(ws), Native.prototype);
  assert.deepEqual(Object.getOwnPropertyNames(ws), Object.getOwnPropertyNames(plain));
  assert.strictEqual(ws.send, W.prototype.send);
  assert.equal(ws.send.name, "send");
  assert.equal(ws.send.length, 1);
  assert.equal(ws.protocol, "");
  assert.equal(ws.readyState, 0);
  assert.equal(ws.binaryType, "blob");
  ws.binaryType = "arraybuffer";
  assert.equal(ws.binaryType, "arraybuffer");
  const d = Object.getOwnPropertyDescriptor(win, "WebSocket");
  assert.deepEqual([d.writable, d.enumerable, d.configurable], [true, false, true]);
  class Sub extends W {}
  const sub = new Sub(URL_, "sip");
  assert.ok(sub instanceof Sub && sub instanceof W);
});

test("send keeps its native behaviour: return value, errors, this-checks", () => {
  const { win, events } = setup();
  const ws = new win.WebSocket(URL_, "sip");
  assert.throws(() => ws.send(jssipInvite()), /InvalidStateError/); // not open yet: the native error, untouched
  assert.deepEqual(events, []); // and a frame that was not sent is not observed
  ws.serverOpens();
  assert.equal(ws.send("x"), undefined);
  assert.throws(() => win.WebSocket.prototype.send.call({}, "x"));
});

test("non-sip sockets are left alone: no listener, no observation", () => {
  const { win, events } = setup();
  const chat = new win.WebSocket(URL_, ["chat", "superchat"]);
  const none = new win.WebSocket(URL_);
  assert.equal(listenerCount(chat, "message"), 0);
  assert.equal(listenerCount(none, "message"), 0);
  for (const ws of [chat, none]) {
    ws.serverOpens("");
    ws.send(jssipInvite({ callId: "not-sip" }));
    ws.serverSends(asteriskInvite({ callId: "not-sip-2" }));
  }
  assert.equal(chat.sentFrames.length, 1);
  assert.deepEqual(events, []);
});

test("a server that picks another subprotocol than sip is not observed", () => {
  const { win, events } = setup();
  const ws = new win.WebSocket(URL_, ["sip", "chat"]);
  ws.serverOpens("chat");
  ws.send(jssipInvite());
  ws.serverSends(asteriskInvite());
  assert.deepEqual(events, []);
});

test("an exception inside the observer never reaches the page", () => {
  const { win, errors } = setup({ emit() { throw new Error("observer bug"); } });
  const ws = new win.WebSocket(URL_, "sip");
  const seen = [];
  ws.onmessage = (e) => seen.push(e.data);
  ws.serverOpens();
  assert.doesNotThrow(() => ws.send(jssipInvite()));
  assert.doesNotThrow(() => ws.serverSends(asteriskInvite()));
  assert.equal(seen.length, 1);
  assert.equal(errors.length, 2);
});

test("binary garbage and keep-alives in both directions never throw and fire nothing", () => {
  const { win, events, errors } = setup();
  const ws = new win.WebSocket(URL_, "sip");
  ws.binaryType = "arraybuffer";
  ws.serverOpens();
  let seed = 7;
  for (let i = 0; i < 500; i++) {
    const buf = new Uint8Array(1 + (i % 97));
    for (let k = 0; k < buf.length; k++) buf[k] = (seed = (seed * 48271) % 2147483647) & 255;
    ws.serverSends(buf.buffer);
    ws.send(i % 2 ? buf : "\r\n\r\n");
  }
  ws.serverSends(null);
  ws.serverSends({ weird: true });
  assert.deepEqual(events, []);
  assert.deepEqual(errors, []);
});

test("installing twice wraps once", () => {
  const { ns, win } = setup();
  const first = win.WebSocket;
  assert.equal(ns.observer.install(win, { emit() {} }), null);
  assert.strictEqual(win.WebSocket, first);
});

test("observer cost per frame stays small", () => {
  const { win } = setup();
  const Plain = makeWebSocketClass();
  const frames = [asteriskInvite(), "\r\n\r\n", response(jssipInvite(), 180, "Ringing"), response(jssipInvite(), 200, "OK")];
  const time = (ws) => {
    ws.onmessage = () => {};
    ws.serverOpens("sip");
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 4000; i++) ws.serverSends(frames[i % frames.length]);
    return Number(process.hrtime.bigint() - t0) / 4000 / 1000;
  };
  time(new win.WebSocket(URL_, "sip")); // warm up
  const added = time(new win.WebSocket(URL_, "sip")) - time(new Plain(URL_, "sip"));
  console.log(`observer adds ${added.toFixed(2)} µs per frame`);
  assert.ok(added < 100, `observer adds ${added} µs per frame`); // the benchmark's floor is 20 µs; leave CI noise room
});

// page/main.js (the channel to the content script) is tested in channel.test.js.

test("a call that rings before the settings arrive is held, then classified by the queue rule with its own times", () => {
  const { win, events, installed } = setup({ awaitConfigMs: 10000 });
  const ws = new win.WebSocket(URL_, "sip");
  ws.serverOpens();
  const inv = asteriskInvite({ extra: ["X-Queue: Hotline"] });
  ws.serverSends(inv); // at clock 100
  ws.send(response(inv, 200, "OK")); // at clock 101
  assert.deepEqual(events, [], "held until the settings are known");
  installed.setConfig({ queueRule: { header: "X-Queue" }, userName: null });
  assert.deepEqual(events.map((e) => e.trigger), ["incoming_call_ringing", "queue_call_accepted"]);
  assert.equal(events[1].queue, "Hotline");
  assert.equal(events[0].started_at, 100);
  assert.equal(events[1].answered_at, 101);
  ws.serverSends(inDialog(inv, "BYE"));
  assert.equal(events.at(-1).trigger, "queue_call_ended");
});

test("without settings after the wait, held messages are replayed with the defaults", async () => {
  const { win, events } = setup({ awaitConfigMs: 20 });
  const ws = new win.WebSocket(URL_, "sip");
  ws.serverOpens();
  ws.serverSends(asteriskInvite({ extra: ["X-Queue: Hotline"] }));
  assert.equal(events.length, 0);
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(events.map((e) => [e.trigger, e.queue]), [["incoming_call_ringing", null]]);
});
