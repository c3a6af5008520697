"""The shared example messages (tests/fixtures/protocol) hold for the host's models.

The extension's Node tests read the same files (tests/js/protocol.test.js): one contract,
checked from both halves.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.models import Webhook, WebhookInput
from ucc_webhooks.native.hello import vocabulary
from ucc_webhooks.native.protocol import REQUESTS
from ucc_webhooks.native.replies import ERROR_CODES

FILES = sorted((FIXTURES / "protocol").glob("*.json"))


def load(name: str) -> dict:
    return json.loads((FIXTURES / "protocol" / name).read_text())


@pytest.mark.parametrize("path", [p for p in FILES if p.name.endswith(".request.json")], ids=lambda p: p.name)
def test_every_request_example_validates(path):
    message = json.loads(path.read_text())
    REQUESTS[message["type"]].model_validate(message)
    if message["type"] == "webhooks.save":
        WebhookInput.model_validate(message["webhook"])


def test_every_request_type_has_an_example():
    examples = {json.loads(p.read_text())["type"] for p in FILES if p.name.endswith(".request.json")}
    assert examples == set(REQUESTS)


@pytest.mark.parametrize("path", [p for p in FILES if ".request." not in p.name], ids=lambda p: p.name)
def test_replies_and_notices_have_the_envelope(path):
    message = json.loads(path.read_text())
    if "id" in message:
        assert set(message) == ({"id", "ok", "result"} if message["ok"] else {"id", "ok", "error"})
        if not message["ok"]:
            assert message["error"]["code"] in ERROR_CODES
    else:
        assert message["type"] in ("open_tab", "delivery", "policy", "contact")


def test_hello_example_is_what_the_host_says():
    result = load("hello.reply.json")["result"]
    assert {k: result[k] for k in vocabulary()} == vocabulary()


def test_webhook_examples_are_webhooks():
    for webhook in load("webhooks.list.reply.json")["result"]["webhooks"]:
        Webhook.model_validate(webhook)
    Webhook.model_validate(load("webhooks.save.reply.json")["result"])


def test_call_event_example_is_a_call_event(host, receiver):
    message = load("call_event.request.json")
    CallEvent.model_validate(message["event"])
    reply = host.reply(host.send(message))
    assert reply == {**load("call_event.reply.json"), "result": {"matched": 0}}  # no webhooks yet


@pytest.mark.parametrize(("change", "reason"), [
    ({"trigger": "call_happened"}, "not_one_of"),
    ({"direction": "outgoing"}, "event_direction"),
    ({"trigger": "queue_call_ended", "queue": None}, "event_queue_missing"),
    ({"duration": None}, "event_duration"),
    ({"trigger": "incoming_call_accepted"}, "event_duration"),
], ids=["unknown trigger", "direction mismatch", "queue trigger without queue", "ended without duration",
        "duration on accepted"])
def test_the_host_refuses_an_event_its_trigger_does_not_allow(change, reason):
    """The trigger table decides what an event of each trigger carries; the extension checks shapes only."""
    from pydantic import ValidationError

    from ucc_webhooks.engine.validation import invalid_input

    good = load("call_event.request.json")["event"]
    CallEvent.model_validate(good)
    with pytest.raises(ValidationError) as caught:
        CallEvent.model_validate({**good, **change})
    assert invalid_input(caught.value).reason == reason
