// What each UCC tab's page reported about its workers (page/reach.js onPageState), kept per tab for the popup's offer to watch them.

export const PAGE_STATES_KEY = "pageStates";
const MAX_TABS = 200;

/**
 * The reports, in storage.session under PAGE_STATES_KEY as {tabId: {workers, sipSeen, url, at}}
 * (it outlives a suspended worker). A tab's entry goes when the tab closes or starts loading another
 * page. storage: chrome.storage.session-like or null; writes are serialised.
 */
export function createPageStates({ storage, now = () => Date.now() }) {
  let chain = Promise.resolve();
  let memory = {};

  async function load() {
    if (!storage) return memory;
    try {
      const saved = (await storage.get(PAGE_STATES_KEY))[PAGE_STATES_KEY];
      return saved && typeof saved === "object" ? saved : {};
    } catch (e) {
      return {};
    }
  }

  function change(fn) {
    chain = chain.then(async () => {
      const states = await load();
      if (!fn(states)) return;
      memory = states;
      if (storage) await storage.set({ [PAGE_STATES_KEY]: states }).catch(() => {});
    });
    return chain;
  }

  return {
    record(tabId, url, { workers, sipSeen }) {
      return change((states) => {
        const keys = Object.keys(states);
        if (!(tabId in states) && keys.length >= MAX_TABS) delete states[keys[0]];
        states[tabId] = { workers, sipSeen, url, at: now() / 1000 };
        return true;
      });
    },
    forget(tabId) {
      return change((states) => (tabId in states ? delete states[tabId] : false));
    },
    async all() {
      await chain;
      return JSON.parse(JSON.stringify(await load()));
    },
  };
}

/** A report is {workers: whole number, sipSeen: boolean}; anything else is refused. */
export function checkPageState(message) {
  const workers = message && message.workers;
  if (!Number.isInteger(workers) || workers < 0 || workers > 1e6 || typeof message.sipSeen !== "boolean") return null;
  return { workers, sipSeen: message.sipSeen };
}

/**
 * Runtime-message handlers (merged into bg/handlers.js's table): "page.state" from a content
 * script (the top frame's report only: a frame's own workers say nothing about the page's phone),
 * "page.states" for the popup.
 */
export function pageStateHandlers(states) {
  return {
    "page.state": {
      from: "content",
      handle(message, sender = {}) {
        const state = checkPageState(message);
        if (!state || !sender.tab || (sender.frameId !== undefined && sender.frameId !== 0)) return { recorded: false };
        states.record(sender.tab.id, sender.tab.url || sender.url || "", state);
        return { recorded: true };
      },
    },
    "page.states": {
      from: "page",
      handle: () => states.all(),
    },
  };
}

/** Forget a tab's report when it closes or loads another page (tabs: chrome.tabs). */
export function forgetOnNavigation(tabs, states) {
  if (tabs.onRemoved) tabs.onRemoved.addListener((tabId) => states.forget(tabId));
  if (tabs.onUpdated) tabs.onUpdated.addListener((tabId, info) => { if (info && info.status === "loading") states.forget(tabId); });
}
