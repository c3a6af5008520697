// How the worker learns that a page holding open calls went away, or that the browser started again: tab events, pings to content scripts, the heartbeat alarm, runtime.onStartup (bg/open_calls.js decides).

export const HEARTBEAT_ALARM = "ucc-webhooks-open-calls";
// Chromium fires alarms at most every 30 s in packed extensions: the browser_closed duration is
// short by at most that much.
export const HEARTBEAT_MINUTES = 0.5;

/** Ask the content script of (tab, frame) which document it is: {doc}, or null when none answers. */
export function pinger(tabs) {
  return (tabId, frameId) => Promise.resolve()
    .then(() => tabs.sendMessage(tabId, { type: "ucc-webhooks:ping" }, { frameId }))
    .then((reply) => (reply && typeof reply.doc === "string" ? reply : null), () => null);
}

/**
 * Wire the browser's events to `openCalls` (listeners at the worker's top level, so a stopped
 * worker is woken for them). Needs no permission beyond `alarms`: tabs.onRemoved and onUpdated's
 * `status` come without the `tabs` permission, and the ping goes to our own content script.
 */
export function watchPageLife({ api, openCalls }) {
  const ping = pinger(api.tabs);
  api.tabs.onRemoved.addListener((tabId) => { openCalls.tabRemoved(tabId); });
  api.tabs.onUpdated.addListener((tabId, change) => {
    // Also a frame's load sets the tab "loading": the ping tells a reload from an iframe.
    if (change && (change.status || change.discarded)) openCalls.tabChanged(tabId, ping);
  });
  api.runtime.onStartup.addListener(() => { openCalls.browserStarted(); });
  api.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === HEARTBEAT_ALARM) openCalls.heartbeat();
  });
}

/** onCount for createOpenCalls: the heartbeat runs while calls are open, and only then. */
export function heartbeatSwitch(alarms) {
  let running = null; // unknown after a worker start: set once, then only on a change
  return (count) => {
    const want = count > 0;
    if (want === running) return;
    running = want;
    if (want) alarms.create(HEARTBEAT_ALARM, { periodInMinutes: HEARTBEAT_MINUTES });
    else Promise.resolve(alarms.clear(HEARTBEAT_ALARM)).catch(() => {});
  };
}
