// Service worker (background script in Firefox): wires the native port, notices, messages, alarms, open calls and script registration together.
import { HostPort } from "./bg/port.js";
import { admitCallEvent, createHandlers, createListener } from "./bg/handlers.js";
import { createNoticeHandlers } from "./bg/notices.js";
import { syncContentScripts } from "./bg/registration.js";
import { LOCAL_KEYS, createSettingsReader } from "./bg/settings.js";
import { createDropLog, createGuard, evictionIndex } from "./bg/guard.js";
import { installCallerCard } from "./bg/caller_card.js";
import { createPageStates, forgetOnNavigation, pageStateHandlers } from "./bg/page_state.js";
import { createOpenCalls } from "./bg/open_calls.js";
import { heartbeatSwitch, watchPageLife } from "./bg/page_life.js";

const api = globalThis.browser || globalThis.chrome;
const RETRY_ALARM = "ucc-webhooks-retry";
const state = { hostEnabled: null, failedCount: 0 }; // from the host: its policy and the failed-delivery count

function setHostEnabled(enabled) {
  if (state.hostEnabled === enabled) return;
  state.hostEnabled = enabled;
  broadcast({ type: "ucc-webhooks:policy", webhooks_enabled: enabled });
}

function broadcast(message) {
  // Reaches open popup/options pages; without one, "Receiving end does not exist" is expected.
  api.runtime.sendMessage(message).catch(() => {});
}

const drops = createDropLog({
  storage: api.storage.session || null,
  onChange: (log) => broadcast({ type: "ucc-webhooks:drops", drops: log }),
});
const guard = createGuard({ drops });
const notices = createNoticeHandlers({
  tabs: api.tabs, action: api.action, broadcast, state, admitTab: guard.admitTab, onContact: (notice) => callerCard.show(notice),
});

const sessionStore = api.storage.session && {
  load: async () => (await api.storage.session.get("pendingCallEvents")).pendingCallEvents || [],
  save: (events) => api.storage.session.set({ pendingCallEvents: events }),
};

const port = new HostPort({
  runtime: api.runtime,
  extensionVersion: api.runtime.getManifest().version,
  // A backstop for a suspended worker; the port's own timer does the short retries while it lives.
  // Chromium refuses alarms sooner than 30 s in packed extensions (and warns in unpacked ones).
  wakeAt: (when) => api.alarms.create(RETRY_ALARM, { when: Math.max(when, Date.now() + 30000) }),
  store: sessionStore,
  evict: (queue) => {
    const index = evictionIndex(queue, guard.sawStart);
    drops.record("queue_full", queue[index].event.trigger);
    return index;
  },
  onNotice: (notice) => notices.handlers[notice.type](notice),
  // The host answers {matched: 0, disabled_by_policy: true} while its policy file switches webhooks off.
  onEventResult: (result) => {
    if (result && result.refused) drops.record("refused_by_host", result.event.trigger);
    else setHostEnabled(!(result && result.disabled_by_policy));
  },
  onStatus(status) {
    broadcast({ type: "ucc-webhooks:status", status });
    api.action.setTitle({ title: status.error ? `UCC Webhooks: ${status.error.message}` : "UCC Webhooks" }).catch(() => {});
    if (status.state === "connected") {
      tellManagedSwitch();
      state.hostEnabled = status.hello.webhooks_enabled;
      if (Number.isInteger(status.hello.failed_count)) notices.setBadge(status.hello.failed_count);
      else port.request("deliveries.list", { limit: 1 }).then((r) => notices.setBadge(r.failed_count), () => {});
    }
  },
});

const settings = createSettingsReader(api.storage);
// a click on the card opens its record the way an open_tab notice does (http/https, the tab cap)
const callerCard = installCallerCard(api, {
  readSettings: () => settings.read(),
  openTab: (card) => notices.handlers.open_tab({ type: "open_tab", url: card.url, webhook_id: card.webhook_id }),
});
const cardGuard = callerCard.watch(guard); // every forwarded event passes the card: a call's end takes its card away

// The host stops retries and tests while managed storage switches webhooks off: it is told in a
// second hello once managed storage is read (the first read is slow), and again on every change.
function tellManagedSwitch() {
  settings.read().then(({ webhooksEnabled }) => port.request("hello", {
    extension_version: api.runtime.getManifest().version, managed_webhooks_enabled: webhooksEnabled,
  })).catch(() => {});
}
settings.read(); // start the slow first read of managed storage now, not at the first call

async function sync() {
  const { uccOrigins, watchWorkerOrigins } = await settings.read();
  const scripts = await syncContentScripts(api.scripting, uccOrigins, watchWorkerOrigins);
  return { origins: uccOrigins, registered: scripts.map((s) => s.id) };
}

// Calls whose end is still due: a made-up end takes the same path as the page's events.
const openCalls = createOpenCalls({
  storage: api.storage.local,
  end: (event, from) => admitCallEvent({ port, settings: () => settings.read(), guard: cardGuard, drops, openCalls }, event, from),
  onCount: heartbeatSwitch(api.alarms),
});
watchPageLife({ api, openCalls });
openCalls.resume(); // an end a stopped worker had on its way

const pageStates = createPageStates({ storage: api.storage.session || null });
const handlers = {
  ...createHandlers({ port, settings: () => settings.read(), freshSettings: () => settings.fresh(), state, sync, guard: cardGuard, drops, openCalls }),
  ...pageStateHandlers(pageStates),
};
api.runtime.onMessage.addListener(createListener(handlers, api.runtime));

api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RETRY_ALARM) port.wake();
});
api.storage.onChanged.addListener((changes, area) => {
  if (area === "managed") {
    settings.managedChanged();
    if (port.status.state === "connected") tellManagedSwitch();
  }
  if (area === "local" && LOCAL_KEYS.some((key) => key in changes)) settings.localChanged(); // not for openCalls
  if ((area === "local" || area === "managed") && ("uccOrigins" in changes || "watchWorkerOrigins" in changes)) sync();
});
api.permissions.onAdded.addListener(() => sync());
if (api.tabs.onRemoved) api.tabs.onRemoved.addListener((tabId) => guard.forgetTab(tabId));
forgetOnNavigation(api.tabs, pageStates);
api.runtime.onInstalled.addListener(() => sync());
api.runtime.onStartup.addListener(() => sync());

port.restore().catch((error) => console.warn("ucc-webhooks: could not restore queued call events:", error));
