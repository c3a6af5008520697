// Registers the MAIN-world observer and the content script for the configured UCC origins (chrome.scripting.registerContentScripts).
import { portless } from "../common/origins.js";

export const OBSERVER_ID = "ucc-webhooks-observer";
export const WATCHING_ID = "ucc-webhooks-observer-workers";
export const BRIDGE_ID = "ucc-webhooks-bridge";
// Order matters: each file attaches to the namespace the next one uses; page/main.js installs and cleans up.
// common/call_event.js (the shape check) runs in the content script's world only: the page's world never checks.
export const OBSERVER_JS = Object.freeze(["page/sip.js", "page/calls.js", "page/disguise.js",
  "page/observer.js", "page/workers.js", "page/reach.js", "page/main.js"]);
// Origins that opt in to watching workers (watchWorkerOrigins) get the bootstrap and its CSP rescue too.
export const WATCHING_JS = Object.freeze(["page/sip.js", "page/calls.js", "page/disguise.js",
  "page/observer.js", "page/rescue.js", "page/bootstrap.js", "page/workers.js", "page/reach.js", "page/watch_workers.js", "page/main.js"]);
export const BRIDGE_JS = Object.freeze(["common/call_event.js", "content.js"]);

/**
 * The registrations for these origins: the observer in the page's MAIN world (the workers-watching
 * one for `watching`, a subset of `origins`), the bridge in the isolated world. Registrations are
 * portless (Firefox ignores patterns with a port), so a host is watched on every port when any
 * of its configured patterns opts in.
 */
export function scriptsFor(origins, watching = []) {
  if (!origins.length) return [];
  // Portless: Firefox ignores patterns with a port; the worker checks the port of each event's tab.
  // matchOriginAsFallback: also about:blank / srcdoc / blob frames of these origins, where a page
  // may take a fresh WebSocket constructor (the observer also reaches them from the parent).
  const matches = [...new Set(origins.map(portless))];
  const watched = new Set(watching.filter((o) => origins.includes(o)).map(portless));
  const common = { runAt: "document_start", allFrames: true, matchOriginAsFallback: true, persistAcrossSessions: true };
  const plain = matches.filter((m) => !watched.has(m));
  const scripts = [];
  if (plain.length) scripts.push({ id: OBSERVER_ID, js: [...OBSERVER_JS], world: "MAIN", matches: plain, ...common });
  if (watched.size) scripts.push({ id: WATCHING_ID, js: [...WATCHING_JS], world: "MAIN", matches: [...watched], ...common });
  scripts.push({ id: BRIDGE_ID, js: [...BRIDGE_JS], matches, ...common });
  return scripts;
}

let chain = Promise.resolve();

/** Replace our registrations with ones for `origins` (serialised: overlapping calls would clash on the ids). */
export function syncContentScripts(scripting, origins, watching = []) {
  chain = chain.then(async () => {
    const existing = await scripting.getRegisteredContentScripts({ ids: [OBSERVER_ID, WATCHING_ID, BRIDGE_ID] });
    if (existing.length) await scripting.unregisterContentScripts({ ids: existing.map((s) => s.id) });
    const scripts = scriptsFor(origins, watching);
    if (scripts.length) await scripting.registerContentScripts(scripts);
    return scripts;
  }).catch((error) => {
    console.error("ucc-webhooks: could not register the call observer:", error && error.message);
    return [];
  });
  return chain;
}
