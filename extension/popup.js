// Popup entry: host status, policy banner, webhook cards and delivery log, all talking to the host through the worker.
//
// Stable hooks for Selenium (ids are unique on the page; data-testid repeats per webhook card / row):
//   #host-status[data-state=connecting|connected|not_installed|forbidden|incompatible|error]
//   #host-status-text, #install-command (the one command to run, shown when the host is missing)
//   #policy-banner (visible when WEBHOOKS_ENABLED is off), #open-options,
//   #origins-hint[data-reason=missing|not_granted] (no UCC address configured / none allowed yet), #origins-hint-open
//   #webhook-list > article[data-testid=webhook][data-webhook-id][data-origin=user|admin][data-save-state=idle|saving|saved|error|needs-url]
//     inside a card: webhook-enabled, webhook-name, webhook-trigger, webhook-action, webhook-url,
//     post-fields (hidden unless action=post), webhook-content-type, webhook-body,
//     placeholder-chips > placeholder-chip[data-placeholder][aria-disabled][data-reason], chip-reason,
//     header-list > header-row (header-name, header-value, remove-header), add-header,
//     secret-state, generate-secret, remove-secret, secret-once-box, secret-once,
//     field-error[data-for=<host error.field>] ("" = not tied to a field), admin-badge, disabled-reason,
//     test-webhook, test-result[data-ok=true|false], save-state, delete-webhook (click twice: it asks first)
//   #add-webhook, #webhooks-empty
//   #delivery-filter (value = webhook id, "" = all), #refresh-deliveries, #deliveries-empty,
//   #delivery-list > li[data-testid=delivery][data-delivery-id][data-webhook-id][data-state] with
//     delivery-state, delivery-detail and, for failed ones, retry-delivery
import { localize } from "./ui/i18n.js";
import { onBroadcast, request, settings as readSettings, status as hostStatus } from "./ui/host.js";
import { t } from "./ui/i18n.js";
import { renderStatus } from "./ui/status.js";
import { blankWebhook, createCard } from "./ui/webhook_card.js";
import { createDeliveryLog } from "./ui/deliveries.js";
import { openPresetPicker } from "./ui/presets.js";

const api = globalThis.browser || globalThis.chrome;
const $ = (id) => document.getElementById(id);

const cards = [];
let hello = null;
let lastStatus = null;

const log = createDeliveryLog({
  list: $("delivery-list"), empty: $("deliveries-empty"), filter: $("delivery-filter"), refreshButton: $("refresh-deliveries"),
});

function showStatus(status) {
  lastStatus = { ...lastStatus, ...status };
  const state = renderStatus(lastStatus, {
    section: $("host-status"), text: $("host-status-text"), command: $("install-command"), banner: $("policy-banner"),
  });
  $("add-webhook").disabled = state !== "connected";
  if (state === "connected" && !hello) {
    loadAll(lastStatus.hello).catch((error) => {
      hello = null;
      showStatus({ state: "error", error: { code: error.code, message: error.message } });
    });
  }
}

function webhooksChanged() {
  const live = cards.filter((c) => c.element.isConnected);
  cards.splice(0, cards.length, ...live);
  $("webhooks-empty").hidden = cards.length > 0;
  log.setWebhooks(cards.map((c) => c.webhook()));
}

function addCard(webhook, { focus = false } = {}) {
  const card = createCard({ webhook, hello, onSaved: webhooksChanged, onDeleted: webhooksChanged });
  cards.push(card);
  $("webhook-list").append(card.element);
  if (focus) card.element.querySelector('[data-field="url"]').focus();
  webhooksChanged();
}

async function loadAll(helloResult) {
  hello = helloResult;
  const { webhooks } = await request("webhooks.list");
  $("webhook-list").replaceChildren();
  cards.length = 0;
  for (const webhook of webhooks) addCard(webhook);
  webhooksChanged();
  await log.load();
}

onBroadcast((message) => {
  if (message.type === "ucc-webhooks:status") showStatus(message.status);
  else if (message.type === "ucc-webhooks:delivery") log.add(message.delivery);
  else if (message.type === "ucc-webhooks:policy") showStatus({ hostEnabled: message.webhooks_enabled });
});

/** Tell the agent when no call can be seen yet: no UCC address, or no access granted to any. */
async function showOriginsHint() {
  const { uccOrigins } = await readSettings();
  const granted = await Promise.all(uccOrigins.map((o) => api.permissions.contains({ origins: [o] })));
  const reason = !uccOrigins.length ? "missing" : granted.some(Boolean) ? null : "not_granted";
  $("origins-hint").hidden = !reason;
  $("origins-hint").dataset.reason = reason || "";
  $("origins-hint-text").textContent = reason === "missing" ? t("originsMissing") : reason ? t("originsNotGranted") : "";
}

localize();
showOriginsHint().catch(() => {});
$("origins-hint-open").addEventListener("click", () => api.runtime.openOptionsPage());
$("add-webhook").addEventListener("click", () => addCard(blankWebhook(hello), { focus: true }));
$("add-from-preset").addEventListener("click", () => openPresetPicker({ anchor: $("add-from-preset"), onCreated: (w) => addCard(w, { focus: true }) }));
$("open-options").addEventListener("click", () => api.runtime.openOptionsPage());
hostStatus().then(showStatus, (error) => showStatus({ state: "error", error: { code: error.code, message: error.message } }));
