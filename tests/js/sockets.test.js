// Tests for every socket a web phone may use: binary frames (UTF-8, else Latin-1), frames' WebSocket, and the worker bootstrap of page/reach.js.
import test from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { pageNamespace, loadScripts, PAGE_SCRIPTS } from "./helpers/page.js";
import { FakeEventTarget, makeWebSocketClass } from "./helpers/fake_websocket.js";
import { asteriskInvite } from "./fixtures/sip_traffic.js";

function observed(extra = {}) {
  const ns = pageNamespace();
  const win = { EventTarget: FakeEventTarget, TextDecoder, setTimeout, clearTimeout, ...extra };
  Object.defineProperty(win, "WebSocket", { value: makeWebSocketClass(), writable: true, configurable: true });
  const events = [];
  const installed = ns.observer.install(win, { emit: (e) => events.push(JSON.parse(JSON.stringify(e))), now: () => 1 });
  return { ns, win, events, installed };
}

const latin1 = (text) => Uint8Array.from([...text].map((c) => c.charCodeAt(0) & 0xff)).buffer;

test("a binary frame that is not UTF-8 is read as Latin-1 (Kamailio relays such a message as binary)", () => {
  const { win, events } = observed();
  const ws = new win.WebSocket("wss://pbx/ws", "sip");
  ws.binaryType = "arraybuffer";
  ws.serverOpens("sip");
  ws.serverSends(latin1(asteriskInvite({ fromDisplay: '"Jürgen Müller"', pai: null })));
  assert.equal(events[0].caller_name, "Jürgen Müller");
  ws.serverSends(new TextEncoder().encode(asteriskInvite({ callId: "utf8", fromDisplay: '"Jürgen Müller"', pai: null })).buffer);
  assert.equal(events[1].caller_name, "Jürgen Müller", "valid UTF-8 stays UTF-8");
  ws.serverSends(new Uint8Array([0xff, 0xfe, 0x00, 0x80]).buffer); // garbage: nothing, no throw
  assert.equal(events.length, 2);
});

test("a WebSocket taken from a same-origin frame is observed by the same tracker", () => {
  const { ns, win, events, installed } = observed();
  const child = { EventTarget: FakeEventTarget };
  Object.defineProperty(child, "WebSocket", { value: makeWebSocketClass(), writable: true, configurable: true });
  class HTMLIFrameElement {}
  Object.defineProperty(HTMLIFrameElement.prototype, "contentWindow", { get() { return child; }, configurable: true, enumerable: true });
  Object.assign(win, { HTMLIFrameElement, BroadcastChannel: class { postMessage() {} }, Blob: class {}, URL: Object.assign(function () {}, { createObjectURL: () => "blob:x" }) });
  ns.factories = ns.factories || {};
  assert.ok(ns.reach.reach(win, installed, { emit: () => {} }));
  const Fresh = new HTMLIFrameElement().contentWindow.WebSocket; // what the page takes
  const ws = new Fresh("wss://pbx/ws", "sip");
  ws.serverOpens("sip");
  ws.serverSends(asteriskInvite());
  assert.deepEqual(events.map((e) => e.trigger), ["incoming_call_ringing"]);
});

test("the worker bootstrap installs the observer in the worker, reports over its channel, then loads the page's script", () => {
  const ns = pageNamespace();
  const sources = ["sip", "calls", "observer"].map((p) => Function.prototype.toString.call(ns.factories[p]));
  const text = ns.reach.bootstrapSource(sources, "https://ucc.example.com/js/phone-worker.js", "chan-1", "dedicated", "", false);
  const posted = [];
  const channels = [];
  class BroadcastChannel {
    constructor(name) { this.name = name; channels.push(this); }
    postMessage(m) { posted.push([this.name, JSON.parse(JSON.stringify(m))]); }
  }
  const imported = [];
  const scope = { EventTarget: FakeEventTarget, TextDecoder, setTimeout, clearTimeout, BroadcastChannel, URL,
    importScripts: (...urls) => imported.push(...urls) };
  Object.defineProperty(scope, "WebSocket", { value: makeWebSocketClass(), writable: true, configurable: true });
  scope.self = scope;
  const context = vm.createContext(scope);
  vm.runInContext(text, context);
  assert.deepEqual(imported, ["https://ucc.example.com/js/phone-worker.js"]);
  assert.equal(context.__uccWebhooks, undefined, "no trace left in the worker's global scope");
  context.importScripts("lib/jssip.js"); // the page's own script, resolved against its own URL
  assert.equal(imported[1], "https://ucc.example.com/js/lib/jssip.js");
  assert.deepEqual(posted[0], ["chan-1", { type: "hello" }]);
  channels[0].onmessage({ data: { type: "config", config: { queueRule: { header: "X-Queue" } } } });
  const ws = new context.WebSocket("wss://pbx/ws", "sip");
  ws.serverOpens("sip");
  ws.serverSends(asteriskInvite({ extra: ["X-Queue: Support"] }));
  const calls = posted.filter(([, m]) => m.type === "call").map(([name, m]) => [name, m.event.trigger, m.event.queue]);
  assert.deepEqual(calls, [["chan-1", "incoming_call_ringing", "Support"]]);
});

test("page scripts keep their factories, so the worker gets the same code the page runs", () => {
  const ctx = loadScripts(PAGE_SCRIPTS);
  for (const part of ["sip", "calls", "observer"]) assert.equal(typeof ctx.__uccWebhooks.factories[part], "function", part);
});
