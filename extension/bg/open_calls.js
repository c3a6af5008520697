// Open calls: answered or started calls whose *_ended is still due, kept in storage.local; when their page or the browser went away, their end is made up once (ended_by page_closed / browser_closed).

export const OPEN_CALLS_KEY = "openCalls";
export const LIMITS = Object.freeze({ maxOpen: 64 });

// The trigger that opens a call, and the end it is owed.
const END_OF = Object.freeze({
  incoming_call_accepted: "incoming_call_ended",
  queue_call_accepted: "queue_call_ended",
  outgoing_call_started: "outgoing_call_ended",
});
// A copy of the call in one document ended there without an answer (a call forked to two tabs).
const NOT_HERE = new Set(["incoming_call_missed", "incoming_call_answered_elsewhere"]);

/**
 * The *_ended event of an open call that can no longer end by itself, ended at `at` (Unix seconds):
 * talk time up to then, outcome "answered" when it was answered, else (an outgoing call still
 * ringing) "no_answer" with duration 0.
 */
export function madeUpEnd(record, at, endedBy) {
  const last = record.event;
  const answered = typeof last.answered_at === "number";
  const endedAt = Math.max(at, answered ? last.answered_at : last.started_at);
  return {
    ...last,
    trigger: END_OF[record.opened_by],
    ended_at: endedAt,
    duration: answered ? Math.max(0, Math.floor(endedAt - last.answered_at)) : 0,
    outcome: answered ? "answered" : "no_answer",
    ended_by: endedBy,
    sip_status: answered ? 200 : null,
    transfer_to: record.transfer_to || null,
  };
}

const holderOf = (from) => ({ tab: from.tab, frame: from.frame || 0, doc: from.doc || null });

/** Keep at most LIMITS.maxOpen calls of one source: a page that opens calls without end forgets its own oldest. */
function evictOldest(map, source) {
  const mine = Object.keys(map).filter((id) => map[id].source === source && !map[id].ending);
  if (mine.length >= LIMITS.maxOpen) delete map[mine[0]];
}
const same = (a, b) => a.tab === b.tab && a.frame === b.frame && a.doc === b.doc;

/**
 * deps: {storage (storage.local-like get/set), now() Unix seconds, end(event, from) -> Promise (the
 * path every call event takes: handlers.js admitCallEvent), onCount(n) (open calls now: the
 * heartbeat runs while n > 0)}.
 *
 * A record, per call_id: {source, opened_by, event (the opening CallEvent, with answered_at once
 * known), holders: [{tab, frame, doc}] (the documents that saw the call open), alive_at (the last
 * moment the extension knew the call was alive), transfer_to, ending (the made-up end, while it
 * is on its way)}. A call ends for real by its own *_ended; it is made up when its last holder is
 * gone, or for every record when the browser starts again.
 */
