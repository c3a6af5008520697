// Tests for page/disguise.js and the wrappers built on it: in separate realms (node:vm contexts, as a page and its frames are), every wrapper keeps the identity rules.
import test from "node:test";
import assert from "node:assert/strict";
import { inject, realm } from "./helpers/realm.js";

const before = (r) => r.run("({ WebSocket, send: WebSocket.prototype.send, Worker, SharedWorker, get: Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow').get, toString: Function.prototype.toString })");
const print = (r, expr) => r.run(`Function.prototype.toString.call(${expr})`);

test("wrapped functions print as the natives, in their own realm, with String() and toString() alike", () => {
  const page = realm();
  const natives = before(page);
  const texts = Object.fromEntries(Object.entries(natives).map(([k, f]) => [k, Function.prototype.toString.call(f)]));
  inject(page);
  const now = before(page);
  for (const key of ["WebSocket", "send", "Worker", "SharedWorker", "get", "toString"]) assert.notStrictEqual(now[key], natives[key], `${key} is wrapped`);
  assert.equal(print(page, "WebSocket"), texts.WebSocket);
  assert.equal(page.run("String(WebSocket)"), texts.WebSocket);
  assert.equal(page.run("WebSocket.toString()"), texts.WebSocket);
  assert.equal(print(page, "WebSocket.prototype.send"), texts.send);
  assert.equal(print(page, "Worker"), texts.Worker);
  assert.equal(print(page, "SharedWorker"), texts.SharedWorker);
  assert.equal(print(page, "Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow').get"), texts.get);
  assert.equal(print(page, "Function.prototype.toString"), texts.toString, "toString prints itself as native");
  assert.equal(page.run("Function.prototype.toString.toString()"), texts.toString);
  assert.throws(() => page.run("Function.prototype.toString.call({})"), (e) => e.name === "TypeError", "the native TypeError for a non-function");
});

test("name, length, statics, own keys and descriptors are the natives'", () => {
  const page = realm();
  const shape = `(() => {
    const d = (o, k) => { const x = Object.getOwnPropertyDescriptor(o, k); return [x.writable, x.enumerable, x.configurable, typeof x.get, typeof x.value]; };
    return JSON.stringify({
      ws: [WebSocket.name, WebSocket.length, Object.getOwnPropertyNames(WebSocket), WebSocket.OPEN, d(globalThis, "WebSocket"), d(WebSocket.prototype, "send"),
        d(WebSocket.prototype, "constructor"), Object.getOwnPropertyNames(WebSocket.prototype)],
      send: [WebSocket.prototype.send.name, WebSocket.prototype.send.length, "prototype" in WebSocket.prototype.send],
      worker: [Worker.name, Worker.length, d(globalThis, "Worker"), d(Worker.prototype, "constructor"), Object.getOwnPropertyNames(Worker)],
      get: [Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, "contentWindow").get.name, d(HTMLIFrameElement.prototype, "contentWindow")],
      fp: [d(Function.prototype, "toString"), Object.getOwnPropertyNames(Function.prototype)],
      globals: Object.getOwnPropertyNames(globalThis).filter((n) => /ucc/i.test(n)),
      marks: [Reflect.get(WebSocket, "__uccWebhooksObserved"), Reflect.get(Worker, "__uccWebhooksObserved")],
    });
  })()`;
  const plain = page.run(shape);
  inject(page);
  assert.equal(page.run(shape), plain);
});

test("constructors keep their identity: constructor, instanceof, prototype, subclassing, Reflect.construct, no `new`", () => {
  const page = realm();
  const check = `(() => {
    const ws = new WebSocket("wss://pbx/ws", "sip");
    const w = new Worker("w.js");
    class MySocket extends WebSocket {}
    class MyWorker extends Worker { hi() { return "hi"; } }
    const sub = new MySocket("wss://x", "sip");
    const mine = new MyWorker("x.js");
    function Other() {}
    Other.prototype = Object.create(Worker.prototype);
    const r = Reflect.construct(Worker, ["y.js"], Other);
    const errors = [];
    for (const C of [WebSocket, Worker, SharedWorker]) { try { C("x"); errors.push("none"); } catch (e) { errors.push(e.constructor.name); } }
    try { new WebSocket(); } catch (e) { errors.push(e.message); }
    try { new WebSocket.prototype.send(); } catch (e) { errors.push(e.constructor.name); }
    return JSON.stringify([ws.constructor === WebSocket, ws instanceof WebSocket, Object.getPrototypeOf(ws) === WebSocket.prototype,
      w.constructor === Worker, w instanceof Worker, Worker.prototype.constructor === Worker,
      sub instanceof MySocket, sub instanceof WebSocket, sub.constructor === MySocket, MySocket.OPEN,
      mine instanceof MyWorker, mine.hi(), Object.getPrototypeOf(r) === Other.prototype, errors]);
  })()`;
  const plain = page.run(check);
  inject(page);
  assert.equal(page.run(check), plain);
});

