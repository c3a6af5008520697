// Content script (isolated world): agrees a private channel with the page's observer, checks and forwards its CallEvents (and the opt-in page bridge's), tells the worker when this page goes away.
(function () {
  "use strict";
  const ns = globalThis.__uccWebhooks;
  const api = globalThis.browser || globalThis.chrome;
  if (!ns || !ns.callEvent || !api || !api.runtime) return;
  if (globalThis.__uccWebhooksBridge) return; // injected twice into one frame: the first one serves
  globalThis.__uccWebhooksBridge = true;

  // page/main.js holds the other end of the handshake; ARCHITECTURE.md "The observer's channel".
  const OBSERVER_HELLO = "ucc-webhooks:observer-hello";
  const BRIDGE_HELLO = "ucc-webhooks:bridge-hello";
  const BRIDGE = "ucc-webhooks:call"; // the page bridge, a documented integration (opt-in: pageBridge)

  function randomHex(bytes) {
    const values = crypto.getRandomValues(new Uint8Array(bytes));
    return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const token = randomHex(16); // the channel's name: known to this script and the observer only
  const doc = randomHex(8); // this document, for the worker: a new one in the same frame means this one is gone
  let linked = false; // the observer has the token
  let config = null; // {queueRule, userName, webhooksEnabled, pageBridge}: the effective settings from the worker

  function alive() {
    try {
      return Boolean(api.runtime && api.runtime.id); // undefined once the extension was reloaded
    } catch (e) {
      return false;
    }
  }

  function tell(message) {
    if (!alive()) return Promise.resolve(null);
    return api.runtime.sendMessage({ ...message, doc });
  }

  // -- the handshake ---------------------------------------------------------------------------
  let watcher = null;
  function stopListening() {
    window.removeEventListener(OBSERVER_HELLO, onObserverHello, true);
    if (watcher) watcher.disconnect();
    watcher = null;
  }
  function onObserverHello() {
    if (linked) return;
    linked = true; // the first hello is the observer's: no page script has run yet
    stopListening();
    window.dispatchEvent(new CustomEvent(BRIDGE_HELLO, { detail: token }));
    window.addEventListener(token, onObserverMessage);
    pushConfig();
  }
  window.addEventListener(OBSERVER_HELLO, onObserverHello, true);
  // An observer that ran first is listening: it takes the token and says hello back (at once).
  window.dispatchEvent(new CustomEvent(BRIDGE_HELLO, { detail: token }));
  if (!linked && typeof MutationObserver === "function" && document) {
    // The observer comes next, before any page script. Should it never come, give up before the
    // parser runs the first page script (it adds nodes first), so no page script can say its hello.
    watcher = new MutationObserver(stopListening);
    watcher.observe(document, { childList: true, subtree: true });
  }

  // -- events -----------------------------------------------------------------------------------
  /** The event's detail as a plain object: an object (any world) or a JSON string. */
  function plainDetail(detail) {
    if (typeof detail === "string") return JSON.parse(detail);
    return JSON.parse(JSON.stringify(detail)); // copies own data only; also unwraps Firefox Xrays
  }

  function forward(input, source) {
    let checked;
    try {
      checked = ns.callEvent.checkCallEvent(input);
    } catch (e) {
      checked = { ok: false, error: "detail is not JSON-like" };
    }
    if (!checked.ok) {
      console.warn("ucc-webhooks: call event ignored:", checked.error);
      return;
    }
    const callEvent = checked.event;
    if (config && config.userName) callEvent.user = config.userName; // the setting wins everywhere
    tell({ type: "call_event", event: callEvent, source }).catch((error) => {
      console.warn("ucc-webhooks: could not hand the call event to the extension:", error && error.message);
    });
  }

  function onObserverMessage(event) {
    if (!alive() || typeof event.detail !== "string") return;
    let message;
    try {
      message = JSON.parse(event.detail);
    } catch (e) {
      return;
    }
    if (!message || typeof message !== "object") return;
    if (message.kind === "call") forward(message.event, "observer");
    else if (message.kind === "answered") {
      tell({ type: "call.answered", call_id: message.call_id, answered_at: message.answered_at }).catch(() => {});
    } else if (message.kind === "unwatched" && message.reason === "csp_blob_worker") tellUnwatched();
    else if (message.kind === "state") tellPageState(message);
  }

  // The page's workers and whether a SIP socket was seen (page/reach.js says so at most twice a page).
  let statesTold = 0;
  function tellPageState(message) {
    if (statesTold >= 2 || !Number.isInteger(message.workers) || typeof message.sipSeen !== "boolean") return;
    statesTold += 1;
    tell({ type: "page.state", workers: message.workers, sipSeen: message.sipSeen }).catch(() => {});
  }

  function onBridge(event) {
    if (!alive()) return;
    let detail;
    try {
      detail = plainDetail(event.detail);
    } catch (e) {
      detail = null;
    }
    forward(detail, "bridge");
  }

  let toldUnwatched = false;
  function tellUnwatched() {
    if (toldUnwatched) return;
    toldUnwatched = true;
    tell({ type: "page.unwatched", reason: "csp_blob_worker" }).catch(() => {});
  }

  // -- settings ---------------------------------------------------------------------------------
  let bridgeOn = false;
  function applyBridge() {
    const on = Boolean(config && config.pageBridge);
    if (on === bridgeOn) return;
    bridgeOn = on;
    if (on) window.addEventListener(BRIDGE, onBridge);
    else window.removeEventListener(BRIDGE, onBridge);
  }

  function pushConfig() {
    if (!config || !linked) return;
    const detail = JSON.stringify({ queueRule: config.queueRule }); // the user name is set here, on each event
    window.dispatchEvent(new CustomEvent(token + ":config", { detail }));
  }

  // Also this document's hello to the worker: a new document in a frame means the last one is gone.
  function loadConfig() {
    tell({ type: "config.get" }).then((reply) => {
      if (reply && reply.ok) {
        config = reply.result;
        applyBridge();
        pushConfig();
      }
    }, () => { /* worker starting up: the next storage change or page load asks again */ });
  }

  // -- this page's life, for the worker's open calls (bg/open_calls.js) ------------------------
  window.addEventListener("pagehide", (event) => {
    if (!event.isTrusted) return; // a page script's own "pagehide" does not end our calls
    tell({ type: "page.leaving" }).catch(() => {});
  });
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!message || message.type !== "ucc-webhooks:ping") return false;
    sendResponse({ doc });
    return false;
  });

  // Settings only: the worker also keeps its open calls in storage.local, which is none of ours.
  const SETTINGS = ["queueRule", "userName", "pageBridge", "uccOrigins"];
  api.storage.onChanged.addListener((changes, area) => {
    if (area === "managed" || SETTINGS.some((key) => changes && key in changes)) loadConfig();
  });
  loadConfig();
})();
