// The caller card: the host's `contact` notice for a ringing call becomes a desktop notification (name and company, or "Unknown caller" and the number) and the popup's card; a click opens the record like open_tab; cleared when the call is answered elsewhere, missed or ended.

import { cardText } from "../common/contact.js";
import { senderKind } from "./handlers.js";

export { cardText };

export const CARDS_KEY = "callerCards";
export const PERMISSION = "notifications";
export const LIMITS = Object.freeze({
  cards: 10, // calls ringing at once, at most; older cards are dropped first
  rememberEnded: 200, // calls seen ending: a contact notice that comes after the end shows nothing
  maxAgeMs: 4 * 3600 * 1000, // a card whose end never came (the tab was closed mid-call) goes after this
});

/** The events after which a call's card goes: the call is no longer ringing or talking here. */
export function endsCard(trigger) {
  return trigger === "incoming_call_answered_elsewhere" || trigger === "incoming_call_missed" || /_ended$/.test(String(trigger));
}

/** A card from a `contact` notice (already shape-checked by the port). */
export function cardFrom(notice, now) {
  return {
    call_id: notice.call_id,
    notification_id: `ucc-card-${notice.delivery_id || notice.call_id}`,
    found: notice.found === true,
    name: notice.found ? notice.name || null : null,
    company: notice.found ? notice.company || null : null,
    url: notice.url || null,
    number: notice.number || "",
    webhook_id: notice.webhook_id || null,
    at: now,
  };
}

/**
 * The card's icon as a data: URL, read once. Chromium shows a notification whose icon is a data:
 * URL about 10 ms sooner than one that names the extension's file (measured, Chromium 156: it
 * loads that file through its image loader first). Falls back to the file's URL.
 */
export async function iconData(url, fetchFn = (u) => fetch(u)) {
  try {
    const bytes = new Uint8Array(await (await fetchFn(url)).arrayBuffer());
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return `data:image/png;base64,${btoa(binary)}`;
  } catch (e) {
    return url;
  }
}

/** The state kept in storage.session (the popup reads it): {cards: [card, ...] oldest first, ended: [call_id, ...]}. */
export function emptyState() {
  return { cards: [], ended: [] };
}

/** The state with a card for this call put in (replacing an earlier one), unless the call ended already. */
export function withCard(state, card, limits = LIMITS) {
  if (state.ended.includes(card.call_id)) return null;
  const cards = state.cards.filter((c) => c.call_id !== card.call_id && card.at - c.at < limits.maxAgeMs);
  cards.push(card);
  return { ...state, cards: cards.slice(-limits.cards) };
}

/** The state without this call's card, the call remembered as ended; and the card that went (or null). */
export function withoutCall(state, callId, limits = LIMITS) {
  const gone = state.cards.find((c) => c.call_id === callId) || null;
  const ended = [...state.ended.filter((id) => id !== callId), callId].slice(-limits.rememberEnded);
  return { state: { cards: state.cards.filter((c) => c.call_id !== callId), ended }, gone };
}

/**
 * The worker's caller card. deps:
 *   notifications() -> the browser's notifications API, or null while the permission is missing;
 *   storage: storage.session-like (get/set) or null; enabled() -> Promise<bool> (the setting);
 *   openTab(card): opens card.url the way an open_tab notice does (http/https, the tab cap);
 *   t(key) translations; iconUrl (a URL, or a promise of one); now() ms; onChange(state) after every change.
 */
