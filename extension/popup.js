// Popup entry: onboarding, the overview of webhooks (one row each), one webhook's editor, and the delivery log view.
//
// Stable hooks for Selenium (ids are unique on the page; data-testid repeats per row / card):
//   #tab-webhooks, #tab-log (role=tab, aria-selected), #view-webhooks, #view-editor, #view-log, #open-options
//   #host-status[data-state=connecting|connected|not_installed|forbidden|incompatible|error], #host-status-text
//   #onboarding[data-step=no_host|forbidden|host_old|host_error|no_address|not_granted|tab_unobserved|workers_unwatched] with
//     #onboarding-text, #install-command, #copy-command, #install-link, #onboarding-action, #copy-state
//   #policy-banner (visible when WEBHOOKS_ENABLED is off), #announcer (aria-live)
//   #caller-cards > #caller-card-list > li[data-testid=caller-card][data-call-id][data-found] with card-name, card-detail, card-open;
//   #caller-card-offer with #caller-card-on (switch the caller card on: asks for the notifications permission)
//   #add-webhook, #add-from-preset (+ #add-disabled-reason when they cannot be used), #preset-list, #webhooks-empty
//   #webhook-list > li[data-testid=webhook-row][data-webhook-id][data-origin][data-enabled] with
//     row-enabled (switch), row-open (opens the editor; row-name, row-sub), row-state[data-state] (dot + text), row-admin
//   #editor-back, #editor-title, #editor-slot > article[data-testid=webhook][data-webhook-id][data-origin][data-save-state]
//     inside: webhook-enabled, webhook-name, webhook-trigger, webhook-action, webhook-url, post-fields,
//     lookup-fields (map-contact_id, map-contact_name, map-contact_company, map-contact_url, map-sample, try-map,
//     map-result[data-ok][data-found], map-answer), contact-fields (contact-hosts), fallback-fields (fallback-url),
//     conditions > condition-numbers, condition-queues, condition-min-duration, condition-contact,
//     webhook-content-type, webhook-body, placeholder-chips > placeholder-chip, chip-reason, header-list > header-row
//     (header-name, header-value, remove-header), add-header, secret-state, generate-secret, remove-secret,
//     secret-once-box, secret-once, copy-secret, field-error[data-for=<host error.field>], admin-badge,
//     disabled-reason, test-webhook, test-result[data-ok], save-state, delete-webhook (twice: it asks first)
//   #delivery-filter (webhook id), #delivery-state-filter, #refresh-deliveries, #deliveries-empty, #drops > #drop-list > li[data-reason],
//   #delivery-list > li[data-testid=delivery][data-delivery-id][data-webhook-id][data-state] with
//     delivery-state, delivery-detail, delivery-url and, for failed background requests, retry-delivery
import { loadReasonPositions, localize, t } from "./ui/i18n.js";
import { onBroadcast, pageStates, request, settings as readSettings, status as hostStatus, syncScripts } from "./ui/host.js";
import { renderStatus } from "./ui/status.js";
import { blankWebhook, copyText, createCard } from "./ui/webhook_card.js";
import { createDeliveryLog } from "./ui/deliveries.js";
import { createOverview, lastDeliveries } from "./ui/overview.js";
import { openPresetPicker } from "./ui/presets.js";
import { portless } from "./common/origins.js";
import { onboardingStep, renderOnboarding, unwatchedWorkerTabs } from "./ui/onboarding.js";
import { reloadTab, unobservedTabs } from "./ui/tabs.js";
import { createCardList, permissionGranted, shouldOffer, switchOn } from "./ui/caller_card.js";

const api = globalThis.browser || globalThis.chrome;
const $ = (id) => document.getElementById(id);

let hello = null;
let lastStatus = {};
let webhooks = [];
let editor = null; // {card, opener}

const announce = (text) => {
  $("announcer").textContent = "";
  setTimeout(() => { $("announcer").textContent = text; }, 30); // a change, so that it is read again
};

const log = createDeliveryLog({
  list: $("delivery-list"), empty: $("deliveries-empty"), filter: $("delivery-filter"), stateFilter: $("delivery-state-filter"),
  refreshButton: $("refresh-deliveries"), drops: $("drops"), dropList: $("drop-list"),
});
const overview = createOverview({ list: $("webhook-list"), empty: $("webhooks-empty"), onOpen: openEditor, onToggle: toggle });

