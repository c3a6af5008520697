// The observer under a real SIP stack: JsSIP (the kind of UA web clients embed) runs in Node over the wrapped WebSocket.
import test from "node:test";
import assert from "node:assert/strict";
import JsSIP from "jssip";
import { pageNamespace } from "./helpers/page.js";
import { FakeEventTarget, makeWebSocketClass } from "./helpers/fake_websocket.js";

const SDP = ["v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
  "m=audio 40000 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=sendrecv", ""].join("\r\n");

// Just enough WebRTC for JsSIP's signalling: no media flows in these tests.
class FakePeerConnection extends EventTarget {
  iceGatheringState = "complete"; iceConnectionState = "new"; signalingState = "stable";
  localDescription = null; remoteDescription = null;
  addTrack() { return {}; }
  getSenders() { return []; }
  getReceivers() { return []; }
  async createOffer() { return { type: "offer", sdp: SDP }; }
  async createAnswer() { return { type: "answer", sdp: SDP }; }
  async setLocalDescription(d) { this.localDescription = d; }
  async setRemoteDescription(d) { this.remoteDescription = d; }
  close() {}
}
const stream = { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] };

/** Headers of a SIP text as [name, value] in order (for building replies the way a PBX does). */
function headers(text) {
  return text.split("\r\n\r\n")[0].split("\r\n").slice(1).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]);
}
const pick = (text, names) => headers(text).filter(([n]) => names.includes(n.toLowerCase()));

/** A scripted PBX on the server end of one socket. */
class Pbx {
  constructor(ws) {
    this.ws = ws;
    this.received = [];
    this.onRequest = {};
    ws.onSent = (data) => setImmediate(() => this.handle(typeof data === "string" ? data : new TextDecoder().decode(data)));
  }
  send(text) { this.ws.serverSends(new TextEncoder().encode(text).buffer); } // binary frames, as some PBXs send
  reply(request, status, reason, { toTag = "pbx-tag", body = "", extra = [] } = {}) {
    const lines = pick(request, ["via", "from", "call-id", "cseq"]).map(([n, v]) => `${n}: ${v}`);
    let to = headers(request).find(([n]) => n.toLowerCase() === "to")[1];
    if (!/;tag=/.test(to) && status > 100) to += `;tag=${toTag}`;
    lines.splice(2, 0, `To: ${to}`);
    const contact = request.startsWith("REGISTER") ? pick(request, ["contact"])[0][1] : "<sip:pbx@192.0.2.10:8089;transport=ws>";
    this.send([`SIP/2.0 ${status} ${reason}`, ...lines, ...extra, `Contact: ${contact}`,
      ...(body ? ["Content-Type: application/sdp"] : []), `Content-Length: ${body.length}`, "", body].join("\r\n"));
  }
  handle(text) {
    this.received.push(text);
    const first = text.slice(0, text.indexOf("\r\n"));
    if (first.startsWith("SIP/2.0")) return;
    const method = first.split(" ")[0];
    if (this.onRequest[method]) return this.onRequest[method](text);
    if (method === "REGISTER") this.reply(text, 200, "OK", { extra: [`Expires: 600`] });
    else if (method === "BYE" || method === "UPDATE") this.reply(text, 200, "OK");
  }
  /** An incoming call as Asterisk sends it, with P-Asserted-Identity and a quoted display name. */
  invite(callId, { extra = [] } = {}) {
    const text = ["INVITE sip:agent200@ucc.example.com;transport=ws SIP/2.0",
      "Via: SIP/2.0/WSS 192.0.2.10:8089;rport;branch=z9hG4bKPj" + callId.replace(/\W/g, ""),
      'From: "M\\"ller, Anna" <sip:030987654@pbx.example.com>;tag=from-' + callId.replace(/\W/g, ""),
      "To: <sip:200@ucc.example.com>", "Contact: <sip:asterisk@192.0.2.10:8089;transport=ws>",
      `Call-ID: ${callId}`, "CSeq: 100 INVITE", "Max-Forwards: 70",
      'P-Asserted-Identity: "Anna Mueller" <sip:+4930987654@pbx.example.com>', ...extra,
      "Content-Type: application/sdp", `Content-Length: ${SDP.length}`, "", SDP].join("\r\n");
    this.send(text);
    return text;
  }
  inDialog(invite, method, cseq) {
    const h = Object.fromEntries(headers(invite).map(([n, v]) => [n.toLowerCase(), v]));
    const uaResponse = this.received.find((r) => r.startsWith("SIP/2.0 200") && r.includes(h["call-id"]));
    const toWithTag = uaResponse ? headers(uaResponse).find(([n]) => n.toLowerCase() === "to")[1] : h.to;
    this.send([`${method} sip:agent200@ucc.example.com;transport=ws SIP/2.0`, `Via: SIP/2.0/WSS 192.0.2.10:8089;branch=z9hG4bK${method}${cseq}`,
      `From: ${h.from}`, `To: ${method === "CANCEL" ? h.to : toWithTag}`, `Call-ID: ${h["call-id"]}`, `CSeq: ${method === "CANCEL" ? 100 : cseq} ${method}`,
      "Max-Forwards: 70", "Content-Length: 0", "", ""].join("\r\n"));
  }
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function start() {
  const ns = pageNamespace();
  const Native = makeWebSocketClass();
  const win = { EventTarget: FakeEventTarget, TextDecoder, setTimeout, clearTimeout };
  Object.defineProperty(win, "WebSocket", { value: Native, writable: true, configurable: true });
  const events = [];
  ns.observer.install(win, { emit: (e) => events.push(JSON.parse(JSON.stringify(e))), onError: (e) => { throw e; } });
  globalThis.WebSocket = win.WebSocket; // what JsSIP's WebSocketInterface constructs
  globalThis.window = globalThis;
  globalThis.RTCPeerConnection = FakePeerConnection;
  globalThis.RTCSessionDescription = class { constructor(init) { Object.assign(this, init); } };
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface("wss://ucc.example.com:8089/ws")],
    uri: "sip:agent200@ucc.example.com", password: "x", register: true, session_timers: false,
  });
  const sessions = [];
  ua.on("newRTCSession", ({ session }) => sessions.push(session));
  ua.start();
  const ws = Native.instances[0];
  const pbx = new Pbx(ws);
  ws.serverOpens("sip");
  await tick();
  assert.ok(pbx.received[0].startsWith("REGISTER"), "JsSIP registered first");
  return { ua, pbx, events, sessions, ws };
}

