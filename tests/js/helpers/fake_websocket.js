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
    #url; #offered; #protocol = ""; #readyState = 0; #binaryType = "blob"; #onmessage = null; #slot = null;
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
    get onmessage() { return this.#onmessage; }
    set onmessage(fn) {
      // Browsers keep one listener for the handler slot, at the position where it was first set.
      this.#onmessage = typeof fn === "function" ? fn : null;
      if (!this.#slot) {
        this.#slot = (event) => this.#onmessage && this.#onmessage.call(this, event);
        this.addEventListener("message", this.#slot);
      }
    }
    send(data) {
      if (this.#readyState !== 1) throw new Error("InvalidStateError: Still in CONNECTING state.");
      this.sentFrames.push(data);
    }
    // --- test controls, not part of the browser API ---
    get sentFrames() { return (this._sent ||= []); }
    serverOpens(protocol = this.#offered[0] || "") { this.#protocol = protocol; this.#readyState = 1; }
    serverSends(data) { this.dispatchEvent({ type: "message", data }); }
  }
  WebSocket.instances = [];
  for (const [name, value] of Object.entries({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 })) {
    Object.defineProperty(WebSocket, name, { value, enumerable: true });
  }
  return WebSocket;
}
