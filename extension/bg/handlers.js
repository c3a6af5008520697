// Runtime-message dispatch table of the service worker: who may send what, and the handler for each type.
import { checkCallEvent } from "../common/protocol.js";
import { urlMatches } from "../common/origins.js";

// Host requests the popup and options page may pass through (call_event and hello are the worker's own).
export const PAGE_REQUESTS = Object.freeze(new Set([
  "webhooks.list", "webhooks.save", "webhooks.delete", "webhooks.test", "presets.list",
  "deliveries.list", "deliveries.retry", "settings.get", "settings.set", "lookups.map",
]));

// A test waits for the target's answer, which the host itself allows request_timeout_s (10 s by default).
const TIMEOUTS_MS = Object.freeze({ "webhooks.test": 30000 });

/** "content" for our content scripts, "page" for our own pages (popup, options), null for anyone else. */
export function senderKind(sender, runtime) {
  if (!sender || sender.id !== runtime.id) return null;
  const base = runtime.getURL("");
  if (typeof sender.url === "string" && sender.url.startsWith(base)) return "page";
  return sender.tab ? "content" : null;
}

/** The page a content script speaks for: its frame's origin (about:blank frames inherit it), else the tab's URL. */
function pageUrl(sender) {
  if (typeof sender.origin === "string" && /^https?:/.test(sender.origin)) return sender.origin + "/";
  if (typeof sender.url === "string" && /^https?:/.test(sender.url)) return sender.url;
  return (sender.tab && sender.tab.url) || "";
}

const noGuard = { admitEvent: (from, event, forward) => { forward(event); return "forwarded"; } };
const noDrops = { record: () => {}, get: async () => ({ count: 0, byReason: {}, last: [] }) };
const noOpenCalls = { seen: async () => {}, answered: async () => {}, documentStarted: async () => {}, leaving: async () => {} };

/**
 * The one path of every call event to the host: the page's (observer or bridge) and the ends that
 * bg/open_calls.js makes up for a page or browser that went away. Shape, the policy switch, the
 * configured origin (`url`, the sender's page; null for a made-up end), the page-bridge switch,
 * then the source's budget (bg/guard.js). from: {source, tab, frame, doc}.
 */
export async function admitCallEvent({ port, settings, guard = noGuard, drops = noDrops, openCalls = noOpenCalls }, input, from, url = null) {
  const checked = checkCallEvent(input);
  if (!checked.ok) {
    drops.record("invalid_event", input && typeof input.trigger === "string" ? input.trigger.slice(0, 64) : null);
    throw Object.assign(new Error(checked.error), { code: "validation_error", field: "event" });
  }
  const current = await settings();
  if (!current.webhooksEnabled) return { forwarded: false, reason: "disabled_by_policy" };
  // The registration is portless (Firefox ignores ports): the configured port is checked here.
  if (url !== null && !urlMatches(current.uccOrigins, url)) {
    drops.record("origin_not_configured", checked.event.trigger);
    return { forwarded: false, reason: "origin_not_configured" };
  }
  if (from.source === "bridge" && !current.pageBridge) { // switched off while the page still sent
    drops.record("bridge_off", checked.event.trigger);
    return { forwarded: false, reason: "bridge_off" };
  }
  const verdict = guard.admitEvent(from, checked.event, (event) => port.sendCallEvent(event));
  await openCalls.seen(from, checked.event, verdict);
  if (verdict === "forwarded") return { forwarded: true };
  return { forwarded: verdict !== "dropped", reason: verdict }; // held (fork), duplicate or dropped
}

/** Who sent a content script's message: its source of events, tab, frame and document. */
function fromSender(message, sender) {
  return {
    source: message.source === "bridge" ? "bridge" : "observer",
    tab: sender.tab ? sender.tab.id : null,
    frame: Number.isInteger(sender.frameId) ? sender.frameId : 0,
    doc: typeof message.doc === "string" ? message.doc.slice(0, 64) : null,
  };
}

/**
 * deps: {port (HostPort), settings() -> effective settings, freshSettings() -> the same with local settings read
 *   afresh, state {hostEnabled, failedCount}, sync() re-registers scripts, guard, drops, openCalls (bg/open_calls.js)}.
 * Each entry: {from: "content"|"page", handle(message) -> result (or throws an error with .code)}.
 */
