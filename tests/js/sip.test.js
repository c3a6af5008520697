// Tests for extension/page/sip.js: SIP as real stacks write it, and garbage that must never throw.
import test from "node:test";
import assert from "node:assert/strict";
import { pageNamespace, sipMessage } from "./helpers/page.js";
import { asteriskInvite, jssipInvite, kamailioInvite, response } from "./fixtures/sip_traffic.js";

const { sip } = pageNamespace();

test("parses a JsSIP INVITE: request line, full header names, CSeq", () => {
  const m = sip.parse(jssipInvite());
  assert.equal(m.kind, "request");
  assert.equal(m.method, "INVITE");
  assert.equal(m.uri, "sip:0301234567@ucc.example.com");
  assert.equal(sip.header(m, "call-id"), "2va1i0jn8ok6b5tbq3n1");
  assert.deepEqual({ ...sip.cseq(m) }, { seq: 7215, method: "INVITE" });
});

test("parses a status line and keeps the reason phrase", () => {
  const m = sip.parse(response(jssipInvite(), 486, "Busy Here"));
  assert.equal(m.kind, "response");
  assert.equal(m.status, 486);
  assert.equal(m.reason, "Busy Here");
  assert.equal(sip.cseq(m).method, "INVITE");
});

test("compact header names f t i m v l map to their full names", () => {
  const m = sip.parse(sipMessage([
    "BYE sip:a@b SIP/2.0", "v: SIP/2.0/WSS x.invalid;branch=z9hG4bK1", "f: <sip:1@b>;tag=1", "t: <sip:2@b>;tag=2",
    "i: compact-1", "CSeq: 2 BYE", "m: <sip:1@x.invalid>", "l: 0",
  ]));
  for (const name of ["via", "from", "to", "call-id", "contact", "content-length"]) {
    assert.ok(m.headers[name], `${name} missing`);
  }
  assert.equal(sip.header(m, "call-id"), "compact-1");
});

test("header names are case-insensitive", () => {
  const m = sip.parse(sipMessage(["OPTIONS sip:a@b SIP/2.0", "CALL-ID: Up-1", "cseq: 9 OPTIONS", "fRoM: <sip:1@b>"]));
  assert.equal(sip.header(m, "call-id"), "Up-1");
  assert.equal(sip.cseq(m).seq, 9);
  assert.ok(sip.nameAddr(sip.header(m, "from")));
});

test("folded header lines are joined (Kamailio style)", () => {
  const m = sip.parse(kamailioInvite());
  const from = sip.nameAddr(sip.header(m, "from"));
  assert.equal(from.params.tag, "1928301774");
  const to = sip.nameAddr(sip.header(m, "to"));
  assert.equal(to.display, "Agent 200");
  assert.equal(sip.uriUser(to.uri), "200");
  assert.equal(sip.identities(m, "p-asserted-identity").length, 2);
});

test("quoted display names keep escaped quotes and backslashes", () => {
  assert.equal(sip.nameAddr('"Anna \\"Annie\\" Müller" <sip:1@b>;tag=x').display, 'Anna "Annie" Müller');
  assert.equal(sip.nameAddr('"Support: Bernd \\\\ Sohn" <sip:1@b>').display, "Support: Bernd \\ Sohn");
  assert.equal(sip.nameAddr('"a, b <c>" <sip:1@b>').uri, "sip:1@b");
  assert.equal(sip.nameAddr("Plain Name <sip:1@b>").display, "Plain Name");
  assert.equal(sip.nameAddr("<sip:1@b>").display, null);
});

test("addr-spec without brackets: params after ; belong to the header", () => {
  const a = sip.nameAddr("sip:200@pbx.example.com;tag=abc");
  assert.equal(a.uri, "sip:200@pbx.example.com");
  assert.equal(a.params.tag, "abc");
});

test("users of sip:, sips: and tel: URIs", () => {
  assert.equal(sip.uriUser("sip:200@pbx.example.com;transport=ws"), "200");
  assert.equal(sip.uriUser("sips:%2B4930123@pbx.example.com"), "+4930123");
  assert.equal(sip.uriUser("sip:+4930123;phone-context=example.com@pbx;user=phone"), "+4930123");
  assert.equal(sip.uriUser("sip:alice:secret@pbx"), "alice");
  assert.equal(sip.uriUser("tel:+49-30-123.456;phone-context=+49"), "+4930123456");
  assert.equal(sip.uriUser("sip:pbx.example.com"), null);
  assert.equal(sip.uriUser("mailto:x@y"), null);
});

test("P-Asserted-Identity lists are split outside quotes and brackets", () => {
  const m = sip.parse(kamailioInvite());
  const ids = sip.identities(m, "p-asserted-identity");
  assert.equal(ids[0].uri, "tel:+49-221-555;phone-context=+49");
  assert.equal(ids[1].display, "Bernd Sohn");
});

test("Reason 'call completed elsewhere' in SIP and Q.850 forms", () => {
  const reason = (value) => sip.completedElsewhere(sip.parse(sipMessage(["CANCEL sip:a@b SIP/2.0", "Call-ID: 1", "CSeq: 1 CANCEL", `Reason: ${value}`])));
  assert.equal(reason('SIP;cause=200;text="Call completed elsewhere"'), true);
  assert.equal(reason("SIP ;cause=200"), true);
  assert.equal(reason("Q.850;cause=26"), true);
  assert.equal(reason("Q.850;cause=16;text=\"Normal call clearing\""), false);
  assert.equal(reason("SIP;cause=487"), false);
});

test("keep-alives and non-SIP text are not messages", () => {
  for (const frame of ["\r\n", "\r\n\r\n", "", "hello world, how are you today?", "HTTP/1.1 200 OK\r\n\r\n", '{"jsonrpc":"2.0"}']) {
    assert.equal(sip.parse(frame), null, JSON.stringify(frame));
  }
});

test("Asterisk INVITE with LF-only line ends still parses", () => {
  const m = sip.parse(asteriskInvite().replace(/\r\n/g, "\n"));
  assert.equal(sip.header(m, "call-id"), "e1f7a0c2-52d2-4c1f-9b0e-0a1b2c3d4e5f");
});

test("malformed frames and random garbage never throw", () => {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const base = asteriskInvite();
  for (let i = 0; i < 3000; i++) {
    let text;
    if (i % 3 === 0) text = String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 400) }, () => Math.floor(rnd() * 65536)));
    else if (i % 3 === 1) text = base.slice(0, Math.floor(rnd() * base.length));
    else {
      const chars = base.split("");
      for (let k = 0; k < 20; k++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(Math.floor(rnd() * 128));
      text = chars.join("");
    }
    const m = sip.parse(text);
    if (m) {
      sip.cseq(m);
      for (const name of Object.keys(m.headers)) {
        const n = sip.nameAddr(sip.header(m, name));
        if (n) sip.uriUser(n.uri);
        sip.identities(m, name);
      }
      sip.completedElsewhere(m);
    }
  }
  for (const odd of [null, undefined, 42, {}, [], '"unterminated <sip:1@b>', "<sip:1@b", "\"x\" sip:1@b"]) {
    assert.doesNotThrow(() => { sip.parse(odd); sip.nameAddr(odd); sip.uriUser(odd); });
  }
});
