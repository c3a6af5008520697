// Extends the observer to every socket a web phone may use: fresh about:blank/srcdoc iframes, dedicated Workers and SharedWorkers (classic script).
(function (ns) {
  "use strict";

  const CALLS = "__ucc_webhooks_calls"; // BroadcastChannel: shared workers tell every tab of the origin
  const REGISTRY = "__ucc_webhooks_shared"; // BroadcastChannel: which bootstrap URL a running shared worker has
  const FILES = ["sip", "calls", "observer"]; // the namespace parts a worker needs, in order

  /**
   * The worker bootstrap: the observer's own sources (Function.prototype.toString of each part's
   * factory), installed on the worker's global with events and settings over a BroadcastChannel,
   * then the page's original script, whose relative URLs keep resolving against its own address.
   */
  function bootstrapSource(sources, original, channel, kind, name, moduleType, token) {
    const parts = sources.map((src) => "(" + src + ")(self.__uccWebhooks || (self.__uccWebhooks = {}));").join("\n");
    const setup = "(" + function (ORIGINAL, CHANNEL, KIND, NAME, REG, TOKEN) {
      const ns = self.__uccWebhooks;
      try { delete self.__uccWebhooks; } catch (e) { /* harmless */ }
      const Channel = self.BroadcastChannel;
      const out = new Channel(CHANNEL);
      const abs = (u) => (typeof u === "string" ? new URL(u, ORIGINAL).href : u);
      const keep = (obj, key, wrap) => { const f = obj && obj[key]; if (typeof f === "function") obj[key] = wrap(f); };
      // A blob: worker's base URL is the blob; the page's code expects its own URL as the base.
      keep(self, "importScripts", (f) => function () { return f.apply(this, Array.prototype.map.call(arguments, abs)); });
      keep(self, "fetch", (f) => function (input, init) { return f.call(this, abs(input), init); });
      if (self.XMLHttpRequest) keep(self.XMLHttpRequest.prototype, "open", (f) => function (m, u) { const a = Array.prototype.slice.call(arguments); a[1] = abs(u); return f.apply(this, a); });
      const installed = ns.observer.install(self, {
        awaitConfigMs: 10000,
        emit(event) { out.postMessage({ type: "call", event }); },
        onError() { /* never into the page's worker */ },
      });
      out.onmessage = (e) => { if (e.data && e.data.type === "config" && installed) installed.setConfig(e.data.config); };
      out.postMessage({ type: "hello", token: TOKEN }); // also: it runs, the page's CSP let it (page/rescue.js)
      if (KIND === "shared") {
        const reg = new Channel(REG);
        const here = () => reg.postMessage({ type: "here", url: ORIGINAL, name: NAME, boot: self.location.href });
        reg.onmessage = (e) => { if (e.data && e.data.type === "who") here(); };
        here();
      }
    }.toString() + ")(" + [original, channel, kind, name, REGISTRY, token].map((v) => JSON.stringify(v)).join(", ") + ");";
    const load = moduleType ? "import(" + JSON.stringify(original) + ");" : "importScripts(" + JSON.stringify(original) + ");";
    return parts + "\n" + setup + "\n" + load;
  }

  /**
   * reach(win, observer, {emit, sources, onError}): wrap win's Worker, SharedWorker and the iframe
   * accessors so that sockets there are observed too. observer: the install() result for win (its
   * wrapWindow adds another window's WebSocket to the same tracker). Everything falls back to the
   * page's own behaviour when anything is odd: a worker it cannot wrap starts unwrapped.
   */
  function reach(win, observer, options) {
    const emit = options.emit;
    const onError = options.onError || function () {};
    const toSource = Function.prototype.toString;
    const sources = [];
    for (const part of FILES) {
      const factory = ns.factories && ns.factories[part];
      if (typeof factory !== "function") return;
      sources.push(toSource.call(factory));
    }
    const Channel = win.BroadcastChannel;
    const BlobCtor = win.Blob;
    const createURL = win.URL && win.URL.createObjectURL;
    let config = null;
    const channels = [];
    const known = new Map(); // original URL + "\n" + name -> bootstrap URL of a running shared worker
    const starting = new Map(); // bootstrap token -> page/rescue.js watcher, until the worker says hello
    let blocked = false; // the page's CSP refused a blob: worker: start the page's workers as they are
    const token = () => Math.random().toString(36).slice(2) + Date.now().toString(36);

    function listen(name) {
      const ch = new Channel(name);
      ch.onmessage = (e) => {
        try {
          const data = e.data;
          if (data && data.type === "call") emit(data.event);
          else if (data && data.type === "hello") {
            const watcher = starting.get(data.token);
            if (watcher) { starting.delete(data.token); watcher.alive(); }
            if (config) ch.postMessage({ type: "config", config });
          }
        } catch (error) { onError(error); }
      };
      channels.push(ch);
      return ch;
    }
    if (typeof Channel !== "function" || typeof BlobCtor !== "function" || typeof createURL !== "function") return;
    const own = "__ucc_webhooks_" + Math.random().toString(36).slice(2); // this page's dedicated workers only
    listen(own);
    listen(CALLS);
    const registry = new Channel(REGISTRY);
    registry.onmessage = (e) => {
      const d = e.data;
      if (d && d.type === "here" && typeof d.boot === "string") known.set(d.url + "\n" + d.name, d.boot);
    };
    registry.postMessage({ type: "who" });

    function wrapWorker(key, kind) {
      const Native = win[key];
      if (typeof Native !== "function") return;
      const Wrapper = new Proxy(Native, {
        construct(target, args, newTarget) {
          const real = newTarget === Wrapper ? target : newTarget;
          let boot = null;
          let fresh = null; // the token of a bootstrap made now (a shared one may be running already)
          let key = null;
          try {
            const url = new win.URL(String(args[0]), win.document.baseURI);
            const opts = kind === "shared" && typeof args[1] === "string" ? { name: args[1] } : (args[1] || {});
            const name = typeof opts.name === "string" ? opts.name : "";
            if (!blocked && (url.origin === win.location.origin || url.protocol === "blob:")) {
              key = url.href + "\n" + name;
              boot = kind === "shared" ? known.get(key) || null : null;
              if (!boot) {
                fresh = token();
                const text = bootstrapSource(sources, url.href, kind === "shared" ? CALLS : own, kind, name, opts.type === "module", fresh);
                boot = createURL.call(win.URL, new BlobCtor([text], { type: "text/javascript" }));
                if (kind === "shared") known.set(key, boot);
              }
            }
          } catch (error) {
            onError(error);
            boot = null;
          }
          if (boot) {
            let worker = null;
            try {
              worker = Reflect.construct(target, [boot].concat(Array.prototype.slice.call(args, 1)), real);
            } catch (error) {
              onError(error); // a browser that refuses at once: start the page's worker as it asked
            }
            if (worker && fresh && ns.rescue) {
              try {
                starting.set(fresh, ns.rescue.watch(win, worker, {
                  kind,
                  restart: () => Reflect.construct(target, args, real),
                  onBlocked() {
                    blocked = true;
                    starting.delete(fresh);
                    if (key) known.delete(key);
                    if (options.onUnwatched) options.onUnwatched("csp_blob_worker");
                  },
                }));
              } catch (error) { onError(error); }
            }
            if (worker) return worker;
          }
          return Reflect.construct(target, args, real);
        },
      });
      const d = Object.getOwnPropertyDescriptor(win, key) || { writable: true, enumerable: false, configurable: true };
      Object.defineProperty(win, key, Object.assign({}, d, { value: Wrapper }));
    }

    function wrapFrames(proto, prop) {
      const d = proto && Object.getOwnPropertyDescriptor(proto, prop);
      if (!d || typeof d.get !== "function" || !d.configurable) return;
      const get = d.get;
      const getter = {
        get [prop]() { // a getter named like the native one
          const value = get.call(this);
          try {
            const child = prop === "contentDocument" ? value && value.defaultView : value;
            if (child && child !== win) observer.wrapWindow(child); // same-origin only: a cross-origin read throws
          } catch (error) { /* cross-origin frame: its own content scripts serve it */ }
          return value;
        },
      };
      Object.defineProperty(proto, prop, Object.assign({}, d, { get: Object.getOwnPropertyDescriptor(getter, prop).get }));
    }

    wrapWorker("Worker", "dedicated");
    wrapWorker("SharedWorker", "shared");
    for (const ctor of ["HTMLIFrameElement", "HTMLFrameElement", "HTMLObjectElement"]) {
      const C = win[ctor];
      if (typeof C !== "function") continue;
      wrapFrames(C.prototype, "contentWindow");
      wrapFrames(C.prototype, "contentDocument");
    }
    return {
      setConfig(next) {
        config = next;
        for (const ch of channels) ch.postMessage({ type: "config", config });
      },
    };
  }

  ns.reach = Object.freeze({ reach, bootstrapSource });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
