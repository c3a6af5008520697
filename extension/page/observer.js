// Wraps the page's WebSocket so that frames on "sip" sockets are read, never changed, and fed to the call tracker (classic script).
(function factory(ns) {
  "use strict";
  (ns.factories || (ns.factories = {})).observer = factory; // its source text starts the observer in workers

  function offersSip(protocols) {
    if (typeof protocols === "string") return protocols.toLowerCase() === "sip";
    if (protocols && typeof protocols.length === "number") {
      for (let i = 0; i < protocols.length; i++) {
        if (typeof protocols[i] === "string" && protocols[i].toLowerCase() === "sip") return true;
      }
    }
    return false;
  }

  /**
   * Install the observer into `win` (the page's window, a worker's scope, or a fake one in Node).
   * options: {emit(CallEvent), now(), onError(error), config, awaitConfigMs}. Returns {tracker,
   * setConfig, wrapWindow, onSip} or null when there is no WebSocket or an injection of ours already
   * serves this realm (page/disguise.js start()).
   * With awaitConfigMs, SIP messages are kept (with their time) until setConfig() brings the queue
   * rule and user name, then replayed in order: a call that rings before the settings arrived is
   * still classified by the queue rule. Without settings after awaitConfigMs, the defaults apply.
   *
   * What the page keeps seeing: window.WebSocket and WebSocket.prototype.send are Proxies of the
   * natives (page/disguise.js: name, length, source text, descriptors, statics and prototype as
   * before), so `new WebSocket(...)` returns a genuine native socket whose `constructor` is
   * `WebSocket`, and calling it without `new` throws the native TypeError. Incoming frames are read
   * by one extra "message" listener added at construction (so it runs before the page's, and reads
   * event.data only); outgoing frames are read after the native send has accepted them, through
   * the Proxy of send, which calls the native send first and unchanged.
   * Every observer path is inside try/catch: nothing it does can throw into the page.
   */
  const installedIn = new WeakSet(); // windows this injection installed into (a second install is a no-op)

  function install(win, options) {
    const disguise = ns.disguise;
    if (!win || typeof win.WebSocket !== "function" || installedIn.has(win)) return null;
    if (!disguise.start(win)) return null;
    installedIn.add(win);
    const emit = options.emit;
    const onError = options.onError || function () {};
    const tracker = ns.calls.createTracker({ now: options.now, config: options.config });
    const parse = ns.sip.parse;
    const toTag = Object.prototype.toString;
    const isView = ArrayBuffer.isView;
    const apply = Reflect.apply;
    const construct = Reflect.construct;
    const decoder = typeof win.TextDecoder === "function" ? new win.TextDecoder("utf-8", { fatal: true }) : null;
    const fromCharCode = String.fromCharCode;
    const observed = new WeakSet();
    const wrapped = new WeakSet(); // windows whose WebSocket this observer wraps
    const sipListeners = [];
    const clock = options.now || (() => Date.now() / 1000);
    let backlog = options.awaitConfigMs ? [] : null; // [direction, message, time] until the settings arrive

    function feed(dir, message, time) {
      const events = tracker.handle(dir, message, time);
      for (let i = 0; i < events.length; i++) emit(events[i]);
    }

    function onText(dir, text) {
      try {
        const message = parse(text);
        if (!message) return;
        if (backlog) {
          if (backlog.length < 500) backlog.push([dir, message, clock()]);
          return;
        }
        feed(dir, message);
      } catch (error) {
        onError(error);
      }
    }

    let waiting = null; // the timer that gives up waiting for the settings

    function setConfig(config) {
      tracker.setConfig(config);
      const held = backlog;
      backlog = null;
      if (!held) return;
      if (waiting !== null) win.clearTimeout(waiting);
      for (let i = 0; i < held.length; i++) {
        try {
          feed(held[i][0], held[i][1], held[i][2]);
        } catch (error) {
          onError(error);
        }
      }
    }
    if (backlog) waiting = win.setTimeout(() => { waiting = null; if (backlog) setConfig(options.config); }, options.awaitConfigMs);

    // Binary frames are UTF-8, or else Latin-1 (as JsSIP reads them): Kamailio sends a message that is
    // not valid UTF-8 (a caller name in ISO-8859-1) as a binary frame.
    function decodeBytes(data) {
      const bytes = isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      try {
        if (decoder) return decoder.decode(bytes);
      } catch (e) { /* not UTF-8: Latin-1 below */ }
      let text = "";
      for (let i = 0; i < bytes.length; i += 8192) text += fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      return text;
    }

    // Text frames are strings; binary ones (binaryType "arraybuffer" or "blob") are bytes.
    function onFrame(dir, data) {
      if (typeof data === "string") return onText(dir, data);
      const tag = toTag.call(data);
      if (tag === "[object ArrayBuffer]" || isView(data)) {
        onText(dir, decodeBytes(data));
      } else if (tag === "[object Blob]" && typeof data.arrayBuffer === "function") {
        data.arrayBuffer().then((buffer) => onText(dir, decodeBytes(buffer)), onError); // reading a Blob does not consume it
      }
    }

    function observe(ws, addListener) {
      observed.add(ws);
      addListener.call(ws, "message", function (event) {
        try {
          const protocol = ws.protocol;
          if (protocol && protocol.toLowerCase() !== "sip") return; // the server picked another subprotocol
          onFrame("received", event.data);
        } catch (error) {
          onError(error);
        }
      });
    }

    function sipSocketOpened() {
      for (let i = 0; i < sipListeners.length; i++) {
        try { sipListeners[i](); } catch (error) { onError(error); }
      }
    }

    /**
     * Wrap the WebSocket of `w` (the page, a same-origin frame of it, a worker) into this one tracker.
     * False when it is wrapped already, by this observer or by another injection of ours (a frame
     * has its own injection, page/disguise.js adopt()).
     */
    function wrapWindow(w) {
      if (wrapped.has(w)) return false;
      wrapped.add(w); // asked once per window: a page may read contentWindow a thousand times
      if (typeof w.WebSocket !== "function") return false;
      if (w !== win && !disguise.adopt(w)) return false;
      const addListener = w.EventTarget.prototype.addEventListener;
      disguise.replaceMethod(w.WebSocket.prototype, "send", (nativeSend) => ({
        apply(target, self, args) {
          const result = apply(nativeSend, self, args);
          if (observed.has(self)) {
            try {
              const protocol = self.protocol;
              if (!protocol || protocol.toLowerCase() === "sip") onFrame("sent", args[0]);
            } catch (error) {
              onError(error);
            }
          }
          return result;
        },
      }));
      disguise.replaceConstructor(w, "WebSocket", (target, args, newTarget) => {
        const ws = construct(target, args, newTarget);
        try {
          if (offersSip(args[1])) {
            observe(ws, addListener);
            sipSocketOpened();
          }
        } catch (error) {
          onError(error);
        }
        return ws;
      });
      return true;
    }

    wrapWindow(win);
    /** onSip(fn): fn() is called each time a socket offering "sip" is opened in a wrapped window. */
    const onSip = (fn) => { sipListeners.push(fn); };
    return { tracker, setConfig, wrapWindow, onSip };
  }

  ns.observer = Object.freeze({ install, offersSip });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
