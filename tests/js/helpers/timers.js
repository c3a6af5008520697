// Timers for the fake windows and realms the page step runs in: like the real ones, but a timer
// still pending (the observer waits up to 10 s for its settings) does not keep Node's test file
// running after its tests are done.

export function setTimeoutUnref(fn, ms, ...args) {
  const timer = setTimeout(fn, ms, ...args);
  if (timer && typeof timer.unref === "function") timer.unref();
  return timer;
}
