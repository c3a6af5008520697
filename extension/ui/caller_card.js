// The caller card in the pages: the popup's card of the current calls (kept by the worker in storage.session), its offer to switch the card on, and the switch the options page shares (asks for the notifications permission).
import { cardText } from "../common/contact.js";
import { t } from "./i18n.js";

const api = globalThis.browser || globalThis.chrome;
export const CARDS_KEY = "callerCards"; // bg/caller_card.js writes it
export const PERMISSION = "notifications";

/** Whether the browser granted the notifications permission (the card's desktop notification needs it). */
export async function permissionGranted(permissions = api.permissions) {
  try {
    return Boolean(await permissions.contains({ permissions: [PERMISSION] }));
  } catch (e) {
    return false;
  }
}

/**
 * Switch the card on: ask for the permission unless it is granted, then save `callerCard`. Call it
 * straight from the click (no await before it): the browser asks only inside the user's gesture.
 * Resolves true when the card is on, false when the permission was refused.
 */
export function switchOn({ granted, permissions = api.permissions, storage = api.storage.local }) {
  let asked;
  try {
    asked = granted ? Promise.resolve(true) : permissions.request({ permissions: [PERMISSION] });
  } catch (e) {
    asked = Promise.resolve(false);
  }
  return Promise.resolve(asked).then(async (ok) => {
    if (ok) await storage.set({ callerCard: true });
    return Boolean(ok);
  }, () => false);
}

/** Switch the card off (the permission stays: switching on again asks nothing). */
export function switchOff(storage = api.storage.local) {
  return storage.set({ callerCard: false });
}

/** The popup offers the card when it is off, the administrator has not fixed it, and a lookup runs on ringing calls. */
export function shouldOffer({ settings, granted, webhooks }) {
  if ((settings.managed || []).includes("callerCard")) return false;
  if (settings.callerCard && granted) return false;
  return (webhooks || []).some((w) => w.action === "lookup" && w.trigger === "incoming_call_ringing" && w.enabled !== false);
}

/** The cards to show, newest first, from the worker's state ({cards, ended}) or nothing. */
export function cardsOf(state) {
  return state && Array.isArray(state.cards) ? [...state.cards].reverse() : [];
}

function cardRow(card, onOpen) {
  const li = document.createElement("li");
  li.className = "caller-card";
  li.dataset.testid = "caller-card";
  li.dataset.callId = card.call_id;
  li.dataset.found = String(Boolean(card.found));
  const { title, message } = cardText(card, t);
  const name = document.createElement("strong");
  name.dataset.testid = "card-name";
  name.textContent = title;
  const detail = document.createElement("span");
  detail.className = "hint";
  detail.dataset.testid = "card-detail";
  detail.textContent = message.split("\n").join(" · ");
  li.append(name, detail);
  if (card.url) {
    const open = document.createElement("button");
    open.type = "button";
    open.dataset.testid = "card-open";
    open.textContent = t("callerCardOpen");
    open.title = card.url;
    open.addEventListener("click", () => onOpen(card));
    li.append(open);
  }
  return li;
}

/** The popup's card list: render(state) redraws; a click on "open" asks the worker to open the record. */
export function createCardList({ section, list, runtime = api.runtime, storage = api.storage }) {
  const open = (card) => runtime.sendMessage({ type: "callerCard.open", call_id: card.call_id }).catch(() => {});
  function render(state) {
    const cards = cardsOf(state);
    list.replaceChildren(...cards.map((c) => cardRow(c, open)));
    section.hidden = cards.length === 0;
  }
  async function load() {
    try {
      render((await storage.session.get(CARDS_KEY))[CARDS_KEY]);
    } catch (e) {
      render(null); // no session storage here: no card
    }
  }
  storage.onChanged.addListener((changes, area) => {
    if (area === "session" && changes[CARDS_KEY]) render(changes[CARDS_KEY].newValue);
  });
  return { load, render };
}
