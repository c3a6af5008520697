// SIP message parser for SIP-over-WebSocket frames, written for SIP as stacks send it (classic script, see common/call_event.js).
(function factory(ns) {
  "use strict";
  (ns.factories || (ns.factories = {})).sip = factory; // its source text starts the observer in workers

  // RFC 3261 7.3.3 and the IANA registry: compact header names.
  const COMPACT = Object.assign(Object.create(null), {
    i: "call-id", f: "from", t: "to", m: "contact", v: "via", l: "content-length", c: "content-type",
    k: "supported", s: "subject", e: "content-encoding", o: "event", r: "refer-to", u: "allow-events",
    b: "referred-by", x: "session-expires", a: "accept-contact", j: "reject-contact",
  });
  const REQUEST_LINE = /^([A-Za-z0-9._!%*+`'~-]+) +(\S+) +SIP\/2\.0\s*$/; // method = RFC 3261 token
  const STATUS_LINE = /^SIP\/2\.0 +(\d{3})(?: +(.*))?$/;
  const MAX_HEAD = 64 * 1024; // a SIP head beyond this is not something a softphone sends
  const MAX_BODY = 1024;
  const TEL_SEPARATORS = /[-.()\s]/g; // RFC 3966 visual separators

  /**
   * Parse one SIP message. Returns null for keep-alives, non-SIP text and anything malformed.
   * Result: {kind: "request"|"response", method, uri, status, reason, headers} where headers maps
   * lower-case full header names to arrays of raw values, body is the text after the head (at most
   * MAX_BODY characters: only a NOTIFY's sipfrag is read). Header maps have no prototype, so a
   * header named `constructor`, `__proto__` or `hasOwnProperty` is just a header.
   */
  function parse(text) {
    if (typeof text !== "string" || text.length < 16) return null; // also drops CRLF keep-alives
    let end = text.indexOf("\r\n\r\n");
    let bodyAt = end + 4;
    if (end < 0) { end = text.indexOf("\n\n"); bodyAt = end + 2; }
    if (end < 0) { end = text.length; bodyAt = end; }
    if (end > MAX_HEAD) return null;
    const lines = text.slice(0, end).split(/\r?\n/);
    const first = lines[0];
    let message;
    const status = STATUS_LINE.exec(first);
    if (status) {
      message = { kind: "response", method: null, uri: null, status: Number(status[1]), reason: status[2] || "", headers: Object.create(null), body: "" };
    } else {
      const request = REQUEST_LINE.exec(first);
      if (!request) return null;
      message = { kind: "request", method: request[1].toUpperCase(), uri: request[2], status: 0, reason: "", headers: Object.create(null), body: "" };
    }
    message.body = text.slice(bodyAt, bodyAt + MAX_BODY);
    const headers = message.headers;
    let lastName = null;
    for (let n = 1; n < lines.length; n++) {
      const line = lines[n];
      if (line.length === 0) continue;
      const c = line.charCodeAt(0);
      if (c === 32 || c === 9) { // folded continuation line (RFC 3261 7.3.1)
        if (lastName) {
          const values = headers[lastName];
          values[values.length - 1] += " " + line.trim();
        }
        continue;
      }
      const colon = line.indexOf(":");
      if (colon < 1) { lastName = null; continue; }
      let name = line.slice(0, colon).trim().toLowerCase();
      if (name.length === 1) name = COMPACT[name] || name;
      const value = line.slice(colon + 1).trim();
      if (headers[name] !== undefined) headers[name].push(value);
      else headers[name] = [value];
      lastName = name;
    }
    return message;
  }

  /** First value of a header (name in lower case, full form), or "". */
  function header(message, name) {
    const values = message.headers[name];
    return values ? values[0] : "";
  }

  /** "314159 INVITE" -> {seq: 314159, method: "INVITE"} or null. */
  function cseq(message) {
    const m = /^(\d+)\s+(\S+)/.exec(header(message, "cseq"));
    return m ? { seq: Number(m[1]), method: m[2].toUpperCase() } : null;
  }

  function unquote(quoted) {
    // quoted is the text between the double quotes; quoted-pair "\x" stands for x
    return quoted.replace(/\\(.)/g, "$1");
  }

  /** Parse a name-addr or addr-spec with header params: {display, uri, params} or null. */
  function nameAddr(value) {
    if (typeof value !== "string") return null;
    let s = value.trim();
    let display = null;
    let uri;
    let rest;
    if (s.charCodeAt(0) === 34) { // quoted display name, may hold escaped quotes and backslashes
      let i = 1;
      while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
      if (i >= s.length) return null;
      display = unquote(s.slice(1, i));
      s = s.slice(i + 1).trim();
    }
    const open = s.indexOf("<");
    if (open >= 0) {
      const close = s.indexOf(">", open);
      if (close < 0) return null;
      if (display === null) display = s.slice(0, open).trim() || null;
      uri = s.slice(open + 1, close).trim();
      rest = s.slice(close + 1);
    } else {
      if (display !== null) return null; // a quoted name must be followed by <uri>
      const semi = s.indexOf(";");
      uri = semi < 0 ? s : s.slice(0, semi);
      rest = semi < 0 ? "" : s.slice(semi);
    }
    const params = Object.create(null);
    for (const part of rest.split(";")) {
      const p = part.trim();
      if (!p) continue;
      const eq = p.indexOf("=");
      if (eq < 0) params[p.toLowerCase()] = "";
      else params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    }
    return uri ? { display, uri, params } : null;
  }

  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return text; }
  }

  /** The user (number) of a sip:, sips: or tel: URI, or null. */
  function uriUser(uri) {
    if (typeof uri !== "string") return null;
    const colon = uri.indexOf(":");
    if (colon < 0) return null;
    const scheme = uri.slice(0, colon).toLowerCase();
    const rest = uri.slice(colon + 1);
    if (scheme === "tel") {
      const number = decode(rest.split(";")[0]).replace(TEL_SEPARATORS, "");
      return number || null;
    }
    if (scheme !== "sip" && scheme !== "sips") return null;
    const at = rest.lastIndexOf("@");
    if (at < 0) return null; // sip:host has no user
    let user = rest.slice(0, at);
    const semi = user.indexOf(";"); // user parameters, e.g. ;phone-context=
    if (semi >= 0) user = user.slice(0, semi);
    const pw = user.indexOf(":");
    if (pw >= 0) user = user.slice(0, pw);
    user = decode(user);
    return user || null;
  }

  /** Split a header value at commas outside quotes and angle brackets (P-Asserted-Identity may list two). */
  function splitList(value) {
    const out = [];
    let depth = 0;
    let quoted = false;
    let start = 0;
    for (let i = 0; i < value.length; i++) {
      const ch = value[i];
      if (quoted) {
        if (ch === "\\") i++;
        else if (ch === '"') quoted = false;
      } else if (ch === '"') quoted = true;
      else if (ch === "<") depth++;
      else if (ch === ">") depth--;
      else if (ch === "," && depth === 0) {
        out.push(value.slice(start, i));
        start = i + 1;
      }
    }
    out.push(value.slice(start));
    return out.map((v) => v.trim()).filter(Boolean);
  }

  /** All name-addrs of a header, in order, over repeated headers and comma lists. */
  function identities(message, name) {
    const out = [];
    for (const value of message.headers[name] || []) {
      for (const item of splitList(value)) {
        const parsed = nameAddr(item);
        if (parsed) out.push(parsed);
      }
    }
    return out;
  }

  /** The causes of a Reason header (RFC 3326): [{protocol: "SIP"|"Q.850"|..., cause: number}]. */
  function reasons(message) {
    const out = [];
    for (const value of message.headers.reason || []) {
      for (const item of splitList(value)) {
        const m = /^\s*([A-Za-z0-9.]+)\s*;(.*)$/.exec(item);
        if (!m) continue;
        const cause = /(?:^|;)\s*cause\s*=\s*(\d+)/i.exec(m[2]);
        if (cause) out.push({ protocol: m[1].toUpperCase(), cause: Number(cause[1]) });
      }
    }
    return out;
  }

  /** True for a CANCEL/BYE "Reason" saying the call was answered elsewhere (SIP cause 200, Q.850 cause 26). */
  function completedElsewhere(message) {
    return reasons(message).some((r) => (r.protocol === "SIP" && r.cause === 200) || (r.protocol === "Q.850" && r.cause === 26));
  }

  /** The SIP status a Reason header names (`SIP;cause=486`), or null. */
  function reasonStatus(message) {
    const sipReason = reasons(message).find((r) => r.protocol === "SIP" && r.cause >= 100 && r.cause <= 699);
    return sipReason ? sipReason.cause : null;
  }

  /**
   * Refer-To of a REFER: {number, replaces} where replaces is the Call-ID an attended transfer
   * replaces (from the URI's `?Replaces=` header), or null. Null for a missing or unreadable header.
   */
  function referTo(message) {
    const target = nameAddr(header(message, "refer-to"));
    if (!target) return null;
    const q = target.uri.indexOf("?");
    const uri = q < 0 ? target.uri : target.uri.slice(0, q);
    let replaces = null;
    if (q >= 0) {
      for (const part of target.uri.slice(q + 1).split("&")) {
        const eq = part.indexOf("=");
        if (eq > 0 && part.slice(0, eq).toLowerCase() === "replaces") replaces = decode(part.slice(eq + 1)).split(";")[0].trim() || null;
      }
    }
    return { number: uriUser(uri) || uri, replaces };
  }

  /** Status code of a message/sipfrag body (a NOTIFY about a REFER), or 0. */
  function sipfragStatus(message) {
    const m = /^SIP\/2\.0 +(\d{3})/.exec(message.body || "");
    return m ? Number(m[1]) : 0;
  }

  ns.sip = Object.freeze({ parse, header, cseq, nameAddr, uriUser, splitList, identities, reasons, completedElsewhere, reasonStatus, referTo, sipfragStatus, COMPACT });
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
