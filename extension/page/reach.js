// Extends the observer beyond the page's own WebSocket: fresh same-origin frames, and the page's workers (counted, or watched where the origin opts in) (classic script).
(function (ns) {
  "use strict";

  // How long after the page's first worker a SIP socket of the page itself must have been seen
  // before the popup is told that this page runs workers without one (its phone may live there).
  const QUIET_MS = 3000;

  /**
   * reach(win, observer, options): wrap the iframe accessors so that sockets of fresh same-origin
   * frames are observed by the same tracker, and the page's Worker and SharedWorker: counted only
   * by default, started from the observer's bootstrap where the origin opted in (page/watch_workers.js
   * sets ns.watchWorkers; page/workers.js). observer: the install() result for win.
   *
   * options: {emit(event), onError(error), onUnwatched(reason), onPageState(state)}.
   * onPageState({workers: n, sipSeen: bool}) is called at most twice per page, and only when
   * workers are not watched: QUIET_MS after the page's first Worker or SharedWorker if no SIP socket
   * was opened in the page by then ({workers, sipSeen: false}: its phone may live in a worker), and
   * again if one is opened after that ({workers, sipSeen: true}). A page that opens its SIP socket
   * first, or starts no worker, is never reported. The caller forwards it to the popup's onboarding.
   *
   * Returns {setConfig(config), pageState()} or undefined when there is nothing to reach.
   */
  function reach(win, observer, options) {
    const disguise = ns.disguise;
    if (!disguise || !observer) return undefined;
    const onError = options.onError || function () {};
    const apply = Reflect.apply;

    // the page may replace Document.prototype.defaultView later: read it with the getter of document start
    const viewOf = win.Document && Object.getOwnPropertyDescriptor(win.Document.prototype, "defaultView");
    const defaultView = (doc) => (viewOf && viewOf.get ? apply(viewOf.get, doc, []) : doc.defaultView);
    for (const ctor of ["HTMLIFrameElement", "HTMLFrameElement", "HTMLObjectElement"]) {
      const C = win[ctor];
      if (typeof C !== "function") continue;
      for (const prop of ["contentWindow", "contentDocument"]) {
        disguise.replaceGetter(C.prototype, prop, () => ({
          apply(get, self, args) {
            const value = apply(get, self, args);
            try {
              const child = prop === "contentDocument" ? value && defaultView(value) : value;
              if (child && child !== win) observer.wrapWindow(child); // same-origin only: a cross-origin read throws
            } catch (error) { /* cross-origin frame: its own content scripts serve it */ }
            return value;
          },
        }));
      }
    }

    let workers = 0;
    let sipSeen = false;
    let told = 0; // 0: nothing yet, 1: told "workers, no SIP socket", 2: told the SIP socket that came after
    const tell = () => {
      try {
        if (options.onPageState) options.onPageState({ workers, sipSeen });
      } catch (error) { onError(error); }
    };
    let watched = null;
    if (ns.watchWorkers && ns.workers) {
      try {
        watched = ns.workers.watch(win, { emit: options.emit, onError, onUnwatched: options.onUnwatched });
      } catch (error) {
        onError(error); // the page's workers then run as they are, unwatched
      }
    } else if (ns.workers) {
      const setTimer = win.setTimeout;
      observer.onSip(() => {
        sipSeen = true;
        if (told === 1) { told = 2; tell(); }
      });
      ns.workers.count(win, () => {
        workers += 1;
        if (workers !== 1) return;
        apply(setTimer, win, [() => { if (!sipSeen && told === 0) { told = 1; tell(); } }, QUIET_MS]);
      });
    }
    return {
      setConfig(next) {
        if (watched) watched.setConfig(next);
      },
      pageState: () => ({ workers, sipSeen, watched: Boolean(watched) }),
    };
  }

  ns.reach = Object.freeze({ reach, QUIET_MS });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
