// Lab patterns: a module shared worker that answers each connection's first message.
const id = Math.random().toString(36).slice(2);
self.onconnect = (e) => {
  const port = e.ports[0];
  port.onmessage = (m) => port.postMessage({ id, got: m.data });
};