test("another realm's toString prints our wrappers as natives: a frame reached through contentWindow, and one with its own injection", () => {
  const page = realm();
  const fresh = realm(page.win); // no injection of its own: reached from the page
  const own = realm(page.win); // injected itself (as the browser does at a frame's start)
  const texts = Object.fromEntries(Object.entries(before(page)).map(([k, f]) => [k, Function.prototype.toString.call(f)]));
  const ownTexts = Object.fromEntries(Object.entries(before(own)).map(([k, f]) => [k, Function.prototype.toString.call(f)]));
  inject(page);
  inject(own);
  page.win.reachable = [new page.win.HTMLIFrameElement(fresh.win), new page.win.HTMLIFrameElement(own.win)];
  const viaGetter = page.run("reachable.map((f) => f.contentWindow)"); // the page takes both frames' windows
  assert.strictEqual(viaGetter[0], fresh.win);
  for (const frame of [fresh, own]) {
    frame.win.pageFns = before(page);
    for (const key of ["WebSocket", "send", "Worker", "get", "toString"]) {
      assert.equal(frame.run(`Function.prototype.toString.call(pageFns.${key})`), texts[key], `${key} printed by another realm's toString`);
    }
  }
  page.win.ownFns = before(own);
  for (const key of ["WebSocket", "send", "Worker", "toString"]) {
    assert.equal(page.run(`Function.prototype.toString.call(ownFns.${key})`), ownTexts[key], `the frame's own ${key}, printed by the page`);
  }
  assert.equal(fresh.run("WebSocket.prototype.constructor === WebSocket"), true, "the reached frame's WebSocket is wrapped, identity kept");
  assert.equal(print(fresh, "WebSocket"), print(realm(), "WebSocket"));
});

test("a second injection into the same realm changes nothing: one wrap, one tracker", () => {
  const page = realm();
  const events = [];
  const first = inject(page, events);
  const ws1 = page.win.WebSocket;
  const second = inject(page, events);
  assert.ok(first.installed);
  assert.equal(second.installed, null, "the second one sees ours and stands back");
  assert.strictEqual(page.win.WebSocket, ws1);
});

test("a frame with its own injection is not wrapped again when the page reaches it", () => {
  const page = realm();
  const own = realm(page.win);
  inject(page);
  inject(own);
  const ws = own.win.WebSocket;
  const send = own.win.WebSocket.prototype.send;
  page.win.frameEl = new page.win.HTMLIFrameElement(own.win);
  page.run("frameEl.contentWindow");
  assert.strictEqual(own.win.WebSocket, ws);
  assert.strictEqual(own.win.WebSocket.prototype.send, send);
});

test("a page that reads contentWindow a thousand times links with the frame's injection once", () => {
  const page = realm();
  const own = realm(page.win);
  let printed = 0; // calls that reach the frame's toString target: the link handshake prints once
  own.run("(() => { const native = Function.prototype.toString; Function.prototype.toString = function toString() { return native.call(this); }; })()");
  own.win.count = () => { printed += 1; };
  own.run("(() => { const inner = Function.prototype.toString; Function.prototype.toString = function toString() { count(); return inner.call(this); }; })()");
  inject(page);
  inject(own);
  const before = printed;
  page.win.frameEl = new page.win.HTMLIFrameElement(own.win);
  page.run("for (let i = 0; i < 1000; i++) frameEl.contentWindow;");
  assert.equal(printed - before, 1);
});
