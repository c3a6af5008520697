// MAIN-world entry, injected last at document_start: agrees a private channel with the content script, installs the observer and sends its events only there.
(function (global) {
  "use strict";
  const ns = global.__uccWebhooks;
  try {
    delete global.__uccWebhooks; // leave no trace in the page's global scope
  } catch (e) { /* non-configurable in some odd page: harmless */ }

  // The handshake's two well-known names (ARCHITECTURE.md, "The observer's channel"). Both scripts
  // run at document_start before any page script, in either order; whichever runs second completes
  // the handshake, and afterwards nothing listens to these names any more.
  const OBSERVER_HELLO = "ucc-webhooks:observer-hello";
  const BRIDGE_HELLO = "ucc-webhooks:bridge-hello";

  /**
   * The observer's end of the channel: the content script's random token becomes the event type
   * of every message (observer -> content script) and, with ":config", of the settings it pushes
   * back. natives: what was captured before any page script ran, so later hooks never see a message.
   */
  function openChannel(natives) {
    const { win, Event, CustomEvent, dispatch, listen, unlisten, parse, stringify, Observer } = natives;
    let name = null;
    let onConfig = null;
    let watcher = null;

    function close() {
      unlisten.call(win, BRIDGE_HELLO, onBridgeHello, true);
      if (watcher) watcher.disconnect();
      watcher = null;
    }

    function onBridgeHello(event) {
      const token = event.detail;
      if (name !== null || typeof token !== "string" || token.length !== 32) return;
      name = token;
      close();
      listen.call(win, name + ":config", function (e) {
        try {
          if (onConfig && typeof e.detail === "string") onConfig(parse(e.detail));
        } catch (error) { /* a malformed config changes nothing */ }
      });
      dispatch.call(win, new Event(OBSERVER_HELLO)); // acknowledged: the content script stops listening
    }

    listen.call(win, BRIDGE_HELLO, onBridgeHello, true);
    dispatch.call(win, new Event(OBSERVER_HELLO)); // a content script that ran first answers at once
    if (name === null && typeof Observer === "function" && win.document) {
      // The content script runs next, before any page script. Should it never come, stop listening
      // once the parser adds the first node: a page script could otherwise hand us a token of its own.
      watcher = new Observer(close);
      watcher.observe(win.document, { childList: true, subtree: true });
    }

    return {
      /** Send {kind, ...} to the content script; dropped while no channel was agreed. */
      send(message) {
        if (name === null) return;
        dispatch.call(win, new CustomEvent(name, { detail: stringify(message) }));
      },
      setConfigListener(fn) { onConfig = fn; },
    };
  }

  let channel = null;
  try {
    channel = openChannel({
      win: global,
      Event: global.Event,
      CustomEvent: global.CustomEvent,
      dispatch: global.EventTarget.prototype.dispatchEvent,
      listen: global.EventTarget.prototype.addEventListener,
      unlisten: global.EventTarget.prototype.removeEventListener,
      parse: JSON.parse,
      stringify: JSON.stringify,
      Observer: global.MutationObserver,
    });
  } catch (e) {
    return; // without a channel nothing could be told: the page is left exactly as it was
  }
  // (No ns.callEvent here: Chromium injects each file once per frame, and the content script, which
  // it injects first, already took common/call_event.js.)
  if (!ns || !ns.observer) return;

  const keys = Object.keys;
  /** A copy without a prototype: a later `Object.prototype.toJSON` of the page cannot rewrite it. */
  function plain(event) {
    const out = Object.create(null);
    const names = keys(event);
    for (let i = 0; i < names.length; i++) out[names[i]] = event[names[i]];
    return out;
  }
  const send = (kind, fields) => channel.send(Object.assign(Object.create(null), fields, { kind }));

  try {
    const installed = ns.observer.install(global, {
      awaitConfigMs: 10000, // settings normally arrive within milliseconds; at browser start it can take seconds
      emit(event) { send("call", { event: plain(event) }); },
      onError(error) {
        try { global.console.debug("ucc-webhooks: observer error (ignored):", error); } catch (e) { /* ignore */ }
      },
    });
    if (!installed) return;
    // An outgoing call's answer fires no trigger, but its end must know it (bg/open_calls.js).
    if (installed.tracker && typeof installed.tracker.onOutgoingAnswered === "function") {
      installed.tracker.onOutgoingAnswered((event) => send("answered", { call_id: event.call_id, answered_at: event.answered_at }));
    }
    let reached = null; // sockets in workers and fresh frames (page/reach.js)
    try {
      if (ns.reach) {
        reached = ns.reach.reach(global, installed, {
          emit(event) { send("call", { event: plain(event) }); },
          // a worker the page's CSP keeps from the bootstrap runs unwatched: the popup says so
          onUnwatched(reason) { send("unwatched", { reason: String(reason) }); },
          // how many workers the page runs and whether a SIP socket was seen: the popup's offer (bg/page_state.js)
          onPageState(state) { send("state", { workers: state.workers, sipSeen: state.sipSeen }); },
        });
      }
    } catch (e) { /* the page's own sockets are still observed */ }
    channel.setConfigListener(function (config) {
      installed.setConfig(config);
      if (reached) reached.setConfig(config);
    });
  } catch (e) { /* never throw into the page */ }
})(globalThis);
