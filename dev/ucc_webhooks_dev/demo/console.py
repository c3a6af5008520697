"""The demo's narration: one readable line per thing that happened, with the time since the start.

    +  4.1s  phone  call 1 ringing      incoming from "Anna Müller" <03012345678>
    +  4.9s  CRM    GET /contact ...    browser tab, signed in with the CRM's session cookie

Lines come from the main thread (calls, tabs) and from the CRM's server thread (requests), so
writing is locked. Each line is flushed at once: a person (or a pipe) sees it as it happens.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import TextIO

from ucc_webhooks_dev.demo.crm import CrmRequest

__all__ = ["Console", "describe_crm_request", "describe_page_event"]


class Console:
    """`event()` prints now; `later()` + `flush()` print in time order what several sources saw.

    The softphone's events are polled, tabs are noticed by polling too, CRM requests arrive on a
    server thread: each carries its own time, and `flush(hold)` prints, sorted by that time, what
    is older than `hold` seconds, so a late-polled event still lands in its place.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.t0 = time.time()
        self._lock = threading.RLock()
        self._pending: list[tuple[float, int, str, str]] = []
        self._order = 0

    def say(self, text: str = "") -> None:
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def section(self, title: str) -> None:
        self.flush()
        self.say(f"\n== {title}")

    def event(self, who: str, what: str, at: float | None = None) -> None:
        elapsed = (at or time.time()) - self.t0
        self.say(f"  +{elapsed:5.1f}s  {who:<6} {what}")

    def later(self, who: str, what: str, at: float) -> None:
        with self._lock:
            self._order += 1
            self._pending.append((at, self._order, who, what))

    def flush(self, hold: float = 0.0) -> None:
        with self._lock:
            cutoff = time.time() - hold
            ready = sorted(p for p in self._pending if p[0] <= cutoff)
            self._pending = [p for p in self._pending if p[0] > cutoff]
            for at, _, who, what in ready:
                self.event(who, what, at)


def _party(detail: dict) -> str:
    name, number = detail.get("remoteName"), detail.get("remote") or "?"
    return f'"{name}" <{number}>' if name else number


def describe_page_event(event: dict, calls: dict[int, dict]) -> str | None:
    """A line for one event of the softphone page (`phone.events`), or None for the uninteresting.

    `calls` keeps per call index what later events need (direction, answer time, and `queue`,
    set by the demo for a call it sent to a queue); each line names the trigger the extension
    reports for that moment, so the webhooks list above can be read against it.
    """
    kind, index, detail = event.get("type"), event.get("call"), event.get("detail") or {}
    if kind == "new":
        calls[index] = {**detail, "answered_at": None, **calls.get(index, {})}
        if detail.get("direction") == "incoming":
            return f"call {index + 1}: ringing, incoming from {_party(detail)}{_trigger('incoming_call_ringing')}"
        return f"call {index + 1}: dialling {detail.get('remote')}{_trigger('outgoing_call_started')}"
    call = calls.setdefault(index, {})
    incoming = call.get("direction") == "incoming"
    kind_of_call = ("queue" if call.get("queue") else "incoming") if incoming else "outgoing"
    if kind == "progress" and not incoming and not call.get("rang"):
        call["rang"] = True
        return f"call {index + 1}: ringing at {call.get('remote')}"
    if kind == "accepted":
        call["answered_at"] = event.get("at")
        if incoming:
            return f"call {index + 1}: connected (the agent answered){_trigger(kind_of_call + '_call_accepted')}"
        return f"call {index + 1}: connected ({call.get('remote')} answered)"
    if kind == "ended":
        talk = ""
        if call.get("answered_at") and event.get("at"):
            talk = f" after {int(event['at'] - call['answered_at'])} s of talk"
        by = "the agent" if detail.get("originator") == "local" else "the other side"
        return f"call {index + 1}: hung up by {by}{talk}{_trigger(kind_of_call + '_call_ended')}"
    if kind == "failed":
        trigger = "incoming_call_missed" if incoming else "outgoing_call_ended"
        return f"call {index + 1}: not connected ({detail.get('cause')}){_trigger(trigger)}"
    return None


def _trigger(name: str) -> str:
    return f"  [{name}]"


def describe_crm_request(request: CrmRequest) -> str:
    """`GET /contact?phone=+49…` plus who sent it: the host in the background, or a browser tab."""
    shown = request.path
    if request.query:
        shown += "?" + "&".join(f"{k}={v}" for k, v in request.query.items())
    if request.body:
        shown += "  " + _compact_body(request)
    if request.from_webhook and request.path == "/api/contacts":
        source = f"the lookup: the host asks who is calling, as the call rings; answered {request.status}"
    elif request.from_webhook:
        source = f"from the host in the background, answered {request.status}"
    elif request.path == "/login":
        source = "you sign in to the CRM in this browser: it sets a session cookie"
    else:
        source = "a browser tab, " + ("signed in with the CRM's session cookie" if request.signed_in
                                      else "NOT signed in (no session cookie)")
    return f"{request.method} {shown}\n{'':17}<- {source}"


def _compact_body(request: CrmRequest) -> str:
    try:
        return json.dumps(request.json(), ensure_ascii=False)
    except ValueError:
        return request.text
