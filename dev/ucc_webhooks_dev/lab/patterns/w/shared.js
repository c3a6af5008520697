// Lab patterns: a shared worker that tells each connection its instance id (random, once per instance).
const id = Math.random().toString(36).slice(2);
self.onconnect = (e) => {
  const port = e.ports[0];
  port.onmessage = (m) => port.postMessage({ id, got: m.data, href: self.location.href.replace(/[0-9a-f-]{36}/, '<uuid>') });
};
