// One webhook's editor: fields, auto-save through webhooks.save, host errors tied to their field (aria-describedby), test, copy, delete.
import { createAutosave } from "./autosave.js";
import { createConditionsEditor } from "./conditions.js";
import { createHeaderEditor, createSecretEditor } from "./credentials.js";
import { errorText, label, localize, t } from "./i18n.js";
import { request } from "./host.js";
import { actionFor, actionsFor, contactLine, createLookupEditor } from "./lookup_editor.js";
import { renderChips } from "./placeholders.js";

let cardCount = 0;

/** Copy text to the clipboard and say so in `state` (a role=status element). */
export async function copyText(text, state) {
  try {
    await navigator.clipboard.writeText(text);
    state.textContent = t("copied");
  } catch (e) {
    state.textContent = t("copyFailed");
  }
}

/** Let a textarea grow to show its whole text. */
export function autoGrow(area) {
  area.style.height = "auto";
  area.style.height = `${area.scrollHeight + 2}px`;
}

function fillSelect(select, values, labelOf) {
  select.replaceChildren(...values.map((value) => new Option(labelOf(value), value)));
}

/** A new webhook as the "add" button creates it (saved once it has a URL). */
export function blankWebhook(hello) {
  const triggers = (hello.triggers || []).map((x) => x.id);
  return {
    name: "", trigger: triggers[0], action: actionFor(hello, triggers[0], (hello.actions || [])[0]), url: "", body: "",
    content_type: (hello.content_types || [])[0], enabled: true, headers: {}, secret: null, origin: "user",
  };
}

