// Calls as desks make them: end-of-call data, answered elsewhere, transfers, hostile header names and the RFC 4475 torture messages.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, pageNamespace } from "./helpers/page.js";
import { asteriskInvite, inDialog, jssipInvite, kamailioInvite, response } from "./fixtures/sip_traffic.js";

const ns = pageNamespace();

function run(steps) {
  let clock = 0;
  const tracker = ns.calls.createTracker({ now: () => clock });
  const events = [];
  for (const [dir, frame, at] of steps) {
    if (at !== undefined) clock = at;
    for (const e of tracker.handle(dir, ns.sip.parse(frame))) {
      const plain = JSON.parse(JSON.stringify(e));
      assert.ok(ns.callEvent.checkCallEvent(plain).ok, JSON.stringify(plain));
      events.push(plain);
    }
  }
  return events;
}
const triggers = (events) => events.map((e) => e.trigger);

// FreeSWITCH (mod_verto/sofia over WSS): Remote-Party-ID style headers, X- variables, a Reason on BYE.
function freeswitchInvite(callId = "b5c0a7f2-6d3e-11ee-9b1c-0242ac120002") {
  return [
    "INVITE sip:k3p1rq0d@8n3kq4cs1lp2.invalid;transport=ws SIP/2.0",
    "Via: SIP/2.0/WSS 192.0.2.40:7443;rport;branch=z9hG4bKFS4r1",
    "Max-Forwards: 69",
    'From: "Jürgen Müller" <sip:+49891234567@fs.example.com>;tag=Sm3yH0r7',
    "To: <sip:200@fs.example.com>",
    `Call-ID: ${callId}`,
    "CSeq: 98765432 INVITE",
    "Contact: <sip:mod_sofia@192.0.2.40:7443;transport=wss>",
    "User-Agent: FreeSWITCH-mod_sofia/1.10.11-release",
    "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY",
    "Supported: timer, path, replaces",
    "Remote-Party-ID: \"Jürgen Müller\" <sip:+49891234567@fs.example.com>;party=calling;screen=yes;privacy=off",
    "X-FS-Support: update_display,send_info",
    "Content-Type: application/sdp",
    "Content-Length: 0",
    "", "",
  ].join("\r\n");
}

test("every Object.prototype name works as a header name, and the call is still seen", () => {
  const names = Object.getOwnPropertyNames(Object.prototype).concat(["Constructor", "__proto__", "prototype"]);
  for (const name of names) {
    const inv = asteriskInvite({ callId: `proto-${name}`, extra: [`${name}: x`, `${name}: y`] });
    const message = ns.sip.parse(inv);
    assert.ok(message, name);
    assert.deepEqual([...message.headers[name.toLowerCase()]], ["x", "y"], name);
    const events = run([["received", inv, 1], ["sent", response(inv, 200, "OK"), 2], ["received", inDialog(inv, "BYE", { fromPeer: true }), 5]]);
    assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"], name);
  }
  assert.equal({}.polluted, undefined, "nothing leaked into Object.prototype");
});

test("the RFC 4475 torture messages: none throws, the valid ones parse, none changes Object.prototype", () => {
  const dir = path.join(ROOT, "..", "shared", "rfc4475");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".dat"));
  assert.equal(files.length, 50);
  // 3.1.1 valid messages (wsinv, intmeth, ...): the parser reads their start line and headers.
  const valid = ["wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
    "mpart01", "unreason", "noreason"];
  for (const file of files) {
    const text = new TextDecoder("utf-8").decode(fs.readFileSync(path.join(dir, file)));
    let message;
    assert.doesNotThrow(() => { message = ns.sip.parse(text); }, file);
    const tracker = ns.calls.createTracker({ now: () => 1 });
    assert.doesNotThrow(() => tracker.handle("received", message), file);
    if (valid.includes(file.replace(".dat", ""))) {
      assert.ok(message, `${file} parses`);
      assert.ok(ns.sip.header(message, "call-id"), `${file} has its Call-ID`);
    }
  }
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
});

test("outgoing outcomes by final status: busy, rejected, no_answer, failed; ended_by remote", () => {
  const cases = [[486, "busy"], [600, "busy"], [603, "rejected"], [408, "no_answer"], [480, "no_answer"], [487, "no_answer"],
    [404, "failed"], [503, "failed"], [488, "failed"]];
  for (const [status, outcome] of cases) {
    const inv = jssipInvite({ callId: `out-${status}` });
    const events = run([["sent", inv, 10], ["received", response(inv, 180, "Ringing")], ["received", response(inv, status, "X"), 14]]);
    assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"], String(status));
    assert.equal(events[1].outcome, outcome, String(status));
    assert.equal(events[1].ended_by, "remote");
    assert.equal(events[1].sip_status, status);
    assert.equal(events[1].duration, 0);
  }
});

