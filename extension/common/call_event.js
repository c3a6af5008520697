// CallEvent shape (PROTOCOL.md "call_event"), shared by page observer, content script, service worker and Node tests.
//
// A classic script on purpose (no import/export): registerContentScripts injects only classic
// scripts, and the MAIN-world WebSocket wrap must be installed synchronously at document_start.
// Every file under common/ and page/ therefore attaches itself to one namespace object,
// globalThis.__uccWebhooks, and is loadable three ways: as a content script, as a side-effect
// `import "./call_event.js"` from an ES module (service worker, popup, Node), and via node:vm.
(function factory(ns) {
  "use strict";
  (ns.factories || (ns.factories = {})).callEvent = factory; // its source text starts the observer in workers

  // Which triggers exist, which direction and queue each implies and which carries a duration is
  // the host's vocabulary (engine/triggers.py), checked there: here only the shape of an id.
  const TRIGGER_ID = /^[a-z][a-z0-9_]{0,63}$/;
  const FIELDS = Object.freeze([
    "trigger", "call_id", "direction", "queue", "callee", "caller", "caller_name", "user",
    "started_at", "answered_at", "ended_at", "duration",
    "outcome", "ended_by", "sip_status", "transfer_to",
  ]);
  const OUTCOMES = new Set(["answered", "missed", "rejected", "busy", "no_answer", "failed"]);
  // page_closed / browser_closed: an end the worker made up when the call's page or the browser went away (bg/open_calls.js)
  const ENDED_BY = new Set(["local", "remote", "transfer", "page_closed", "browser_closed"]);
  const MAX_TRANSFER_TO = 256;
  const TEXT_FIELDS = ["queue", "callee", "caller", "caller_name", "user"];
  const TIME_FIELDS = ["started_at", "answered_at", "ended_at"];
  const MAX_CALL_ID = 512; // the host's limit
  const MAX_TEXT = 1024;

  /** Check a CallEvent; returns {ok: true, event} (a clean copy with exactly FIELDS) or {ok: false, error}. */
  function checkCallEvent(input) {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return { ok: false, error: "event: not an object" };
    }
    const trigger = input.trigger;
    if (typeof trigger !== "string" || !TRIGGER_ID.test(trigger)) return { ok: false, error: "trigger: not a trigger id" };
    const callId = input.call_id;
    if (typeof callId !== "string" || callId.length === 0 || callId.length > MAX_CALL_ID) {
      return { ok: false, error: "call_id: a string of 1.." + MAX_CALL_ID + " characters is required" };
    }
    if (input.direction !== "incoming" && input.direction !== "outgoing") {
      return { ok: false, error: "direction: incoming or outgoing" };
    }
    const event = { trigger, call_id: callId, direction: input.direction };
    for (const name of TEXT_FIELDS) {
      const value = input[name] === undefined ? null : input[name];
      if (value !== null && (typeof value !== "string" || value.length > MAX_TEXT)) {
        return { ok: false, error: name + ": must be a string (at most " + MAX_TEXT + " characters) or null" };
      }
      event[name] = value;
    }
    for (const name of TIME_FIELDS) {
      const value = input[name] === undefined ? null : input[name];
      if (value !== null && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
        return { ok: false, error: name + ": must be Unix seconds (a number) or null" };
      }
      event[name] = value;
    }
    if (event.started_at === null) return { ok: false, error: "started_at: the start of the call is required" };
    const duration = input.duration === undefined ? null : input.duration;
    if (duration !== null && !(Number.isInteger(duration) && duration >= 0)) {
      return { ok: false, error: "duration: whole seconds (>= 0) or null" };
    }
    event.duration = duration;
    return endOfCall(input, event);
  }

  /** The end-of-call fields: absent or null, or one of their known values. */
  function endOfCall(input, event) {
    const pick = (name) => (input[name] === undefined ? null : input[name]);
    const outcome = pick("outcome");
    if (outcome !== null && !OUTCOMES.has(outcome)) return { ok: false, error: "outcome: unknown outcome " + String(outcome) };
    const endedBy = pick("ended_by");
    if (endedBy !== null && !ENDED_BY.has(endedBy)) return { ok: false, error: "ended_by: local, remote, transfer, page_closed, browser_closed or null" };
    const status = pick("sip_status");
    if (status !== null && !(Number.isInteger(status) && status >= 100 && status <= 699)) {
      return { ok: false, error: "sip_status: a SIP status code (100..699) or null" };
    }
    const transferTo = pick("transfer_to");
    if (transferTo !== null && (typeof transferTo !== "string" || transferTo.length > MAX_TRANSFER_TO)) {
      return { ok: false, error: "transfer_to: a string (at most " + MAX_TRANSFER_TO + " characters) or null" };
    }
    Object.assign(event, { outcome, ended_by: endedBy, sip_status: status, transfer_to: transferTo });
    return { ok: true, event };
  }

  ns.callEvent = Object.freeze({ FIELDS, checkCallEvent });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
