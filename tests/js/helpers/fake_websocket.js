// A browser-like WebSocket and EventTarget for Node: prototype accessors, onmessage handler slot, listener order.
const listeners = new WeakMap(); // target -> Map(type -> [{fn, handlerSlot}])

export class FakeEventTarget {
  addEventListener(type, fn) {
    if (typeof fn !== "function") return;
    if (!listeners.has(this)) listeners.set(this, new Map());
    const map = listeners.get(this);
    if (!map.has(type)) map.set(type, []);
    if (!map.get(type).some((l) => l.fn === fn)) map.get(type).push({ fn });
  }
  removeEventListener(type, fn) {
    const list = listeners.get(this)?.get(type);
    if (list) list.splice(list.findIndex((l) => l.fn === fn) >>> 0, 1);
  }
  dispatchEvent(event) {
    for (const { fn } of [...(listeners.get(this)?.get(event.type) || [])]) fn.call(this, event);
    return true;
  }
}

export function listenerCount(target, type) {
  return listeners.get(target)?.get(type)?.length || 0;
}

export class FakeCustomEvent {
  constructor(type, init = {}) {
    this.type = type;
    this.detail = init.detail === undefined ? null : init.detail;
  }
}

/** A fresh WebSocket class per test (the observer patches its prototype, like the page's one). */
export function makeWebSocketClass() {
  class WebSocket extends FakeEventTarget {
    #url; #offered; #protocol = ""; #readyState = 0; #binaryType = "blob"; #handlers = {}; #slots = {};
    constructor(url, protocols) {
      super();
      this.#url = url;
      this.#offered = protocols === undefined ? [] : [].concat(protocols);
      WebSocket.instances.push(this);
    }
    get url() { return this.#url; }
    get protocol() { return this.#protocol; }
    get readyState() { return this.#readyState; }
    get binaryType() { return this.#binaryType; }
    set binaryType(value) { if (value === "blob" || value === "arraybuffer") this.#binaryType = value; }
    get onmessage() { return this.#handler("message"); }
    set onmessage(fn) { this.#setHandler("message", fn); }
    get onopen() { return this.#handler("open"); }
    set onopen(fn) { this.#setHandler("open", fn); }
    get onclose() { return this.#handler("close"); }
    set onclose(fn) { this.#setHandler("close", fn); }
    get onerror() { return this.#handler("error"); }
    set onerror(fn) { this.#setHandler("error", fn); }
    #handler(type) { return this.#handlers[type] || null; }
    #setHandler(type, fn) {
      // Browsers keep one listener for the handler slot, at the position where it was first set.
      this.#handlers[type] = typeof fn === "function" ? fn : null;
      if (!this.#slots[type]) {
        this.#slots[type] = (event) => this.#handlers[type] && this.#handlers[type].call(this, event);
        this.addEventListener(type, this.#slots[type]);
      }
    }
    send(data) {
      if (this.#readyState !== 1) throw new Error("InvalidStateError: Still in CONNECTING state.");
      this.sentFrames.push(data);
      if (this.onSent) this.onSent(data); // test hook: the fake server's ear
    }
    close() {
      if (this.#readyState === 3) return;
      this.#readyState = 3;
      this.dispatchEvent({ type: "close", code: 1000, reason: "", wasClean: true });
    }
    // --- test controls, not part of the browser API ---
    get sentFrames() { return (this._sent ||= []); }
    serverOpens(protocol = this.#offered[0] || "") {
      this.#protocol = protocol;
      this.#readyState = 1;
      this.dispatchEvent({ type: "open" });
    }
    serverSends(data) { this.dispatchEvent({ type: "message", data }); }
  }
  WebSocket.instances = [];
  for (const [name, value] of Object.entries({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 })) {
    Object.defineProperty(WebSocket, name, { value, enumerable: true }); // on the constructor...
    Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true }); // ...and on instances, like browsers
  }
  return WebSocket;
}
