// Lab patterns: a classic worker that says hello at once and echoes messages.
self.postMessage('hello');
self.onmessage = (e) => self.postMessage({ echo: e.data });
