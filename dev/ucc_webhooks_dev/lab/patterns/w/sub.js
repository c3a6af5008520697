// Lab patterns: a nested worker (started from inside w/probe.js by a relative URL).
self.postMessage({ sub: self.location.pathname });
