// Bounds on what a page can make the extension do: call events and tabs opened, each with a budget for the observer and one for the page bridge; one event per call and trigger across tabs; every drop is counted.

export const LIMITS = Object.freeze({
  // A desk makes 3-4 events a call: 120 a minute is 30 calls a minute, more than any person takes.
  // Counted per tab, frame and call direction: a page that writes made-up SIP on its own socket
  // ("sent" INVITEs are outgoing calls) cannot spend the budget of the calls that ring in.
  eventsPerFramePerMinute: 120,
  bridgeEventsPerTabPerMinute: 60, // the page bridge (opt-in): its own budget per tab
  tabsPerMinute: 4, // open_tab screen pops of observed calls, all webhooks together
  bridgeTabsPerMinute: 4, // screen pops of page-bridge calls, counted apart
  forkHoldMs: 1500, // how long "missed"/"elsewhere" from one tab waits for another tab's answer of the same call
  rememberCalls: 500,
  lastDrops: 20,
});

/** What each source's drops are counted as: the popup shows them apart. */
export const DROP_REASONS = Object.freeze({
  observer: Object.freeze({ rate: "rate_limited", tabs: "tab_limit" }),
  bridge: Object.freeze({ rate: "bridge_rate_limited", tabs: "bridge_tab_limit" }),
});

export const DROPS_KEY = "droppedEvents";
const STARTS = new Set(["incoming_call_ringing", "outgoing_call_started"]);
const ACCEPTED = new Set(["incoming_call_accepted", "queue_call_accepted"]);
const NOT_ANSWERED_HERE = new Set(["incoming_call_missed", "incoming_call_answered_elsewhere"]);

/**
 * The log of what was dropped, kept in storage.session under DROPS_KEY as
 * {count, byReason: {reason: n}, last: [{at, reason, trigger}]} (newest last, at most 20).
 * storage: chrome.storage.session-like (get/set) or null; writes are serialised.
 */
export function createDropLog({ storage, now = () => Date.now(), onChange = () => {} }) {
  let state = null;
  let chain = Promise.resolve();
  const empty = () => ({ count: 0, byReason: {}, last: [] });

  async function load() {
    if (state) return state;
    let saved = null;
    try {
      saved = storage ? (await storage.get(DROPS_KEY))[DROPS_KEY] : null;
    } catch (e) { /* no session storage: start empty */ }
    if (!state) state = saved && typeof saved.count === "number" ? saved : empty();
    return state;
  }

  function record(reason, trigger = null) {
    chain = chain.then(async () => {
      const s = await load();
      s.count += 1;
      s.byReason[reason] = (s.byReason[reason] || 0) + 1;
      s.last.push({ at: now() / 1000, reason, trigger });
      if (s.last.length > LIMITS.lastDrops) s.last.splice(0, s.last.length - LIMITS.lastDrops);
      if (storage) await storage.set({ [DROPS_KEY]: s }).catch(() => {});
      try { onChange(s); } catch (e) { /* a listener's problem */ }
    });
    return chain;
  }

  // storage.session is the record (it outlives a suspended worker); read it afresh for each page that asks
  const get = async () => { await chain; if (storage) state = null; return JSON.parse(JSON.stringify(await load())); };
  return { record, get };
}

/** Sliding one-minute window: allow() says whether one more fits, and counts it when it does. */
function windowCounter(limit, now) {
  const times = [];
  return {
    allow() {
      const t = now();
      while (times.length && t - times[0] >= 60000) times.shift();
      if (times.length >= limit) return false;
      times.push(t);
      return true;
    },
  };
}

/**
 * The worker's guard between content scripts and the host port.
 * deps: {drops (createDropLog), now() ms, setTimer(fn, ms), limits}.
 * admitEvent(from, event, forward), from = {source: "observer"|"bridge", tab, frame}: forwards at most
 * what that source's budget allows, possibly later (fork hold); returns "forwarded", "held",
 * "duplicate" or "dropped". admitTab(notice) says whether an open_tab notice may open a tab: the
 * budget is the one of the source whose event fired it (notice.call_id), the observer's if unknown.
 */
