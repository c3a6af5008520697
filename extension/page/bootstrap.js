// The source of the blob: bootstrap a watched worker starts from: the observer, then the page's own script (classic script).
(function (ns) {
  "use strict";

  const FILES = ["disguise", "sip", "calls", "observer"]; // the namespace parts a worker needs, in order

  /*
   * Runs inside the worker; its source text goes into the bootstrap. It installs the observer,
   * reports over a BroadcastChannel, and makes the page's script see what it would see without
   * the bootstrap wherever that can be done: relative URLs given to importScripts, fetch, XHR,
   * Request, WebSocket, EventSource and nested workers resolve against the script's own address
   * (the base URL itself, `self.location`, stays the blob:, ARCHITECTURE.md); a classic script that
   * fails to load makes the page's worker fire a plain `error` Event, not an ErrorEvent from us.
   * Every wrapper is a disguised Proxy (page/disguise.js), so it prints as native in the worker too.
   */
  function setup(ORIGINAL, CHANNEL, KIND, NAME, REG, TOKEN, MODULE) {
    const ns = self.__uccWebhooks;
    try { delete self.__uccWebhooks; } catch (e) { /* harmless */ }
    const apply = Reflect.apply;
    const URLCtor = self.URL;
    const out = new self.BroadcastChannel(CHANNEL);
    const installed = ns.observer.install(self, { // also covers the worker's toString (page/disguise.js)
      awaitConfigMs: 10000,
      emit(event) { out.postMessage({ type: "call", event }); },
      onError() { /* never into the page's worker */ },
    });
    const d = ns.disguise;
    const abs = (u) => {
      if (typeof u !== "string") return u;
      try { return new URLCtor(u, ORIGINAL).href; } catch (e) { return u; } // the native then refuses it as it would
    };
    const at = (i) => () => ({ apply(target, self_, args) { if (args.length > i) args[i] = abs(args[i]); return apply(target, self_, args); } });
    try {
      if (!MODULE) d.replaceMethod(self, "importScripts", () => ({ apply(target, self_, args) { return apply(target, self_, Array.prototype.map.call(args, abs)); } }));
      d.replaceMethod(self, "fetch", at(0));
      if (self.XMLHttpRequest) d.replaceMethod(self.XMLHttpRequest.prototype, "open", at(1));
      for (const key of ["Request", "WebSocket", "EventSource", "Worker", "SharedWorker"]) {
        if (typeof self[key] === "function") {
          d.replaceConstructor(self, key, (target, args, newTarget) => {
            if (args.length) args[0] = abs(args[0]);
            return Reflect.construct(target, args, newTarget);
          });
        }
      }
    } catch (e) { /* a scope without one of them */ }
    if (installed) out.onmessage = (e) => { if (e.data && e.data.type === "config") installed.setConfig(e.data.config); };
    out.postMessage({ type: "hello", token: TOKEN }); // also: it runs, the page's CSP let it (page/rescue.js)
    if (KIND === "shared") {
      const reg = new self.BroadcastChannel(REG);
      const here = () => reg.postMessage({ type: "here", url: ORIGINAL, name: NAME, boot: self.location.href });
      reg.onmessage = (e) => { if (e.data && e.data.type === "who") here(); };
      here();
    }
    // A classic script that cannot be loaded (404, network) throws out of importScripts in the
    // bootstrap: natively the worker would fire a plain Event and nothing reaches window.onerror.
    const boot = self.location.href;
    function failed(event) {
      const error = event && event.error;
      if (!error || error.name !== "NetworkError" || event.filename !== boot) return; // the page's own script failing
      event.preventDefault();
      event.stopImmediatePropagation();
      out.postMessage({ type: "load_failed", token: TOKEN });
      self.close();
    }
    if (!MODULE) self.addEventListener("error", failed);
    return {
      loaded() {
        self.removeEventListener("error", failed);
        out.postMessage({ type: "loaded", token: TOKEN });
      },
    };
  }

  /** The observer's own sources (Function.prototype.toString of each part's factory), or null. */
  function sources() {
    const toSource = Function.prototype.toString;
    const out = [];
    for (const part of FILES) {
      const factory = ns.factories && ns.factories[part];
      if (typeof factory !== "function") return null;
      out.push("(" + toSource.call(factory) + ")(self.__uccWebhooks || (self.__uccWebhooks = {}));");
    }
    return out.join("\n");
  }

  /**
   * The bootstrap's text(s). A classic worker: one script that sets up, then importScripts the
   * original inside a function (so no name of ours reaches the script's global scope). A module
   * worker: a setup module and a bootstrap `import setup; import original;`: static imports are
   * fetched before anything runs and evaluated in order, so the page's first messages (and a
   * shared worker's first `connect`) wait for the original script, and a 404 or a throw fires the
   * page's `error` event as natively. `urlOf(text)` makes a blob: URL.
   * options: {parts, original, channel, kind, name, registry, token, module}. Returns the bootstrap URL.
   */
  function build(urlOf, o) {
    const args = [o.original, o.channel, o.kind, o.name, o.registry, o.token, Boolean(o.module)].map((v) => JSON.stringify(v)).join(", ");
    const call = "(" + setup.toString() + ")(" + args + ")";
    if (!o.module) {
      return urlOf(o.parts + "\n(function () {\n  const boot = " + call + ";\n  importScripts(" + JSON.stringify(o.original) + ");\n  boot.loaded();\n})();\n");
    }
    const setupURL = urlOf(o.parts + "\n" + call + ";\n");
    return urlOf("import " + JSON.stringify(setupURL) + ";\nimport " + JSON.stringify(o.original) + ";\n");
  }

  ns.bootstrap = Object.freeze({ sources, build, setup });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
