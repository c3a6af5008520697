// Lab patterns: a module worker that echoes each message with what it sees.
self.onmessage = (e) => self.postMessage({ echo: e.data, url: import.meta.url, href: self.location.href });
