// Effective extension settings: chrome.storage.local overlaid by managed storage (administrator policy), ARCHITECTURE.md "Extension settings".
import { DEFAULTS } from "./defaults.js";

export const LOCAL_KEYS = Object.freeze(["uccOrigins", "queueRule", "userName", "pageBridge"]);
export const MANAGED_KEYS = Object.freeze([...LOCAL_KEYS, "WEBHOOKS_ENABLED"]);

// scheme://host/path as Chromium and Firefox accept it in `matches`; host may start with "*." or be "*"
// (kept to plain host names and IP literals: one bad pattern would make the whole registration fail).
const MATCH_PATTERN = /^(https?|\*):\/\/(\*|(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:(\d+|\*))?\/.*$/;

// Second-level public suffixes under which "*.<suffix>" still means thousands of unrelated sites.
const BROAD_SUFFIXES = new Set(["co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.jp", "ne.jp",
  "com.br", "co.nz", "co.za", "com.cn", "com.tr", "co.in", "co.at", "or.at", "gv.at", "com.mx", "com.pl", "co.kr"]);

/**
 * Why a syntactically fine pattern is still refused: null when it names one UCC client (or one
 * subdomain tree of the user's own domain), else a reason code for _locales ("originTooBroad_<code>").
 * A pattern matching every site, a whole TLD or a public suffix would let any web page there
 * feed the extension call events and open tabs with the user's cookies.
 */
export function broadPatternReason(text) {
  if (typeof text !== "string") return "invalid";
  const t = text.trim();
  if (t === "<all_urls>" || t === "*" || /^\*:\/\/\*\//.test(t)) return "all_sites";
  const m = /^[^:]+:\/\/([^/]*?)(?::(?:\d+|\*))?\//.exec(t);
  if (!m) return null;
  const host = m[1].toLowerCase();
  if (host === "*" || host === "") return "all_sites";
  if (host.startsWith("[") || /^\d+(\.\d+){3}$/.test(host)) return null; // an IP literal names one machine
  const bare = host.replace(/^\*\./, "");
  const labels = bare.split(".");
  if (labels.length === 1 && bare !== "localhost") return "tld";
  if (host.startsWith("*.") && (labels.length < 2 || BROAD_SUFFIXES.has(bare))) return "tld";
  if (BROAD_SUFFIXES.has(bare)) return "tld";
  return null;
}

export function isMatchPattern(text) {
  return typeof text === "string" && MATCH_PATTERN.test(text) && broadPatternReason(text) === null;
}

/**
 * What a person types as a match pattern: {pattern} or {error} with error "invalid" or a
 * broadPatternReason code. An explicit port is kept (`https://ucc.example.com:8443/*`).
 */
export function checkOriginInput(text) {
  let s = String(text || "").trim();
  if (!s) return { error: "invalid" };
  if (s === "<all_urls>" || s === "*") return { error: "all_sites" };
  if (MATCH_PATTERN.test(s) && /\*$/.test(s)) {
    const reason = broadPatternReason(s);
    return reason ? { error: reason } : { pattern: s };
  }
  if (!/^[a-z*]+:\/\//i.test(s)) s = "https://" + s;
  try {
    const url = new URL(s.replace("://*.", "://wildcard-placeholder."));
    if (url.protocol !== "https:" && url.protocol !== "http:") return { error: "invalid" };
    const host = url.hostname.replace("wildcard-placeholder.", "*.");
    const pattern = `${url.protocol}//${host}${url.port ? ":" + url.port : ""}/*`;
    if (!MATCH_PATTERN.test(pattern)) return { error: "invalid" };
    const reason = broadPatternReason(pattern);
    return reason ? { error: reason } : { pattern };
  } catch (e) {
    return { error: "invalid" };
  }
}

/** The pattern for what a person typed, or null when it is refused (see checkOriginInput for why). */
export function toMatchPattern(text) {
  return checkOriginInput(text).pattern || null;
}

/** A pattern without its port: Chromium matches every port then, Firefox ignores patterns that name one. */
export function portless(pattern) {
  return pattern.replace(/^([^:]+:\/\/[^/]+?):(\d+|\*)\//, "$1/");
}

/** Whether a page URL is one the patterns name, port included (the registration itself is portless). */
export function urlMatches(patterns, url) {
  let u;
  try {
    u = new URL(url);
  } catch (e) {
    return false;
  }
  return patterns.some((pattern) => {
    const m = /^(https?|\*):\/\/([^/]+?)(?::(\d+|\*))?\//.exec(pattern);
    if (!m) return false;
    const scheme = u.protocol.slice(0, -1);
    if (m[1] === "*" ? scheme !== "http" && scheme !== "https" : m[1] !== scheme) return false;
    const host = m[2].toLowerCase();
    const name = u.hostname.toLowerCase();
    const hostOk = host.startsWith("*.") ? name === host.slice(2) || name.endsWith(host.slice(1)) : name === host;
    if (!hostOk) return false;
    if (m[3] === undefined || m[3] === "*") return true; // no port named: every port, as Chromium matches
    return (u.port || (scheme === "https" ? "443" : "80")) === m[3];
  });
}

function strings(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
}

function rule(value) {
  if (!value || typeof value !== "object") return { header: null, displayNamePattern: null };
  const text = (v) => (typeof v === "string" && v.trim() ? v.trim() : null);
  return { header: text(value.header), displayNamePattern: text(value.displayNamePattern) };
}

/** Merge local and managed values: managed wins, origins are the union (with the build's baked-in ones); `managed` lists what the policy fixes. */
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
    // The page bridge lets any script on the page send call events: off unless switched on.
    pageBridge: (has("pageBridge") ? managed.pageBridge : local.pageBridge) === true,
    webhooksEnabled: managed.WEBHOOKS_ENABLED !== false,
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