export function createHandlers({ port, settings, state, sync, guard = noGuard, drops = noDrops, openCalls = noOpenCalls, freshSettings = settings }) {
  const deps = { port, settings, guard, drops, openCalls };
  return {
    "call_event": {
      from: "content",
      handle(message, sender = {}) {
        return admitCallEvent(deps, message.event, fromSender(message, sender), sender.tab ? pageUrl(sender) : null);
      },
    },
    "call.answered": {
      from: "content",
      // An outgoing call was answered (no trigger fires then): its made-up end needs to know.
      async handle(message, sender = {}) {
        if (typeof message.call_id !== "string" || !(typeof message.answered_at === "number" && Number.isFinite(message.answered_at))) {
          return { recorded: false };
        }
        await openCalls.answered(fromSender(message, sender), message.call_id, message.answered_at);
        return { recorded: true };
      },
    },
    "page.leaving": {
      from: "content",
      async handle(message, sender = {}) {
        // After the settings, as call_event waits for them: a real end the page sent just before
        // it went away is seen first, and no end is made up for it.
        await settings();
        await openCalls.leaving(fromSender(message, sender));
        return {};
      },
    },
    "page.unwatched": {
      from: "content",
      // Counted with the drops: calls in that worker cannot be seen, and the popup's log is where
      // the person who wonders why nothing fires looks. One word only, whatever the page sends.
      handle(message) {
        if (message.reason !== "csp_blob_worker") return { recorded: false };
        drops.record("worker_unwatched_csp", null);
        return { recorded: true };
      },
    },
    "drops.get": {
      from: "page",
      handle: () => drops.get(),
    },
    "config.get": {
      from: "content",
      // Asked by every new document: also its hello, which tells that the frame's last document is gone.
      async handle(message, sender = {}) {
        if (sender.tab) await openCalls.documentStarted(fromSender(message, sender));
        const { queueRule, userName, webhooksEnabled, pageBridge } = await freshSettings();
        return { queueRule, userName, webhooksEnabled, pageBridge };
      },
    },
    "host.status": {
      from: "page",
      async handle() {
        try {
          await port.connect();
          // Ask again: the host reads its policy file at every request, and the popup must show it now.
          const fresh = await port.request("hello", { extension_version: port.extensionVersion }, 3000);
          state.hostEnabled = fresh.webhooks_enabled;
        } catch (e) { /* the status carries the error */ }
        const current = await settings();
        return {
          ...port.snapshot(),
          extensionVersion: port.extensionVersion,
          policyEnabled: current.webhooksEnabled,
          hostEnabled: state.hostEnabled,
          failedCount: state.failedCount,
        };
      },
    },
    "host.request": {
      from: "page",
      handle(message) {
        const request = message.request || {};
        if (!PAGE_REQUESTS.has(request.type)) {
          throw Object.assign(new Error(`request type ${request.type} is not available to pages`), { code: "unknown_type" });
        }
        const { type, ...fields } = request;
        return port.request(type, fields, TIMEOUTS_MS[type]);
      },
    },
    "settings.read": {
      from: "page",
      handle: () => settings(),
    },
    "scripts.sync": {
      from: "page",
      handle: () => sync(),
    },
  };
}

/** runtime.onMessage listener over a handler table; replies {ok, result} or {ok: false, error: {code, message, field}}. */
export function createListener(table, runtime) {
  return function onMessage(message, sender, sendResponse) {
    const entry = message && typeof message.type === "string" ? table[message.type] : undefined;
    if (!entry) return false;
    const kind = senderKind(sender, runtime);
    if (kind !== entry.from) {
      sendResponse({ ok: false, error: { code: "forbidden", message: `${message.type} is not accepted from this sender`, field: null } });
      return false;
    }
    Promise.resolve()
      .then(() => entry.handle(message, sender))
      .then(
        (result) => sendResponse({ ok: true, result: result === undefined ? null : result }),
        (error) => sendResponse({ ok: false, error: {
          code: error.code || "internal", message: String(error.message || error), field: error.field || null,
          reason: error.reason || null, params: error.params || null,
        } }),
      );
    return true; // the answer comes asynchronously
  };
}
