// Wraps the page's WebSocket so that frames on "sip" sockets are read, never changed, and fed to the call tracker (classic script).
(function factory(ns) {
  "use strict";
  (ns.factories || (ns.factories = {})).observer = factory; // its source text starts the observer in workers

  const MARK = "__uccWebhooksObserved";

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
   * Install the observer into `win` (the page's window, or a fake one in Node).
   * options: {emit(CallEvent), now(), onError(error), config, awaitConfigMs}. Returns {tracker, setConfig}
   * or null when there is no WebSocket or the observer is already installed in this window.
   * With awaitConfigMs, SIP messages are kept (with their time) until setConfig() brings the queue
   * rule and user name, then replayed in order: a call that rings before the settings arrived is
   * still classified by the queue rule. Without settings after awaitConfigMs, the defaults apply.
   *
   * What the page keeps seeing: window.WebSocket is a Proxy of the native constructor, so
   * `new WebSocket(...)` returns a genuine native socket (instanceof, protocol, readyState,
   * binaryType, onmessage and addEventListener are the browser's own), the statics and prototype
   * are the native ones, and calling it without `new` throws the native TypeError. Incoming frames
   * are read by one extra "message" listener added at construction (so it runs before the page's,
   * and reads event.data only); outgoing frames are read after the native send has accepted them,
   * through a wrapper on WebSocket.prototype.send that calls the native send first and unchanged.
   * Every observer path is inside try/catch: nothing it does can throw into the page.
   */
  function install(win, options) {
    const Native = win && win.WebSocket;
    if (typeof Native !== "function" || Native[MARK]) return null;
    const emit = options.emit;
    const onError = options.onError || function () {};
    const tracker = ns.calls.createTracker({ now: options.now, config: options.config });
    const parse = ns.sip.parse;
    const toTag = Object.prototype.toString;
    const isView = ArrayBuffer.isView;
    const decoder = typeof win.TextDecoder === "function" ? new win.TextDecoder("utf-8", { fatal: true }) : null;
    const fromCharCode = String.fromCharCode;
    const observed = new WeakSet();
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

    /** Wrap the WebSocket of `w` (the page, or a same-origin frame of it) into this one tracker. */
    function wrapWindow(w) {
      const Native = w.WebSocket;
      if (typeof Native !== "function" || Native[MARK]) return false;
      const addListener = w.EventTarget.prototype.addEventListener;
      const proto = Native.prototype;
      const sendDescriptor = Object.getOwnPropertyDescriptor(proto, "send");
      const nativeSend = sendDescriptor.value;
      const wrapped = {
        send(data) { // shorthand method: name "send", length 1, not constructible, like the native one
          const result = nativeSend.apply(this, arguments);
          if (observed.has(this)) {
            try {
              const protocol = this.protocol;
              if (!protocol || protocol.toLowerCase() === "sip") onFrame("sent", data);
            } catch (error) {
              onError(error);
            }
          }
          return result;
        },
      };
      const Wrapper = new Proxy(Native, {
        construct(target, args, newTarget) {
          const ws = Reflect.construct(target, args, newTarget === Wrapper ? target : newTarget);
          try {
            if (offersSip(args[1])) observe(ws, addListener);
          } catch (error) {
            onError(error);
          }
          return ws;
        },
        get(target, key, receiver) {
          if (key === MARK) return true;
          return Reflect.get(target, key, receiver);
        },
      });

      Object.defineProperty(proto, "send", Object.assign({}, sendDescriptor, { value: wrapped.send }));
      const ctorDescriptor = Object.getOwnPropertyDescriptor(proto, "constructor");
      if (ctorDescriptor && ctorDescriptor.value === Native) {
        Object.defineProperty(proto, "constructor", Object.assign({}, ctorDescriptor, { value: Wrapper }));
      }
      const winDescriptor = Object.getOwnPropertyDescriptor(w, "WebSocket") ||
        { writable: true, enumerable: false, configurable: true };
      Object.defineProperty(w, "WebSocket", Object.assign({}, winDescriptor, { value: Wrapper }));
      return true;
    }

    wrapWindow(win);
    return { tracker, setConfig, wrapWindow };
  }

  ns.observer = Object.freeze({ install, offersSip });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