export function createGuard({ drops, now = () => Date.now(), setTimer = (fn, ms) => setTimeout(fn, ms), limits = LIMITS }) {
  const budgets = new Map(); // "<source>:<tab>[:<frame>:<direction>]" -> window counter
  const calls = new Map(); // call_id -> {tabs: Set, accepted: bool, sent: Set of triggers, source}
  const tabs = {
    observer: windowCounter(limits.tabsPerMinute, now),
    bridge: windowCounter(limits.bridgeTabsPerMinute, now),
  };
  const opened = new Set(); // delivery ids of tabs already opened

  function callOf(id) {
    let call = calls.get(id);
    if (!call) {
      if (calls.size >= limits.rememberCalls) calls.delete(calls.keys().next().value);
      call = { tabs: new Set(), accepted: false, sent: new Set(), source: "observer" };
      calls.set(id, call);
    }
    return call;
  }

  function send(call, event, source, forward) {
    // One event per call and trigger, whichever tab saw it (a call forked to two tabs).
    if (call.sent.has(event.trigger)) return false;
    if (NOT_ANSWERED_HERE.has(event.trigger) && call.accepted) return false; // the other tab answered it
    call.sent.add(event.trigger);
    call.source = source;
    if (ACCEPTED.has(event.trigger)) call.accepted = true;
    forward(event);
    return true;
  }

  function budgetOf(source, tab, frame, direction) {
    const key = source === "bridge" ? `bridge:${tab}` : `observer:${tab}:${frame}:${direction}`;
    let counter = budgets.get(key);
    if (!counter) {
      counter = windowCounter(source === "bridge" ? limits.bridgeEventsPerTabPerMinute : limits.eventsPerFramePerMinute, now);
      budgets.set(key, counter);
    }
    return counter;
  }

  function admitEvent(from, event, forward) {
    const source = from && from.source === "bridge" ? "bridge" : "observer";
    const tab = from ? from.tab : null;
    if (!budgetOf(source, tab, from ? from.frame || 0 : 0, event.direction).allow()) {
      drops.record(DROP_REASONS[source].rate, event.trigger);
      return "dropped";
    }
    const call = callOf(event.call_id);
    if (STARTS.has(event.trigger)) call.tabs.add(tab);
    if (NOT_ANSWERED_HERE.has(event.trigger) && call.tabs.size > 1 && !call.accepted) {
      // Another tab rang too: its 200 OK may still be on the way to us.
      setTimer(() => send(call, event, source, forward), limits.forkHoldMs);
      return "held";
    }
    return send(call, event, source, forward) ? "forwarded" : "duplicate";
  }

  /** True when this call was seen ringing or starting here: its events are worth more than ones out of nowhere. */
  function sawStart(callId) {
    const call = calls.get(callId);
    return Boolean(call && (call.sent.has("incoming_call_ringing") || call.sent.has("outgoing_call_started")));
  }

  function admitTab(notice) {
    const key = notice.delivery_id || null;
    if (key && opened.has(key)) {
      drops.record("tab_already_opened", null);
      return false;
    }
    const call = typeof notice.call_id === "string" ? calls.get(notice.call_id) : null;
    const source = call ? call.source : "observer";
    if (!tabs[source].allow()) {
      drops.record(DROP_REASONS[source].tabs, null);
      return false;
    }
    if (key) {
      opened.add(key);
      if (opened.size > limits.rememberCalls) opened.delete(opened.values().next().value);
    }
    return true;
  }

  /** A closed tab's budgets go with it. */
  function forgetTab(tabId) {
    for (const key of [...budgets.keys()]) {
      if (key === `bridge:${tabId}` || key.startsWith(`observer:${tabId}:`)) budgets.delete(key);
    }
  }

  return { admitEvent, admitTab, sawStart, forgetTab };
}

/** Which queued event the port evicts when full: the oldest one of a call never seen ringing, else the oldest. */
export function evictionIndex(items, sawStart) {
  const inQueue = new Set(items.filter((i) => STARTS.has(i.event.trigger)).map((i) => i.event.call_id));
  const waiting = (i) => !i.inFlight;
  let index = items.findIndex((i) => waiting(i) && !sawStart(i.event.call_id) && !inQueue.has(i.event.call_id));
  if (index < 0) index = items.findIndex(waiting);
  return index >= 0 ? index : 0;
}
