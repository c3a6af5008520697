// Registers the MAIN-world observer and the content script for the configured UCC origins (chrome.scripting.registerContentScripts).
import { portless } from "../common/origins.js";

export const OBSERVER_ID = "ucc-webhooks-observer";
export const BRIDGE_ID = "ucc-webhooks-bridge";
// Order matters: each file attaches to the namespace the next one uses; page/main.js installs and cleans up.
export const OBSERVER_JS = Object.freeze(["common/call_event.js", "page/sip.js", "page/calls.js", "page/observer.js", "page/rescue.js", "page/reach.js", "page/main.js"]);
export const BRIDGE_JS = Object.freeze(["common/call_event.js", "content.js"]);

/** The two registrations for these origins: the observer in the page's MAIN world, the bridge in the isolated world. */
export function scriptsFor(origins) {
  if (!origins.length) return [];
  // Portless: Firefox ignores patterns with a port; the worker checks the port of each event's tab.
  // matchOriginAsFallback: also about:blank / srcdoc / blob frames of these origins, where a page
  // may take a fresh WebSocket constructor (the observer also reaches them from the parent).
  const matches = [...new Set(origins.map(portless))];
  const common = { matches, runAt: "document_start", allFrames: true, matchOriginAsFallback: true, persistAcrossSessions: true };
  return [
    { id: OBSERVER_ID, js: [...OBSERVER_JS], world: "MAIN", ...common },
    { id: BRIDGE_ID, js: [...BRIDGE_JS], ...common },
  ];
}

let chain = Promise.resolve();

/** Replace our registrations with ones for `origins` (serialised: overlapping calls would clash on the ids). */
export function syncContentScripts(scripting, origins) {
  chain = chain.then(async () => {
    const existing = await scripting.getRegisteredContentScripts({ ids: [OBSERVER_ID, BRIDGE_ID] });
    if (existing.length) await scripting.unregisterContentScripts({ ids: existing.map((s) => s.id) });
    const scripts = scriptsFor(origins);
    if (scripts.length) await scripting.registerContentScripts(scripts);
    return scripts;
  }).catch((error) => {
    console.error("ucc-webhooks: could not register the call observer:", error && error.message);
    return [];
  });
  return chain;
}
