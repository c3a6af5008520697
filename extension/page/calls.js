// Per-Call-ID state machine: SIP messages seen on the softphone's socket in, CallEvents out (ARCHITECTURE.md "The call model"; classic script).
(function factory(ns) {
  "use strict";
  (ns.factories || (ns.factories = {})).calls = factory; // its source text starts the observer in workers

  const sip = ns.sip;
  const MAX_CALLS = 64; // calls tracked at once; the oldest is forgotten beyond this
  const MAX_ENDED = 128; // ended Call-IDs remembered so late retransmissions start nothing

  function compilePattern(pattern) {
    if (typeof pattern !== "string" || pattern === "") return null;
    try { return new RegExp(pattern); } catch (e) { return null; }
  }

  /**
   * createTracker({now}) -> {handle(direction, message, time?) -> CallEvent[], setConfig(config), user(),
   * onOutgoingAnswered(fn)}: fn(event) is told when an outgoing call is answered, which fires no trigger.
   * direction is "sent" (the page sent it) or "received"; message comes from sip.parse.
   * now() returns Unix seconds (float). config: {queueRule: {header, displayNamePattern}}. The user is the
   * REGISTER's; the userName setting is put into every event by the content script, the one place that sets it.
   */
  function createTracker(options) {
    const clock = (options && options.now) || (() => Date.now() / 1000);
    let at = null; // the time of the message being handled, when it is replayed later
    const now = () => (at === null ? clock() : at);
    const calls = new Map(); // Call-ID -> call
    const ended = new Set();
    let queueHeader = null;
    let queuePattern = null;
    let registeredUser = null;
    let outgoingAnswered = null; // fn(event) told when an outgoing call is answered (no trigger fires then)

    function setConfig(config) {
      const rule = (config && config.queueRule) || {};
      queueHeader = typeof rule.header === "string" && rule.header.trim() ? rule.header.trim().toLowerCase() : null;
      queuePattern = compilePattern(rule.displayNamePattern);
    }
    setConfig(options && options.config);

    function queueOf(message, displays) {
      if (queueHeader) {
        const value = sip.header(message, queueHeader).trim();
        if (value) return value;
      }
      if (queuePattern) {
        for (const display of displays) {
          if (!display) continue;
          const m = queuePattern.exec(display);
          if (m) return (m[1] !== undefined ? m[1] : m[0]).trim() || m[0];
        }
      }
      return null;
    }

    function remember(call) {
      if (calls.size >= MAX_CALLS) calls.delete(calls.keys().next().value);
      calls.set(call.id, call);
    }

    function forget(call) {
      calls.delete(call.id);
      ended.add(call.id);
      if (ended.size > MAX_ENDED) ended.delete(ended.values().next().value);
    }

    function event(call, trigger) {
      const isEnd = trigger.endsWith("_ended");
      const final = isEnd || trigger === "incoming_call_missed" || trigger === "incoming_call_answered_elsewhere";
      return {
        trigger,
        call_id: call.id,
        direction: call.direction,
        queue: call.queue,
        callee: call.callee,
        caller: call.caller,
        caller_name: call.callerName,
        user: registeredUser,
        started_at: call.startedAt,
        answered_at: call.answeredAt,
        ended_at: call.endedAt,
        duration: isEnd ? (call.answeredAt === null ? 0 : Math.max(0, Math.floor(call.endedAt - call.answeredAt))) : null,
        outcome: isEnd || trigger === "incoming_call_missed" ? call.outcome : null,
        ended_by: isEnd ? (call.transferred ? "transfer" : call.endedBy) : null,
        sip_status: final ? call.sipStatus : null,
        transfer_to: isEnd || trigger === "call_transferred" ? (call.transferred ? call.transferTo : null) : null,
      };
    }

    /** End the call: outcome, who ended it, the SIP status; then the trigger's event (none for null). */
    function finish(call, trigger, outcome, endedBy, status) {
      call.endedAt = now();
      call.outcome = outcome;
      call.endedBy = endedBy;
      if (status) call.sipStatus = status;
      forget(call);
      return trigger ? [event(call, trigger)] : [];
    }

    function endTrigger(call) {
      if (call.direction === "outgoing") return "outgoing_call_ended";
      return call.queue ? "queue_call_ended" : "incoming_call_ended";
    }

    // Final status of an outgoing INVITE -> outcome (the table).
    function outgoingOutcome(status) {
      if (status === 486 || status === 600) return "busy";
      if (status === 603) return "rejected";
      if (status === 408 || status === 480 || status === 487) return "no_answer";
      return "failed";
    }

    function newCall(direction, message, callId, seq) {
      const from = sip.nameAddr(sip.header(message, "from"));
      const to = sip.nameAddr(sip.header(message, "to"));
      const requestUser = sip.uriUser(message.uri);
      const call = {
        id: callId, direction, inviteSeq: seq, queue: null, callee: null, caller: null, callerName: null,
        startedAt: now(), answeredAt: null, endedAt: null,
        outcome: null, endedBy: null, sipStatus: null, transfer: null, transferred: false, transferTo: null,
      };
      if (direction === "outgoing") {
        call.callee = requestUser || (to && sip.uriUser(to.uri));
        call.caller = from && sip.uriUser(from.uri);
        call.callerName = from && from.display;
      } else {
        // P-Asserted-Identity (set by the trusted PBX) before From; the first one with a number wins.
        const ids = sip.identities(message, "p-asserted-identity").concat(from ? [from] : []);
        const id = ids.find((x) => sip.uriUser(x.uri)) || ids[0];
        call.caller = id ? sip.uriUser(id.uri) : null;
        call.callerName = (id && id.display) || ids.map((x) => x.display).find(Boolean) || null;
        // The number called is the To user; the Request-URI is often the softphone's random contact.
        call.callee = (to && sip.uriUser(to.uri)) || requestUser;
        call.queue = queueOf(message, [from && from.display].concat(ids.map((x) => x.display)));
      }
      remember(call);
      return call;
    }

    /**
     * A transfer the page started (REFER sent) is confirmed by a NOTIFY whose sipfrag says 2xx, or by
     * the call ending after the REFER was accepted; a REFER refused, or a NOTIFY with a final error,
     * forgets it: a failed transfer changes nothing.
     */
    function confirmTransfer(call) {
      const t = call.transfer;
      call.transfer = null;
      if (!t || call.transferred) return [];
      call.transferred = true;
      call.transferTo = t.number;
      const replaced = t.replaces && calls.get(t.replaces); // attended: the consultation call goes too
      if (replaced && replaced !== call && replaced.answeredAt !== null) {
        replaced.transferred = true;
        replaced.transferTo = t.number;
      }
      call.endedAt = now();
      const out = [event(call, "call_transferred")];
      call.endedAt = null;
      return out;
    }

    function onRequest(dir, message, callId, seq) {
      const method = message.method;
      const call = calls.get(callId);
      if (method === "INVITE") {
        const to = sip.nameAddr(sip.header(message, "to"));
        if (to && to.params.tag) return []; // re-INVITE inside a dialog (hold, resume, refresh): not a new call
        if (call) {
          if (dir === "sent" && call.direction === "outgoing") call.inviteSeq = seq; // resent after 401/407
          return [];
        }
        if (ended.has(callId)) return [];
        const created = newCall(dir === "sent" ? "outgoing" : "incoming", message, callId, seq);
        return [event(created, created.direction === "outgoing" ? "outgoing_call_started" : "incoming_call_ringing")];
      }
      if (method === "REGISTER") {
        if (dir === "sent") {
          const to = sip.nameAddr(sip.header(message, "to"));
          const user = to && sip.uriUser(to.uri);
          if (user) registeredUser = user;
        }
        return [];
      }
      if (!call) return [];
      if (method === "CANCEL") {
        if (call.answeredAt !== null) return [];
        if (call.direction === "outgoing") return dir === "sent" ? finish(call, "outgoing_call_ended", "no_answer", "local", 487) : [];
        if (dir !== "received") return [];
        const status = sip.reasonStatus(message);
        if (sip.completedElsewhere(message)) return finish(call, "incoming_call_answered_elsewhere", null, "remote", 200);
        return finish(call, "incoming_call_missed", "missed", "remote", status || 487);
      }
      if (method === "BYE") {
        const by = dir === "sent" ? "local" : "remote";
        if (call.answeredAt === null) {
          if (call.direction === "outgoing") return finish(call, "outgoing_call_ended", "no_answer", by, sip.reasonStatus(message));
          return finish(call, "incoming_call_missed", "missed", by, sip.reasonStatus(message));
        }
        const out = call.transfer && call.transfer.accepted ? confirmTransfer(call) : [];
        return out.concat(finish(call, endTrigger(call), "answered", by, null));
      }
      if (method === "REFER" && dir === "sent" && call.answeredAt !== null && !call.transferred) {
        const target = sip.referTo(message);
        if (target) call.transfer = { number: target.number, replaces: target.replaces, seq, accepted: false };
        return [];
      }
      if (method === "NOTIFY" && dir === "received" && call.transfer && /^refer\b/i.test(sip.header(message, "event"))) {
        const status = sip.sipfragStatus(message);
        if (status >= 200 && status < 300) return confirmTransfer(call);
        if (status >= 300) call.transfer = null;
        return [];
      }
      return []; // ACK, UPDATE, INFO, OPTIONS, PRACK ... change nothing here
    }

    function onResponse(dir, message, callId, cs) {
      const call = calls.get(callId);
      if (cs.method === "REFER") {
        if (!call || !call.transfer || dir !== "received" || cs.seq !== call.transfer.seq || message.status < 200) return [];
        if (message.status < 300) call.transfer.accepted = true;
        else call.transfer = null; // refused: the call goes on as before
        return [];
      }
      if (cs.method !== "INVITE") return [];
      if (!call || cs.seq !== call.inviteSeq) return []; // unknown call, or a response to a re-INVITE
      const status = message.status;
      if (status < 200) return []; // 100/180/183: still ringing
      if (call.direction === "outgoing") {
        if (dir !== "received") return [];
        if (status < 300) {
          if (call.answeredAt === null) {
            call.answeredAt = now();
            call.sipStatus = status;
            try {
              if (outgoingAnswered) outgoingAnswered(event(call, "outgoing_call_started"));
            } catch (e) { /* the listener's problem: the call goes on */ }
          }
          return [];
        }
        if (status === 401 || status === 407 || call.answeredAt !== null) return []; // challenge: the INVITE is resent
        return finish(call, "outgoing_call_ended", outgoingOutcome(status), "remote", status);
      }
      if (dir !== "sent" || call.answeredAt !== null) return []; // e.g. 2xx retransmissions
      if (status < 300) {
        call.answeredAt = now();
        call.sipStatus = status;
        return [event(call, call.queue ? "queue_call_accepted" : "incoming_call_accepted")];
      }
      return finish(call, "incoming_call_missed", "rejected", "local", status); // our 486/603/480: declined here
    }

    /** Feed one parsed message; `time` (Unix seconds) when it was seen earlier than now (replay). */
    function handle(dir, message, time) {
      if (!message) return [];
      at = typeof time === "number" ? time : null;
      const callId = sip.header(message, "call-id");
      const cs = sip.cseq(message);
      if (!callId || !cs) return [];
      return message.kind === "request" ? onRequest(dir, message, callId, cs.seq) : onResponse(dir, message, callId, cs);
    }

    return {
      handle, setConfig, user: () => registeredUser, active: () => calls.size,
      onOutgoingAnswered(fn) { outgoingAnswered = typeof fn === "function" ? fn : null; },
    };
  }

  ns.calls = Object.freeze({ createTracker });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
