// Placeholder chips for a webhook's trigger: allowed ones insert "{name}" at the cursor, the others are greyed with the reason.
import { label, speaksEnglish, t } from "./i18n.js";

/** All placeholder names the host knows, described; names only listed under a trigger are included too. */
export function catalogue(hello) {
  const byName = new Map();
  for (const p of hello.placeholders || []) byName.set(p.name, p.description || "");
  for (const trig of hello.triggers || []) for (const name of trig.placeholders || []) if (!byName.has(name)) byName.set(name, "");
  return [...byName].map(([name, description]) => ({ name, description }));
}

/** A lookup's own request cannot use what it is about to find: the contact placeholders are for the call's other webhooks. */
export const isContactPlaceholder = (name) => /^contact_/.test(name);

/** {allowed, reason (translated), detail (the host's words)} for one placeholder under one trigger (and action). Unknown trigger: allowed. */
export function availability(hello, trigger, name, action = null) {
  if (action === "lookup" && isContactPlaceholder(name)) return { allowed: false, reason: t("placeholderLookupOwn"), detail: "" };
  const triggers = hello.triggers || [];
  const current = triggers.find((x) => x.id === trigger);
  if (!current || current.placeholders.includes(name)) return { allowed: true, reason: "", detail: "" };
  const elsewhere = triggers.filter((x) => x.placeholders.includes(name)).map((x) => label("trigger", x.id));
  const triggerLabel = label("trigger", trigger);
  return {
    allowed: false,
    reason: elsewhere.length ? t("placeholderUnavailable", triggerLabel, elsewhere.join(", ")) : t("placeholderNowhere", triggerLabel),
    detail: (current.unavailable && current.unavailable[name]) || "", // the host's explanation (English)
  };
}

/** Insert text at the cursor of an input or textarea and tell its listeners (autosave) about it. */
export function insertAtCursor(field, text) {
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  field.value = field.value.slice(0, start) + text + field.value.slice(end);
  field.focus();
  field.setSelectionRange(start + text.length, start + text.length);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Render chips into container; target() returns the field that gets the text (the last focused one). */
export function renderChips(container, { hello, trigger, action = null, target, readOnly, onReason }) {
  container.replaceChildren();
  for (const { name, description } of catalogue(hello)) {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.textContent = `{${name}}`;
    chip.dataset.testid = "placeholder-chip";
    chip.dataset.placeholder = name;
    const { allowed, reason, detail: hostWords } = availability(hello, trigger, name, action);
    const detail = speaksEnglish() ? hostWords : ""; // the host explains in English only
    chip.title = allowed ? description : [reason, detail].filter(Boolean).join("\n");
    chip.dataset.reason = reason;
    if (!allowed || readOnly) {
      // aria-disabled rather than disabled: the tooltip and a click that explains still work
      chip.setAttribute("aria-disabled", "true");
      chip.classList.add("unavailable");
    }
    chip.addEventListener("mousedown", (e) => e.preventDefault()); // keep the cursor where it is
    chip.addEventListener("click", () => {
      if (readOnly) return;
      if (!allowed) onReason([reason, detail].filter(Boolean).join(" "));
      else insertAtCursor(target(), `{${name}}`);
    });
    container.append(chip);
  }
}
