// Translation for the pages: t(key, ...substitutions) and localize(root) for data-i18n* attributes; no UI text lives in HTML or JS.
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

/** A translated message for a HostError-like {code, message}: what failed and what to do next. */
export function errorText(error) {
  const known = api.i18n.getMessage(`error_${error && error.code}`);
  return known || (error && error.message) || String(error);
}

/** Label of a trigger, action or delivery state; falls back to the raw id for values added later. */
export function label(prefix, id) {
  return api.i18n.getMessage(`${prefix}_${id}`) || id;
}
