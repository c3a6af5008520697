// The page's Worker and SharedWorker: counted only (the default), or started from the observer's bootstrap on origins that opt in (classic script).
(function (ns) {
  "use strict";

  const CALLS = "__ucc_webhooks_calls"; // BroadcastChannel: shared workers tell every tab of the origin
  const REGISTRY = "__ucc_webhooks_shared"; // BroadcastChannel: which bootstrap URL a running shared worker has

  /*
   * By default the page's workers run exactly as without us: Worker and SharedWorker become
   * disguised Proxies (page/disguise.js) that only count constructions, so that the popup can offer
   * watching workers on a page whose phone may live in one. A worker's own code cannot be kept
   * from seeing a bootstrap (its base URL, `self.location`, its timing), so starting workers from
   * one is a per-origin choice (`watchWorkerOrigins`, ARCHITECTURE.md "What the page step changes").
   */

  /** Count-only: `onWorker()` after each Worker or SharedWorker the page made. */
  function count(win, onWorker) {
    for (const key of ["Worker", "SharedWorker"]) {
      ns.disguise.replaceConstructor(win, key, (target, args, newTarget) => {
        const worker = Reflect.construct(target, args, newTarget);
        try { onWorker(); } catch (e) { /* never into the page */ }
        return worker;
      });
    }
  }

  /**
   * A copy of the page's blob: script, under a URL of ours: the page may revoke its own right after
   * `new Worker(url)`, before the bootstrap loads it. Read synchronously (a blob: URL never touches
   * the network) with the XMLHttpRequest the page had at document start, so no wrapper of the
   * page's sees it; the worker decodes scripts as UTF-8, as responseText does here.
   */
  function blobCopier(win, urlOf) {
    const XHR = win.XMLHttpRequest;
    const proto = XHR && XHR.prototype;
    const open = proto && proto.open;
    const send = proto && proto.send;
    const body = proto && Object.getOwnPropertyDescriptor(proto, "responseText");
    const revoke = win.URL.revokeObjectURL;
    return {
      copy(url) {
        if (!open || !send || !body) return null;
        try {
          const xhr = new XHR();
          Reflect.apply(open, xhr, ["GET", url, false]);
          Reflect.apply(send, xhr, []);
          return urlOf(Reflect.apply(body.get, xhr, []));
        } catch (e) {
          return null; // revoked already, or not readable: the original URL then, as before
        }
      },
      revoke: (url) => Reflect.apply(revoke, win.URL, [url]),
    };
  }

  /**
   * Watched: same-origin and blob: workers start from the bootstrap (page/bootstrap.js).
   * options: {emit(event), onError, onUnwatched(reason)}. Returns {setConfig(config)}, or null.
   */
  function watch(win, options) {
    const disguise = ns.disguise;
    const parts = ns.bootstrap && ns.bootstrap.sources();
    const Channel = win.BroadcastChannel;
    const BlobCtor = win.Blob;
    if (!parts || typeof Channel !== "function" || typeof BlobCtor !== "function" || !win.URL) return null;
    const emit = options.emit;
    const onError = options.onError || function () {};
    const createURL = win.URL.createObjectURL;
    const urlOf = (text) => Reflect.apply(createURL, win.URL, [new BlobCtor([text], { type: "text/javascript" })]);
    const blobs = blobCopier(win, urlOf);
    const tt = win.trustedTypes;
    const TTProto = tt && win.TrustedTypePolicyFactory && win.TrustedTypePolicyFactory.prototype;
    const isScriptURL = TTProto && TTProto.isScriptURL;
    const defaultPolicy = TTProto && Object.getOwnPropertyDescriptor(TTProto, "defaultPolicy");
    const href = win.URL.prototype && Object.getOwnPropertyDescriptor(win.URL.prototype, "href");
    const hrefOf = href && href.get;
    let config = null;
    const channels = [];
    const known = new Map(); // original URL + "\n" + name -> bootstrap URL of a running shared worker
    const starting = new Map(); // token -> {worker, watcher, copy, module, kind} until the bootstrap has loaded the script
    let blocked = false; // the page's CSP refused a blob: worker, or it uses Trusted Types: start workers as they are
    const token = () => Math.random().toString(36).slice(2) + Date.now().toString(36);
    const unwatched = () => { if (options.onUnwatched) options.onUnwatched("csp_blob_worker"); };

    const dispatch = win.EventTarget.prototype.dispatchEvent; // as they were at document start
    const EventCtor = win.Event;

    /** A bootstrap's word about its worker: hello (it runs), loaded, or load_failed (classic scripts). */
    function settle(data) {
      const entry = starting.get(data.token);
      if (!entry) return;
      if (data.type === "hello" && entry.watcher) { entry.watcher.alive(); entry.watcher = null; }
      if (data.type === "load_failed") { // the page's classic script did not load: the Event the browser fires for that
        try { Reflect.apply(dispatch, entry.worker, [new EventCtor("error")]); } catch (e) { onError(e); }
      }
      if (data.type === "load_failed" || data.type === "loaded" || (data.type === "hello" && entry.module)) {
        // a shared worker's bootstrap may start it again for another tab: its copy stays
        if (entry.copy && entry.kind === "dedicated") blobs.revoke(entry.copy);
        starting.delete(data.token);
      }
    }

    function listen(name) {
      const ch = new Channel(name);
      ch.onmessage = (e) => {
        try {
          const data = e.data;
          if (data && data.type === "call") emit(data.event);
          else if (data && typeof data.token === "string") {
            settle(data);
            if (data.type === "hello" && config) ch.postMessage({ type: "config", config });
          }
        } catch (error) { onError(error); }
      };
      channels.push(ch);
    }
    const own = "__ucc_webhooks_" + Math.random().toString(36).slice(2); // this page's dedicated workers only
    listen(own);
    listen(CALLS);
    const registry = new Channel(REGISTRY);
    registry.onmessage = (e) => {
      const d = e.data;
      if (d && d.type === "here" && typeof d.boot === "string") known.set(d.url + "\n" + d.name, d.boot);
    };
    registry.postMessage({ type: "who" });

    /** The script URL as the page gave it, when it is one we may start from the bootstrap. */
    function originalURL(arg) {
      if (tt && ((isScriptURL && Reflect.apply(isScriptURL, tt, [arg])) || (defaultPolicy && Reflect.apply(defaultPolicy.get, tt, [])))) {
        blocked = true; // Trusted Types would be asked about our blob: (or refuse it): leave this page's workers alone
        unwatched();
        return null;
      }
      let text = typeof arg === "string" ? arg : null;
      if (text === null && hrefOf) { try { text = Reflect.apply(hrefOf, arg, []); } catch (e) { return null; } } // a URL object
      if (text === null) return null;
      const url = new win.URL(text, win.document.baseURI);
      return url.origin === win.location.origin || url.protocol === "blob:" ? url.href : null;
    }

    function wrap(key, kind) {
      disguise.replaceConstructor(win, key, (target, args, newTarget) => {
        let boot = null;
        let fresh = null; // the token of a bootstrap made now (a shared one may be running already)
        let entry = null;
        let sharedKey = null;
        try {
          const original = blocked ? null : originalURL(args[0]);
          if (original) {
            const opts = kind === "shared" && typeof args[1] === "string" ? { name: args[1] } : (args[1] || {});
            const name = typeof opts.name === "string" ? opts.name : "";
            const module = opts.type === "module";
            sharedKey = original + "\n" + name;
            boot = kind === "shared" ? known.get(sharedKey) || null : null;
            if (!boot) {
              fresh = token();
              const copy = original.startsWith("blob:") ? blobs.copy(original) : null;
              boot = ns.bootstrap.build(urlOf, { parts, original: copy || original, channel: kind === "shared" ? CALLS : own,
                kind, name, registry: REGISTRY, token: fresh, module });
              if (kind === "shared") known.set(sharedKey, boot);
              entry = { worker: null, watcher: null, copy, module, kind };
            }
          }
        } catch (error) {
          onError(error);
          boot = null;
        }
        if (boot) {
          let worker = null;
          try {
            worker = Reflect.construct(target, [boot].concat(Array.prototype.slice.call(args, 1)), newTarget);
          } catch (error) {
            onError(error); // a browser that refuses at once: start the page's worker as it asked
          }
          if (worker && entry) {
            entry.worker = worker;
            starting.set(fresh, entry);
            try {
              if (ns.rescue) {
                entry.watcher = ns.rescue.watch(win, worker, {
                  kind,
                  restart: () => Reflect.construct(target, args, newTarget),
                  onBlocked() {
                    blocked = true;
                    starting.delete(fresh);
                    known.delete(sharedKey);
                    unwatched();
                  },
                });
              }
            } catch (error) { onError(error); }
          }
          if (worker) return worker;
        }
        return Reflect.construct(target, args, newTarget);
      });
    }

    wrap("Worker", "dedicated");
    wrap("SharedWorker", "shared");
    return {
      setConfig(next) {
        config = next;
        for (const ch of channels) ch.postMessage({ type: "config", config });
      },
    };
  }

  ns.workers = Object.freeze({ count, watch, CALLS, REGISTRY });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
