// A webhook's conditions (numbers any/external/internal, queues, min_duration, contact any/found/not_found/unknown_caller): whose calls it fires for.
// Which conditions a trigger may have comes from the host's hello (trigger.conditions); the others are
// hidden and not sent, as the host would refuse them.
import { t } from "./i18n.js";

function labelled(text, input) {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.textContent = text;
  label.append(span, " ", input);
  return label;
}

/** Fill `container`; onChange() after each edit. Returns {set(conditions), get(), setTrigger(trigger)}. */
export function createConditionsEditor({ container, onChange, readOnly, hello }) {
  const numbers = document.createElement("select");
  numbers.dataset.testid = "condition-numbers";
  for (const value of ["any", "external", "internal"]) numbers.append(new Option(t(`conditionNumbers_${value}`), value));
  const queues = document.createElement("input");
  queues.type = "text";
  queues.dataset.testid = "condition-queues";
  queues.placeholder = t("conditionQueuesPlaceholder");
  const minDuration = document.createElement("input");
  minDuration.type = "number";
  minDuration.min = "0";
  minDuration.step = "1";
  minDuration.dataset.testid = "condition-min-duration";
  const contact = document.createElement("select");
  contact.dataset.testid = "condition-contact";
  for (const value of ["any", "found", "not_found", "unknown_caller"]) contact.append(new Option(t(`conditionContact_${value}`), value));
  const numbersRow = labelled(t("conditionNumbers"), numbers);
  const queuesRow = labelled(t("conditionQueues"), queues);
  const durationRow = labelled(t("conditionMinDuration"), minDuration);
  const contactRow = labelled(t("conditionContact"), contact);
  container.replaceChildren(numbersRow, queuesRow, durationRow, contactRow);
  for (const el of [numbers, queues, minDuration, contact]) {
    el.disabled = readOnly;
    el.addEventListener("change", onChange);
  }

  return {
    set(c = {}) {
      numbers.value = c.numbers || "any";
      queues.value = (c.queues || []).join(", ");
      minDuration.value = c.min_duration === null || c.min_duration === undefined ? "" : String(c.min_duration);
      contact.value = c.contact || "any";
    },
    get() {
      const n = Number.parseInt(minDuration.value, 10);
      const out = {
        numbers: numbersRow.hidden ? "any" : numbers.value,
        queues: queuesRow.hidden ? [] : queues.value.split(",").map((q) => q.trim()).filter(Boolean),
        min_duration: durationRow.hidden || !Number.isFinite(n) ? null : n,
      };
      if (!contactRow.hidden) out.contact = contact.value; // only a host that offers it knows the field
      return out;
    },
    setTrigger(trigger) {
      const offered = ((hello && hello.triggers) || []).find((x) => x.id === trigger);
      const allowed = new Set((offered && offered.conditions) || []);
      numbersRow.hidden = !allowed.has("numbers");
      queuesRow.hidden = !allowed.has("queues");
      durationRow.hidden = !allowed.has("min_duration");
      contactRow.hidden = !allowed.has("contact");
    },
  };
}