export function createOpenCalls({ storage, now = () => Date.now() / 1000, end, onCount = () => {} }) {
  let cache = null;
  let chain = Promise.resolve();

  async function load() {
    if (cache) return cache;
    let saved = null;
    try {
      saved = (await storage.get(OPEN_CALLS_KEY))[OPEN_CALLS_KEY];
    } catch (e) { /* unreadable: start empty */ }
    if (!cache) cache = saved && typeof saved === "object" ? saved : {};
    return cache;
  }

  async function save(map) {
    try {
      await storage.set({ [OPEN_CALLS_KEY]: map });
    } catch (e) { /* kept in memory; written with the next change */ }
    try { onCount(Object.keys(map).length); } catch (e) { /* the listener's problem */ }
  }

  /**
   * Run `op(map, changed)` after every earlier one; `op` calls changed() when it changed the map
   * (only then is it written: a flood of events that change nothing costs no storage write), and
   * returns the records to end, which are ended outside the chain.
   */
  function serial(op) {
    const run = chain.then(async () => {
      const map = await load();
      let dirty = false;
      const toEnd = (await op(map, () => { dirty = true; })) || [];
      if (dirty || toEnd.length) await save(map);
      return toEnd;
    });
    chain = run.then(() => {}, () => {});
    return run.then((toEnd) => Promise.all(toEnd.map(([id, event, from]) => finish(id, event, from))), () => {});
  }

  /** Send the made-up end through the usual checks and budgets, then forget the call. */
  async function finish(callId, event, from) {
    try {
      await end(event, from);
    } catch (e) { /* refused by a check: nothing more can be done for it */ }
    return serial((map, changed) => {
      if (map[callId] && map[callId].ending) {
        delete map[callId];
        changed();
      }
    });
  }

  /** Mark these records ending (kept until their end is on its way: a stopped worker sends it again). */
  function ending(map, ids, at, endedBy) {
    const out = [];
    for (const id of ids) {
      const record = map[id];
      if (!record || record.ending) continue;
      record.ending = madeUpEnd(record, at, endedBy);
      const holder = record.holders[0] || { tab: null, frame: 0 };
      out.push([id, record.ending, { source: record.source, tab: holder.tab, frame: holder.frame, doc: holder.doc }]);
    }
    return out;
  }

  /** Holders matching `gone(holder)` went away at `at`: calls left with none end now. */
  function dropHolders(map, gone, at, changed) {
    const emptied = [];
    for (const [id, record] of Object.entries(map)) {
      if (record.ending) continue;
      const left = record.holders.filter((h) => !gone(h));
      if (left.length === record.holders.length) continue;
      if (left.length) {
        record.holders = left;
        changed();
      } else emptied.push(id); // its holders are kept: the made-up end is counted against the last one's budget
    }
    return ending(map, emptied, at, "page_closed");
  }

  return {
    /** Every call event that passed the checks, with the guard's verdict. */
    seen(from, event, verdict) {
      const t = event.trigger;
      const id = event.call_id;
      if (!(t in END_OF) && !t.endsWith("_ended") && !NOT_HERE.has(t) && t !== "call_transferred") return Promise.resolve();
      if (t in END_OF && verdict === "dropped") return Promise.resolve(); // over its budget: it opened nothing
      return serial((map, changed) => {
        const record = map[id];
        const ours = record && record.source === from.source;
        if (t in END_OF) {
          if (!record && verdict === "forwarded") {
            evictOldest(map, from.source);
            map[id] = { source: from.source, opened_by: t, event, holders: [holderOf(from)], alive_at: now(), transfer_to: null };
            changed();
          } else if (ours && !record.holders.some((h) => same(h, holderOf(from)))) {
            record.holders.push(holderOf(from)); // another tab shares the call (a shared worker)
            changed();
          }
        } else if (!ours || record.ending) {
          return;
        } else if (t.endsWith("_ended")) {
          delete map[id]; // its real end: nothing to make up
          changed();
        } else if (t === "call_transferred") {
          record.transfer_to = event.transfer_to;
          record.alive_at = now();
          changed();
        } else if (record.holders.some((h) => same(h, holderOf(from)))) {
          record.holders = record.holders.filter((h) => !same(h, holderOf(from)));
          if (!record.holders.length) delete map[id];
          changed();
        }
      });
    },

    /** An outgoing call was answered (no trigger fires then): its end is "answered", with talk time. */
    answered(from, callId, answeredAt) {
      return serial((map, changed) => {
        const record = map[callId];
        if (!record || record.ending || record.opened_by !== "outgoing_call_started") return;
        if (!record.holders.some((h) => same(h, holderOf(from))) || typeof record.event.answered_at === "number") return;
        record.event = { ...record.event, answered_at: answeredAt };
        record.alive_at = now();
        changed();
      });
    },

    /** A new document in a frame: the frame's earlier documents are gone (the top frame's: the whole tab's). */
    documentStarted(from) {
      const at = now();
      return serial((map, changed) => dropHolders(map, (h) => h.tab === from.tab && (from.frame === 0 || h.frame === from.frame) && h.doc !== from.doc, at, changed));
    },

    /** The document said goodbye (pagehide): its calls, and with the top document the tab's frames, are gone. */
    leaving(from) {
      const at = now();
      const me = holderOf(from);
      return serial((map, changed) => dropHolders(map, (h) => same(h, me) || (me.frame === 0 && h.tab === me.tab && h.frame !== 0), at, changed));
    },

    tabRemoved(tabId) {
      const at = now();
      return serial((map, changed) => dropHolders(map, (h) => h.tab === tabId, at, changed));
    },

    /**
     * The tab loaded something (reload, navigation, a frame, discarded): ask each document that
     * holds a call whether it is still there; `ping(tab, frame)` resolves to {doc} or null.
     */
    async tabChanged(tabId, ping) {
      const map = await chain.then(load);
      const holders = [];
      for (const record of Object.values(map)) {
        for (const h of record.holders) if (h.tab === tabId && !holders.some((x) => same(x, h))) holders.push(h);
      }
      if (!holders.length) return;
      const at = now();
      const gone = [];
      for (const h of holders) {
        const reply = await ping(h.tab, h.frame);
        if (!reply || reply.doc !== h.doc) gone.push(h);
      }
      if (gone.length) await serial((m, changed) => dropHolders(m, (h) => gone.some((g) => same(g, h)), at, changed));
    },

    /** While calls are open: they are alive as long as the browser runs. */
    heartbeat() {
      const at = now();
      return serial((map, changed) => {
        for (const record of Object.values(map)) if (!record.ending) record.alive_at = at;
        changed();
      });
    },

    /** The browser started again: every call still open ended with it, at the last moment it was known alive. */
    browserStarted() {
      return serial((map) => {
        const out = [];
        for (const [id, record] of Object.entries(map)) out.push(...ending(map, [id], record.alive_at, "browser_closed"));
        return out;
      });
    },

    /** A worker that stopped while a made-up end was on its way sends it again (the host drops a second one). */
    resume() {
      return serial((map) => {
        const out = [];
        for (const [id, record] of Object.entries(map)) {
          if (!record.ending) continue;
          const h = record.holders[0] || { tab: null, frame: 0 };
          out.push([id, record.ending, { source: record.source, tab: h.tab, frame: h.frame, doc: h.doc }]);
        }
        return out;
      });
    },

    /** The records, for tests and the popup: {call_id: record}. */
    snapshot: () => chain.then(load).then((map) => JSON.parse(JSON.stringify(map))),
  };
}
