// Tests for every socket a web phone may use: binary frames (UTF-8, else Latin-1), frames' WebSocket, and the worker bootstrap of page/bootstrap.js.
import test from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { pageNamespace, loadScripts, PAGE_SCRIPTS } from "./helpers/page.js";
import { FakeEventTarget, makeWebSocketClass } from "./helpers/fake_websocket.js";
import { asteriskInvite } from "./fixtures/sip_traffic.js";
import { setTimeoutUnref } from "./helpers/timers.js";

function observed(extra = {}) {
  const ns = pageNamespace();
  const win = { EventTarget: FakeEventTarget, TextDecoder, setTimeout: setTimeoutUnref, clearTimeout, ...extra };
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

/** A worker scope in its own realm (a vm context) that records what the bootstrap does. */
function workerScope({ failImport = false } = {}) {
  const posted = [];
  const channels = [];
  class BroadcastChannel {
    constructor(name) { this.name = name; channels.push(this); }
    postMessage(m) { posted.push([this.name, JSON.parse(JSON.stringify(m))]); }
  }
  const imported = [];
  const fetched = [];
  const context = vm.createContext({ TextDecoder, setTimeout: setTimeoutUnref, clearTimeout, BroadcastChannel, URL, console });
  const scope = vm.runInContext("globalThis.self = globalThis", context);
  let closed = 0;
  Object.assign(scope, { EventTarget: FakeEventTarget, location: { href: "blob:https://ucc.example.com/boot" }, close: () => { closed += 1; } });
  const target = new FakeEventTarget();
  for (const m of ["addEventListener", "removeEventListener", "dispatchEvent"]) scope[m] = (...a) => target[m](...a);
  scope.importScripts = function importScripts(...urls) {
    imported.push(...urls);
    if (failImport) throw Object.assign(new Error("The script failed to load."), { name: "NetworkError" });
  };
  scope.fetch = function fetch(input) { fetched.push(input); return "response"; };
  Object.defineProperty(scope, "WebSocket", { value: makeWebSocketClass(), writable: true, configurable: true });
  scope.Request = class Request { constructor(url) { this.url = url; } };
  const originals = { importScripts: scope.importScripts, fetch: scope.fetch, WebSocket: scope.WebSocket, Request: scope.Request };
  return { context, scope, posted, channels, imported, fetched, target, originals, closed: () => closed };
}

function classicBootstrap(ns, original = "https://ucc.example.com/js/phone-worker.js") {
  let text = null;
  ns.bootstrap.build((t) => { text = t; return "blob:https://ucc.example.com/boot"; },
    { parts: ns.bootstrap.sources(), original, channel: "chan-1", kind: "dedicated", name: "", registry: "reg", token: "t1", module: false });
  return text;
}

test("the worker bootstrap installs the observer in the worker, reports over its channel, then loads the page's script", () => {
  const ns = pageNamespace();
  const w = workerScope();
  vm.runInContext(classicBootstrap(ns), w.context);
  assert.deepEqual(w.imported, ["https://ucc.example.com/js/phone-worker.js"]);
  assert.equal(w.context.__uccWebhooks, undefined, "no trace left in the worker's global scope");
  assert.equal(vm.runInContext("typeof boot", w.context), "undefined", "no name of ours in the script's global scope");
  w.scope.importScripts("lib/jssip.js"); // the page's own script, resolved against its own URL
  assert.equal(w.imported[1], "https://ucc.example.com/js/lib/jssip.js");
  w.scope.fetch("data.json");
  assert.equal(w.fetched[0], "https://ucc.example.com/js/data.json");
  assert.equal(new w.scope.Request("data.json").url, "https://ucc.example.com/js/data.json");
  assert.deepEqual(w.posted[0], ["chan-1", { type: "hello", token: "t1" }]);
  assert.deepEqual(w.posted.at(-1), ["chan-1", { type: "loaded", token: "t1" }]);
  w.channels[0].onmessage({ data: { type: "config", config: { queueRule: { header: "X-Queue" } } } });
  const ws = new w.scope.WebSocket("wss://pbx/ws", "sip");
  ws.serverOpens("sip");
  ws.serverSends(asteriskInvite({ extra: ["X-Queue: Support"] }));
  const calls = w.posted.filter(([, m]) => m.type === "call").map(([name, m]) => [name, m.event.trigger, m.event.queue]);
  assert.deepEqual(calls, [["chan-1", "incoming_call_ringing", "Support"]]);
  // every wrapper prints as what it wraps, in the worker's own realm
  const printed = vm.runInContext("[importScripts, fetch, WebSocket, Request, Function.prototype.toString].map((f) => Function.prototype.toString.call(f))", w.context);
  const show = Function.prototype.toString;
  assert.deepEqual([...printed], [w.originals.importScripts, w.originals.fetch, w.originals.WebSocket, w.originals.Request].map((f) => show.call(f))
    .concat(["function toString() { [native code] }"]));
  assert.notStrictEqual(w.scope.fetch, w.originals.fetch, "fetch is wrapped");
});

test("a classic script that fails to load: the page is told (it fires a plain Event), no ErrorEvent of ours", () => {
  const ns = pageNamespace();
  const w = workerScope({ failImport: true });
  const text = classicBootstrap(ns);
  let thrown = null;
  try { vm.runInContext(text, w.context); } catch (e) { thrown = e; }
  assert.equal(thrown && thrown.name, "NetworkError");
  const event = { type: "error", error: thrown, filename: "blob:https://ucc.example.com/boot", defaultPrevented: false,
    preventDefault() { this.defaultPrevented = true; }, stopImmediatePropagation() {} };
  w.target.dispatchEvent(event);
  assert.ok(event.defaultPrevented, "the worker's uncaught error is handled: nothing reaches the page as an ErrorEvent");
  assert.deepEqual(w.posted.at(-1), ["chan-1", { type: "load_failed", token: "t1" }]);
  assert.equal(w.closed(), 1, "the bootstrap ends its worker, as one that never loaded");
  const own = { type: "error", error: { name: "NetworkError" }, filename: "https://ucc.example.com/js/phone-worker.js", defaultPrevented: false,
    preventDefault() { this.defaultPrevented = true; }, stopImmediatePropagation() {} };
  w.target.dispatchEvent(own);
  assert.equal(own.defaultPrevented, false, "the page's own script failing is left alone");
});

test("a module worker's bootstrap imports a setup module, then the original, statically", () => {
  const ns = pageNamespace();
  const texts = [];
  const url = ns.bootstrap.build((t) => { texts.push(t); return `blob:https://ucc.example.com/${texts.length}`; },
    { parts: ns.bootstrap.sources(), original: "https://ucc.example.com/js/w.mjs", channel: "c", kind: "dedicated", name: "", registry: "r", token: "t", module: true });
  assert.equal(url, "blob:https://ucc.example.com/2");
  assert.equal(texts[1], 'import "blob:https://ucc.example.com/1";\nimport "https://ucc.example.com/js/w.mjs";\n');
  assert.ok(!/importScripts\(/.test(texts[0].split("\n").at(-2)), "the setup module does not load the original itself");
});

test("page scripts keep their factories, so the worker gets the same code the page runs", () => {
  const ctx = loadScripts(PAGE_SCRIPTS);
  for (const part of ["sip", "calls", "observer"]) assert.equal(typeof ctx.__uccWebhooks.factories[part], "function", part);
});
