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
   * options: {emit(CallEvent), now(), onError(error)}. Returns {tracker} or null when there is no
   * WebSocket or the observer is already installed in this window.
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

    function onText(dir, text) {
      try {
        const message = parse(text);
        if (!message) return;
        const events = tracker.handle(dir, message);
        for (let i = 0; i < events.length; i++) emit(events[i]);
      } catch (error) {
        onError(error);
      }
    }

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
    return { tracker };
  }

  ns.observer = Object.freeze({ install, offersSip });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
