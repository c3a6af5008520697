// Wraps the page's WebSocket so that frames on "sip" sockets are read, never changed, and fed to the call tracker (classic script).
(function (ns) {
  "use strict";

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
    const addListener = win.EventTarget.prototype.addEventListener;
    const toTag = Object.prototype.toString;
    const isView = ArrayBuffer.isView;
    const decoder = typeof win.TextDecoder === "function" ? new win.TextDecoder("utf-8") : null;
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

    // Text frames are strings; binary ones (binaryType "arraybuffer" or "blob") are decoded as UTF-8.
    function onFrame(dir, data) {
      if (typeof data === "string") return onText(dir, data);
      const tag = toTag.call(data);
      if (tag === "[object ArrayBuffer]" || isView(data)) {
        if (decoder) onText(dir, decoder.decode(data));
      } else if (tag === "[object Blob]" && typeof data.text === "function") {
        data.text().then((text) => onText(dir, text), onError); // reading a Blob does not consume it
      }
    }

    function observe(ws) {
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
          if (offersSip(args[1])) observe(ws);
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
    const winDescriptor = Object.getOwnPropertyDescriptor(win, "WebSocket") ||
      { writable: true, enumerable: false, configurable: true };
    Object.defineProperty(win, "WebSocket", Object.assign({}, winDescriptor, { value: Wrapper }));
    return { tracker, setConfig };
  }

  ns.observer = Object.freeze({ install, offersSip });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
