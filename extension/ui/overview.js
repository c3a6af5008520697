// The popup's overview: one compact row per webhook (name, trigger · action, on/off switch, state of its last delivery).
import { label, t } from "./i18n.js";

/** The newest delivery of each webhook, from a deliveries.list result (any order). */
export function lastDeliveries(deliveries) {
  const out = new Map();
  for (const d of deliveries || []) {
    if (!d.webhook_id) continue;
    const seen = out.get(d.webhook_id);
    if (!seen || (d.created_at || 0) > (seen.created_at || 0)) out.set(d.webhook_id, d);
  }
  return out;
}

/** {state, text} for a row's dot: its last delivery's state, "off" when switched off, "none" before the first. */
export function rowState(webhook, last) {
  if (webhook.enabled === false) return { state: "off", text: webhook.disabled_reason ? t("disabledReason", webhook.disabled_reason) : t("rowSwitchedOff") };
  if (!last) return { state: "none", text: t("rowNeverFired") };
  const found = last.action === "lookup" && last.state === "found" && last.contact ? last.contact.name || last.contact.id : "";
  return { state: last.state, text: found ? `${label("deliveryState", last.state)}: ${found}` : label("deliveryState", last.state) };
}

/**
 * The list: render(webhooks, lastByWebhook) redraws it; onOpen(webhook, row) opens the editor,
 * onToggle(webhook, enabled) switches it (returns a promise of the saved webhook).
 */
export function createOverview({ list, empty, onOpen, onToggle }) {
  function row(webhook, last) {
    const li = document.createElement("li");
    li.className = "webhook-row";
    li.dataset.testid = "webhook-row";
    li.dataset.webhookId = webhook.id;
    li.dataset.origin = webhook.origin || "user";
    li.dataset.enabled = String(webhook.enabled !== false);
    const name = webhook.name || t("unnamedWebhook");

    const toggle = document.createElement("input");
    toggle.type = "checkbox";
    toggle.className = "toggle";
    toggle.dataset.testid = "row-enabled";
    toggle.checked = webhook.enabled !== false;
    toggle.setAttribute("aria-label", t("rowEnabledLabel", name));
    toggle.disabled = webhook.origin === "admin";
    toggle.addEventListener("change", () => {
      // busy, not disabled: a disabled switch would lose the keyboard focus
      toggle.setAttribute("aria-busy", "true");
      Promise.resolve(onToggle(webhook, toggle.checked)).catch(() => { toggle.checked = !toggle.checked; })
        .finally(() => toggle.removeAttribute("aria-busy"));
    });

    const open = document.createElement("button");
    open.type = "button";
    open.className = "row-open";
    open.dataset.testid = "row-open";
    const title = document.createElement("span");
    title.className = "row-name";
    title.dataset.testid = "row-name";
    title.textContent = name;
    const sub = document.createElement("span");
    sub.className = "row-sub";
    sub.dataset.testid = "row-sub";
    sub.textContent = `${label("trigger", webhook.trigger)} · ${label("action", webhook.action)}`;
    open.append(title, sub);
    open.addEventListener("click", () => onOpen(webhook, li));

    const { state, text } = rowState(webhook, last);
    const status = document.createElement("span");
    status.className = "row-state";
    status.dataset.testid = "row-state";
    status.dataset.state = state;
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.setAttribute("aria-hidden", "true");
    const words = document.createElement("span");
    words.textContent = text;
    status.append(dot, words);
    status.id = `row-state-${webhook.id}`;
    open.setAttribute("aria-describedby", status.id); // "Ringing log, Incoming call ringing · GET" + "delivered"

    li.append(toggle, open, status);
    if (webhook.origin === "admin") {
      const badge = document.createElement("span");
      badge.className = "admin-badge";
      badge.dataset.testid = "row-admin";
      badge.textContent = t("rowAdmin");
      badge.title = t("adminPreset");
      li.append(badge);
    }
    return li;
  }

  return {
    render(webhooks, lastByWebhook = new Map()) {
      // a redraw (a save, a delivery notice) must not take the keyboard focus away from a row
      const active = document.activeElement;
      const focused = list.contains(active) && active.dataset.testid ? [active.closest("li").dataset.webhookId, active.dataset.testid] : null;
      list.replaceChildren(...webhooks.map((w) => row(w, lastByWebhook.get(w.id))));
      empty.hidden = webhooks.length > 0;
      if (focused) {
        const again = list.querySelector(`li[data-webhook-id="${CSS.escape(focused[0])}"] [data-testid="${focused[1]}"]`);
        if (again) again.focus();
      }
    },
    /** The open button of a webhook's row (focus goes back there when the editor closes). */
    opener(webhookId) {
      return list.querySelector(`li[data-webhook-id="${CSS.escape(webhookId)}"] .row-open`);
    },
  };
}
