// Lab patterns: the functions a page may print or inspect to see whether something wrapped them (feature detection, tamper checks).
(function () {
  'use strict';
  const getter = (C, prop) => (C ? Object.getOwnPropertyDescriptor(C.prototype, prop).get : null);
  /** name -> function, read from `win` (this window, or another realm's). */
  window.labFunctions = (win = window) => ({
    WebSocket: win.WebSocket,
    send: win.WebSocket.prototype.send,
    Worker: win.Worker,
    SharedWorker: win.SharedWorker,
    iframeContentWindow: getter(win.HTMLIFrameElement, 'contentWindow'),
    iframeContentDocument: getter(win.HTMLIFrameElement, 'contentDocument'),
    frameContentWindow: getter(win.HTMLFrameElement, 'contentWindow'),
    objectContentDocument: getter(win.HTMLObjectElement, 'contentDocument'),
    toString: win.Function.prototype.toString,
    createObjectURL: win.URL.createObjectURL,
    revokeObjectURL: win.URL.revokeObjectURL,
    addEventListener: win.EventTarget.prototype.addEventListener,
    fetch: win.fetch,
  });
})();
