// The pages' way to the host: every request goes through the service worker, which owns the native port.
const api = globalThis.browser || globalThis.chrome;

/** An error from the worker or the host, with the host's code and (for validation) the field. */
export class RequestError extends Error {
  constructor({ code, message, field, reason, params }) {
    super(message);
    this.code = code;
    this.field = field || null;
    this.reason = reason || null; // translated as host_<reason> (ui/i18n.js errorText)
    this.params = params || {};
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** runtime.sendMessage, tried again while the worker is still starting (right after the browser started). */
async function deliver(message, tries = 10) {
  for (let n = 1; ; n++) {
    try {
      return await api.runtime.sendMessage(message);
    } catch (error) {
      if (n >= tries || !/receiving end does not exist|could not establish connection/i.test(String(error && error.message))) throw error;
      await sleep(200);
    }
  }
}

async function ask(message) {
  const reply = await deliver(message);
  if (!reply) throw new RequestError({ code: "disconnected", message: "the extension's worker did not answer" });
  if (!reply.ok) throw new RequestError(reply.error);
  return reply.result;
}

/** Send one host request, e.g. request("webhooks.save", {webhook}); resolves to its result. */
export function request(type, fields = {}) {
  return ask({ type: "host.request", request: { type, ...fields } });
}

/** Port status: {state, hostVersion, hello, error, queued, dropped, policyEnabled, hostEnabled, failedCount, extensionVersion}. */
export function status() {
  return ask({ type: "host.status" });
}

/** Effective extension settings (storage.local overlaid by managed storage). */
export function settings() {
  return ask({ type: "settings.read" });
}

/** What each UCC tab's page reported about its workers: {tabId: {workers, sipSeen, url, at}} (bg/page_state.js). */
export function pageStates() {
  return ask({ type: "page.states" });
}

/** Ask the worker to re-register the page scripts (after a permission was granted). */
export function syncScripts() {
  return ask({ type: "scripts.sync" });
}

/** Listen to the worker's broadcasts: status, delivery and policy changes. */
export function onBroadcast(fn) {
  api.runtime.onMessage.addListener((message) => {
    if (message && typeof message.type === "string" && message.type.startsWith("ucc-webhooks:")) fn(message);
  });
}

/** The installer's name for this browser, for the one command that installs the host. */
export function browserName(nav = globalThis.navigator) {
  const ua = nav.userAgent || "";
  if (/Firefox\//.test(ua)) return "firefox";
  if (/Edg\//.test(ua)) return "edge";
  if (nav.brave) return "brave";
  if (/Vivaldi/.test(ua)) return "vivaldi";
  const brands = (nav.userAgentData && nav.userAgentData.brands) || [];
  if (brands.some((b) => b.brand === "Google Chrome")) return "chrome";
  return "chromium";
}

export function installCommand(nav) {
  return `ucc-webhooks install --browser ${browserName(nav)}`;
}
