// Lab: a signalling-only SIP user agent (REGISTER, answer or reject an INVITE, BYE) for pages whose socket lives in a Worker, a SharedWorker or a fresh iframe.
// Media cannot leave the page, so the 200 OK carries a fixed SDP; SIPp does not send RTP in these scenarios.
(function (scope) {
  'use strict';
  const rand = () => Math.random().toString(36).slice(2, 12);
  const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n';

  function parse(text) {
    const end = text.indexOf('\r\n\r\n');
    const lines = text.slice(0, end < 0 ? text.length : end).split('\r\n');
    const headers = [];
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
    }
    const get = (n) => headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
    return { first: lines[0], headers, get, method: /^SIP\//.test(lines[0]) ? null : lines[0].split(' ')[0] };
  }

  /** start({WebSocket, url, user, domain, autoAnswer, post(event)}) -> {answer(), reject(status), hangup(), call(target)} */
  function start(o) {
    const ws = new o.WebSocket(o.url, 'sip');
    const host = rand() + '.invalid';
    const contact = `<sip:${o.user}@${host};transport=ws;ob>`;
    let cseq = 1;
    let current = null; // {invite, toTag, answered, dialog}
    const send = (lines, body = '') => ws.send(lines.join('\r\n') + `\r\nContent-Length: ${body.length}\r\n\r\n` + body);

    function reply(req, status, reason, extra = [], body = '') {
      const to = req.get('to')[0] + (status > 100 && !/;tag=/.test(req.get('to')[0]) ? ';tag=' + current.toTag : '');
      send([`SIP/2.0 ${status} ${reason}`, ...req.get('via').map((v) => 'Via: ' + v), ...req.get('record-route').map((v) => 'Record-Route: ' + v),
        'From: ' + req.get('from')[0], 'To: ' + to, 'Call-ID: ' + req.get('call-id')[0], 'CSeq: ' + req.get('cseq')[0], 'Contact: ' + contact, ...extra], body);
    }

    function register() {
      send([`REGISTER sip:${o.domain} SIP/2.0`, `Via: SIP/2.0/WSS ${host};branch=z9hG4bK${rand()}`, 'Max-Forwards: 70',
        `To: <sip:${o.user}@${o.domain}>`, `From: <sip:${o.user}@${o.domain}>;tag=${rand()}`, `Call-ID: ${rand()}`, `CSeq: ${cseq++} REGISTER`,
        `Contact: ${contact};expires=600`, 'Expires: 600', 'Supported: path, outbound', 'User-Agent: lab-signalling-ua']);
    }

    function inDialog(method) {
      const inv = current.invite;
      const rr = inv.get('record-route');
      const target = /<([^>]+)>/.exec(inv.get('contact')[0])[1];
      send([`${method} ${target} SIP/2.0`, `Via: SIP/2.0/WSS ${host};branch=z9hG4bK${rand()}`, 'Max-Forwards: 70',
        ...rr.map((v) => 'Route: ' + v), 'From: ' + inv.get('to')[0] + ';tag=' + current.toTag, 'To: ' + inv.get('from')[0],
        'Call-ID: ' + inv.get('call-id')[0], `CSeq: ${cseq++} ${method}`]);
    }

    ws.onopen = register;
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      const m = parse(e.data);
      if (!m.method) {
        if (/REGISTER/.test(m.get('cseq')[0] || '') && / 200 /.test(m.first)) o.post({ type: 'registered' });
        return;
      }
      if (m.method === 'INVITE' && !/;tag=/.test(m.get('to')[0])) {
        current = { invite: m, toTag: rand(), answered: false };
        reply(m, 100, 'Trying');
        reply(m, 180, 'Ringing');
        o.post({ type: 'ringing', callId: m.get('call-id')[0] });
        if (o.autoAnswer) setTimeout(() => api.answer(), 200);
      } else if (m.method === 'INVITE') {
        reply(m, 200, 'OK', ['Content-Type: application/sdp'], SDP); // re-INVITE: hold/resume
      } else if (m.method === 'BYE' || m.method === 'CANCEL') {
        reply(m, 200, 'OK');
        if (m.method === 'CANCEL' && current) reply(current.invite, 487, 'Request Terminated');
        o.post({ type: 'ended', by: 'remote' });
        current = null;
      } else if (m.method !== 'ACK') {
        reply(m, 200, 'OK');
      }
    };
    const api = {
      answer() {
        if (!current || current.answered) return;
        current.answered = true;
        reply(current.invite, 200, 'OK', ['Content-Type: application/sdp'], SDP);
        o.post({ type: 'answered' });
      },
      reject(status = 486) {
        if (!current) return;
        reply(current.invite, status, 'Busy Here');
        current = null;
        o.post({ type: 'ended', by: 'local' });
      },
      hangup() {
        if (!current) return;
        inDialog('BYE');
        current = null;
        o.post({ type: 'ended', by: 'local' });
      },
    };
    return api;
  }

  scope.labSignallingUa = { start };
  // Loaded as a worker: commands arrive by message (a worker's own URL is not something to rely on).
  if (typeof scope.WorkerGlobalScope === 'function' && scope instanceof scope.WorkerGlobalScope) {
    const ports = [];
    let ua = null;
    const post = (event) => ports.forEach((p) => p.postMessage(event));
    const onCommand = (e) => {
      const c = e.data || {};
      if (c.cmd === 'start' && !ua) ua = start({ WebSocket: scope.WebSocket, url: c.ws, user: c.user, domain: c.domain, autoAnswer: c.autoAnswer, post });
      else if (c.cmd === 'start') post({ type: 'registered' }); // a second tab joins the shared one
      else if (ua && typeof ua[c.cmd] === 'function') ua[c.cmd](c.arg);
    };
    if (typeof scope.SharedWorkerGlobalScope === 'function' && scope instanceof scope.SharedWorkerGlobalScope) {
      scope.onconnect = (e) => { const p = e.ports[0]; ports.push(p); p.onmessage = onCommand; };
    } else {
      ports.push(scope);
      scope.onmessage = onCommand;
    }
  }
})(self);
