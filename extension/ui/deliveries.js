// The delivery log view: deliveries.list newest first, filter by webhook and state, URLs decoded, "send again" where it means something, lookups with their contact, dropped events.
import { errorText, label, t } from "./i18n.js";
import { request } from "./host.js";

const api = globalThis.browser || globalThis.chrome;
const LIMIT = 100;
const STATES = ["delivered", "failed", "pending", "cancelled", "opened", "dropped", "found", "not_found"];

function time(seconds) {
  return typeof seconds === "number" ? new Date(seconds * 1000).toLocaleString() : "";
}

/** A URL as a person reads it: percent-escapes decoded where they decode (Anna%20M%C3%BCller -> Anna Müller). */
export function readableUrl(url) {
  const text = String(url || "");
  try {
    return decodeURI(text).replace(/%[0-9A-Fa-f]{2}(%[0-9A-Fa-f]{2})*/g, (m) => {
      try { return decodeURIComponent(m); } catch (e) { return m; }
    });
  } catch (e) {
    return text;
  }
}

/** Tabs open once and background requests are attempted: attempts and "send again" mean something only for the latter. */
export function isBackground(delivery) {
  return delivery.action !== "open_tab" && delivery.state !== "opened";
}

/** A lookup is asked once, at once, and never again: no attempts, no "send again". */
export const isLookup = (delivery) => delivery.action === "lookup";

/** "send again" for failed background requests, never for a lookup (its call has moved on; the host refuses it). */
export function canRetry(delivery) {
  return delivery.state === "failed" && isBackground(delivery) && !isLookup(delivery);
}

/** The contact a lookup found, as a person reads it: "Anna Müller (ACME GmbH)"; "" when none. */
export function contactText(delivery) {
  const c = isLookup(delivery) && delivery.state === "found" ? delivery.contact : null;
  if (!c) return "";
  const name = c.name || c.id || "";
  return c.company && c.company !== name ? `${name} (${c.company})` : name;
}

/** The detail line: trigger, the outcome (contact, error or status), the time it took, attempts. */
export function outcomeText(delivery) {
  const background = isBackground(delivery);
  const outcome = contactText(delivery) || delivery.last_error || delivery.reason || (delivery.last_status ? `HTTP ${delivery.last_status}` : "");
  return [
    label("trigger", delivery.trigger),
    outcome,
    background && typeof delivery.latency_ms === "number" ? `${Math.round(delivery.latency_ms)} ms` : "",
    background && !isLookup(delivery) && delivery.attempts > 0 ? t("deliveryAttempts", delivery.attempts) : "",
  ].filter(Boolean).join(" · ");
}

function row(delivery, names, onRetry) {
  const li = document.createElement("li");
  li.dataset.testid = "delivery";
  li.dataset.deliveryId = delivery.id;
  li.dataset.webhookId = delivery.webhook_id || "";
  li.dataset.state = delivery.state;
  li.dataset.action = delivery.action || "";
  li.className = `delivery state-${delivery.state}`;
  const head = document.createElement("div");
  head.className = "row";
  const what = document.createElement("strong");
  what.textContent = delivery.webhook_name || names.get(delivery.webhook_id) || t("deliveryDeletedWebhook");
  const state = document.createElement("span");
  state.className = "state";
  state.dataset.testid = "delivery-state";
  state.dataset.state = delivery.state;
  const dot = document.createElement("span");
  dot.className = "dot";
  dot.setAttribute("aria-hidden", "true");
  state.append(dot, document.createTextNode(label("deliveryState", delivery.state)));
  const when = document.createElement("span");
  when.className = "hint";
  when.textContent = time(delivery.updated_at || delivery.created_at);
  head.append(what, state, when);
  const detail = document.createElement("div");
  detail.className = "hint";
  detail.dataset.testid = "delivery-detail";
  detail.textContent = outcomeText(delivery);
  const url = document.createElement("div");
  url.className = "url";
  url.dataset.testid = "delivery-url";
  url.textContent = readableUrl(delivery.url);
  url.title = delivery.url;
  li.append(head, detail, url);
  if (contactText(delivery)) detail.dataset.contact = contactText(delivery);
  if (canRetry(delivery)) {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.dataset.testid = "retry-delivery";
    retry.textContent = t("retryDelivery");
    retry.addEventListener("click", () => onRetry(delivery, retry));
    li.append(retry);
  }
  return li;
}

/** The events the worker dropped: {count, byReason, last}; asked from the worker, else read from session storage. */
export async function readDrops() {
  try {
    const reply = await api.runtime.sendMessage({ type: "drops.get" });
    const value = reply && reply.ok ? reply.result : reply;
    if (value && typeof value.count === "number") return value;
  } catch (e) { /* the worker does not answer this message (yet) */ }
  try {
    const { droppedEvents } = await api.storage.session.get("droppedEvents");
    return droppedEvents || null;
  } catch (e) {
    return null;
  }
}

/** The log view: load(), setWebhooks(list) for the filter, add(delivery) for live notices. */
export function createDeliveryLog({ list, empty, filter, stateFilter, refreshButton, drops, dropList }) {
  let deliveries = [];
  let names = new Map();
  for (const s of STATES) stateFilter.append(new Option(label("deliveryState", s), s));

  function render() {
    const only = filter.value;
    const onlyState = stateFilter.value;
    const shown = deliveries.filter((d) => (!only || d.webhook_id === only) && (!onlyState || d.state === onlyState));
    list.replaceChildren(...shown.map((d) => row(d, names, retry)));
    empty.hidden = shown.length > 0;
  }

  function renderDrops(value) {
    const reasons = Object.entries((value && value.byReason) || {}).filter(([, n]) => n > 0);
    drops.hidden = !(value && value.count > 0 && reasons.length);
    dropList.replaceChildren(...reasons.map(([reason, n]) => {
      const li = document.createElement("li");
      li.dataset.testid = "drop";
      li.dataset.reason = reason;
      li.textContent = t("droppedLine", n, label("dropReason", reason));
      return li;
    }));
  }

  async function retry(delivery, button) {
    button.disabled = true;
    try {
      await request("deliveries.retry", { delivery_id: delivery.id });
      await load();
    } catch (error) {
      button.disabled = false;
      button.title = errorText(error);
      button.textContent = `${t("retryDelivery")} — ${errorText(error)}`;
    }
  }

  async function load() {
    const [result] = await Promise.all([request("deliveries.list", { limit: LIMIT }), readDrops().then(renderDrops)]);
    deliveries = [...result.deliveries].sort((a, b) => (b.created_at || 0) - (a.created_at || 0));
    render();
    return deliveries;
  }

  filter.addEventListener("change", render);
  stateFilter.addEventListener("change", render);
  refreshButton.addEventListener("click", () => load().catch(() => {}));

  return {
    load,
    all: () => deliveries,
    setWebhooks(webhooks) {
      names = new Map(webhooks.filter((w) => w.id).map((w) => [w.id, w.name || t("unnamedWebhook")]));
      const chosen = filter.value;
      const all = filter.options[0];
      filter.replaceChildren(all, ...webhooks.filter((w) => w.id).map((w) => new Option(w.name || readableUrl(w.url) || w.id, w.id)));
      filter.value = webhooks.some((w) => w.id === chosen) ? chosen : "";
    },
    add(delivery) {
      deliveries = [delivery, ...deliveries.filter((d) => d.id !== delivery.id)].slice(0, LIMIT);
      render();
    },
  };
}
