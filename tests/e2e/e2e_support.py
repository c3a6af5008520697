"""Helpers shared by the browser tests: webhook URLs with every placeholder a trigger offers,
and the one deliberate bounded wait, for "nothing (more) arrives"."""

from __future__ import annotations

import urllib.parse

from ucc_webhooks_dev.lab.receiver import ReceivedRequest, Receiver

TRIGGERS = (
    "outgoing_call_started", "incoming_call_accepted", "queue_call_accepted", "incoming_call_ended",
    "outgoing_call_ended", "queue_call_ended", "incoming_call_ringing", "incoming_call_missed",
)
OUTGOING = {"outgoing_call_started", "outgoing_call_ended"}
ENDED = {t for t in TRIGGERS if t.endswith("_ended")}

# The README's placeholder table, written out here rather than read from the host's own table.
_COMMON = ["callee", "time", "direction", "call_id"]
_INCOMING = ["caller", "user", "caller_name", "queue"]

#: Odd caller ids: the number is SIP-URI safe, the display name carries quotes, umlauts and "&".
CALLER = "+4930123456"
CALLER_NAME = 'Anna "Ä" Müller & Co'


def placeholders_for(trigger: str) -> list[str]:
    names = list(_COMMON)
    if trigger not in OUTGOING:
        names += _INCOMING
    if trigger in ENDED:
        names.append("duration")
    return names


def hook_url(receiver: Receiver, trigger: str) -> str:
    """`/hook/<trigger>?name={name}&...` with every placeholder the trigger offers."""
    query = "&".join(f"{n}={{{n}}}" for n in placeholders_for(trigger))
    return receiver.url(f"/hook/{trigger}") + "?" + query


def hook_all(host, receiver: Receiver, action: str = "get") -> dict[str, str]:
    """One GET webhook per trigger, each to its own path; returns trigger -> webhook id."""
    return {t: host.add(t, action, hook_url(receiver, t), name=f"e2e {t}").id for t in TRIGGERS}


def one(receiver: Receiver, trigger: str, timeout: float = 15.0) -> ReceivedRequest:
    """Wait for the request of `trigger` (from `hook_all`) and return it; more than one is a bug."""
    got = receiver.wait_for(1, timeout, path=f"/hook/{trigger}")
    assert len(got) == 1, f"{trigger} fired {len(got)} times"
    return got[0]


def q(request: ReceivedRequest) -> dict[str, str]:
    """The query as single values (blank values kept)."""
    return {k: v[-1] for k, v in request.query.items()}


def raw_query_value(request: ReceivedRequest, name: str) -> str:
    """The still-encoded value of `name` in the request line (to check the encoding itself)."""
    query = urllib.parse.urlsplit(request.raw_path).query
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    raise KeyError(name)


def fired(receiver: Receiver) -> list[str]:
    """Triggers that reached the receiver so far (paths /hook/<trigger>), in arrival order."""
    return [r.path.rsplit("/", 1)[-1] for r in receiver.requests if r.path.startswith("/hook/")]


def assert_quiet(receiver: Receiver, expected: int, within: float = 1.5, path: str | None = None) -> None:
    """Nothing beyond `expected` requests arrives within `within` seconds (`Receiver.assert_quiet`).

    It runs after the call's last expected request arrived, when every earlier event had long been delivered.
    """
    receiver.assert_quiet(expected, within, path)


def queue_call_pops_the_crm(driver, page, remote, receiver) -> None:
    """The roll-out tests' proof: a queue call answered in the lab page fires the policy's
    `queue_call_accepted` webhooks, a GET with caller and queue and the screen-pop tab."""
    from selenium.webdriver.support.ui import WebDriverWait

    run = remote.call("agent200", "uac_page_hangup", caller=CALLER, caller_name="Anna", headers={"X-Queue": "Support"})
    page.wait_calls(1)
    page.answer()
    (hook,) = receiver.wait_for(1, 20, path="/hook/accepted")
    assert hook.query["caller"] == [CALLER] and hook.query["queue"] == ["Support"]
    (crm,) = receiver.wait_for(1, 20, path="/crm")
    assert crm.query["phone"] == [CALLER]
    WebDriverWait(driver, 10, 0.2).until(lambda d: len(d.window_handles) == 2, "no screen-pop tab")
    page.hangup()
    run.wait()
