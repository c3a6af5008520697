// The delivery log in the popup: deliveries.list newest first, filter by webhook, failures highlighted, "send again" via deliveries.retry.
import { errorText, label, t } from "./i18n.js";
import { request } from "./host.js";

const LIMIT = 50;

function time(seconds) {
  return typeof seconds === "number" ? new Date(seconds * 1000).toLocaleString() : "";
}

function row(delivery, onRetry) {
  const li = document.createElement("li");
  li.dataset.testid = "delivery";
  li.dataset.deliveryId = delivery.id;
  li.dataset.webhookId = delivery.webhook_id || "";
  li.dataset.state = delivery.state;
  li.className = `delivery state-${delivery.state}`;
  const head = document.createElement("div");
  head.className = "row";
  const what = document.createElement("strong");
  what.textContent = delivery.webhook_name || delivery.webhook_id || "";
  const state = document.createElement("span");
  state.className = "state";
  state.dataset.testid = "delivery-state";
  state.textContent = label("deliveryState", delivery.state);
  const when = document.createElement("span");
  when.className = "hint";
  when.textContent = time(delivery.updated_at || delivery.created_at);
  head.append(what, state, when);
  const detail = document.createElement("div");
  detail.className = "hint";
  detail.dataset.testid = "delivery-detail";
  const outcome = [
    label("trigger", delivery.trigger),
    delivery.last_error || (delivery.last_status ? `HTTP ${delivery.last_status}` : ""),
    typeof delivery.latency_ms === "number" ? `${Math.round(delivery.latency_ms)} ms` : "",
    t("deliveryAttempts", delivery.attempts),
  ];
  detail.textContent = outcome.filter(Boolean).join(" · ");
  const url = document.createElement("div");
  url.className = "url";
  url.textContent = delivery.url;
  li.append(head, detail, url);
  if (delivery.state === "failed") {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.dataset.testid = "retry-delivery";
    retry.textContent = t("retryDelivery");
    retry.addEventListener("click", () => onRetry(delivery, retry));
    li.append(retry);
  }
  return li;
}

/** The log view: load(), setWebhooks(list) for the filter, and add(delivery) for live notices. */
export function createDeliveryLog({ list, empty, filter, refreshButton }) {
  let deliveries = [];

  function render() {
    const only = filter.value;
    const shown = deliveries.filter((d) => !only || d.webhook_id === only);
    list.replaceChildren(...shown.map((d) => row(d, retry)));
    empty.hidden = shown.length > 0;
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
    const result = await request("deliveries.list", { limit: LIMIT });
    deliveries = [...result.deliveries].sort((a, b) => (b.created_at || 0) - (a.created_at || 0));
    render();
    return result;
  }

  filter.addEventListener("change", render);
  refreshButton.addEventListener("click", () => load().catch(() => {}));

  return {
    load,
    setWebhooks(webhooks) {
      const chosen = filter.value;
      const all = filter.options[0];
      filter.replaceChildren(all, ...webhooks.filter((w) => w.id).map((w) => new Option(w.name || w.url || w.id, w.id)));
      filter.value = webhooks.some((w) => w.id === chosen) ? chosen : "";
    },
    add(delivery) {
      deliveries = [delivery, ...deliveries.filter((d) => d.id !== delivery.id)].slice(0, LIMIT);
      render();
    },
  };
}
