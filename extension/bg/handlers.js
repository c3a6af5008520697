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

/**
 * deps: {port (HostPort), settings() -> effective settings, state {hostEnabled, failedCount}, sync() re-registers scripts}.
 * Each entry: {from: "content"|"page", handle(message) -> result (or throws an error with .code)}.
 */
/** The page a content script speaks for: its frame's origin (about:blank frames inherit it), else the tab's URL. */
function pageUrl(sender) {
  if (typeof sender.origin === "string" && /^https?:/.test(sender.origin)) return sender.origin + "/";
  if (typeof sender.url === "string" && /^https?:/.test(sender.url)) return sender.url;
  return (sender.tab && sender.tab.url) || "";
}

const noGuard = { admitEvent: (tabId, event, forward) => { forward(event); return "forwarded"; } };
const noDrops = { record: () => {}, get: async () => ({ count: 0, byReason: {}, last: [] }) };

export function createHandlers({ port, settings, state, sync, guard = noGuard, drops = noDrops }) {
  return {
    "call_event": {
      from: "content",
      async handle(message, sender = {}) {
        const checked = checkCallEvent(message.event);
        if (!checked.ok) {
          drops.record("invalid_event", message.event && typeof message.event.trigger === "string" ? message.event.trigger.slice(0, 64) : null);
          throw Object.assign(new Error(checked.error), { code: "validation_error", field: "event" });
        }
        const current = await settings();
        if (!current.webhooksEnabled) return { forwarded: false, reason: "disabled_by_policy" };
        // The registration is portless (Firefox ignores ports): the configured port is checked here.
        if (sender.tab && !urlMatches(current.uccOrigins, pageUrl(sender))) {
          drops.record("origin_not_configured", checked.event.trigger);
          return { forwarded: false, reason: "origin_not_configured" };
        }
        const tabId = sender.tab ? sender.tab.id : null;
        const verdict = guard.admitEvent(tabId, checked.event, (event) => port.sendCallEvent(event));
        if (verdict === "forwarded") return { forwarded: true };
        return { forwarded: verdict !== "dropped", reason: verdict }; // held (fork), duplicate or dropped
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
      async handle() {
        const { queueRule, userName, webhooksEnabled } = await settings();
        return { queueRule, userName, webhooksEnabled };
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
