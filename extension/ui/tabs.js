// Which open tabs of the UCC origins have no observer: a tab opened before host access was granted is only observed after a reload.

/** True in a frame where our content script runs (it attaches the call-event checker to its world's global). */
function hasBridge() {
  return Boolean(globalThis.__uccWebhooks && globalThis.__uccWebhooks.callEvent);
}

/**
 * Tabs matching `origins` (match patterns) without our content script. Asks each tab in the
 * extension's isolated world, the world content.js runs in; tabs we may not access are left out
 * (nothing can be said about them, and they are the "not granted" case anyway).
 */
export async function unobservedTabs({ tabs, scripting }, origins) {
  if (!origins.length) return [];
  let found = [];
  try {
    found = await tabs.query({ url: [...origins] });
  } catch (e) {
    return [];
  }
  const out = [];
  for (const tab of found) {
    try {
      const [frame] = await scripting.executeScript({ target: { tabId: tab.id }, func: hasBridge });
      if (!frame || frame.result !== true) out.push(tab);
    } catch (e) { /* no access to this tab */ }
  }
  return out;
}

/** Reload a tab and resolve once it has loaded again (or after `timeoutMs`), so that it can be asked afresh. */
export function reloadTab(tabs, tabId, timeoutMs = 15000) {
  return new Promise((resolve) => {
    const done = () => { tabs.onUpdated.removeListener(listener); clearTimeout(timer); resolve(); };
    const listener = (id, info) => { if (id === tabId && info.status === "complete") done(); };
    const timer = setTimeout(done, timeoutMs);
    tabs.onUpdated.addListener(listener);
    tabs.reload(tabId).catch(done);
  });
}
