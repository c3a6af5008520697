// Extra request headers and the signing secret of one webhook: values are write-only, shown masked once stored.
import { MASK } from "../common/protocol.js";
import { localize, t } from "./i18n.js";

/** Header rows editor. Stored values come back as MASK: shown as an empty field with a "hidden" hint; sent back as MASK (= keep). */
export function createHeaderEditor({ list, template, addButton, onChange, readOnly }) {
  function addRow(name = "", value = "") {
    const row = template.content.firstElementChild.cloneNode(true);
    localize(row);
    const nameInput = row.querySelector('[data-testid="header-name"]');
    const valueInput = row.querySelector('[data-testid="header-value"]');
    nameInput.value = name;
    if (value === MASK) mask(valueInput);
    else valueInput.value = value;
    valueInput.addEventListener("input", () => { delete valueInput.dataset.masked; onChange(); });
    nameInput.addEventListener("input", onChange);
    row.querySelector('[data-testid="remove-header"]').addEventListener("click", () => { row.remove(); onChange(); });
    for (const el of row.querySelectorAll("input, button")) el.disabled = readOnly;
    list.append(row);
    return row;
  }

  function mask(input) {
    input.value = "";
    input.dataset.masked = "1";
    input.placeholder = t("headerMasked");
  }

  addButton.hidden = readOnly;
  addButton.addEventListener("click", () => addRow().querySelector("input").focus());

  return {
    set(headers) {
      list.replaceChildren();
      for (const [name, value] of Object.entries(headers || {})) addRow(name, value);
    },
    /** {name: value} to send; a stored value that was not retyped is sent as MASK. */
    get() {
      const out = {};
      for (const row of list.querySelectorAll('[data-testid="header-row"]')) {
        const name = row.querySelector('[data-testid="header-name"]').value.trim();
        const valueInput = row.querySelector('[data-testid="header-value"]');
        if (name) out[name] = valueInput.dataset.masked ? MASK : valueInput.value;
      }
      return out;
    },
    /** After a successful save: values that were sent are now stored, so hide them. */
    maskSent(sent) {
      for (const row of list.querySelectorAll('[data-testid="header-row"]')) {
        const name = row.querySelector('[data-testid="header-name"]').value.trim();
        const valueInput = row.querySelector('[data-testid="header-value"]');
        if (name in sent && sent[name] !== MASK && valueInput.value === sent[name]) mask(valueInput);
      }
    },
  };
}

/** The secret: null (none), MASK (stored), "generate" (ask the host). A clear value in a save reply is shown once. */
export function createSecretEditor({ stateText, onceBox, onceCode, generateButton, removeButton, onChange, readOnly }) {
  let secret = null;
  function render() {
    stateText.textContent = t(secret ? "secretSet" : "secretNone");
    removeButton.hidden = readOnly || !secret;
    generateButton.hidden = readOnly;
  }
  generateButton.addEventListener("click", () => { secret = "generate"; onceBox.hidden = true; onChange(); });
  removeButton.addEventListener("click", () => { secret = null; onceBox.hidden = true; render(); onChange(); });
  return {
    set(value) {
      if (typeof value === "string" && value !== MASK && value !== "generate") {
        onceCode.textContent = value; // the only time the clear secret is visible
        onceBox.hidden = false;
        secret = MASK;
      } else {
        secret = value || null;
      }
      render();
    },
    get: () => secret,
  };
}