function redraw() {
  overview.render(webhooks, lastDeliveries(log.all()));
  log.setWebhooks(webhooks);
  offerCallerCard().catch(() => {});
}

// -- the caller card: the current calls' cards, and the offer to switch it on where a lookup runs on ringing calls
const cards = createCardList({ section: $("caller-cards"), list: $("caller-card-list") });
let cardGranted = false;
async function offerCallerCard() {
  const [current, granted] = await Promise.all([readSettings(), permissionGranted()]);
  cardGranted = granted;
  $("caller-card-offer").hidden = !shouldOffer({ settings: current, granted, webhooks });
}
$("caller-card-on").addEventListener("click", () => {
  switchOn({ granted: cardGranted }).then((on) => { // asked at once, inside the click
    $("caller-card-offer").hidden = on;
    announce(t(on ? "callerCardSwitchedOn" : "callerCardDenied"));
  });
});

function upsert(saved) {
  const i = webhooks.findIndex((w) => w.id === saved.id);
  if (i >= 0) webhooks[i] = saved;
  else webhooks.push(saved);
  redraw();
}

async function toggle(webhook, enabled) {
  const saved = await request("webhooks.save", { webhook: { ...webhook, enabled } });
  upsert(saved);
  announce(`${saved.name || t("unnamedWebhook")}: ${t(enabled ? "fieldEnabled" : "rowSwitchedOff")}`);
}

// -- views --------------------------------------------------------------------------------------
function showView(name) {
  $("view-webhooks").hidden = name !== "webhooks";
  $("view-log").hidden = name !== "log";
  $("view-editor").hidden = name !== "editor";
  for (const [tab, view] of [["tab-webhooks", "webhooks"], ["tab-log", "log"]]) {
    const selected = name === view || (name === "editor" && view === "webhooks");
    $(tab).setAttribute("aria-selected", String(selected));
    $(tab).tabIndex = selected ? 0 : -1;
  }
}

function openEditor(webhook, row) {
  closeEditor({ focus: false });
  const card = createCard({
    webhook, hello, announce,
    onSaved: (saved) => { upsert(saved); $("editor-title").textContent = t("editorTitleEdit"); },
    onDeleted: (gone) => {
      webhooks = webhooks.filter((w) => w.id !== gone.id);
      redraw();
      closeEditor({ focus: false });
      $("add-webhook").focus();
    },
  });
  editor = { card, opener: row ? row.querySelector(".row-open") : $("add-webhook") };
  $("editor-title").textContent = t(webhook.id ? "editorTitleEdit" : "editorTitleNew");
  $("editor-slot").replaceChildren(card.element);
  showView("editor");
  card.shown();
  (card.element.querySelector('[data-field="url"]:not(:disabled)') || $("editor-back")).focus();
}

function closeEditor({ focus = true } = {}) {
  if (!editor) return;
  const { card, opener } = editor;
  editor = null;
  card.flush().catch(() => {});
  $("editor-slot").replaceChildren();
  showView("webhooks");
  const id = card.webhook().id;
  const target = (id && overview.opener(id)) || opener;
  if (focus && target && target.isConnected) target.focus();
}

function tabKeys(event) {
  const tabs = [$("tab-webhooks"), $("tab-log")];
  const i = tabs.indexOf(event.target);
  if (i < 0 || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
  event.preventDefault();
  const next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: tabs.length - 1 }[event.key];
  const tab = tabs[(next + tabs.length) % tabs.length];
  tab.focus();
  tab.click();
}

// -- host and onboarding ------------------------------------------------------------------------
/** UCC tabs whose page runs workers and no SIP socket of its own, where workers are not watched. */
async function workerTabs(granted, watching) {
  if (!granted.length) return [];
  const [states, tabs] = await Promise.all([pageStates().catch(() => ({})), api.tabs.query({ url: granted.map(portless) }).catch(() => [])]);
  return unwatchedWorkerTabs({ states, tabs, origins: granted, watching });
}

