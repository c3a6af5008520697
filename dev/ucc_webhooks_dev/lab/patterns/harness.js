// Lab patterns: the helpers each self-checking page uses, and the hand-over of its result (window.patternResult; postMessage to the runner when framed).
(function () {
  'use strict';
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Random parts (blob: URL ids) out, so two runs of one page compare equal. */
  function norm(value) {
    if (typeof value === 'string') return value.replace(UUID, '<uuid>');
    if (Array.isArray(value)) return value.map(norm);
    if (value && typeof value === 'object') {
      const out = {};
      for (const key of Object.keys(value)) out[key] = norm(value[key]);
      return out;
    }
    return value === undefined ? null : value;
  }

  /** The first message `target` (a Worker or a MessagePort) gets within ms, or 'timeout'. */
  function nextMessage(target, ms = 8000) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), ms);
      target.addEventListener('message', (e) => { clearTimeout(timer); resolve(e.data); }, { once: true });
      if (typeof target.start === 'function') target.start(); // a MessagePort delivers to listeners once started
    });
  }

  /** What an `error` event on a worker looks like to the page, and whether window.onerror heard of it. */
  async function errorOf(make, settleMs = 400) {
    const seen = { onerror: 0 };
    const previous = window.onerror;
    window.onerror = () => { seen.onerror += 1; return true; };
    const events = [];
    let worker;
    try {
      worker = make();
    } catch (e) {
      return { thrown: e.name };
    }
    const first = new Promise((resolve) => {
      worker.addEventListener('error', (e) => {
        events.push({ type: e.constructor.name, trusted: e.isTrusted, message: e.message || null,
          filename: e.filename || null, lineno: e.lineno || null, prevented: e.defaultPrevented });
        resolve();
      });
      setTimeout(resolve, 8000);
    });
    await first;
    await wait(settleMs); // anything more (a second event, window.onerror) comes within this
    window.onerror = previous;
    return { events, onerror: seen.onerror };
  }

  /** Ask the probe worker (w/probe.js) one case; opts are the Worker's options. */
  async function probe(caseName, opts) {
    const worker = new Worker('w/probe.js', opts);
    worker.postMessage({ case: caseName });
    const answer = await nextMessage(worker);
    worker.terminate();
    return answer;
  }

  /** Count Content-Security-Policy violations reported to this document. */
  function violations() {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective + ' ' + String(e.blockedURI).replace(UUID, '<uuid>')));
    return seen;
  }

  /** Run the page's check; its result goes to window.patternResult and, in a frame, to the runner. */
  function pattern(run) {
    const name = location.pathname.split('/').pop().replace(/\.html$/, '');
    window.patternResult = Promise.resolve()
      .then(run)
      .then(norm, (e) => ({ failed: String(e && e.name) + ': ' + String(e && e.message).replace(UUID, '<uuid>') }));
    window.patternResult.then((result) => {
      if (window.parent !== window) window.parent.postMessage({ pattern: name, result }, location.origin);
    });
  }

  window.labPatterns = { pattern, probe, nextMessage, errorOf, violations, norm, wait };
})();
