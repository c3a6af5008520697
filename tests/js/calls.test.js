// Tests for extension/page/calls.js: the per-Call-ID state machine on recorded-style traffic, all eight triggers.
import test from "node:test";
import assert from "node:assert/strict";
import { pageNamespace } from "./helpers/page.js";
import { asteriskInvite, inDialog, jssipInvite, jssipRegister, kamailioInvite, response } from "./fixtures/sip_traffic.js";

const ns = pageNamespace();

/** Run [direction, frame, clock] steps through a tracker; returns the plain events (cross-realm copies). */
function run(steps, config) {
  let clock = 0;
  const tracker = ns.calls.createTracker({ now: () => clock, config });
  const events = [];
  for (const [dir, frame, at] of steps) {
    if (at !== undefined) clock = at;
    for (const e of tracker.handle(dir, ns.sip.parse(frame))) events.push(JSON.parse(JSON.stringify(e)));
  }
  return events;
}
const triggers = (events) => events.map((e) => e.trigger);
const valid = (events) => events.forEach((e) => assert.ok(ns.callEvent.checkCallEvent(e).ok, JSON.stringify(e)));

test("outgoing call: 100/180/183 then 200, BYE sent -> started + ended with talk time", () => {
  const inv = jssipInvite();
  const events = run([
    ["sent", jssipRegister(), 999],
    ["sent", inv, 1000.5],
    ["received", response(inv, 100, "Trying")],
    ["received", response(inv, 183, "Session Progress")],
    ["received", response(inv, 180, "Ringing")],
    ["received", response(inv, 200, "OK"), 1004.25],
    ["received", response(inv, 200, "OK"), 1004.75], // 2xx retransmission
    ["sent", inDialog(inv, "BYE"), 1065.0],
  ]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  const [start, end] = events;
  assert.equal(start.callee, "0301234567");
  assert.equal(start.caller, "200");
  assert.equal(start.user, "agent200");
  assert.equal(start.started_at, 1000.5);
  assert.equal(start.duration, null);
  assert.equal(end.answered_at, 1004.25);
  assert.equal(end.ended_at, 1065);
  assert.equal(end.duration, 60);
  valid(events);
});

test("outgoing call: the peer hangs up (BYE received)", () => {
  const inv = jssipInvite();
  const events = run([["sent", inv, 10], ["received", response(inv, 200, "OK"), 12], ["received", inDialog(inv, "BYE", { fromPeer: true }), 20]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.equal(events[1].duration, 8);
});

test("outgoing call: 407 challenge and resent INVITE is one call", () => {
  const first = jssipInvite({ cseq: 7215 });
  const second = jssipInvite({ cseq: 7216, auth: true });
  const events = run([
    ["sent", first, 1], ["received", response(first, 407, "Proxy Authentication Required")],
    ["sent", second, 2], ["received", response(second, 180, "Ringing")], ["received", response(second, 486, "Busy Here"), 5],
  ]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.equal(events[1].duration, 0);
  assert.equal(events[1].answered_at, null);
  assert.equal(events[1].ended_at, 5, "ended by the 486, not by the 407 challenge");
});

test("outgoing call: we CANCEL before answer -> ended with duration 0", () => {
  const inv = jssipInvite();
  const events = run([["sent", inv, 1], ["received", response(inv, 180, "Ringing")], ["sent", inDialog(inv, "CANCEL"), 9], ["received", response(inv, 487, "Request Terminated")]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.equal(events[1].duration, 0);
  assert.equal(events[1].ended_at, 9);
});

test("incoming direct call (Asterisk): ringing once, accepted, ended by our BYE; PAI before From", () => {
  const inv = asteriskInvite();
  const events = run([
    ["sent", jssipRegister(), 0],
    ["received", inv, 100],
    ["sent", response(inv, 100, "Trying")],
    ["sent", response(inv, 180, "Ringing")],
    ["sent", response(inv, 180, "Ringing")],
    ["sent", response(inv, 200, "OK"), 104.5],
    ["sent", inDialog(inv, "BYE", { fromPeer: true, toTag: "as5f1c2d" }), 165],
  ]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]);
  const e = events[2];
  assert.equal(e.caller, "+4930987654"); // from P-Asserted-Identity, not From's 030987654
  assert.equal(e.caller_name, "Anna Müller");
  assert.equal(e.callee, "200"); // To user, not the Request-URI's random contact user
  assert.equal(e.user, "agent200");
  assert.equal(e.direction, "incoming");
  assert.equal(e.queue, null);
  assert.equal(e.duration, 60);
  valid(events);
});

test("incoming call ended by the caller (BYE received)", () => {
  const inv = asteriskInvite();
  const events = run([["received", inv, 1], ["sent", response(inv, 200, "OK"), 2], ["received", inDialog(inv, "BYE", { fromPeer: false }), 5]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]);
});

test("without P-Asserted-Identity the From header names the caller, escapes resolved", () => {
  const events = run([["received", asteriskInvite({ pai: null }), 1]]);
  assert.equal(events[0].caller, "030987654");
  assert.equal(events[0].caller_name, 'Anna "Annie" Müller');
});

test("re-INVITE and UPDATE inside the dialog start no new call; a failed re-INVITE ends nothing", () => {
  const inv = asteriskInvite();
  const reinvite = inDialog(inv, "INVITE", { fromPeer: false, cseq: 24502 });
  const events = run([
    ["received", inv, 1], ["sent", response(inv, 200, "OK"), 2],
    ["received", reinvite], ["sent", response(reinvite, 491, "Request Pending")],
    ["sent", inDialog(inv, "UPDATE", { fromPeer: true, cseq: 3 })],
    ["sent", inDialog(inv, "BYE", { fromPeer: true, cseq: 4 }), 12],
  ]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]);
  assert.equal(events[2].duration, 10);
});

test("CANCEL received -> missed", () => {
  const inv = asteriskInvite();
  const events = run([["received", inv, 1], ["sent", response(inv, 180, "Ringing")], ["received", inDialog(inv, "CANCEL"), 7], ["sent", response(inv, 487, "Request Terminated")]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_missed"]);
  assert.equal(events[1].answered_at, null);
  assert.equal(events[1].ended_at, 7);
  assert.equal(events[1].duration, null);
  valid(events);
});

test("CANCEL with Reason SIP;cause=200 (completed elsewhere) is answered elsewhere, never missed", () => {
  const inv = asteriskInvite();
  const cancel = inDialog(inv, "CANCEL", { extra: ['Reason: SIP;cause=200;text="Call completed elsewhere"'] });
  const events = run([["received", inv, 1], ["received", cancel, 3], ["sent", response(inv, 487, "Request Terminated")]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_answered_elsewhere"]);
  assert.equal(events[1].sip_status, 200);
  assert.equal(events[1].ended_at, 3);
  valid(events);
});

test("our 486 reject -> missed", () => {
  const inv = asteriskInvite();
  const events = run([["received", inv, 1], ["sent", response(inv, 486, "Busy Here"), 2]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_missed"]);
});

test("queue call by header: X-Queue names the queue", () => {
  const inv = asteriskInvite({ extra: ["X-Queue: Support 1st level"] });
  const events = run(
    [["received", inv, 1], ["sent", response(inv, 200, "OK"), 2], ["received", inDialog(inv, "BYE"), 32]],
    { queueRule: { header: "X-Queue", displayNamePattern: null } },
  );
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "queue_call_accepted", "queue_call_ended"]);
  assert.ok(events.every((e) => e.queue === "Support 1st level"));
  valid(events);
});

test("queue call by display-name pattern (Kamailio compact + folded), capture group is the queue", () => {
  const inv = kamailioInvite();
  const events = run([["received", inv, 1], ["sent", response(inv, 200, "OK", { compact: true }), 2]], {
    queueRule: { header: null, displayNamePattern: "^(Support):" },
  });
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "queue_call_accepted"]);
  assert.equal(events[1].queue, "Support");
  assert.equal(events[1].caller, "+49221555"); // tel: P-Asserted-Identity, visual separators dropped
  assert.equal(events[1].caller_name, "Bernd Sohn");
  assert.equal(events[1].callee, "200");
});

test("queue call missed keeps the queue name; pattern without group uses the match", () => {
  const inv = kamailioInvite();
  const events = run([["received", inv, 1], ["received", inDialog(inv, "CANCEL"), 4]], { queueRule: { displayNamePattern: "^Support" } });
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_missed"]);
  assert.equal(events[1].queue, "Support");
});

test("an invalid queue pattern is ignored, not thrown", () => {
  const events = run([["received", kamailioInvite(), 1]], { queueRule: { displayNamePattern: "([" } });
  assert.equal(events[0].queue, null);
});

test("the user is the REGISTER's, whatever the config says (the content script applies the userName setting)", () => {
  const events = run([["sent", jssipRegister()], ["received", asteriskInvite(), 1]], { userName: "a.meier" });
  assert.notEqual(events[0].user, "a.meier");
  assert.ok(events[0].user);
});

test("two concurrent calls are tracked apart", () => {
  const a = asteriskInvite({ callId: "call-a" });
  const b = asteriskInvite({ callId: "call-b", fromUser: "0401111", pai: null });
  const o = jssipInvite({ callId: "call-o" });
  const events = run([
    ["received", a, 1], ["sent", response(a, 200, "OK"), 2],
    ["received", b, 3], ["sent", o, 4],
    ["sent", response(b, 486, "Busy Here"), 5],
    ["received", response(o, 200, "OK"), 6],
    ["received", inDialog(a, "BYE"), 10], ["sent", inDialog(o, "BYE"), 16],
  ]);
  assert.deepEqual(events.map((e) => `${e.call_id}:${e.trigger}`), [
    "call-a:incoming_call_ringing", "call-a:incoming_call_accepted", "call-b:incoming_call_ringing",
    "call-o:outgoing_call_started", "call-b:incoming_call_missed", "call-a:incoming_call_ended", "call-o:outgoing_call_ended",
  ]);
  assert.equal(events[5].duration, 8);
  assert.equal(events[6].duration, 10);
  assert.equal(events[4].caller, "0401111");
});

test("a retransmitted INVITE after the end starts nothing; unknown dialogs are ignored", () => {
  const inv = asteriskInvite();
  const events = run([["received", inv, 1], ["sent", response(inv, 486, "Busy Here")], ["received", inv], ["received", inDialog(jssipInvite({ callId: "x" }), "BYE")]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_missed"]);
});

test("a re-INVITE or BYE for a dialog the observer never saw (page reloaded mid-call) starts nothing", () => {
  const inv = asteriskInvite({ callId: "before-reload" });
  const events = run([
    ["received", inDialog(inv, "INVITE", { cseq: 24502 }), 1],
    ["sent", response(inDialog(inv, "INVITE", { cseq: 24502 }), 200, "OK")],
    ["sent", inDialog(jssipInvite({ callId: "before-reload-2" }), "INVITE", { cseq: 9000 })],
    ["received", inDialog(inv, "BYE", { cseq: 24503 })],
  ]);
  assert.deepEqual(events, []);
});
