// Effective extension settings: chrome.storage.local overlaid by managed storage (administrator policy), ARCHITECTURE.md "Extension settings".
import { isMatchPattern } from "../common/origins.js";
import { DEFAULTS } from "./defaults.js";

export const LOCAL_KEYS = Object.freeze(["uccOrigins", "queueRule", "userName", "watchWorkerOrigins", "pageBridge", "callerCard"]);
export const MANAGED_KEYS = Object.freeze([...LOCAL_KEYS, "WEBHOOKS_ENABLED"]);

function strings(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
}

function rule(value) {
  if (!value || typeof value !== "object") return { header: null, displayNamePattern: null };
  const text = (v) => (typeof v === "string" && v.trim() ? v.trim() : null);
  return { header: text(value.header), displayNamePattern: text(value.displayNamePattern) };
}

/**
 * Merge local and managed values: managed wins, origins are the union (with the build's baked-in
 * ones); `managed` lists what the policy fixes. `watchWorkerOrigins` (the origins whose workers are
 * started from the observer's bootstrap, ARCHITECTURE.md "What the page step changes") keeps only
 * patterns that are among the UCC origins; the policy's list, when it sets one, replaces the user's.
 */
export function merge(local = {}, managed = {}, defaults = DEFAULTS) {
  // Kept with their ports: the registration matches portless, the worker checks the port (urlMatches).
  const all = [...strings(managed.uccOrigins), ...strings(local.uccOrigins), ...strings(defaults.uccOrigins)]
    .filter(isMatchPattern);
  const origins = [...new Set(all)];
  const has = (key) => managed[key] !== undefined && managed[key] !== null;
  return {
    uccOrigins: origins,
    queueRule: rule(has("queueRule") ? managed.queueRule : local.queueRule),
    userName: (has("userName") ? managed.userName : local.userName) || null,
    watchWorkerOrigins: [...new Set(strings(has("watchWorkerOrigins") ? managed.watchWorkerOrigins : local.watchWorkerOrigins))]
      .filter((o) => origins.includes(o)),
    // The page bridge lets any script on the page send call events: off unless switched on.
    pageBridge: (has("pageBridge") ? managed.pageBridge : local.pageBridge) === true,
    webhooksEnabled: managed.WEBHOOKS_ENABLED !== false,
    // off until switched on: the desktop notification needs a permission the user grants then (bg/caller_card.js)
    callerCard: (has("callerCard") ? managed.callerCard : local.callerCard) === true,
    managed: MANAGED_KEYS.filter(has),
  };
}

/** Managed storage; absent in Firefox without a policy, which counts as empty. */
async function readManaged(storage) {
  try {
    return (storage.managed && (await storage.managed.get(null))) || {};
  } catch (e) {
    return {};
  }
}

/** Read both areas. */
export async function readSettings(storage) {
  const [local, managed] = await Promise.all([storage.local.get([...LOCAL_KEYS]), readManaged(storage)]);
  return merge(local || {}, managed);
}

/**
 * The worker's reader: managed storage is read once and then on change only. Chromium takes about
 * 3 s to answer the first storage.managed.get of a session (measured, Chromium 156, no policy);
 * asking it for every call event or page load would hold them all up. Local settings are kept the
 * same way (a storage round trip costs about a millisecond on the path from 200 OK to the CRM).
 */
export function createSettingsReader(storage) {
  let managed = null;
  let local = null;
  const reload = () => (managed = readManaged(storage));
  const reloadLocal = () => (local = Promise.resolve(storage.local.get([...LOCAL_KEYS])).catch(() => ({})));
  // A force-installed extension's first read can come before Chromium has its policy and give {},
  // with no storage.onChanged later (seen in Chromium 156): while the policy reads empty, each read
  // asks again in the background (one at a time, never awaited), so the next read sees it.
  let recheck = null;
  const recheckEmpty = (policy) => {
    if (recheck || (policy && Object.keys(policy).length)) return;
    recheck = readManaged(storage).then((fresh) => {
      if (fresh && Object.keys(fresh).length) managed = Promise.resolve(fresh);
    }).finally(() => (recheck = null));
  };
  return {
    async read() {
      const [mine, policy] = await Promise.all([local || reloadLocal(), managed || reload()]);
      recheckEmpty(policy);
      return merge(mine || {}, policy);
    },
    managedChanged: reload,
    localChanged: reloadLocal,
    /** Local settings read afresh: a content script told of a change may ask before our own onChanged ran. */
    fresh() {
      reloadLocal();
      return this.read();
    },
  };
}