export function createCallerCard({ notifications, storage, enabled, openTab, t, iconUrl, now = () => Date.now(), onChange = () => {} }) {
  let state = null;
  let chain = Promise.resolve();

  async function load() {
    if (state) return state;
    let saved = null;
    try {
      saved = storage ? (await storage.get(CARDS_KEY))[CARDS_KEY] : null;
    } catch (e) { /* no session storage: start empty */ }
    if (!state) state = saved && Array.isArray(saved.cards) && Array.isArray(saved.ended) ? saved : emptyState();
    return state;
  }

  // One change at a time, in order: a ringing notice and the call's end can come within a millisecond.
  function change(fn) {
    chain = chain.then(async () => {
      const next = await fn(await load());
      if (!next) return;
      state = next;
      if (storage) await storage.set({ [CARDS_KEY]: state }).catch(() => {});
      try { onChange(state); } catch (e) { /* a listener's problem */ }
    }).catch((error) => console.warn("ucc-webhooks: caller card:", error && error.message));
    return chain;
  }

  async function notify(card) {
    const api = notifications();
    if (!api || !(await enabled())) return;
    const { title, message } = cardText(card, t);
    // No requireInteraction (Firefox refuses it) and no buttons (Firefox has none): a click on the
    // notification itself opens the record, in both browsers.
    await api.create(card.notification_id, { type: "basic", iconUrl: await iconUrl, title, message });
  }

  function clearNotification(card) {
    const api = notifications();
    if (api && card) api.clear(card.notification_id).catch(() => {});
  }

  /** A `contact` notice from the host: the card, shown unless the call has ended meanwhile. */
  function show(notice) {
    const card = cardFrom(notice, now());
    return change(async (s) => {
      const next = withCard(s, card);
      if (next) await notify(card).catch((error) => console.warn("ucc-webhooks: could not show the caller card:", error && error.message));
      return next;
    });
  }

  /** A call event the worker forwarded: the end of a call takes its card away. */
  function sawEvent(event) {
    if (!event || !endsCard(event.trigger)) return chain;
    return change((s) => {
      const { state: next, gone } = withoutCall(s, event.call_id);
      clearNotification(gone);
      return next;
    });
  }

  async function find(test) {
    await chain;
    return (await load()).cards.find(test) || null;
  }

  return {
    show,
    sawEvent,
    /** The notification was clicked: open the record (if there is one) and take the notification away. */
    async clicked(notificationId) {
      const card = await find((c) => c.notification_id === notificationId);
      if (!card) return false;
      clearNotification(card);
      if (card.url) openTab(card);
      return Boolean(card.url);
    },
    /** The popup's "open the record" button for a call. */
    async open(callId) {
      const card = await find((c) => c.call_id === callId);
      if (!card || !card.url) return false;
      openTab(card);
      return true;
    },
    /** The cards now (fresh from storage.session, which outlives a suspended worker). */
    async current() {
      await chain;
      if (storage) state = null;
      return JSON.parse(JSON.stringify(await load()));
    },
    /** A guard whose forwarded events pass by here first (bg/guard.js's admitEvent, unchanged otherwise). */
    watch(guard) {
      return { ...guard, admitEvent: (from, event, forward) => guard.admitEvent(from, event, (e) => { sawEvent(e); return forward(e); }) };
    },
  };
}

/**
 * Wire the card into the worker: notification clicks (listened to at the top level while the
 * permission is there, so that a click wakes a suspended worker), the permission granted later,
 * and the popup's "open the record" message. Returns the card (show, sawEvent, watch, ...).
 * deps: readSettings() -> effective settings; openTab(card) as for createCallerCard.
 */
export function installCallerCard(api, { readSettings, openTab }) {
  const card = createCallerCard({
    notifications: () => api.notifications || null,
    storage: api.storage.session || null,
    enabled: async () => (await readSettings()).callerCard === true,
    openTab,
    t: (key) => api.i18n.getMessage(key) || key,
    iconUrl: iconData(api.runtime.getURL("icons/icon48.png")), // read at start, ready by the first call
  });
  let listening = false;
  const listen = () => {
    if (listening || !api.notifications) return;
    listening = true;
    api.notifications.onClicked.addListener((id) => { card.clicked(id); });
  };
  listen();
  api.permissions.onAdded.addListener((added) => {
    if (!((added && added.permissions) || []).includes(PERMISSION)) return;
    listen();
    // Granting it is switching the card on (it is asked for nothing else); also when the asking
    // page (a Firefox popup) closed before it could save the switch itself.
    api.storage.local.set({ callerCard: true }).catch(() => {});
  });
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!message || message.type !== "callerCard.open") return false;
    if (senderKind(sender, api.runtime) !== "page") {
      sendResponse({ ok: false, error: { code: "forbidden", message: "callerCard.open is not accepted from this sender", field: null } });
      return false;
    }
    card.open(String(message.call_id)).then((opened) => sendResponse({ ok: true, result: { opened } }));
    return true;
  });
  return card;
}
