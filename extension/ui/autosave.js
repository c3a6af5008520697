// Debounced, serialised saving: edits are saved by themselves, one save at a time, the latest state last.
export function createAutosave({ save, delayMs = 600, onState = () => {} }) {
  let timer = null;
  let running = null;
  let dirty = false;

  async function run() {
    timer = null;
    if (running) { dirty = true; return running; }
    dirty = false;
    onState("saving");
    running = (async () => {
      try {
        await save();
        onState(dirty ? "saving" : "saved");
      } catch (error) {
        onState("error", error);
      } finally {
        running = null;
        if (dirty) schedule(0);
      }
    })();
    return running;
  }

  function schedule(ms = delayMs) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }

  /** Save now (e.g. for a switch or a select), after any save in flight. */
  function flush() {
    if (timer) clearTimeout(timer);
    return run();
  }

  return { schedule, flush, pending: () => Boolean(timer || running) };
}
