"""The brace rule, formats and {event} from a saved webhook to the request it makes.

What matters most: a body written as the README shows it arrives as valid JSON with the values in
place, and a body stored under the earlier rule (`{{ ... }}`) still sends what it did. One test
sends it through the real host over frames to a real receiver; the rules themselves are checked
in this process, on what the engine plans (`engine.render`) and what the service refuses at save.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import time
import urllib.parse

import pytest
from conftest import event, refused

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.models import Webhook, WebhookInput
from ucc_webhooks.engine.render import PlannedDelivery, plan_event

URL = "https://crm.example.com/in"


def test_readme_body_as_people_write_it_arrives_as_json(host, receiver):
    """The real host over frames: saved, fired by a call event, received as JSON with the values."""
    body = '{"from": "{caller}", "to": "{callee}", "start": {time}, "seconds": {duration}, "agent": "{user}"}'
    host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "post", "url": receiver.url("/in"),
                                           "body": body, "content_type": "application/json"})
    sent = event("incoming_call_ended", caller='+49 "30" \\ 1')
    host.request("call_event", event=sent)
    [req] = receiver.wait_for(1)
    assert json.loads(req.body) == {"from": '+49 "30" \\ 1', "to": "200", "start": int(sent["started_at"]),
                                    "seconds": 60, "agent": "agent200"}


def planned(sent: dict, internal_max_digits: int = 4, **webhook) -> PlannedDelivery:
    """The request the host plans for `sent` with `webhook`, saved as the save step checks it."""
    data = WebhookInput.model_validate(webhook)
    [delivery] = plan_event(CallEvent.model_validate(sent), [Webhook(id="wh_t", **data.model_dump(exclude={"id"}))],
                            "DE", time.time(), internal_max_digits)
    assert delivery.state == "pending", delivery.note
    return delivery


def posted(body: str, trigger: str = "incoming_call_ended", internal_max_digits: int = 4, **ev) -> tuple[dict, dict]:
    """The JSON body a POST webhook with `body` sends for an event of `trigger`, and the event."""
    sent = event(trigger, **ev)
    delivery = planned(sent, internal_max_digits, trigger=trigger, action="post", url=URL, body=body,
                       content_type="application/json")
    assert delivery.headers["Content-Type"] == "application/json"
    return json.loads(delivery.body), sent


def save(app, **webhook) -> dict:
    return app.webhooks.save(webhook)


def test_nested_json_keeps_its_closing_braces():
    got, _ = posted('{"call": {"who": {"number": "{caller}"}}, "n": {duration}}')
    assert got == {"call": {"who": {"number": "+49 30 1234567"}}, "n": 60}


def test_stored_double_brace_body_keeps_its_meaning():
    got, _ = posted('{{"from": "{caller}", "seconds": {duration}}}')
    assert got == {"from": "+49 30 1234567", "seconds": 60}


def test_double_braced_word_is_literal_text():
    got, _ = posted('{"template": "{{caller}}", "value": "{caller}"}')
    assert got == {"template": "{caller}", "value": "+49 30 1234567"}


def test_unknown_word_is_refused_at_save_naming_it_and_the_literal_form(app):
    error = refused(save, app, trigger="incoming_call_ended", action="post", url=URL,
                    body='{"phone": "{phone}"}', content_type="application/json")
    assert error["field"] == "body" and error["reason"] == "template_unknown_placeholder"
    assert error["params"] == {"name": "phone"} and "{{phone}}" in error["message"]


def test_formats_arrive_as_written():
    body = ('{"ms": {time:ms}, "iso": "{time:iso}", "dur_ms": {duration:ms}, "e164": "{caller:e164}", '
            '"digits": "{caller:digits}", "national": "{caller:national}", "alias": "{caller_e164}", '
            '"time_iso": "{time_iso}", "ended": "{ended_at:datetime}", "clock": "{duration:minsec}"}')
    got, sent = posted(body, caller="030 1234567")
    start = datetime.datetime.fromtimestamp(int(sent["started_at"]), datetime.timezone.utc)
    assert got == {"ms": round(sent["started_at"] * 1000), "iso": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "dur_ms": 60000, "e164": "+49301234567", "digits": "49301234567", "national": "030 1234567",
                   "alias": "+49301234567", "time_iso": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "ended": datetime.datetime.fromtimestamp(int(sent["ended_at"]), datetime.timezone.utc)
                   .strftime("%Y-%m-%d %H:%M:%S"), "clock": "1:00"}


def test_internal_number_has_no_e164_form_but_keeps_its_digits():
    got, _ = posted('{"e": "{caller:e164}", "d": "{caller:digits}", "n": "{caller:national}"}',
                    caller="2301")
    assert got == {"e": "", "d": "2301", "n": "2301"}


def test_internal_max_digits_setting_moves_the_line():
    assert posted('{"e": "{caller:e164}"}', caller="089123")[0] == {"e": "+4989123"}
    got, _ = posted('{"e": "{caller:e164}"}', internal_max_digits=6, caller="089123")
    assert got == {"e": ""}


@pytest.mark.parametrize("body,reason,params", [
    ('{"a": "{caller:ms}"}', "template_format_not_applicable",
     {"name": "caller", "format": "ms", "formats": "e164, digits, national, nsn, national_digits, slack"}),
    ('{"a": "{user:iso}"}', "template_format_not_applicable", {"name": "user", "format": "iso", "formats": "slack"}),
    ('{"a": {event:iso}}', "template_no_formats", {"name": "event", "format": "iso"}),
    ('{"a": "{event}"}', "template_event_position", {"field": "body"}),
])
def test_formats_and_event_that_do_not_apply_are_refused_naming_both(app, body, reason, params):
    error = refused(save, app, trigger="incoming_call_ended", action="post", url=URL, body=body,
                    content_type="application/json")
    assert (error["reason"], error["params"], error["field"]) == (reason, params, "body")
    for value in params.values():
        if value != "body":
            assert value.split(",")[0] in error["message"]


def test_event_is_the_whole_call_event():
    got, sent = posted('{"source": "ucc", "event": {event}}')
    assert got["source"] == "ucc"
    assert {k: got["event"][k] for k in sent} == sent


def test_event_is_refused_in_a_url(app):
    assert refused(save, app, trigger="incoming_call_ended", action="get", url=URL + "?e={event}")["reason"] == \
        "template_event_position"


def test_url_with_format_is_encoded():
    delivery = planned(event("incoming_call_accepted", caller="030 1234567"), trigger="incoming_call_accepted",
                       action="get", url="https://crm.example.com/find?p={caller:e164}&t={time:iso}")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(delivery.url).query)
    assert "p=%2B49301234567" in delivery.url
    assert query["p"] == ["+49301234567"] and query["t"][0].endswith("Z")


def test_test_uses_the_last_real_call_and_says_so(home, receiver):
    """The service in this process (real store, real receiver), on an event loop as in the host."""
    from ucc_webhooks.service.app import App
    from ucc_webhooks.storage.database import Store

    async def run() -> None:
        app = App(Store(), lambda notice: None)
        hook = app.webhooks.save({"trigger": "incoming_call_ended", "action": "post", "url": receiver.url("/t"),
                                  "body": '{"from": "{caller}"}', "content_type": "application/json"})
        assert (await app.webhooks.test(hook["id"]))["values_from"] == "sample"
        [first] = receiver.wait_for(1)
        assert json.loads(first.body) == {"from": "+49 30 1234567"}
        app.call_events.accept([CallEvent.model_validate(event("incoming_call_ended", call_id="real-1",
                                                               caller="+43 1 5121234"))])
        await asyncio.to_thread(receiver.wait_for, 2)  # the event's own delivery, sent on this loop
        result = await app.webhooks.test(hook["id"])
        assert result["values_from"] == "last_call" and result["ok"]
        assert json.loads(receiver.wait_for(3)[2].body) == {"from": "+43 1 5121234"}
        await app.close(5.0)

    asyncio.run(run())


def _readme_bodies() -> list[str]:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    bodies = re.findall(r"--body '([^']+)'", text)
    bodies += [json.loads(f'"{b}"') for b in re.findall(r'"body": "((?:[^"\\]|\\.)*)"', text)]
    return bodies


@pytest.mark.parametrize("body", _readme_bodies())
def test_every_body_in_the_readme_arrives_as_json_with_the_values(body):
    got, sent = posted(body, trigger="queue_call_ended", caller="030 1234567")
    flat = json.dumps(got, ensure_ascii=False)
    assert "{" + "caller" not in flat and "{time" not in flat and "{duration" not in flat
    values = {"030 1234567", "+49301234567", "agent200", "200"}
    assert any(v in flat for v in values) and (str(int(sent["started_at"])) in flat or "ms" in body or "{event}" in body)


def test_slack_format_keeps_a_callers_name_from_pinging_the_channel():
    got, _ = posted('{"text": "Missed call from {caller_name:slack} ({caller:slack}), {caller_name}"}',
                    caller_name="<!channel> & <https://evil.example|your bank>", caller="+49 30 <1>")
    assert got == {"text": "Missed call from &lt;!channel&gt; &amp; &lt;https://evil.example|your bank&gt; (+49 30 &lt;1&gt;), "
                           "<!channel> & <https://evil.example|your bank>"}
