// A page (or a frame, or a worker) as its own realm for the page-step tests: a node:vm context with browser-like classes defined in it.
import vm from "node:vm";
import { PAGE_SCRIPTS, runScripts } from "./page.js";
import { setTimeoutUnref } from "./timers.js";

/**
 * A realm that stands in for a page (or a frame of it): its own intrinsics, a WebSocket class
 * defined in it (so "native" printing is that realm's), Worker and SharedWorker, iframe getters.
 * `parent`: the realm of the parent frame (window.parent), as a same-origin frame sees it.
 */
export function realm(parent = null) {
  const context = vm.createContext({ console });
  const win = vm.runInContext("globalThis", context);
  vm.runInContext(`(() => { // in a function: a global class declaration would shadow the window property we wrap
    class EventTarget { addEventListener() {} removeEventListener() {} dispatchEvent() { return true; } }
    class WebSocket extends EventTarget {
      constructor(url, protocols) { super(); if (arguments.length < 1) throw new TypeError("1 argument required"); this.url = url; this.protocol = ""; }
      send(data) { if (!this.open) throw new Error("InvalidStateError"); }
    }
    for (const [k, v] of Object.entries({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 })) Object.defineProperty(WebSocket, k, { value: v, enumerable: true });
    class Worker extends EventTarget { constructor(url) { super(); this.url = String(url); } }
    class SharedWorker extends EventTarget { constructor(url) { super(); this.url = String(url); this.port = {}; } }
    class HTMLIFrameElement { constructor(child) { this.child = child; } get contentWindow() { return this.child; } get contentDocument() { return null; } }
    class BroadcastChannel { postMessage() {} }
    class Blob { constructor(parts) { this.parts = parts; } get size() { return 0; } }
    class URL {
      constructor(u, base) { this.u = /^[a-z]+:/.test(String(u)) ? String(u) : String(base).replace(/[^/]*$/, "") + u; }
      get href() { return this.u; }
      get origin() { return this.u.startsWith("blob:") ? "https://ucc.example.com" : this.u.split("/").slice(0, 3).join("/"); }
      get protocol() { return this.u.split(":")[0] + ":"; }
      static createObjectURL() { return "blob:https://ucc.example.com/1"; }
      static revokeObjectURL() {}
    }
    globalThis.location = { origin: "https://ucc.example.com", href: "https://ucc.example.com/" };
    globalThis.document = { baseURI: "https://ucc.example.com/" };
    for (const C of [EventTarget, WebSocket, Worker, SharedWorker, HTMLIFrameElement, BroadcastChannel, Blob, URL]) {
      Object.defineProperty(globalThis, C.name, { value: C, writable: true, enumerable: false, configurable: true });
    }
  })();
  `, context);
  win.setTimeout = setTimeoutUnref;
  win.clearTimeout = clearTimeout;
  Object.defineProperty(win, "parent", { value: parent || win, configurable: true });
  return { context, win, run: (code) => vm.runInContext(code, context) };
}

/** Inject the page step into a realm, as the browser does at document_start (main.js's part: install + reach). */
export function inject(r, events = [], { watch = false, onPageState } = {}) {
  runScripts(r.context, watch ? [...PAGE_SCRIPTS, "page/watch_workers.js"] : PAGE_SCRIPTS);
  const ns = r.win.__uccWebhooks;
  delete r.win.__uccWebhooks;
  const installed = ns.observer.install(r.win, { emit: (e) => events.push(e) });
  const reached = installed && ns.reach.reach(r.win, installed, { emit: (e) => events.push(e), onPageState });
  return { ns, installed, reached };
}

