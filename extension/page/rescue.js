// Keeps a web phone's worker running when the page's Content-Security-Policy forbids blob: workers.
(function (ns) {
  "use strict";

  /*
   * page/reach.js starts a page's Worker or SharedWorker from a blob: bootstrap, so that the
   * observer runs inside it. A page whose CSP has `worker-src` (or `script-src`/`default-src`)
   * without `blob:` refuses that worker, and no browser says so in time: the constructor returns
   * normally and a plain `error` event follows (Chromium 156 and Firefox ESR 153 alike). Left
   * alone, the page's phone would never start. watch() therefore stands between the page and the
   * worker it got until the bootstrap says hello: the page's listeners, handlers and messages are
   * passed on as usual and remembered; should the error come first, the worker the page asked
   * for is started instead, unwatched, and everything remembered is handed to it. The page keeps
   * the object it holds (`instanceof Worker` stays true); its calls reach the new worker.
   */

  const HANDLERS = ["onmessage", "onmessageerror", "onerror"];
  const KEEP_MS = 10000; // after this without hello or error, stop remembering (a slow worker start)

  /** Pass `obj`'s methods and handler properties on to `target()` and remember what went through. */
  function relay(obj, proto, methods, handlers, target, remember) {
    const listeners = [];
    const stored = {};
    const own = [];
    const define = (key, desc) => { Object.defineProperty(obj, key, Object.assign({ configurable: true, enumerable: false }, desc)); own.push(key); };
    for (const m of methods) {
      const native = proto[m];
      if (typeof native !== "function") continue;
      define(m, { writable: true, value: function () {
        const args = Array.prototype.slice.call(arguments);
        if (m === "addEventListener") listeners.push(args);
        else if (m === "removeEventListener") {
          const i = listeners.findIndex((l) => l[0] === args[0] && l[1] === args[1]);
          if (i >= 0) listeners.splice(i, 1);
        } else if (m === "postMessage" || m === "start") remember(m, args);
        const to = target();
        return native.apply(to || obj, args);
      } });
    }
    for (const h of handlers) {
      const desc = Object.getOwnPropertyDescriptor(proto, h);
      if (!desc || typeof desc.set !== "function") continue;
      define(h, {
        get() { return h in stored ? stored[h] : null; },
        set(fn) { stored[h] = fn; desc.set.call(target() || obj, fn); },
      });
    }
    return {
      moveTo(next) {
        for (const args of listeners) proto.addEventListener.apply(next, args);
        for (const h of Object.keys(stored)) Object.getOwnPropertyDescriptor(proto, h).set.call(next, stored[h]);
      },
      release() { for (const key of own) delete obj[key]; },
    };
  }

  /**
   * watch(win, worker, {kind, restart, onBlocked}) -> {alive()}: `worker` was just made from the
   * bootstrap; `restart()` makes the page's own worker; `alive()` is called when the bootstrap said
   * hello; `onBlocked()` when the CSP refused it (so later workers start unwatched right away).
   */
  function watch(win, worker, options) {
    const kind = options.kind;
    const Ctor = kind === "shared" ? win.SharedWorker : win.Worker;
    const proto = Ctor && Ctor.prototype;
    const PortProto = win.MessagePort && win.MessagePort.prototype;
    if (!proto || typeof proto.addEventListener !== "function") return { alive() {} };
    let replacement = null;
    let calls = []; // [object, method, args] in order, replayed on the replacement
    const remember = (on) => (m, args) => { if (calls) calls.push([on, m, args]); };
    const self = relay(worker, proto, ["addEventListener", "removeEventListener", "postMessage", "terminate"], HANDLERS,
      () => replacement, remember("worker"));
    let port = null;
    let portRelay = null;
    if (kind === "shared" && PortProto) {
      port = worker.port;
      portRelay = relay(port, PortProto, ["addEventListener", "removeEventListener", "postMessage", "start", "close"],
        ["onmessage", "onmessageerror"], () => replacement && replacement.port, remember("port"));
    }
    let settled = false;
    const settle = () => {
      settled = true;
      calls = null;
      proto.removeEventListener.call(worker, "error", onError, true);
    };
    function onError(event) {
      if (settled || !(event && event.constructor === win.Event)) return; // an ErrorEvent is the page's own script
      event.stopImmediatePropagation();
      const replay = calls || [];
      settle();
      try {
        replacement = options.restart();
      } catch (e) {
        return;
      }
      self.moveTo(replacement);
      if (portRelay) portRelay.moveTo(replacement.port);
      for (const [on, m, args] of replay) {
        const to = on === "port" ? replacement.port : replacement;
        const p = on === "port" ? PortProto : proto;
        try { p[m].apply(to, args); } catch (e) { /* as the page's own call would have thrown */ }
      }
      if (options.onBlocked) options.onBlocked();
    }
    proto.addEventListener.call(worker, "error", onError, true);
    const timer = win.setTimeout ? win.setTimeout(() => { if (!settled) { settle(); self.release(); if (portRelay) portRelay.release(); } }, KEEP_MS) : null;
    return {
      alive() {
        if (settled) return;
        settle();
        if (timer !== null && win.clearTimeout) win.clearTimeout(timer);
        self.release(); // the worker runs: the page talks to it directly again
        if (portRelay) portRelay.release();
      },
    };
  }

  ns.rescue = { watch };
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
