// MAIN-world entry, injected last at document_start: installs the observer and talks to the content script through window events.
(function (global) {
  "use strict";
  const ns = global.__uccWebhooks;
  try {
    delete global.__uccWebhooks; // leave no trace in the page's global scope
  } catch (e) { /* non-configurable in some odd page: harmless */ }
  if (!ns || !ns.observer) return;
  try {
    const CustomEventCtor = global.CustomEvent;
    const dispatch = global.EventTarget.prototype.dispatchEvent;
    const listen = global.EventTarget.prototype.addEventListener;
    const parseJSON = JSON.parse;
    const installed = ns.observer.install(global, {
      awaitConfigMs: 10000, // settings normally arrive within milliseconds; at browser start it can take seconds
      // Same channel as the page bridge: the content script validates both alike.
      emit(event) {
        dispatch.call(global, new CustomEventCtor("ucc-webhooks:call", { detail: event }));
      },
      onError(error) {
        try { global.console.debug("ucc-webhooks: observer error (ignored):", error); } catch (e) { /* ignore */ }
      },
    });
    if (!installed) return;
    let reached = null; // sockets in workers and fresh frames (page/reach.js)
    try {
      if (ns.reach) {
        reached = ns.reach.reach(global, installed, {
          emit(event) { dispatch.call(global, new CustomEventCtor("ucc-webhooks:call", { detail: event })); },
          // a worker the page's CSP keeps from the bootstrap runs unwatched: the popup says so
          onUnwatched(reason) { dispatch.call(global, new CustomEventCtor("ucc-webhooks:unwatched", { detail: reason })); },
        });
      }
    } catch (e) { /* the page's own sockets are still observed */ }
    // The content script pushes {queueRule, userName} as a JSON string (strings cross worlds in every browser).
    listen.call(global, "ucc-webhooks:config", function (event) {
      try {
        if (typeof event.detail !== "string") return;
        const config = parseJSON(event.detail);
        installed.setConfig(config);
        if (reached) reached.setConfig(config);
      } catch (e) { /* a malformed config changes nothing */ }
    });
    dispatch.call(global, new CustomEventCtor("ucc-webhooks:ready"));
  } catch (e) { /* never throw into the page */ }
})(globalThis);
