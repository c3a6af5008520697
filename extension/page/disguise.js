// Makes every wrapper the page step installs look native: Proxies of the native functions, and one Function.prototype.toString per realm that maps them to their targets (classic script).
(function factory(ns) {
  "use strict";
  (ns.factories || (ns.factories = {})).disguise = factory; // its source text is also run in watched workers

  /*
   * A Proxy of a native function already keeps its name, length, prototype, statics, property
   * order, `instanceof`, subclassing and the native TypeError when called without `new`. What it
   * does not keep is its source text: every engine prints a callable Proxy as a nameless
   * `function () { [native code] }`. So each realm we wrap gets one more Proxy, of its native
   * Function.prototype.toString, that prints any of our Proxies as its target (and itself as the
   * native toString). Realms are the page, its same-origin frames and (when watched) its workers.
   *
   * Each injection of the page step (the page, every same-origin frame has its own) keeps its own
   * map from Proxy to target. A frame's toString must still print the page's Proxies right (a tamper
   * check may take a fresh iframe's toString and call it on the page's WebSocket), so the
   * injections find each other: a new one asks the toString of each same-origin ancestor whether
   * it is ours (PROBE) and, if so, links both ways (LINK); a toString asked about a Proxy it does not
   * know asks the linked ones (ASK). These calls carry strings no page passes by chance; a page that
   * knows this source can see that we are here (as it can from stack traces, ARCHITECTURE.md), no
   * other page can tell.
   */
  const PROBE = "\u0000ucc-webhooks:probe";
  const LINK = "\u0000ucc-webhooks:link";
  const ASK = "\u0000ucc-webhooks:ask";
  const ANSWER = "\u0000ucc-webhooks:ours";

  const OurProxy = Proxy;
  const apply = Reflect.apply;
  const getDescriptor = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty;
  const WeakRefCtor = typeof WeakRef === "function" ? WeakRef : null;

  const targets = new WeakMap(); // our Proxy -> the native function it stands for (every realm we cover)
  const covered = new WeakSet(); // windows/scopes whose toString is ours (this injection's)
  const others = new Set(); // WeakRef (or the function) of other injections' toString Proxies
  let nameless = null; // how this engine prints a callable Proxy
  let native = null; // this realm's own Function.prototype.toString, before we covered it
  let mine = null; // and our Proxy of it

  function deref(ref) {
    return WeakRefCtor && ref instanceof WeakRefCtor ? ref.deref() : ref;
  }

  /** Ask the other injections' toStrings about `fn` (a Proxy none of ours made); null when none knows it. */
  function askOthers(fn, visited) {
    for (const ref of others) {
      const other = deref(ref);
      if (!other) { others.delete(ref); continue; }
      if (visited.has(other)) continue;
      try {
        const text = apply(other, fn, [ASK, visited]);
        if (typeof text === "string" && text !== nameless) return text;
      } catch (e) {
        others.delete(ref); // a removed frame's realm (Firefox: a dead object)
      }
    }
    return null;
  }

  /** The toString trap: our Proxies print as their targets; anything else as the native prints it. */
  function toStringHandler() {
    return {
      apply(realmToString, self, args) {
        const word = args.length ? args[0] : undefined;
        if (word === PROBE) return ANSWER;
        if (word === LINK && typeof args[1] === "function") others.add(WeakRefCtor ? new WeakRefCtor(args[1]) : args[1]);
        const target = targets.get(self);
        if (target !== undefined) return apply(realmToString, target, []);
        if (word === ASK) {
          const visited = args[1];
          if (typeof self !== "function" || !visited || typeof visited.add !== "function") return nameless;
          visited.add(this.proxy);
          return askOthers(self, visited) || nameless;
        }
        const text = apply(realmToString, self, args); // throws as the native does for a non-function
        if (text !== nameless || !others.size) return text;
        return askOthers(self, new Set([this.proxy])) || text;
      },
    };
  }

  /** A Proxy of `target` that prints as `target` in every realm we cover. */
  function proxy(target, handler) {
    const p = new OurProxy(target, handler);
    targets.set(p, targets.get(target) || target); // a Proxy of one of ours prints as the native under both
    return p;
  }

  /** The realm's Function.prototype.toString: {holder, value} or null (a fake window in tests, a frame gone away). */
  function toStringOf(win) {
    try {
      const holder = win.Function && win.Function.prototype;
      const d = holder && getDescriptor(holder, "toString");
      return d && typeof d.value === "function" ? { holder, value: d.value, descriptor: d } : null;
    } catch (e) {
      return null; // cross-origin
    }
  }

  /**
   * Whether `fn` (another realm's toString) is one of our toString Proxies. The native toString of
   * our own realm prints any Proxy namelessly without running its code; only a Proxy is asked PROBE.
   */
  function isOurToString(fn) {
    if (!native || fn === native) return false;
    try {
      if (apply(native, fn, []) !== nameless) return false;
      return apply(fn, fn, [PROBE]) === ANSWER;
    } catch (e) {
      return false;
    }
  }

  const linked = new WeakSet(); // other injections' toStrings we linked with already

  /** Link this injection with the one whose toString is `theirs`, both ways. */
  function link(theirs) {
    if (linked.has(theirs)) return;
    linked.add(theirs);
    try {
      others.add(WeakRefCtor ? new WeakRefCtor(theirs) : theirs);
      apply(theirs, theirs, [LINK, mine]);
    } catch (e) { /* a frame gone away */ }
  }

  /** Cover the realm of `win`: its toString becomes our Proxy. False when it has none (a fake window in tests). */
  function cover(win) {
    if (covered.has(win)) return true;
    const found = toStringOf(win);
    if (!found) return false;
    const handler = toStringHandler();
    const p = proxy(found.value, handler);
    handler.proxy = p;
    try {
      define(found.holder, "toString", Object.assign({}, found.descriptor, { value: p }));
    } catch (e) {
      return false;
    }
    covered.add(win);
    return true;
  }

  /**
   * Start in the realm of `win` (the page, a frame, a worker) at document start, before any of its
   * own code ran: returns false when an injection of ours is already there (it serves this realm).
   * Otherwise covers it and links with every same-origin ancestor frame that has one of ours.
   */
  function start(win) {
    const found = toStringOf(win);
    if (!found) return true; // no toString to cover (a test's fake window): wrap anyway
    try {
      if (apply(found.value, found.value, [PROBE]) === ANSWER) return false; // the native ignores the argument
    } catch (e) { /* not callable as expected: cover it below */ }
    native = found.value;
    nameless = apply(native, new OurProxy(function () {}, {}), []);
    if (!cover(win)) return true;
    mine = toStringOf(win).value;
    let w = win;
    for (let depth = 0; depth < 16; depth++) {
      let up;
      try {
        up = w.parent;
        if (!up || up === w) break;
        const theirs = toStringOf(up);
        if (theirs && isOurToString(theirs.value)) link(theirs.value);
      } catch (e) {
        break; // a cross-origin ancestor: nothing above it is ours to link
      }
      w = up;
    }
    return true;
  }

  /**
   * `win` is another realm the page reached (a same-origin frame): true when we should wrap it
   * ourselves (no injection of ours there; now covered), false when one is (now linked with it).
   */
  function adopt(win) {
    if (covered.has(win)) return false; // wrapped by this injection already
    const theirs = toStringOf(win);
    if (!theirs) return true; // no toString to cover (a test's fake window): wrap it
    if (isOurToString(theirs.value)) {
      link(theirs.value);
      return false;
    }
    return cover(win);
  }

  /** The object on `owner`'s prototype chain that holds `key` itself (Firefox keeps a worker's fetch on a prototype), and its descriptor. */
  function holderOf(owner, key) {
    for (let o = owner, depth = 0; o && depth < 8; o = Object.getPrototypeOf(o), depth++) {
      const d = getDescriptor(o, key);
      if (d) return { holder: o, d };
    }
    return null;
  }

  /** Replace a method (where it lives on `owner` or its prototypes) by a Proxy of it; `makeHandler(native)` gives the Proxy's handler. */
  function replaceMethod(owner, key, makeHandler) {
    const found = holderOf(owner, key);
    if (!found || typeof found.d.value !== "function") return null;
    const p = proxy(found.d.value, makeHandler(found.d.value));
    define(found.holder, key, Object.assign({}, found.d, { value: p }));
    return p;
  }

  /** Replace an accessor's getter by a Proxy of it. */
  function replaceGetter(owner, key, makeHandler) {
    const d = owner && getDescriptor(owner, key);
    if (!d || typeof d.get !== "function" || !d.configurable) return null;
    const p = proxy(d.get, makeHandler(d.get));
    define(owner, key, Object.assign({}, d, { get: p }));
    return p;
  }

  /**
   * Replace the constructor `scope[key]` by a Proxy with `construct(target, args, newTarget)`;
   * `prototype.constructor` names the Proxy too, so `new X().constructor === X` holds. Returns the
   * Proxy. The construct trap gets the native as newTarget when the page constructed the Proxy.
   */
  function replaceConstructor(scope, key, onConstruct) {
    const d = getDescriptor(scope, key);
    const Native = d ? d.value : scope[key];
    if (typeof Native !== "function") return null;
    let wrapper = null;
    wrapper = proxy(Native, {
      construct(target, args, newTarget) {
        return onConstruct(target, args, newTarget === wrapper ? target : newTarget);
      },
    });
    const proto = Native.prototype;
    const c = proto && getDescriptor(proto, "constructor");
    if (c && c.value === Native) define(proto, "constructor", Object.assign({}, c, { value: wrapper }));
    define(scope, key, Object.assign({}, d || { writable: true, enumerable: false, configurable: true }, { value: wrapper }));
    return wrapper;
  }

  ns.disguise = Object.freeze({ start, adopt, proxy, replaceMethod, replaceGetter, replaceConstructor });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
