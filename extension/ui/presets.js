// "Add from preset": the host's gallery of ready webhooks (presets.list), and a new webhook made
// from one through webhooks.save. Saved switched off: the preset's URL and headers hold <...>
// parts (the account's own address and token) that the user fills in on the card it opens.
import { request } from "./host.js";
import { errorText, label, t } from "./i18n.js";

/** A list of presets under `anchor`; picking one saves it and calls onCreated(savedWebhook). */
export async function openPresetPicker({ anchor, onCreated }) {
  const existing = anchor.parentElement.querySelector('[data-testid="preset-list"]');
  if (existing) { existing.remove(); return; }
  const list = document.createElement("ul");
  list.className = "presets";
  list.dataset.testid = "preset-list";
  anchor.after(list);
  let presets;
  try {
    ({ presets } = await request("presets.list"));
  } catch (error) {
    list.append(item(errorText(error)));
    return;
  }
  for (const preset of presets) {
    const li = document.createElement("li");
    li.dataset.presetId = preset.id;
    const pick = document.createElement("button");
    pick.type = "button";
    pick.className = "link";
    pick.dataset.testid = "preset-pick";
    pick.textContent = preset.name;
    pick.title = preset.description || "";
    const meta = document.createElement("span");
    meta.className = "hint";
    meta.textContent = ` ${label("trigger", preset.trigger)} · `;
    const docs = document.createElement("a");
    docs.href = /^https:\/\//.test(preset.doc_url) ? preset.doc_url : "#";
    docs.target = "_blank";
    docs.rel = "noopener";
    docs.textContent = t("presetDocs");
    meta.append(docs);
    li.append(pick, meta);
    pick.addEventListener("click", () => create(preset, list, onCreated));
    list.append(li);
  }
}

function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

async function create(preset, list, onCreated) {
  const webhook = {
    name: preset.name, trigger: preset.trigger, action: preset.action, url: preset.url, body: preset.body,
    content_type: preset.content_type, headers: { ...preset.headers }, enabled: false,
  };
  // the CRM loop's presets: a lookup's response map, a contact condition, where a record may open, a fallback
  for (const key of ["conditions", "response_map", "contact_hosts", "fallback_url"]) {
    if (preset[key] !== undefined) webhook[key] = structuredClone(preset[key]);
  }
  try {
    const saved = await request("webhooks.save", { webhook });
    list.remove();
    onCreated(saved);
  } catch (error) {
    list.append(item(errorText(error)));
  }
}
