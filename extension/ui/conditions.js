// A webhook's conditions (numbers any/external/internal, queues, min_duration): whose calls it fires for.
// Inputs that do not apply to the chosen trigger are hidden and not sent, as the host would refuse them.
import { t } from "./i18n.js";

const QUEUE_TRIGGERS = new Set(["queue_call_accepted", "queue_call_ended", "incoming_call_ringing", "incoming_call_missed",
  "incoming_call_answered_elsewhere"]);

function labelled(text, input) {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.textContent = text;
  label.append(span, " ", input);
  return label;
}

/** Fill `container`; onChange() after each edit. Returns {set(conditions), get(), setTrigger(trigger)}. */
export function createConditionsEditor({ container, onChange, readOnly }) {
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
  const queuesRow = labelled(t("conditionQueues"), queues);
  const durationRow = labelled(t("conditionMinDuration"), minDuration);
  container.replaceChildren(labelled(t("conditionNumbers"), numbers), queuesRow, durationRow);
  for (const el of [numbers, queues, minDuration]) {
    el.disabled = readOnly;
    el.addEventListener("change", onChange);
  }

  return {
    set(c = {}) {
      numbers.value = c.numbers || "any";
      queues.value = (c.queues || []).join(", ");
      minDuration.value = c.min_duration === null || c.min_duration === undefined ? "" : String(c.min_duration);
    },
    get() {
      const n = Number.parseInt(minDuration.value, 10);
      return {
        numbers: numbers.value,
        queues: queuesRow.hidden ? [] : queues.value.split(",").map((q) => q.trim()).filter(Boolean),
        min_duration: durationRow.hidden || !Number.isFinite(n) ? null : n,
      };
    },
    setTrigger(trigger) {
      queuesRow.hidden = !QUEUE_TRIGGERS.has(trigger);
      durationRow.hidden = !String(trigger).endsWith("_ended");
    },
  };
}