test("outgoing: our CANCEL is no_answer ended locally; 407 then busy is one call", () => {
  const inv = jssipInvite();
  let events = run([["sent", inv, 1], ["received", response(inv, 180, "Ringing")], ["sent", inDialog(inv, "CANCEL"), 9],
    ["received", response(inv, 487, "Request Terminated")]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.deepEqual([events[1].outcome, events[1].ended_by, events[1].sip_status], ["no_answer", "local", 487]);
  const first = jssipInvite({ cseq: 1 });
  const second = jssipInvite({ cseq: 2, auth: true });
  events = run([["sent", first, 1], ["received", response(first, 407, "Proxy Authentication Required")], ["sent", second, 1.1],
    ["received", response(second, 486, "Busy Here"), 3]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.equal(events[1].outcome, "busy");
});

test("answered calls: outcome answered, ended_by local or remote, sip_status 200, holds and refreshes change nothing", () => {
  const inv = kamailioInvite();
  const reInvite = (cseq, dir) => inDialog(inv, "INVITE", { cseq, fromPeer: dir === "received" });
  const events = run([
    ["received", inv, 100], ["sent", response(inv, 183, "Session Progress")], ["sent", response(inv, 180, "Ringing")],
    ["sent", response(inv, 200, "OK"), 104],
    ["sent", reInvite(314160, "sent"), 110], ["received", response(reInvite(314160, "sent"), 200, "OK")], // hold (sendonly)
    ["sent", reInvite(314161, "sent"), 120], ["received", response(reInvite(314161, "sent"), 200, "OK")], // resume
    ["received", inDialog(inv, "UPDATE", { cseq: 7, fromPeer: true }), 130], // session refresh by UPDATE
    ["received", reInvite(8, "received"), 140], ["sent", response(reInvite(8, "received"), 200, "OK")], // refresh by re-INVITE
    ["sent", inDialog(inv, "BYE", { cseq: 314162 }), 164],
  ]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "incoming_call_ended"]);
  const end = events[2];
  assert.deepEqual([end.outcome, end.ended_by, end.sip_status, end.duration, end.transfer_to], ["answered", "local", 200, 60, null]);
});

test("incoming: the caller gives up (missed), we decline (rejected), FreeSWITCH and Q.850 answered elsewhere", () => {
  const inv = asteriskInvite();
  let events = run([["received", inv, 1], ["received", inDialog(inv, "CANCEL"), 6]]);
  assert.deepEqual([events[1].trigger, events[1].outcome, events[1].sip_status], ["incoming_call_missed", "missed", 487]);
  events = run([["received", inv, 1], ["sent", response(inv, 603, "Decline"), 3]]);
  assert.deepEqual([events[1].trigger, events[1].outcome, events[1].sip_status], ["incoming_call_missed", "rejected", 603]);
  const fs1 = freeswitchInvite();
  events = run([["received", fs1, 1], ["received", inDialog(fs1, "CANCEL", { extra: ["Reason: Q.850;cause=26;text=\"ANSWERED_ELSEWHERE\""] }), 4]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_answered_elsewhere"]);
  assert.equal(events[0].caller_name, "Jürgen Müller");
  // a queue call taken by a colleague: Kamailio's CANCEL after the other branch answered
  const q = kamailioInvite({ callId: "q-1", extra: ["X-Queue: Support"] });
  const tracker = ns.calls.createTracker({ now: () => 2, config: { queueRule: { header: "X-Queue" } } });
  tracker.handle("received", ns.sip.parse(q));
  const out = tracker.handle("received", ns.sip.parse(inDialog(q, "CANCEL", { extra: ['Reason: SIP;cause=200;text="Call completed elsewhere"'] })));
  assert.deepEqual(JSON.parse(JSON.stringify(out.map((e) => [e.trigger, e.queue]))), [["incoming_call_answered_elsewhere", "Support"]]);
  // a plain cancel with another cause is missed, its SIP cause the status
  events = run([["received", inv, 1], ["received", inDialog(inv, "CANCEL", { extra: ["Reason: SIP;cause=480;text=\"Timeout\""] }), 31]]);
  assert.deepEqual([events[1].trigger, events[1].sip_status], ["incoming_call_missed", 480]);
});

function refer(invite, target, cseq, extra = []) {
  return inDialog(invite, "REFER", { cseq, extra: [`Refer-To: ${target}`, 'Referred-By: <sip:200@ucc.example.com>', ...extra] });
}
function notify(invite, frag, cseq) {
  const text = inDialog(invite, "NOTIFY", { cseq, fromPeer: true, extra: ["Event: refer;id=" + cseq, "Subscription-State: terminated;reason=noresource", "Content-Type: message/sipfrag;version=2.0"] });
  return text.replace(/Content-Length: 0\r\n\r\n$/, `Content-Length: ${frag.length}\r\n\r\n${frag}`);
}

test("blind transfer (JsSIP session.refer): REFER, 202, NOTIFY 200 -> call_transferred, then ended once with ended_by transfer", () => {
  const inv = asteriskInvite();
  const r = refer(inv, "<sip:201@pbx.example.com>", 24503);
  const events = run([
    ["received", inv, 1], ["sent", response(inv, 200, "OK"), 3],
    ["sent", r, 30], ["received", response(r, 202, "Accepted")],
    ["received", notify(inv, "SIP/2.0 100 Trying\r\n", 2), 30.1], ["received", notify(inv, "SIP/2.0 200 OK\r\n", 3), 31],
    ["received", inDialog(inv, "BYE", { fromPeer: true, cseq: 4 }), 31.2], ["received", inDialog(inv, "BYE", { fromPeer: true, cseq: 4 })],
  ]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "call_transferred", "incoming_call_ended"]);
  assert.equal(events[2].transfer_to, "201");
  assert.equal(events[2].direction, "incoming");
  assert.deepEqual([events[3].ended_by, events[3].transfer_to, events[3].outcome, events[3].duration], ["transfer", "201", "answered", 28]);
});

test("a transfer that fails changes nothing: REFER refused, or NOTIFY with a final error", () => {
  const inv = jssipInvite();
  const r = refer(inv, "<sip:0301111@ucc.example.com>", 7216);
  let events = run([["sent", inv, 1], ["received", response(inv, 200, "OK"), 2], ["sent", r, 5], ["received", response(r, 603, "Decline")],
    ["sent", inDialog(inv, "BYE", { cseq: 7217 }), 9]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.deepEqual([events[1].ended_by, events[1].transfer_to], ["local", null]);
  events = run([["sent", inv, 1], ["received", response(inv, 200, "OK"), 2], ["sent", r, 5], ["received", response(r, 202, "Accepted")],
    ["received", notify(inv, "SIP/2.0 486 Busy Here\r\n", 9)], ["received", inDialog(inv, "BYE", { fromPeer: true, cseq: 10 }), 40]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.equal(events[1].ended_by, "remote");
  // a REFER for a call not answered yet is no transfer
  events = run([["sent", inv, 1], ["sent", r, 2], ["received", response(r, 202, "Accepted")], ["sent", inDialog(inv, "CANCEL"), 3]]);
  assert.deepEqual(triggers(events), ["outgoing_call_started", "outgoing_call_ended"]);
});

test("blind transfer confirmed by the BYE after 202 (no NOTIFY), and attended transfer with Replaces", () => {
  const inv = asteriskInvite();
  const r = refer(inv, "<tel:+49-30-555>", 24503);
  let events = run([["received", inv, 1], ["sent", response(inv, 200, "OK"), 3], ["sent", r, 20], ["received", response(r, 202, "Accepted")],
    ["received", inDialog(inv, "BYE", { fromPeer: true, cseq: 4 }), 21]]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "call_transferred", "incoming_call_ended"]);
  assert.equal(events[2].transfer_to, "+4930555");
  // attended: consult 201 on a second call, then REFER the first with Replaces naming the second
  const consult = jssipInvite({ callId: "consult-1", target: "201" });
  const attended = refer(inv, "<sip:201@pbx.example.com?Replaces=consult-1%3Bto-tag%3Das5f1c2d%3Bfrom-tag%3Dub2p0e0l2c>", 24504);
  events = run([
    ["received", inv, 1], ["sent", response(inv, 200, "OK"), 3],
    ["sent", inDialog(inv, "INVITE", { cseq: 24502 }), 10], ["received", response(inDialog(inv, "INVITE", { cseq: 24502 }), 200, "OK")], // hold
    ["sent", consult, 11], ["received", response(consult, 200, "OK"), 15],
    ["sent", attended, 30], ["received", response(attended, 202, "Accepted")], ["received", notify(inv, "SIP/2.0 200 OK\r\n", 5), 31],
    ["received", inDialog(inv, "BYE", { fromPeer: true, cseq: 6 }), 31.5],
    ["received", inDialog(consult, "BYE", { fromPeer: true, cseq: 2 }), 31.6],
  ]);
  assert.deepEqual(triggers(events), ["incoming_call_ringing", "incoming_call_accepted", "outgoing_call_started", "call_transferred",
    "incoming_call_ended", "outgoing_call_ended"]);
  assert.equal(events[3].transfer_to, "201");
  assert.equal(events[4].ended_by, "transfer");
  assert.equal(events[5].ended_by, "transfer", "the consultation call went with the transfer");
});

test("several calls at once keep their own state", () => {
  const a = asteriskInvite({ callId: "a" });
  const b = kamailioInvite({ callId: "b" });
  const c = jssipInvite({ callId: "c" });
  const events = run([["received", a, 1], ["sent", response(a, 200, "OK"), 2], ["received", b, 3], ["sent", c, 4],
    ["sent", response(b, 486, "Busy Here"), 5], ["received", response(c, 200, "OK"), 6],
    ["sent", inDialog(a, "BYE", { cseq: 24502 }), 10], ["received", inDialog(c, "BYE", { fromPeer: true, cseq: 3 }), 16]]);
  assert.deepEqual(events.map((e) => `${e.call_id}:${e.trigger}`), ["a:incoming_call_ringing", "a:incoming_call_accepted",
    "b:incoming_call_ringing", "c:outgoing_call_started", "b:incoming_call_missed", "a:incoming_call_ended", "c:outgoing_call_ended"]);
  assert.deepEqual(events.slice(-2).map((e) => [e.duration, e.ended_by]), [[8, "local"], [10, "remote"]]);
});
