// Lab: drives the signalling-only user agent in the mode the query names and exposes window.labPhone for Selenium.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') || 'worker';
  const config = { cmd: 'start', ws: params.get('ws'), user: params.get('user') || 'agent201', domain: params.get('domain') || '127.0.0.1',
    autoAnswer: params.get('autoanswer') === '1' };
  const events = [];
  const onEvent = (event) => {
    events.push(event);
    if (event.type === 'registered') document.getElementById('status').textContent = 'registered';
  };
  let command;
  document.getElementById('mode').textContent = mode;
  // Started once the page has loaded, as a web phone starts after its login.
  window.addEventListener('load', () => {
    if (mode === 'worker') {
      const worker = new Worker('sipua.js');
      worker.onmessage = (e) => onEvent(e.data);
      command = (c) => worker.postMessage(c);
    } else if (mode === 'shared') {
      const worker = new SharedWorker('sipua.js', 'lab-sip');
      worker.port.onmessage = (e) => onEvent(e.data);
      command = (c) => worker.port.postMessage(c);
    } else {
      const frame = document.createElement('iframe');
      frame.style.display = 'none';
      document.body.appendChild(frame);
      const FreshWebSocket = frame.contentWindow.WebSocket; // a constructor no wrapper of this window touched
      const ua = window.labSignallingUa.start({ ...config, url: config.ws, WebSocket: FreshWebSocket, post: onEvent });
      command = (c) => ua[c.cmd] && ua[c.cmd](c.arg);
    }
    command(config);
  });
  window.labPhone = { events, mode, send: (cmd, arg) => command({ cmd, arg }) };
})();