/** Opt the origin in to watching workers, wait for the new registration, reload the tab. */
async function watchWorkers(origin, tab) {
  const { watchWorkerOrigins } = await api.storage.local.get("watchWorkerOrigins");
  const mine = Array.isArray(watchWorkerOrigins) ? watchWorkerOrigins : [];
  await api.storage.local.set({ watchWorkerOrigins: [...new Set([...mine, origin])] });
  await syncScripts().catch(() => {});
  await reloadTab(api.tabs, tab.id);
}

async function checkOnboarding() {
  let origins = [];
  let granted = [];
  let unobserved = [];
  let workers = [];
  let watchingManaged = false;
  if (lastStatus.state === "connected") {
    const current = await readSettings();
    origins = current.uccOrigins;
    watchingManaged = current.managed.includes("watchWorkerOrigins");
    const allowed = await Promise.all(origins.map((o) => api.permissions.contains({ origins: [portless(o)] })));
    granted = origins.filter((o, i) => allowed[i]);
    unobserved = await unobservedTabs(api, granted);
    workers = await workerTabs(granted, current.watchWorkerOrigins);
  }
  const found = onboardingStep({ status: lastStatus, origins, granted, unobserved, workerTabs: workers, watchingManaged });
  renderOnboarding(found, {
    box: $("onboarding"), text: $("onboarding-text"), command: $("install-command"), copy: $("copy-command"),
    link: $("install-link"), action: $("onboarding-action"),
  }, {
    openOptions: () => api.runtime.openOptionsPage(),
    grant: (origin) => api.permissions.request({ origins: [origin] }).then(() => request("hello").catch(() => {})).finally(() => checkOnboarding()),
    reload: (tab) => reloadTab(api.tabs, tab.id).then(() => checkOnboarding()),
    watchWorkers: (origin, tab) => watchWorkers(origin, tab).then(() => checkOnboarding()),
  }, { extensionVersion: api.runtime.getManifest().version });
}

function showStatus(status) {
  lastStatus = { ...lastStatus, ...status };
  const state = renderStatus(lastStatus, { section: $("host-status"), text: $("host-status-text"), banner: $("policy-banner") });
  $("add-webhook").disabled = state !== "connected";
  $("add-from-preset").disabled = state !== "connected";
  $("add-disabled-reason").hidden = state === "connected" || state === "connecting";
  if (state !== "connecting") checkOnboarding().catch((e) => console.warn("ucc-webhooks: onboarding check failed", e));
  if (state === "connected" && !hello) {
    loadAll(lastStatus.hello).catch((error) => {
      hello = null;
      showStatus({ state: "error", error: { code: error.code, message: error.message } });
    });
  }
}

async function loadAll(helloResult) {
  hello = helloResult;
  ({ webhooks } = await request("webhooks.list"));
  redraw();
  await log.load();
  redraw();
}

onBroadcast((message) => {
  if (message.type === "ucc-webhooks:status") showStatus(message.status);
  else if (message.type === "ucc-webhooks:delivery") { log.add(message.delivery); redraw(); }
  else if (message.type === "ucc-webhooks:policy") showStatus({ hostEnabled: message.webhooks_enabled });
});

localize();
loadReasonPositions();
cards.load();
showView("webhooks");
$("tab-webhooks").addEventListener("click", () => { closeEditor({ focus: false }); showView("webhooks"); });
$("tab-log").addEventListener("click", () => { closeEditor({ focus: false }); showView("log"); if (hello) log.load().then(redraw, () => {}); });
for (const id of ["tab-webhooks", "tab-log"]) $(id).addEventListener("keydown", tabKeys);
$("editor-back").addEventListener("click", () => closeEditor());
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && editor) { e.preventDefault(); closeEditor(); }
});
$("copy-command").addEventListener("click", () => copyText($("install-command").textContent, $("copy-state")));
$("add-webhook").addEventListener("click", () => openEditor(blankWebhook(hello), null));
$("add-from-preset").addEventListener("click", () => openPresetPicker({
  anchor: $("add-from-preset").closest(".list-head"),
  onCreated: (saved) => { upsert(saved); openEditor(saved, null); },
}));
$("open-options").addEventListener("click", () => api.runtime.openOptionsPage());
hostStatus().then(showStatus, (error) => showStatus({ state: "error", error: { code: error.code, message: error.message } }));
