// Lab softphone: registers with JsSIP over WebSocket and exposes window.phone for Selenium tests.
// Query: ?ws=ws://127.0.0.1:PORT&user=agent200&domain=127.0.0.1[&name=Agent][&autoanswer=1][&register=0]
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const wsUrl = params.get('ws');
  const user = params.get('user') || 'agent200';
  const domain = params.get('domain') || '127.0.0.1';
  const autoAnswer = params.get('autoanswer') === '1';
  const media = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } };

  const events = [];   // {type, call, at, detail}: everything a test may wait for
  const calls = [];    // {index, direction, callId, remote, remoteName, state, session}

  function record(type, call, detail) {
    events.push({ type, call: call ? call.index : null, at: Date.now() / 1000, detail: detail || null });
    render();
  }

  function render() {
    const status = document.getElementById('status');
    if (!status) { return; }
    status.textContent = phone.registration;
    status.className = phone.registration;
    document.getElementById('who').textContent = user + '@' + domain;
    document.getElementById('calls').innerHTML = '';
    for (const c of calls) {
      const row = document.createElement('tr');
      for (const text of [c.index, c.direction, (c.remoteName ? c.remoteName + ' ' : '') + c.remote, c.state]) {
        const td = document.createElement('td');
        td.textContent = String(text);
        row.appendChild(td);
      }
      document.getElementById('calls').appendChild(row);
    }
  }

  function pick(index) {
    if (index === undefined || index === null) {
      for (let i = calls.length - 1; i >= 0; i--) {
        if (!['ended', 'failed'].includes(calls[i].state)) { return calls[i]; }
      }
      throw new Error('no live call');
    }
    const call = calls[index];
    if (!call) { throw new Error('no call #' + index); }
    return call;
  }

  function track(session, request, direction) {
    const remote = session.remote_identity;
    const call = {
      index: calls.length, direction, callId: request.call_id,
      remote: remote && remote.uri ? remote.uri.user : null,
      remoteName: remote ? remote.display_name || null : null,
      state: direction === 'incoming' ? 'ringing' : 'calling', session,
    };
    calls.push(call);
    const on = (name, state, detailOf) => session.on(name, (e) => {
      if (state) { call.state = state; }
      record(name, call, detailOf ? detailOf(e) : null);
    });
    on('progress', null, (e) => ({ status: e.response ? e.response.status_code : null }));
    on('accepted', 'talking');
    on('confirmed', 'talking');
    on('hold', 'held', (e) => ({ originator: e.originator }));
    on('unhold', 'talking', (e) => ({ originator: e.originator }));
    on('ended', 'ended', (e) => ({ originator: e.originator, cause: e.cause }));
    on('failed', 'failed', (e) => ({ originator: e.originator, cause: e.cause,
      status: e.message && e.message.status_code ? e.message.status_code : null }));
    record('new', call, { direction, callId: call.callId, remote: call.remote, remoteName: call.remoteName });
    if (direction === 'incoming' && autoAnswer) { session.answer(media); }
    return call;
  }

  const phone = {
    user, domain, registration: 'starting', events, calls,
    /** Call `target` (a number, or a full sip: URI); returns the call's index. */
    call(target) {
      const uri = target.startsWith('sip:') ? target : 'sip:' + target + '@' + domain;
      const before = calls.length;
      ua.call(uri, media);
      return calls.length > before ? calls.length - 1 : null;
    },
    answer(index) { pick(index).session.answer(media); },
    reject(index, status) {
      pick(index).session.terminate({ status_code: status || 486, reason_phrase: status === 603 ? 'Decline' : 'Busy Here' });
    },
    hangup(index) { pick(index).session.terminate(); },
    /** Blind transfer (REFER) of an answered call to `target`; 'refer_accepted' once the remote party took it. */
    refer(index, target) {
      const c = pick(index);
      const uri = target.startsWith('sip:') ? target : 'sip:' + target + '@' + domain;
      c.session.refer(uri, { eventHandlers: {
        accepted: () => record('refer_accepted', c), failed: () => record('refer_failed', c) } });
    },
    /** Hold / resume by re-INVITE; 'hold_done' / 'unhold_done' once the remote party accepted it. */
    hold(index) { const c = pick(index); return c.session.hold({}, () => record('hold_done', c)); },
    unhold(index) { const c = pick(index); return c.session.unhold({}, () => record('unhold_done', c)); },
    /** Plain-data view of the calls (Selenium cannot return JsSIP objects). */
    snapshot() {
      return calls.map((c) => ({ index: c.index, direction: c.direction, callId: c.callId, remote: c.remote,
        remoteName: c.remoteName, state: c.state }));
    },
    /** Events of one type (and call), for WebDriverWait conditions. */
    seen(type, index) {
      return events.filter((e) => e.type === type && (index === undefined || index === null || e.call === index));
    },
    stop() { ua.stop(); },
  };
  window.phone = phone;

  if (!wsUrl) { phone.registration = 'failed'; record('config_error', null, 'missing ?ws='); return; }
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(wsUrl)],
    uri: 'sip:' + user + '@' + domain,
    display_name: params.get('name') || undefined,
    register: params.get('register') !== '0',
    session_timers: false,
    password: params.get('password') || 'lab', // answers a remote party's 401/407 (the lab Kamailio challenges nothing)
    user_agent: 'ucc-webhooks-lab-softphone',
  });
  ua.on('registered', () => { phone.registration = 'registered'; record('registered'); });
  ua.on('unregistered', () => { phone.registration = 'unregistered'; record('unregistered'); });
  ua.on('registrationFailed', (e) => { phone.registration = 'failed'; record('registrationFailed', null, e.cause); });
  ua.on('disconnected', () => record('disconnected'));
  ua.on('newRTCSession', (e) => track(e.session, e.request, e.originator === 'remote' ? 'incoming' : 'outgoing'));
  ua.start();
  render();
})();