/** Build a card; callbacks: onSaved(webhook), onDeleted(webhook), announce(text). Returns {element, webhook(), flush()}. */
export function createCard({ webhook, hello, onSaved = () => {}, onDeleted = () => {}, announce = () => {} }) {
  const element = document.getElementById("webhook-template").content.firstElementChild.cloneNode(true);
  localize(element);
  const q = (id) => element.querySelector(`[data-testid="${id}"]`);
  const field = (name) => element.querySelector(`[data-field="${name}"]`);
  const readOnly = webhook.origin === "admin";
  let current = { ...webhook };
  let lastText = field("url");
  const uid = `card${++cardCount}`;
  // every field-error gets an id, and its field points at it (aria-describedby): errors are read with the field
  for (const p of element.querySelectorAll('[data-testid="field-error"]')) {
    p.id = `${uid}-error-${p.dataset.for || "form"}`;
    const input = p.dataset.for && field(p.dataset.for);
    if (input) input.setAttribute("aria-describedby", p.id);
  }

  // everything offered comes from the host's hello (its vocabulary), never from a list of our own
  fillSelect(field("trigger"), (hello.triggers || []).map((x) => x.id), (id) => label("trigger", id));
  fillSelect(field("action"), actionsFor(hello, webhook.trigger), (id) => label("action", id));
  fillSelect(field("content_type"), hello.content_types || [], (v) => v);

  const autosave = createAutosave({ save, onState: showState });
  const headers = createHeaderEditor({
    list: q("header-list"), template: document.getElementById("header-template"), addButton: q("add-header"),
    onChange: () => autosave.schedule(), readOnly,
  });
  const secret = createSecretEditor({
    stateText: q("secret-state"), onceBox: q("secret-once-box"), onceCode: q("secret-once"),
    generateButton: q("generate-secret"), removeButton: q("remove-secret"), onChange: () => autosave.flush(), readOnly,
  });

  const conditions = createConditionsEditor({ container: q("conditions"), onChange: () => autosave.flush(), readOnly, hello });
  const lookup = createLookupEditor({ root: element, hello, onChange: () => autosave.schedule(), readOnly, webhookId: () => current.id });

  function fill(w) {
    element.dataset.origin = w.origin || "user";
    if (w.id) element.dataset.webhookId = w.id;
    field("name").value = w.name || "";
    field("trigger").value = w.trigger;
    field("action").value = w.action;
    field("url").value = w.url || "";
    field("body").value = w.body || "";
    field("content_type").value = w.content_type || (hello.content_types || [])[0];
    field("enabled").checked = w.enabled !== false;
    headers.set(w.headers);
    conditions.set(w.conditions);
    lookup.set(w);
    secret.set(w.secret);
    q("disabled-reason").hidden = !w.disabled_reason;
    q("disabled-reason").textContent = w.disabled_reason ? t("disabledReason", w.disabled_reason) : "";
  }

  function refresh() {
    // only the actions the trigger allows (a lookup runs on ringing, started and accepted calls only)
    const action = actionFor(hello, field("trigger").value, field("action").value);
    fillSelect(field("action"), actionsFor(hello, field("trigger").value), (id) => label("action", id));
    field("action").value = action;
    q("post-fields").hidden = action !== "post" && action !== "lookup"; // a lookup with a body is a POST
    lookup.setAction(action);
    conditions.setTrigger(field("trigger").value);
    renderChips(q("placeholder-chips"), {
      hello, trigger: field("trigger").value, action, readOnly, target: () => lastText,
      onReason(reason) { q("chip-reason").textContent = reason; q("chip-reason").hidden = false; },
    });
    q("chip-reason").hidden = true;
  }

  function collect() {
    const w = {
      name: field("name").value.trim(), trigger: field("trigger").value, action: field("action").value,
      url: field("url").value.trim(), body: field("body").value, content_type: field("content_type").value,
      enabled: field("enabled").checked, headers: headers.get(), secret: secret.get(), conditions: conditions.get(),
      ...lookup.get(field("action").value),
    };
    if (current.id) w.id = current.id;
    return w;
  }

  function showErrors(error) {
    for (const p of element.querySelectorAll('[data-testid="field-error"]')) { p.hidden = true; p.textContent = ""; p.removeAttribute("role"); }
    for (const el of element.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    if (!error) return;
    const name = String(error.field || "").split(/[.[]/)[0];
    const at = element.querySelector(`[data-testid="field-error"][data-for="${name}"]`) || element.querySelector('[data-testid="field-error"][data-for=""]');
    at.textContent = errorText(error);
    at.hidden = false;
    at.setAttribute("role", "alert"); // announced as it appears
    if (field(name)) field(name).setAttribute("aria-invalid", "true");
    if (name === "headers" || name === "secret") element.querySelector("details").open = true;
  }

  function showState(state, error) {
    if (state === "saved" && !current.id) state = "needs-url"; // nothing was sent yet
    const text = { saving: t("saveSaving"), saved: t("saveSaved"), "needs-url": t("saveNeedsUrl") };
    element.dataset.saveState = state;
    q("save-state").textContent = state === "error" ? t("saveError", errorText(error)) : text[state] || "";
    showErrors(state === "error" ? error : null);
  }

  async function save() {
    const sent = collect();
    if (!sent.id && !sent.url) {
      showState("needs-url");
      return;
    }
    const saved = await request("webhooks.save", { webhook: sent });
    current = saved;
    element.dataset.webhookId = saved.id;
    if (saved.secret && saved.secret !== sent.secret) secret.set(saved.secret); // shown once, then masked
    headers.maskSent(sent.headers);
    onSaved(saved);
  }

  async function test() {
    const out = q("test-result");
    delete out.dataset.ok;
    if (autosave.pending()) await autosave.flush();
    if (!current.id) { out.textContent = t("testNeedsSave"); return; }
    out.textContent = t("testRunning");
    try {
      const r = await request("webhooks.test", { webhook_id: current.id });
      const ms = Math.round(r.latency_ms || 0);
      out.dataset.ok = String(Boolean(r.ok));
      if (!r.ok) out.textContent = t("testFailed", r.error || `HTTP ${r.status}`);
      else out.textContent = r.status ? t("testOk", r.status, ms) : t("testOkNoStatus", ms);
      if (r.values_from) out.textContent += ` · ${label("valuesFrom", r.values_from)}`;
      if (typeof r.found === "boolean") out.textContent += ` · ${r.found ? t("testFoundContact", contactLine(r.contact)) : t("testNoContact")}`;
    } catch (error) {
      out.dataset.ok = "false";
      out.textContent = t("testFailed", errorText(error));
    }
  }

  let confirmTimer = null;
  const displayName = () => field("name").value.trim() || t("unnamedWebhook");
  async function remove() {
    const button = q("delete-webhook");
    if (!button.dataset.confirm) { // first click asks, second click deletes
      button.dataset.confirm = "1";
      button.textContent = t("confirmDelete");
      announce(t("announceConfirmDelete", displayName()));
      confirmTimer = setTimeout(() => { delete button.dataset.confirm; button.textContent = t("deleteWebhook"); }, 6000);
      return;
    }
    clearTimeout(confirmTimer);
    try {
      if (current.id) await request("webhooks.delete", { webhook_id: current.id });
      announce(t("announceDeleted", displayName()));
      element.remove();
      onDeleted(current);
    } catch (error) {
      showState("error", error);
    }
  }

  fill(current);
  refresh();
  for (const name of ["name", "url", "body"]) field(name).addEventListener("input", () => autosave.schedule());
  for (const name of ["url", "body", "fallback_url"]) {
    field(name).addEventListener("focus", () => { lastText = field(name); });
    field(name).addEventListener("input", () => autoGrow(field(name)));
  }
  field("url").addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); }); // one line, wrapped to show it all
  q("copy-secret").addEventListener("click", () => copyText(q("secret-once").textContent, q("copy-secret-state")));
  for (const name of ["trigger", "action", "content_type", "enabled"]) {
    field(name).addEventListener("change", () => { refresh(); autosave.flush(); });
  }
  q("test-webhook").addEventListener("click", test);
  q("delete-webhook").addEventListener("click", remove);
  if (readOnly) {
    q("admin-badge").hidden = false;
    q("delete-webhook").hidden = true;
    for (const el of element.querySelectorAll("[data-field]")) el.disabled = true;
    for (const id of ["generate-secret", "remove-secret"]) q(id).hidden = true;
  }
  if (!current.id) showState("needs-url");
  return {
    element,
    webhook: () => current,
    /** Once attached: size the text fields to their content. */
    shown() { for (const name of ["url", "body", "fallback_url"]) autoGrow(field(name)); },
    flush: () => (autosave.pending() ? autosave.flush() : Promise.resolve()),
  };
}
