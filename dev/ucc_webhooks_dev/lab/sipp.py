"""SIPp as the lab's remote party: it calls the page, answers it, hangs up, cancels, rejects.

Each scenario in `scenarios/` is a SIPp XML file whose messages are `${name}` marks; this module
fills them (caller id, display name, queue header, a WebRTC-shaped SDP that JsSIP in a browser
accepts) into a copy in a temp dir and runs one SIPp process per call:

    remote = Sipp(sip)                          # sip: a started SipServer
    run = remote.call("agent200", "uac_remote_hangup", caller="+4930123456",
                      caller_name='Anna "Ä" & Co', headers={"X-Queue": "Support"}, talk_ms=1200)
    ...                                         # the page answers
    run.wait(15)                                # raises SippFailed with SIPp's own logs

    target = remote.serve("uas_answer", number="300")
    page.call(target.uri)                       # the page calls sip:300@127.0.0.1:<port>

Scenarios, remote calling the page: `uac_remote_hangup` (answered, remote BYE after `talk_ms`),
`uac_page_hangup` (answered, waits for the page's BYE, answers re-INVITEs), `uac_page_gone`
(answered, BYE after `talk_ms` that may reach no page: the page was reloaded or closed meanwhile;
it ends once the BYE is sent), `uac_cancel`
(CANCEL after ringing `talk_ms`), `uac_rejected` (expects the page's 486). Remote called by the
page: `uas_answer` (answers, waits for the page's BYE), `uas_answer_hangup` (answers, BYE after
`talk_ms`), `uas_page_gone` (answers, BYE after `talk_ms` that may reach no page, as `uac_page_gone`),
`uas_reject` (486 Busy Here), `uas_ring` (rings until the page cancels).
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ucc_webhooks_dev.lab.net import LOCALHOST, free_port, wait_udp_bound
from ucc_webhooks_dev.lab.proc import LabProcess
from ucc_webhooks_dev.lab.sipserver import SipServer

__all__ = ["SCENARIO_DIR", "SIPP", "Sipp", "SippFailed", "SippRun", "quote_display_name"]

SIPP = shutil.which("sipp") or "/usr/bin/sipp"
SCENARIO_DIR = Path(__file__).with_name("scenarios")
_MARK = re.compile(r"\$\{(\w+)\}")
# Any 32 bytes: browsers check the fingerprint only in a DTLS handshake, which never happens here.
_FINGERPRINT = ":".join(["5A"] * 32)


class SippFailed(AssertionError):
    """SIPp ended with a failed call (or did not end): the message carries its logs."""


def quote_display_name(name: str) -> str:
    """A SIP display name as a quoted-string (RFC 3261: backslash before `"` and `\\`)."""
    if any(c in name for c in "\r\n"):
        raise ValueError("a display name cannot hold a line break")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sdp(setup: str, direction: str) -> str:
    return "\n".join([
        "v=0",
        "o=sipp 53655765 2353687637 IN IP4 [local_ip]",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "a=msid-semantic: WMS",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0",
        "c=IN IP4 127.0.0.1",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:SiPp",
        "a=ice-pwd:sippsippsippsippsippsipp",
        f"a=fingerprint:sha-256 {_FINGERPRINT}",
        f"a=setup:{setup}",
        "a=mid:0",
        f"a={direction}",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=rtpmap:0 PCMU/8000",
    ])


def _messages(caller: str, from_display: str, extra_headers: list[str], number: str, offerer: bool,
              cancel_headers: list[str] | None = None) -> dict[str, str]:
    """The SIP messages the scenarios send, with SIPp's own [keywords] left for SIPp.

    `offerer`: SIPp sent the first offer (it called), so the browser chose DTLS `active` and a
    re-INVITE answer must keep the roles (`passive`); browsers refuse a role swap mid-call.
    """
    me_from = f"From: {from_display}<sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]"
    to_page = "To: <sip:[service]@[remote_ip]:[remote_port]>"
    inv_branch = "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-inv"
    via = "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]"
    contact_uac = f"Contact: <sip:{caller}@[local_ip]:[local_port]>"
    contact_uas = f"Contact: <sip:{number}@[local_ip]:[local_port];transport=[transport]>"
    offer, answer, held = (_sdp("actpass", "sendrecv"), _sdp("active", "sendrecv"),
                           _sdp("passive" if offerer else "active", "recvonly"))

    def reply(status: str, tag: bool, body: str | None = None, cseq: str = "[last_CSeq:]") -> str:
        lines = [f"SIP/2.0 {status}", "[last_Via:]", "[last_From:]",
                 "[last_To:]" + (";tag=[pid]SIPpTag01[call_number]" if tag else ""),
                 "[last_Call-ID:]", cseq, "[last_Record-Route:]", contact_uas]
        if body is None:
            return "\n".join([*lines, "Content-Length: 0", ""])
        return "\n".join([*lines, "Content-Type: application/sdp", "Content-Length: [len]", "", body])

    invite = "\n".join([
        "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0", inv_branch, me_from, to_page,
        "Call-ID: [call_id]", "CSeq: 1 INVITE", contact_uac, "Max-Forwards: 70",
        "User-Agent: ucc-webhooks-lab-sipp", *extra_headers,
        "Content-Type: application/sdp", "Content-Length: [len]", "", offer])
    # RFC 3261 7.3.3 compact forms, as some PBXs and trunks write them
    compact = invite
    for full, short in (("Via:", "v:"), ("From:", "f:"), ("To:", "t:"), ("Call-ID:", "i:"), ("Contact:", "m:"),
                        ("Content-Type:", "c:"), ("Content-Length:", "l:")):
        compact = re.sub(rf"(?m)^{re.escape(full)} ?", short + " ", compact)
    return {
        "invite_compact": compact,
        "invite": invite,
        "ack": "\n".join([
            "ACK [next_url] SIP/2.0", via, "[routes]", me_from, to_page + "[peer_tag_param]",
            "Call-ID: [call_id]", "CSeq: 1 ACK", contact_uac, "Max-Forwards: 70", "Content-Length: 0", ""]),
        "bye": "\n".join([
            "BYE [next_url] SIP/2.0", via, "[routes]", me_from, to_page + "[peer_tag_param]",
            "Call-ID: [call_id]", "CSeq: 2 BYE", contact_uac, "Max-Forwards: 70", "Content-Length: 0", ""]),
        "cancel": "\n".join([
            "CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0", inv_branch, me_from, to_page,
            "Call-ID: [call_id]", "CSeq: 1 CANCEL", "Max-Forwards: 70", *(cancel_headers or []),
            "Content-Length: 0", ""]),
        "ack_failure": "\n".join([
            "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0", inv_branch, me_from, to_page + "[peer_tag_param]",
            "Call-ID: [call_id]", "CSeq: 1 ACK", "Max-Forwards: 70", "Content-Length: 0", ""]),
        # transfer: the page sends REFER, we accept it and report the transfer done (RFC 3515)
        "accepted": reply("202 Accepted", tag=False),
        "notify": "\n".join([
            "NOTIFY [next_url] SIP/2.0", via, "[routes]", me_from, to_page + "[peer_tag_param]",
            "Call-ID: [call_id]", "CSeq: 2 NOTIFY", contact_uac, "Max-Forwards: 70", "Event: refer",
            "Subscription-State: terminated;reason=noresource", "Content-Type: message/sipfrag;version=2.0",
            "Content-Length: [len]", "", "SIP/2.0 200 OK", ""]),
        "bye_after_notify": "\n".join([
            "BYE [next_url] SIP/2.0", via, "[routes]", me_from, to_page + "[peer_tag_param]",
            "Call-ID: [call_id]", "CSeq: 3 BYE", contact_uac, "Max-Forwards: 70", "Content-Length: 0", ""]),
        "reinvite_ok": reply("200 OK", tag=False, body=held),
        "ok_to_last": reply("200 OK", tag=False),
        "ringing": reply("180 Ringing", tag=True),
        "answer": reply("200 OK", tag=True, body=answer),
        "busy": reply("486 Busy Here", tag=True),
        "challenge": "\n".join([
            "SIP/2.0 407 Proxy Authentication Required", "[last_Via:]", "[last_From:]",
            "[last_To:];tag=[pid]SIPpTag07[call_number]", "[last_Call-ID:]", "[last_CSeq:]",
            'Proxy-Authenticate: Digest realm="lab", nonce="6e1c0f4a9b2d", algorithm=MD5, qop="auth"',
            "Content-Length: 0", ""]),
        "terminated": reply("487 Request Terminated", tag=True, cseq="CSeq: [$invite_cseq]"),
        "uas_bye": "\n".join([
            "BYE [next_url] SIP/2.0", via, "[routes]",
            f"From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]",
            "To: [$page_from]", "Call-ID: [call_id]", "CSeq: 1 BYE",
            "Max-Forwards: 70", "Content-Length: 0", ""]),
    }


@dataclass
class SippRun:
    """One running SIPp: `wait()` for its verdict; `uri` is what the page calls (UAS scenarios)."""

    scenario: str
    port: int
    uri: str
    process: LabProcess
    workdir: Path

    def wait(self, timeout: float = 20.0) -> None:
        """Wait for SIPp to end; raise SippFailed unless its call succeeded."""
        try:
            code = self.process.wait(timeout)
        except TimeoutError as exc:
            self.process.stop()
            raise SippFailed(f"SIPp {self.scenario} did not finish within {timeout}s\n{self.logs()}") from exc
        if code != 0:
            raise SippFailed(f"SIPp {self.scenario} ended with exit code {code}\n{self.logs()}")

    def finished(self) -> bool:
        return not self.process.running()

    def logs(self) -> str:
        parts = [f"--- sipp output\n{self.process.log_tail(20)}"]
        for name in ("errors.log", "messages.log"):
            path = self.workdir / name
            if path.exists():
                parts.append(f"--- {name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:]))
        return "\n".join(parts)

    def stop(self) -> None:
        self.process.stop()


class Sipp:
    """Factory of SIPp runs against one SipServer; `stop()` ends every run it started."""

    def __init__(self, sip: SipServer, workdir: Path | None = None) -> None:
        self.sip = sip
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="ucc-lab-sipp-"))
        self.runs: list[SippRun] = []

    def call(self, callee: str, scenario: str = "uac_remote_hangup", *, caller: str = "+4930123456",
             caller_name: str | None = None, headers: dict[str, str] | None = None,
             cancel_headers: dict[str, str] | None = None, talk_ms: int = 1000, timeout_s: int = 30) -> SippRun:
        """Start SIPp calling `callee` (a user registered at the SipServer) with a `uac_*` scenario.

        `headers` go into the INVITE (e.g. `X-Queue`), `cancel_headers` into the CANCEL (e.g.
        `Reason: SIP;cause=200;text="Call completed elsewhere"`)."""
        if not scenario.startswith("uac_"):
            raise ValueError(f"{scenario} is not a calling (uac_) scenario")
        return self._run(scenario, caller=caller, caller_name=caller_name, headers=headers or {},
                         cancel_headers=cancel_headers or {},
                         service=callee, talk_ms=talk_ms, timeout_s=timeout_s,
                         remote=[f"{self.sip.host}:{self.sip.udp_port}"])

    def serve(self, scenario: str = "uas_answer", *, number: str = "300", talk_ms: int = 1000,
              timeout_s: int = 30) -> SippRun:
        """Start SIPp waiting for the page's call with a `uas_*` scenario; returns once it listens."""
        if not scenario.startswith("uas_"):
            raise ValueError(f"{scenario} is not an answering (uas_) scenario")
        run = self._run(scenario, caller=number, caller_name=None, headers={}, cancel_headers={}, service=number,
                        talk_ms=talk_ms, timeout_s=timeout_s, remote=[])
        wait_udp_bound(run.port, 10, run.process.popen)
        return run

    def _run(self, scenario: str, *, caller: str, caller_name: str | None, headers: dict[str, str],
             cancel_headers: dict[str, str], service: str, talk_ms: int, timeout_s: int, remote: list[str]) -> SippRun:
        for value in [caller, service, *headers, *headers.values(), *cancel_headers, *cancel_headers.values()]:
            if any(c in value for c in "\r\n"):
                raise ValueError(f"line break in a SIP value: {value!r}")
        display = quote_display_name(caller_name) + " " if caller_name else ""
        values = _messages(caller, display, [f"{k}: {v}" for k, v in headers.items()], service,
                           offerer=scenario.startswith("uac_"),
                           cancel_headers=[f"{k}: {v}" for k, v in cancel_headers.items()])
        template = (SCENARIO_DIR / f"{scenario}.xml").read_text(encoding="utf-8")
        run_dir = Path(tempfile.mkdtemp(prefix=f"{scenario}-", dir=self.workdir))
        scenario_file = run_dir / f"{scenario}.xml"
        scenario_file.write_text(_MARK.sub(lambda m: values[m.group(1)], template), encoding="utf-8")
        port = free_port(socket.SOCK_DGRAM)
        argv = [SIPP, *remote, "-sf", str(scenario_file), "-m", "1", "-l", "1", "-s", service,
                "-i", LOCALHOST, "-p", str(port), "-mi", LOCALHOST, "-mp", str(free_port(socket.SOCK_DGRAM)),
                "-cp", str(free_port(socket.SOCK_DGRAM)), "-d", str(talk_ms),
                "-timeout", f"{timeout_s}s", "-timeout_error", "-nostdin", "-max_retrans", "6",
                "-trace_msg", "-message_file", str(run_dir / "messages.log"),
                "-trace_err", "-error_file", str(run_dir / "errors.log")]
        process = LabProcess(argv, run_dir / "sipp.out", cwd=run_dir)
        run = SippRun(scenario, port, f"sip:{service}@{LOCALHOST}:{port}", process, run_dir)
        self.runs.append(run)
        return run

    def stop(self) -> None:
        for run in self.runs:
            run.stop()
        self.runs.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Sipp:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
