// Lab patterns: a classic worker that answers one question about what it sees ({case}) with one message.
'use strict';
const cases = {
  location: () => ({ href: self.location.href, pathname: self.location.pathname }),
  url_from_location: () => new URL('data.json', self.location.href).href,
  fetch_relative: () => fetch('data.json').then((r) => r.json()),
  request_relative: () => fetch(new Request('data.json')).then((r) => r.json()),
  xhr_relative: () => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', 'data.json');
    xhr.onload = () => resolve(JSON.parse(xhr.responseText));
    xhr.onerror = () => reject(new Error('xhr failed'));
    xhr.send();
  }),
  importscripts_relative: () => { importScripts('lib.js'); return self.labLib; },
  websocket_relative: () => { const ws = new WebSocket('/ws-nowhere'); const url = ws.url; ws.close(); return url; },
  eventsource_relative: () => { const es = new EventSource('events-nowhere'); const url = es.url; es.close(); return url; },
  nested_worker: () => new Promise((resolve) => {
    const sub = new Worker('sub.js');
    sub.onmessage = (e) => resolve(e.data);
    sub.onerror = (e) => resolve('error ' + e.constructor.name);
  }),
  webpack_public_path: () => {
    // what webpack's automatic publicPath does in a worker chunk
    let scriptUrl = self.location + '';
    scriptUrl = scriptUrl.replace(/#.*$/, '').replace(/\?.*$/, '').replace(/\/[^/]+$/, '/');
    importScripts(scriptUrl + 'chunk.js');
    return self.labChunk;
  },
  stack: () => String(new Error('here').stack).split('\n').filter((l) => /probe\.js/.test(l)).length,
  name: () => self.name,
  globals: () => Object.getOwnPropertyNames(self).filter((n) => /ucc|webhook/i.test(n)),
  printed: () => [self.WebSocket, self.fetch, self.importScripts, self.Request, self.EventSource, self.Worker, self.XMLHttpRequest.prototype.open,
    Function.prototype.toString].map((f) => f && Function.prototype.toString.call(f)),
};
self.onmessage = async (e) => {
  let answer;
  try {
    answer = { value: await cases[e.data.case]() };
  } catch (error) {
    answer = { error: error.name };
  }
  self.postMessage(answer);
};
