// Tests for page/rescue.js: a worker the page's CSP keeps from starting from blob: is restarted as
// the page asked, and the page's listeners, handlers and messages reach the new one.
import test from "node:test";
import assert from "node:assert/strict";
import { loadScripts } from "./helpers/page.js";
import { setTimeoutUnref } from "./helpers/timers.js";

/** A Worker as the browser makes it: an EventTarget with postMessage and handler properties. */
function makeWorkerClass(log) {
  class Worker extends EventTarget {
    constructor(url) {
      super();
      this.url = url;
      this.posted = [];
    }
    postMessage(data) { this.posted.push(data); log.push(["post", this.url, data]); }
    terminate() { log.push(["terminate", this.url]); }
  }
  for (const name of ["onmessage", "onmessageerror", "onerror"]) {
    const slot = Symbol(name);
    Object.defineProperty(Worker.prototype, name, {
      configurable: true,
      enumerable: true,
      get() { return this[slot] || null; },
      set(fn) {
        if (this[slot]) this.removeEventListener(name.slice(2), this[slot]);
        this[slot] = fn;
        if (fn) this.addEventListener(name.slice(2), fn);
      },
    });
  }
  return Worker;
}

function setup() {
  const log = [];
  const Worker = makeWorkerClass(log);
  const win = { Worker, Event, EventTarget, setTimeout: setTimeoutUnref, clearTimeout };
  const ns = loadScripts(["page/rescue.js"], win).__uccWebhooks;
  const blob = new Worker("blob:boot");
  let restarted = null;
  let blocked = 0;
  const watcher = ns.rescue.watch(win, blob, {
    kind: "dedicated",
    restart: () => (restarted = new Worker("sipua.js")),
    onBlocked: () => { blocked += 1; },
  });
  return { log, Worker, blob, watcher, restarted: () => restarted, blocked: () => blocked };
}

test("a plain error before hello (the CSP refused blob:) starts the page's worker and hands it everything", () => {
  const t = setup();
  const seen = [];
  t.blob.addEventListener("message", (e) => seen.push(["listener", e.data]));
  t.blob.onmessage = (e) => seen.push(["handler", e.data]);
  const pageErrors = [];
  t.blob.onerror = () => pageErrors.push("onerror");
  t.blob.addEventListener("error", () => pageErrors.push("listener"));
  t.blob.postMessage({ cmd: "start" });
  t.blob.postMessage({ cmd: "register" });

  t.blob.dispatchEvent(new Event("error"));

  const real = t.restarted();
  assert.ok(real, "the page's own worker was started");
  assert.deepEqual(pageErrors, [], "the page never hears of our failed bootstrap");
  assert.deepEqual(real.posted, [{ cmd: "start" }, { cmd: "register" }], "messages replayed in order");
  assert.equal(t.blocked(), 1);
  real.dispatchEvent(new MessageEvent("message", { data: "registered" }));
  assert.deepEqual(seen, [["listener", "registered"], ["handler", "registered"]]);
  assert.equal(typeof t.blob.onmessage, "function", "the handler reads back as the page set it");
  t.blob.postMessage({ cmd: "answer" });
  assert.deepEqual(real.posted.at(-1), { cmd: "answer" }, "later calls go to the new worker");
  t.blob.terminate();
  assert.deepEqual(t.log.at(-1), ["terminate", "sipua.js"]);
  real.dispatchEvent(new Event("error"));
  assert.deepEqual(pageErrors, ["onerror", "listener"], "the new worker's own errors reach the page");
});

test("after hello the page talks to its worker directly and its errors are its own", () => {
  const t = setup();
  const pageErrors = [];
  t.blob.addEventListener("error", () => pageErrors.push("listener"));
  t.blob.postMessage("hi");
  t.watcher.alive();
  assert.equal(Object.getOwnPropertyNames(t.blob).includes("postMessage"), false, "no trace left on the worker");
  t.blob.dispatchEvent(new Event("error"));
  assert.equal(t.restarted(), null);
  assert.deepEqual(pageErrors, ["listener"]);
  assert.deepEqual(t.blob.posted, ["hi"]);
});

// Node has no ErrorEvent; the browser's is a subclass of Event with a message, like this one.
class ErrorEvent extends Event {
  constructor(type, init) { super(type); this.message = init.message; }
}

test("an ErrorEvent is the page's own script failing, not the CSP: nothing is restarted", () => {
  const t = setup();
  const pageErrors = [];
  t.blob.addEventListener("error", (e) => pageErrors.push(e.message));
  t.blob.dispatchEvent(new ErrorEvent("error", { message: "boom" }));
  assert.equal(t.restarted(), null);
  assert.deepEqual(pageErrors, ["boom"]);
});

test("a listener the page removed before the failure is not moved to the new worker", () => {
  const t = setup();
  const seen = [];
  const gone = () => seen.push("gone");
  t.blob.addEventListener("message", gone);
  t.blob.removeEventListener("message", gone);
  t.blob.dispatchEvent(new Event("error"));
  t.restarted().dispatchEvent(new MessageEvent("message", { data: 1 }));
  assert.deepEqual(seen, []);
});
