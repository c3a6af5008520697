// Content script (isolated world): takes CallEvents from the page (observer or page bridge), checks them, forwards them to the service worker.
(function () {
  "use strict";
  const ns = globalThis.__uccWebhooks;
  const api = globalThis.browser || globalThis.chrome;
  if (!ns || !ns.callEvent || !api || !api.runtime) return;
  if (globalThis.__uccWebhooksBridge) return; // injected twice into one frame: the first one serves
  globalThis.__uccWebhooksBridge = true;

  let config = null; // {queueRule, userName, webhooksEnabled}: the effective settings from the worker

  function alive() {
    try {
      return Boolean(api.runtime && api.runtime.id); // undefined once the extension was reloaded
    } catch (e) {
      return false;
    }
  }

  /** The event's detail as a plain object: an object (any world) or a JSON string. */
  function plainDetail(detail) {
    if (typeof detail === "string") return JSON.parse(detail);
    return JSON.parse(JSON.stringify(detail)); // copies own data only; also unwraps Firefox Xrays
  }

  function onCall(event) {
    if (!alive()) return;
    let checked;
    try {
      checked = ns.callEvent.checkCallEvent(plainDetail(event.detail));
    } catch (e) {
      checked = { ok: false, error: "detail is not JSON-like" };
    }
    if (!checked.ok) {
      console.warn("ucc-webhooks: call event ignored:", checked.error);
      return;
    }
    const callEvent = checked.event;
    if (config && config.userName) callEvent.user = config.userName; // the setting wins everywhere
    api.runtime.sendMessage({ type: "call_event", event: callEvent }).catch((error) => {
      console.warn("ucc-webhooks: could not hand the call event to the extension:", error && error.message);
    });
  }

  function pushConfig() {
    if (!config) return;
    const detail = JSON.stringify({ queueRule: config.queueRule, userName: config.userName });
    window.dispatchEvent(new CustomEvent("ucc-webhooks:config", { detail }));
  }

  function loadConfig() {
    if (!alive()) return;
    api.runtime.sendMessage({ type: "config.get" }).then((reply) => {
      if (reply && reply.ok) {
        config = reply.result;
        pushConfig();
      }
    }, () => { /* worker starting up: the next storage change or page load asks again */ });
  }

  // Any script on the page can dispatch this, so it carries one known word and is told once.
  let toldUnwatched = false;
  function onUnwatched(event) {
    if (toldUnwatched || !alive() || event.detail !== "csp_blob_worker") return;
    toldUnwatched = true;
    api.runtime.sendMessage({ type: "page.unwatched", reason: "csp_blob_worker" }).catch(() => {});
  }

  window.addEventListener("ucc-webhooks:call", onCall);
  window.addEventListener("ucc-webhooks:unwatched", onUnwatched);
  window.addEventListener("ucc-webhooks:ready", pushConfig); // the observer may start after us
  api.storage.onChanged.addListener(loadConfig);
  loadConfig();
})();
