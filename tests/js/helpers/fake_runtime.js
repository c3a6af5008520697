// A fake chrome.runtime with native ports driven by a scripted host, and a manual clock for timers.
export class ManualClock {
  constructor() { this.now = 0; this.timers = new Map(); this.next = 1; }
  setTimer = (fn, ms) => { const id = this.next++; this.timers.set(id, { at: this.now + ms, fn }); return id; };
  clearTimer = (id) => { this.timers.delete(id); };
  /** Advance time, running due timers in order. */
  async tick(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.now = until;
    await settle();
  }
  pending() { return [...this.timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b); }
}

export const settle = () => new Promise((r) => setImmediate(r));

function event() {
  const listeners = [];
  return { addListener: (fn) => listeners.push(fn), fire: (...a) => listeners.forEach((fn) => fn(...a)) };
}

/**
 * host(message, port) answers each posted message: return a reply object, or undefined for silence.
 * installed=false makes ports close at once with Chromium's "not found" error.
 */
export class FakeRuntime {
  constructor({ host, installed = true } = {}) {
    this.host = host || defaultHost();
    this.installed = installed;
    this.ports = [];
    this.lastError = undefined;
  }
  connectNative(name) {
    const runtime = this;
    const port = {
      name, posted: [], closed: false, onMessage: event(), onDisconnect: event(),
      postMessage(message) {
        if (this.closed) throw new Error("Attempting to use a disconnected port object");
        this.posted.push(message);
        queueMicrotask(() => {
          if (this.closed) return;
          const reply = runtime.host(message, this);
          if (reply !== undefined) this.onMessage.fire(reply);
        });
      },
      disconnect() { this.closed = true; },
      /** The host goes away (crash, exit): Chromium fires onDisconnect with lastError set. */
      hostExits(message = "Native host has exited.") {
        if (this.closed) return;
        this.closed = true;
        runtime.lastError = { message };
        this.onDisconnect.fire(this);
        runtime.lastError = undefined;
      },
    };
    this.ports.push(port);
    if (!this.installed) queueMicrotask(() => port.hostExits("Specified native messaging host not found."));
    return port;
  }
  /** Every message posted on any port, in order. */
  posted() { return this.ports.flatMap((p) => p.posted); }
}

export function defaultHost({ version = "0.1.0" } = {}) {
  return (m) => {
    if (m.type === "hello") {
      return { id: m.id, ok: true, result: { host_version: version, webhooks_enabled: true, triggers: [], actions: ["get", "post", "open_tab"], content_types: [], placeholders: [] } };
    }
    if (m.type === "call_event") return { id: m.id, ok: true, result: { matched: 1 } };
    return { id: m.id, ok: true, result: {} };
  };
}
