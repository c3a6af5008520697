// The one owner of the native port: connect, hello with version check, request ids and timeouts, reconnect with backoff, the call-event queue.
import { checkNotice, checkReply } from "../common/protocol.js";

export const HOST_NAME = "org.uccwebhooks.host";

/** An error with a stable code: the host's codes (PROTOCOL.md) plus this module's PORT_ERRORS. */
export class HostError extends Error {
  constructor(code, message, field = null, reason = null, params = null) {
    super(message);
    this.name = "HostError";
    // reason + params: the host's refusal code and values, which the pages translate
    Object.assign(this, { code, field, reason, params });
  }
  toJSON() {
    return { code: this.code, message: this.message, field: this.field, reason: this.reason, params: this.params };
  }
}

// Host errors that a resend cannot fix: the event is dropped instead of retried.
const FINAL_FOR_EVENTS = new Set(["validation_error", "disabled_by_policy", "invalid_frame", "too_large", "unknown_type", "read_only"]);

/** Map what the browser says when a native port closes to one of our codes. */
export function disconnectCode(message) {
  const m = String(message || "").toLowerCase();
  if (m.includes("not found") || m.includes("no such native application")) return "host_not_found";
  if (m.includes("forbidden")) return "host_forbidden";
  return "disconnected";
}

/** Same major version (and, below 1.0, the same minor) speaks the same protocol. */
export function compatible(extensionVersion, hostVersion) {
  const a = String(extensionVersion).split(".").map(Number);
  const b = String(hostVersion).split(".").map(Number);
  if (!Number.isInteger(b[0]) || !Number.isInteger(b[1])) return false;
  return a[0] === b[0] && (a[0] > 0 || a[1] === b[1]);
}

export class HostPort {
  /**
   * options: runtime (chrome.runtime-like: connectNative, lastError), extensionVersion,
   * setTimer/clearTimer (setTimeout-like), wakeAt(ms since epoch) to wake a suspended worker
   * (chrome.alarms), store {load(), save(events)} to keep queued events across suspensions,
   * onNotice(notice), onStatus(status), onEventResult(result), requestTimeoutMs, queueLimit, random (jitter).
   */
  constructor(options) {
    this.runtime = options.runtime;
    this.hostName = options.hostName || HOST_NAME;
    this.extensionVersion = options.extensionVersion;
    this.setTimer = options.setTimer || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer || ((t) => clearTimeout(t));
    this.wakeAt = options.wakeAt || (() => {});
    this.store = options.store || null;
    this.onNotice = options.onNotice || (() => {});
    this.onStatus = options.onStatus || (() => {});
    this.onEventResult = options.onEventResult || (() => {}); // call_event results, e.g. {matched, disabled_by_policy}
    this.requestTimeoutMs = options.requestTimeoutMs || 10000;
    this.queueLimit = options.queueLimit || 200;
    this.evict = options.evict || (() => 0); // (queue) -> index of the item to drop when full; the caller counts it
    this.random = options.random || Math.random;
    this.log = options.log || console;
    this.port = null;
    this.connecting = null; // promise of the hello result while a connection is being set up
    this.pending = new Map(); // request id -> {type, resolve, reject, timer}
    this.nextId = 1;
    this.queue = []; // [{event, key, inFlight}] call events not yet acknowledged by the host
    this.dropped = 0; // events dropped because the queue was full
    this.rejected = 0; // events the host refused for good
    this.failures = 0; // connection failures in a row, for the backoff
    this.retryTimer = null;
    this.status = { state: "idle", hostVersion: null, hello: null, error: null };
  }

  _setStatus(patch) {
    this.status = { ...this.status, ...patch };
    try {
      this.onStatus(this.snapshot());
    } catch (e) {
      this.log.warn("ucc-webhooks: status listener failed", e);
    }
  }

  /** Status for the popup: state, host version, hello result, last error, queue figures. */
  snapshot() {
    return { ...this.status, queued: this.queue.length, dropped: this.dropped, rejected: this.rejected };
  }

