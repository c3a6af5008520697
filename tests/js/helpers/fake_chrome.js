// Parts of the fake `chrome` the tests of background.js build: event listeners, storage areas over
// one plain object, and a runtime message sent the way a content script or the popup sends it.

/** An event (`onMessage`, `onAlarm` ...): `fns` holds its listeners, `fire(...)` calls them all. */
export function listeners() {
  const fns = [];
  return { fns, addListener: (fn) => fns.push(fn), fire: (...a) => fns.map((fn) => fn(...a)) };
}

/** `chrome.storage[name]` over `store[name]`; what is set is copied as JSON, as the browser does. */
export function storageArea(store, name) {
  return {
    get: async (keys) => {
      const all = store[name];
      if (keys === null || keys === undefined) return { ...all };
      return Object.fromEntries([].concat(keys).filter((k) => k in all).map((k) => [k, all[k]]));
    },
    set: async (items) => { Object.assign(store[name], JSON.parse(JSON.stringify(items))); },
  };
}

/** `send(message, sender)` to `chrome.runtime.onMessage`'s listeners: the first answer, or undefined. */
export function messenger(chrome) {
  return (message, sender) => new Promise((resolve) => {
    const handled = chrome.runtime.onMessage.fns.map((fn) => fn(message, sender, resolve));
    if (!handled.includes(true)) resolve(undefined);
  });
}