test("JsSIP: outgoing call answered and hung up by the agent", async () => {
  const { ua, pbx, events, sessions } = await start();
  pbx.onRequest.INVITE = (invite) => {
    pbx.reply(invite, 100, "Trying");
    pbx.reply(invite, 180, "Ringing");
    setTimeout(() => pbx.reply(invite, 200, "OK", { body: SDP }), 20);
  };
  ua.call("sip:0301234567@ucc.example.com", { mediaStream: stream });
  await tick(80);
  sessions[0].terminate();
  await tick();
  assert.deepEqual(events.map((e) => e.trigger), ["outgoing_call_started", "outgoing_call_ended"]);
  assert.equal(events[0].callee, "0301234567");
  assert.equal(events[0].user, "agent200");
  assert.equal(events[1].direction, "outgoing");
  assert.equal(typeof events[1].answered_at, "number");
  assert.equal(events[1].duration, 0);
  ua.stop();
});

test("JsSIP: incoming queue call answered, ended by the caller; a second one rejected with 486", async () => {
  const { ua, pbx, events, sessions, ws } = await start();
  const first = pbx.invite("in-1@pbx", { extra: ["X-Queue: Support"] });
  await tick();
  const ns = events.length;
  assert.equal(ns, 1);
  sessions[0].answer({ mediaStream: stream });
  await tick();
  pbx.inDialog(first, "BYE", 101);
  await tick();
  pbx.invite("in-2@pbx");
  await tick();
  sessions[1].terminate({ status_code: 486 });
  await tick();
  assert.deepEqual(events.map((e) => `${e.call_id} ${e.trigger}`), [
    "in-1@pbx incoming_call_ringing", "in-1@pbx incoming_call_accepted", "in-1@pbx incoming_call_ended",
    "in-2@pbx incoming_call_ringing", "in-2@pbx incoming_call_missed",
  ]);
  const ended = events[2];
  assert.equal(ended.caller, "+4930987654");
  assert.equal(ended.caller_name, "Anna Mueller");
  assert.equal(ended.callee, "200");
  assert.ok(ws.sentFrames.some((f) => f.startsWith("SIP/2.0 486")), "JsSIP wrote the 486 itself");
  ua.stop();
});

test("JsSIP: the queue rule and CANCEL, with and without 'completed elsewhere'", async () => {
  const { ua, pbx, events } = await start();
  const a = pbx.invite("in-3@pbx", { extra: ["X-Queue: Support"] });
  await tick();
  pbx.inDialog(a, "CANCEL", 100);
  await tick();
  const b = pbx.invite("in-4@pbx");
  await tick();
  pbx.send(["CANCEL sip:agent200@ucc.example.com;transport=ws SIP/2.0", "Via: SIP/2.0/WSS 192.0.2.10:8089;rport;branch=z9hG4bKPjin4pbx",
    'From: "M\\"ller, Anna" <sip:030987654@pbx.example.com>;tag=from-in4pbx', "To: <sip:200@ucc.example.com>", "Call-ID: in-4@pbx",
    "CSeq: 100 CANCEL", 'Reason: SIP;cause=200;text="Call completed elsewhere"', "Content-Length: 0", "", ""].join("\r\n"));
  await tick();
  assert.ok(b);
  const replies = pbx.received.filter((r) => r.startsWith("SIP/2.0")).map((r) => r.split("\r\n")[0]);
  assert.ok(replies.includes("SIP/2.0 487 Request Terminated"), `JsSIP answered both CANCELs with 487: ${replies}`);
  assert.deepEqual(events.map((e) => `${e.call_id} ${e.trigger}`), [
    "in-3@pbx incoming_call_ringing", "in-3@pbx incoming_call_missed", "in-4@pbx incoming_call_ringing",
    "in-4@pbx incoming_call_answered_elsewhere",
  ]);
  assert.equal(events[1].outcome, "missed");
  assert.equal(events[3].sip_status, 200);
  ua.stop();
});
