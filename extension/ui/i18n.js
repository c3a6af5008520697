// Translation for the pages: t(key, ...substitutions), localize(root) for data-i18n* attributes, and the host's refusals (host_<reason>).
const api = globalThis.browser || globalThis.chrome;

/** The message for key in the browser's language (en fallback); the key itself if it is missing. */
export function t(key, ...substitutions) {
  const text = api.i18n.getMessage(key, substitutions.map(String));
  return text || key;
}

/** Fill text and attributes: data-i18n (text), data-i18n-placeholder, data-i18n-title, data-i18n-aria-label. */
export function localize(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  if (root === document) document.documentElement.lang = api.i18n.getUILanguage().split("-")[0];
}

// chrome.i18n substitutes by position ($1..$9); a host reason's params come by name. The positions are
// read once from the default locale's placeholders block (the locales test keeps de in step with en).
let positions = null;

/** Load the name -> position table of the host_<reason> messages (call once per page, before errors show). */
export async function loadReasonPositions(fetchJson = (url) => fetch(url).then((r) => r.json())) {
  try {
    const messages = await fetchJson(api.runtime.getURL("_locales/en/messages.json"));
    positions = reasonPositions(messages);
  } catch (e) {
    positions = null; // alphabetical order then, see substitutionsFor
  }
  return positions;
}

/** {host_<reason>: [param names in $1.. order]} from a messages.json object. */
export function reasonPositions(messages) {
  const out = {};
  for (const [key, entry] of Object.entries(messages)) {
    if (!key.startsWith("host_")) continue;
    const names = [];
    for (const [name, { content }] of Object.entries(entry.placeholders || {})) {
      const n = /^\$(\d)$/.exec(content);
      if (n) names[Number(n[1]) - 1] = name;
    }
    out[key] = names;
  }
  return out;
}

// Field names the host puts in params.field, as the popup labels them.
const FIELD_LABELS = {
  name: "fieldName", trigger: "fieldTrigger", action: "fieldAction", url: "fieldUrl", body: "fieldBody",
  content_type: "fieldContentType", headers: "fieldHeaders", secret: "fieldSecret", enabled: "fieldEnabled",
  default_region: "regionTitle", response_map: "lookupMapTitle", contact_hosts: "contactHosts", fallback_url: "fallbackUrl",
};

function paramText(name, value) {
  if (name === "field" && FIELD_LABELS[String(value).split(".")[0]]) return t(FIELD_LABELS[String(value).split(".")[0]]);
  return String(value ?? "");
}

/** The substitutions for host_<reason>, in the order its placeholders name them. */
export function substitutionsFor(key, params = {}) {
  const names = (positions && positions[key]) || Object.keys(params).sort();
  return names.map((name) => paramText(name, params[name]));
}

/** A translated message for an error {code, message, reason?, params?}: what failed and what to do next. */
export function errorText(error) {
  if (error && error.reason) {
    const key = `host_${error.reason}`;
    const text = api.i18n.getMessage(key, substitutionsFor(key, error.params || {}));
    if (text) return text;
  }
  const known = api.i18n.getMessage(`error_${error && error.code}`);
  return known || (error && error.message) || String(error);
}

/** True when the pages speak English: texts only the host has (in English) are shown then, not mixed into another language. */
export function speaksEnglish() {
  return api.i18n.getUILanguage().toLowerCase().startsWith("en");
}

/** Label of a trigger, action or delivery state; falls back to the raw id for values added later. */
export function label(prefix, id) {
  return api.i18n.getMessage(`${prefix}_${id}`) || id;
}
