// Native-messaging protocol (PROTOCOL.md): message types, error codes and shape checks, shared by the worker, the pages and Node tests.
import "./call_event.js";

const { checkCallEvent } = globalThis.__uccWebhooks.callEvent;
export { checkCallEvent };

// The vocabulary (triggers, actions, content types, placeholders, conditions) is the host's: it comes in
// `hello` and the host refuses what it does not know. Requests are checked here for their shape only.
export const MASK = "********"; // header values and secrets as the host shows them; sent back = keep

// Host error codes (only ever appended), then the ones this extension adds on its side of the port.
export const HOST_ERRORS = Object.freeze([
  "invalid_frame", "invalid_json", "unknown_type", "validation_error", "not_found", "too_large",
  "disabled_by_policy", "internal", "read_only",
]);
export const PORT_ERRORS = Object.freeze([
  "timeout", "disconnected", "host_not_found", "host_forbidden", "host_incompatible", "invalid_reply", "forbidden",
]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isString = (v) => typeof v === "string";
const isId = (v) => Number.isInteger(v) || isString(v);
const problem = (where, what) => `${where}: ${what}`;

/** Field checks for each request type (besides id and type). Each returns an error text or null. */
const REQUESTS = {
  "hello": (m) => (isString(m.extension_version) ? null : problem("extension_version", "a version string is required")),
  "webhooks.list": () => null,
  "webhooks.save": (m) => (isObject(m.webhook) ? checkWebhookInput(m.webhook) : problem("webhook", "an object is required")),
  "webhooks.delete": (m) => (isString(m.webhook_id) && m.webhook_id ? null : problem("webhook_id", "required")),
  "webhooks.test": (m) => (isString(m.webhook_id) && m.webhook_id ? null : problem("webhook_id", "required")),
  "presets.list": () => null,
  // the worker checked the event as it came from the content script (bg/handlers.js); the host checks it again
  "call_event": (m) => (isObject(m.event) ? null : problem("event", "an object is required")),
  "deliveries.list": (m) => (m.limit === undefined || (Number.isInteger(m.limit) && m.limit > 0) ? null : problem("limit", "a positive integer")),
  "deliveries.retry": (m) => (isString(m.delivery_id) && m.delivery_id ? null : problem("delivery_id", "required")),
  "settings.get": () => null,
  "settings.set": (m) => (isObject(m.settings) ? null : problem("settings", "an object is required")),
  "lookups.map": (m) => (isObject(m.response_map) && (m.sample === undefined || isString(m.sample)) ? null : problem("response_map", "an object is required")),
};
export const REQUEST_TYPES = Object.freeze(Object.keys(REQUESTS).sort());

function checkWebhookInput(w) {
  if (w.id !== undefined && !isString(w.id)) return problem("webhook.id", "a string");
  if (!isString(w.trigger) || !w.trigger) return problem("webhook.trigger", "a trigger id is required");
  if (!isString(w.action) || !w.action) return problem("webhook.action", "an action id is required");
  if (!isString(w.url)) return problem("webhook.url", "a string is required");
  if (w.headers !== undefined && !(isObject(w.headers) && Object.values(w.headers).every(isString))) {
    return problem("webhook.headers", "an object of strings");
  }
  if (w.secret !== undefined && w.secret !== null && !isString(w.secret)) return problem("webhook.secret", "a string or null");
  if (w.enabled !== undefined && typeof w.enabled !== "boolean") return problem("webhook.enabled", "true or false");
  if (w.conditions !== undefined) {
    const c = w.conditions;
    if (!isObject(c)) return problem("webhook.conditions", "an object");
    if (c.numbers !== undefined && !isString(c.numbers)) return problem("webhook.conditions.numbers", "a string");
    if (c.queues !== undefined && !(Array.isArray(c.queues) && c.queues.every(isString))) return problem("webhook.conditions.queues", "a list of queue names");
    if (c.min_duration !== undefined && c.min_duration !== null && !(Number.isInteger(c.min_duration) && c.min_duration >= 0)) return problem("webhook.conditions.min_duration", "whole seconds or null");
  }
  return null;
}

/** A stored Webhook as the host returns it (webhooks.list / webhooks.save). */
export function checkWebhook(w) {
  if (!isObject(w)) return "webhook: not an object";
  if (!isString(w.id) || !w.id) return "webhook.id: required";
  const input = checkWebhookInput(w);
  if (input) return input;
  if (!["user", "admin"].includes(w.origin)) return "webhook.origin: user or admin";
  if (!isObject(w.headers)) return "webhook.headers: an object";
  return null;
}

/** Check a request frame; returns an error text or null. */
export function checkRequest(m) {
  if (!isObject(m)) return "request: not an object";
  if (!isId(m.id)) return "id: a number or string is required";
  const check = REQUESTS[m.type];
  return check ? check(m) : problem("type", `unknown type ${m.type}`);
}

const RESULTS = {
  "hello": (r) => {
    if (!isString(r.host_version)) return "host_version: required";
    if (typeof r.webhooks_enabled !== "boolean") return "webhooks_enabled: true or false";
    if (!Array.isArray(r.triggers) || !r.triggers.every((t) => isObject(t) && isString(t.id) && Array.isArray(t.placeholders))) {
      return "triggers: a list of {id, direction, placeholders}";
    }
    if (!Array.isArray(r.actions) || !r.actions.every(isString)) return "actions: a list of strings";
    if (!Array.isArray(r.placeholders) || !r.placeholders.every((p) => isObject(p) && isString(p.name))) {
      return "placeholders: a list of {name, description}";
    }
    return null;
  },
  "webhooks.list": (r) => (Array.isArray(r.webhooks) ? r.webhooks.map(checkWebhook).find(Boolean) || null : "webhooks: a list"),
  "webhooks.save": (r) => checkWebhook(r),
  "webhooks.delete": () => null,
  "webhooks.test": (r) => (typeof r.ok === "boolean" && (r.status === null || r.status === undefined || Number.isInteger(r.status)) ? null : "test outcome: {ok, status, latency_ms, error}")
    || (r.values_from === undefined || ["last_call", "sample"].includes(r.values_from) ? null : "values_from: last_call or sample"),
  "presets.list": (r) => (Array.isArray(r.presets) && r.presets.every(isPreset) ? null : "presets: a list of {id, name, trigger, action, url, body, doc_url}"),
  "call_event": (r) => (Number.isInteger(r.matched) ? null : "matched: an integer"),
  "deliveries.list": (r) => (Array.isArray(r.deliveries) && r.deliveries.every(isDelivery) ? null : "deliveries: a list of deliveries"),
  "deliveries.retry": () => null,
  "settings.get": (r) => (isObject(r.settings) ? null : "settings: an object"),
  "settings.set": (r) => (isObject(r.settings) ? null : "settings: an object"),
};

function isPreset(p) {
  return isObject(p) && ["id", "name", "trigger", "action", "url", "body", "content_type", "doc_url"].every((k) => isString(p[k])) && isObject(p.headers);
}

function isDelivery(d) {
  return isObject(d) && isString(d.id) && isString(d.state) && isString(d.url) && Number.isInteger(d.attempts);
}

/** Check a reply frame, and its result for the given request type when known; returns an error text or null. */
export function checkReply(m, type) {
  if (!isObject(m)) return "reply: not an object";
  if (!(isId(m.id) || m.id === null)) return "id: required";
  if (m.ok === true) {
    if (!isObject(m.result)) return "result: an object is required";
    const check = RESULTS[type];
    return check ? check(m.result) : null;
  }
  if (m.ok === false) {
    if (!isObject(m.error) || !isString(m.error.code) || !isString(m.error.message)) return "error: {code, message} required";
    if (m.error.field !== undefined && m.error.field !== null && !isString(m.error.field)) return "error.field: a string";
    if (m.error.reason !== undefined && !isString(m.error.reason)) return "error.reason: a string";
    if (m.error.params !== undefined && !(isObject(m.error.params) && Object.values(m.error.params).every(isString))) {
      return "error.params: an object of strings";
    }
    return null;
  }
  return "ok: true or false";
}

const NOTICES = {
  open_tab: (n) => (isString(n.url) && isHttpUrl(n.url) ? null : "url: an http(s) URL"),
  delivery: (n) => (isDelivery(n.delivery) && Number.isInteger(n.failed_count) ? null : "delivery and failed_count required"),
  policy: (n) => (typeof n.webhooks_enabled === "boolean" ? null : "webhooks_enabled: true or false"),
  // the caller card (the CRM loop): who rings, and the record to open; url is null unless the host allowed it
  contact: (n) => (isString(n.call_id) && typeof n.found === "boolean" && (n.url === null || (isString(n.url) && isHttpUrl(n.url)))
    ? null : "call_id, found and url (http(s) or null) required"),
};
export const NOTICE_TYPES = Object.freeze(Object.keys(NOTICES));

/** Check a notice (a host message without id); returns an error text or null. */
export function checkNotice(n) {
  if (!isObject(n) || n.id !== undefined) return "notice: an object without id";
  const check = NOTICES[n.type];
  return check ? check(n) : `type: unknown notice ${n.type}`;
}

/** Only http and https, for every action: open_tab never opens anything else. */
export function isHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch (e) {
    return false;
  }
}
