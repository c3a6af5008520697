// The editor's CRM fields: a lookup's response map (JMESPath, "Try the map" through lookups.map), the hosts a record URL may point at, and an open_tab's fallback URL; which actions each trigger offers.
import { errorText, label, t } from "./i18n.js";
import { request } from "./host.js";

export const MAP_KEYS = Object.freeze(["contact_id", "contact_name", "contact_company", "contact_url"]);
const HOSTS_FOR = new Set(["lookup", "open_tab"]); // contact_hosts: where a record URL from a CRM answer may open

/** The actions hello offers for a trigger (its own list when the host gives one, else every action). */
export function actionsFor(hello, trigger) {
  const found = ((hello && hello.triggers) || []).find((x) => x.id === trigger);
  if (found && Array.isArray(found.actions) && found.actions.length) return found.actions;
  return (hello && hello.actions) || [];
}

/** The action to show for a trigger: the chosen one while the trigger allows it, else the trigger's first. */
export function actionFor(hello, trigger, chosen) {
  const allowed = actionsFor(hello, trigger);
  return allowed.includes(chosen) ? chosen : allowed[0];
}

/** A response map from the four inputs: trimmed, empty ones left out. */
export function mapFrom(values) {
  const map = {};
  for (const key of MAP_KEYS) {
    const text = String(values[key] || "").trim();
    if (text) map[key] = text;
  }
  return map;
}

/** "app.hubspot.com, crm.example.com" -> ["app.hubspot.com", "crm.example.com"] (commas, spaces or lines; once each). */
export function hostsFrom(text) {
  return [...new Set(String(text || "").split(/[\s,;]+/).map((h) => h.trim()).filter(Boolean))];
}

/** The CRM fields a webhook of this action carries (the host refuses them on the others). */
export function lookupFields(action, { map, hosts, fallback }) {
  const out = {};
  if (action === "lookup") out.response_map = map;
  if (HOSTS_FOR.has(action)) out.contact_hosts = hosts;
  if (action === "open_tab") out.fallback_url = String(fallback || "").trim();
  return out;
}

/** A contact as one line: name · company · id · url, what there is. */
export function contactLine(contact) {
  if (!contact) return "";
  return [contact.name, contact.company, contact.id ? `id ${contact.id}` : "", contact.url].filter(Boolean).join(" · ");
}

/** What lookups.map's result says, in words: found (with the contact), not found, or no answer to try. */
export function mapResultText(result) {
  if (result.answer_from === "none") return t("lookupNoAnswer");
  const source = label("lookupAnswerFrom", result.answer_from);
  return result.found ? t("lookupFound", source, contactLine(result.contact)) : t("lookupNotFound", source);
}

/**
 * The CRM part of one webhook card (markup in popup.html's webhook template). deps: root (the card
 * element), hello, onChange() after an edit, readOnly, webhookId() (the saved id, for the last real answer).
 * Returns {set(webhook), get(action), setAction(action)}.
 */
export function createLookupEditor({ root, hello, onChange, readOnly, webhookId }) {
  // a host without the CRM loop refuses these fields as unknown: offered only when hello has the lookup action
  const crm = ((hello && hello.actions) || []).includes("lookup");
  const q = (id) => root.querySelector(`[data-testid="${id}"]`);
  const inputs = Object.fromEntries(MAP_KEYS.map((key) => [key, q(`map-${key}`)]));
  const hosts = q("contact-hosts");
  const fallback = q("fallback-url");
  const sample = q("map-sample");
  const result = q("map-result");
  const answer = q("map-answer");

  for (const el of [...Object.values(inputs), hosts, fallback]) {
    el.disabled = readOnly;
    el.addEventListener("input", onChange);
  }
  q("try-map").addEventListener("click", tryMap);

  function values() {
    return Object.fromEntries(MAP_KEYS.map((key) => [key, inputs[key].value]));
  }

  async function tryMap() {
    delete result.dataset.ok;
    answer.hidden = true;
    const map = mapFrom(values());
    if (!map.contact_id) {
      result.dataset.ok = "false";
      result.textContent = t("lookupMapNeedsId");
      inputs.contact_id.focus();
      return;
    }
    const params = { response_map: map };
    if (webhookId()) params.webhook_id = webhookId();
    if (sample.value.trim()) params.sample = sample.value;
    result.textContent = t("lookupTryRunning");
    try {
      const r = await request("lookups.map", params);
      result.dataset.ok = String(Boolean(r.found));
      result.dataset.found = String(Boolean(r.found));
      result.textContent = mapResultText(r);
      answer.textContent = r.answer_head || "";
      answer.hidden = !r.answer_head;
    } catch (error) {
      result.dataset.ok = "false";
      result.textContent = errorText(error);
    }
  }

  return {
    set(w) {
      const map = w.response_map || {};
      for (const key of MAP_KEYS) inputs[key].value = map[key] || "";
      hosts.value = (w.contact_hosts || []).join(", ");
      fallback.value = w.fallback_url || "";
    },
    get(action) {
      if (!crm) return {};
      return lookupFields(action, { map: mapFrom(values()), hosts: hostsFrom(hosts.value), fallback: fallback.value });
    },
    setAction(action) {
      q("lookup-fields").hidden = action !== "lookup";
      q("contact-fields").hidden = !crm || !HOSTS_FOR.has(action);
      q("fallback-fields").hidden = !crm || action !== "open_tab";
    },
  };
}
