// One page, two worlds, as the browser injects them at document_start: the page's MAIN world (page/main.js) and the content script's isolated world (content.js), sharing only DOM events on `window`.
import vm from "node:vm";
import { webcrypto } from "node:crypto";
import { FakeCustomEvent, FakeEventTarget, makeWebSocketClass } from "./fake_websocket.js";
import { PAGE_SCRIPTS, loadScripts, runScripts } from "./page.js";
import { setTimeoutUnref } from "./timers.js";

export const OBSERVER_HELLO = "ucc-webhooks:observer-hello";
export const BRIDGE_HELLO = "ucc-webhooks:bridge-hello";
export const ID = "amlncininjibhhckajeabpanpcfpeeig";

export class FakeEvent {
  constructor(type) {
    this.type = type;
    this.detail = null;
  }
}

/** The page: `window` as both worlds see it, the parser's MutationObservers, and every event dispatched on it. */
export function makePage() {
  const window = new FakeEventTarget();
  const dispatched = [];
  const dispatch = window.dispatchEvent.bind(window);
  window.dispatchEvent = (event) => { dispatched.push({ type: event.type, detail: event.detail }); return dispatch(event); };
  const observers = [];
  class MutationObserver {
    constructor(fn) { this.fn = fn; this.on = false; observers.push(this); }
    observe() { this.on = true; }
    disconnect() { this.on = false; }
  }
  return {
    window, dispatched, MutationObserver,
    /** The parser inserts its first node (before the page's first script runs). */
    parserAddsNode() { for (const o of observers) if (o.on) o.fn([]); },
    watching: () => observers.filter((o) => o.on).length,
  };
}

/**
 * Run the observer (PAGE_SCRIPTS + page/main.js) in a MAIN world of `page`; returns that world's
 * global. Without common/call_event.js, as in Chromium: it injects each file once per frame, and
 * the content script, injected first, has taken that one.
 */
export function mainWorld(page, { WebSocket = makeWebSocketClass() } = {}) {
  let worldGlobal = null; // `globalThis` inside the context: its EventTarget methods act on the page's window
  class WindowEventTarget extends FakeEventTarget {}
  for (const m of ["addEventListener", "removeEventListener", "dispatchEvent"]) {
    WindowEventTarget.prototype[m] = function (...args) {
      const target = this === worldGlobal ? page.window : this;
      return target[m](...args);
    };
  }
  const world = vm.createContext({
    console, WebSocket, EventTarget: WindowEventTarget, Event: FakeEvent, CustomEvent: FakeCustomEvent,
    MutationObserver: page.MutationObserver, document: {}, TextDecoder, setTimeout: setTimeoutUnref, clearTimeout,
  });
  worldGlobal = vm.runInContext("globalThis", world);
  runScripts(world, [...PAGE_SCRIPTS.filter((f) => f !== "common/call_event.js"), "page/main.js"]);
  return worldGlobal;
}

/**
 * A fake extension runtime for the content script: records what it sends, answers config.get
 * with `config` (which a test may change), delivers storage changes and worker messages.
 */
export function fakeChrome({ config, id = ID } = {}) {
  const sent = [];
  const storageListeners = [];
  const messageListeners = [];
  const state = { config: config || { queueRule: { header: "X-Queue", displayNamePattern: null }, userName: null, webhooksEnabled: true, pageBridge: false } };
  const chrome = {
    runtime: {
      id,
      sendMessage(message) {
        sent.push(JSON.parse(JSON.stringify(message)));
        return Promise.resolve(message.type === "config.get" ? { ok: true, result: state.config } : { ok: true, result: {} });
      },
      onMessage: { addListener: (fn) => messageListeners.push(fn) },
    },
    storage: { onChanged: { addListener: (fn) => storageListeners.push(fn) } },
  };
  return {
    chrome, sent, state,
    forwarded: () => sent.filter((m) => m.type === "call_event"),
    storageChanged: (changes = { pageBridge: {} }, area = "local") => storageListeners.forEach((fn) => fn(changes, area)),
    /** A message from the worker (tabs.sendMessage); resolves with what the content script answered. */
    fromWorker(message) {
      return new Promise((resolve) => {
        let answered = false;
        for (const fn of messageListeners) fn(message, { id }, (reply) => { answered = true; resolve(reply); });
        if (!answered) resolve(undefined);
      });
    },
  };
}

/** Run content.js in an isolated world of `page`. */
export function isolatedWorld(page, runtime, extra = {}) {
  const quiet = { warn() {}, log() {}, debug() {} };
  return loadScripts(["common/call_event.js", "content.js"], {
    window: page.window, chrome: runtime.chrome, CustomEvent: FakeCustomEvent, crypto: webcrypto,
    MutationObserver: page.MutationObserver, document: {}, console: quiet, ...extra,
  });
}

/** A stand-in for page/main.js's end of the handshake, to hand content.js arbitrary messages. */
export function fakeObserver(page) {
  let token = null;
  const onHello = (e) => {
    if (token !== null) return;
    token = e.detail;
    page.window.removeEventListener(BRIDGE_HELLO, onHello);
    page.window.dispatchEvent(new FakeEvent(OBSERVER_HELLO));
  };
  page.window.addEventListener(BRIDGE_HELLO, onHello);
  page.window.dispatchEvent(new FakeEvent(OBSERVER_HELLO));
  return {
    token: () => token,
    send(message) { page.window.dispatchEvent(new FakeCustomEvent(token, { detail: JSON.stringify(message) })); },
  };
}