  /** Connect and say hello (once); resolves to the hello result or rejects with a HostError. */
  connect() {
    if (this.port && this.status.state === "connected") return Promise.resolve(this.status.hello);
    if (this.connecting) return this.connecting;
    this.connecting = this._open().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  async _open() {
    this._setStatus({ state: "connecting", error: null });
    let port;
    try {
      port = this.runtime.connectNative(this.hostName);
    } catch (error) {
      throw this._failed(new HostError(disconnectCode(error.message), String(error.message)));
    }
    this.port = port;
    port.onMessage.addListener((message) => this._onMessage(port, message));
    port.onDisconnect.addListener(() => this._onDisconnect(port));
    let hello;
    try {
      hello = await this._send(port, "hello", { extension_version: this.extensionVersion }, this.requestTimeoutMs);
    } catch (error) {
      this._close(port);
      throw this._failed(error);
    }
    if (!compatible(this.extensionVersion, hello.host_version)) {
      this._close(port);
      throw this._failed(new HostError("host_incompatible",
        `host ${hello.host_version} does not speak the protocol of extension ${this.extensionVersion}`));
    }
    this.failures = 0;
    this._setStatus({ state: "connected", hostVersion: hello.host_version, hello, error: null });
    this._flush();
    return hello;
  }

  _failed(error) {
    this.failures += 1;
    this._setStatus({ state: "error", error: error.toJSON ? error.toJSON() : { code: "internal", message: String(error) } });
    if (this.queue.length) this._scheduleRetry();
    return error;
  }

  _close(port) {
    if (this.port === port) this.port = null;
    try {
      port.disconnect();
    } catch (e) { /* already closed */ }
    this._rejectAll(port, new HostError("disconnected", "the connection to the host was closed"));
  }

  _rejectAll(port, error) {
    for (const [id, entry] of this.pending) {
      if (entry.port !== port) continue;
      this.clearTimer(entry.timer);
      this.pending.delete(id);
      entry.reject(error);
    }
  }

  _onDisconnect(port) {
    const lastError = (this.runtime.lastError && this.runtime.lastError.message) || (port.error && port.error.message) || "";
    const error = new HostError(disconnectCode(lastError), lastError || "the host closed the connection");
    if (lastError) this.log.warn("ucc-webhooks: native port closed:", lastError);
    this._rejectAll(port, error);
    if (this.port !== port) return;
    this.port = null;
    if (this.status.state === "connected") this._failed(error);
  }

  _onMessage(port, message) {
    if (message && message.id !== undefined && message.id !== null) {
      const entry = this.pending.get(message.id);
      if (!entry) return; // a reply after its timeout: nobody waits for it any more
      this.clearTimer(entry.timer);
      this.pending.delete(message.id);
      const problem = checkReply(message, entry.type);
      if (problem) entry.reject(new HostError("invalid_reply", `host reply to ${entry.type} not understood: ${problem}`));
      else if (message.ok) entry.resolve(message.result);
      else entry.reject(new HostError(message.error.code, message.error.message, message.error.field || null, message.error.reason, message.error.params));
      return;
    }
    if (message && message.ok === false) {
      this.log.warn("ucc-webhooks: host refused a frame:", message.error);
      return;
    }
    const problem = checkNotice(message);
    if (problem) {
      this.log.warn("ucc-webhooks: notice ignored:", problem);
      return;
    }
    try {
      this.onNotice(message);
    } catch (e) {
      this.log.warn("ucc-webhooks: notice handler failed", e);
    }
  }

  _send(port, type, fields, timeoutMs) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = this.setTimer(() => {
        this.pending.delete(id);
        reject(new HostError("timeout", `the host did not answer ${type} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { port, type, resolve, reject, timer });
      try {
        port.postMessage({ ...fields, id, type });
      } catch (error) {
        this.clearTimer(timer);
        this.pending.delete(id);
        reject(new HostError("disconnected", String(error.message || error)));
      }
    });
  }

  /** Send one request (connecting first if needed); resolves to its result or rejects with a HostError. */
  async request(type, fields = {}, timeoutMs = this.requestTimeoutMs) {
    await this.connect();
    return this._send(this.port, type, fields, timeoutMs);
  }

  /** Keep a call event until the host acknowledged it; sent now if connected, else after (re)connecting. */
  sendCallEvent(event) {
    const key = `${event.call_id}\u0000${event.trigger}`;
    if (this.queue.some((item) => item.key === key)) return;
    this.queue.push({ event, key, inFlight: false });
    while (this.queue.length > this.queueLimit) {
      this.queue.splice(Math.max(0, this.evict(this.queue)) || 0, 1);
      this.dropped += 1;
    }
    // Posted first, kept second: both leave in this same task, and the event reaches the host
    // without waiting for the queue's serialisation into session storage.
    if (this.status.state === "connected") this._flush();
    else if (!this.retryTimer) this.wake();
    this._persist();
  }

  /** Try to deliver what is queued: called after a backoff delay, by an alarm, or at start-up. */
  wake() {
    if (this.retryTimer) {
      this.clearTimer(this.retryTimer);
      this.retryTimer = null;
    }
    if (!this.queue.length) return Promise.resolve();
    return this.connect().then(() => this._flush(), () => { /* _failed scheduled the next try */ });
  }

  /** Load events a suspended worker kept in session storage, and deliver them. */
  async restore() {
    if (!this.store) return;
    const saved = (await this.store.load()) || [];
    for (const event of saved) this.sendCallEvent(event);
  }

  _flush() {
    if (this.status.state !== "connected" || !this.port) return;
    for (const item of this.queue) {
      if (item.inFlight) continue;
      item.inFlight = true;
      this._send(this.port, "call_event", { event: item.event }, this.requestTimeoutMs).then(
        (result) => {
          this._settle(item);
          try {
            this.onEventResult(result);
          } catch (e) { /* a listener's problem is not the queue's */ }
        },
        (error) => {
          item.inFlight = false;
          if (FINAL_FOR_EVENTS.has(error.code)) {
            this.rejected += 1;
            this.onEventResult({ refused: true, event: item.event }); // counted as a drop by the listener
            this.log.warn(`ucc-webhooks: host refused call event ${item.event.trigger}: ${error.message}`);
            this._settle(item);
          } else {
            this._scheduleRetry(); // timeout or disconnect: resent later, the host drops duplicates
          }
        },
      );
    }
  }

  _settle(item) {
    const index = this.queue.indexOf(item);
    if (index >= 0) this.queue.splice(index, 1);
    this._persist();
  }

  _persist() {
    if (!this.store) return;
    Promise.resolve(this.store.save(this.queue.map((item) => item.event))).catch((e) => this.log.warn("ucc-webhooks: queue not saved", e));
  }

  /** Exponential backoff with jitter: 1 s, 2 s, 4 s ... up to 5 min; an alarm backs the timer up. */
  backoffMs() {
    const base = Math.min(1000 * 2 ** Math.min(Math.max(this.failures - 1, 0), 9), 300000);
    return Math.round(base * (0.5 + this.random() / 2));
  }

  _scheduleRetry() {
    if (this.retryTimer) return;
    const delay = this.backoffMs();
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = null;
      this.wake();
    }, delay);
    try {
      this.wakeAt(Date.now() + delay);
    } catch (e) { /* the timer alone will do while the worker lives */ }
  }
}
