"""The brace rule, formats and {event} end to end: the real host over frames, a real receiver.

What matters most: a body written as the README shows it arrives as valid JSON with the values in
place, and a body stored under the earlier rule (`{{ ... }}`) still sends what it did.
"""

from __future__ import annotations

import datetime
import json

import pytest
from conftest import event

from ucc_webhooks_dev.lab.host_client import HostError


def save(host, **webhook) -> dict:
    return host.request("webhooks.save", webhook=webhook)


def posted(host, receiver, body: str, trigger: str = "incoming_call_ended", **ev) -> tuple[dict, dict]:
    save(host, trigger=trigger, action="post", url=receiver.url("/in"), body=body, content_type="application/json")
    sent = event(trigger, **ev)
    host.request("call_event", event=sent)
    [req] = receiver.wait_for(1)
    return json.loads(req.body), sent


def test_readme_body_as_people_write_it_arrives_as_json(host, receiver):
    body = '{"from": "{caller}", "to": "{callee}", "start": {time}, "seconds": {duration}, "agent": "{user}"}'
    got, sent = posted(host, receiver, body, caller='+49 "30" \\ 1')
    assert got == {"from": '+49 "30" \\ 1', "to": "200", "start": int(sent["started_at"]), "seconds": 60,
                   "agent": "agent200"}


def test_nested_json_keeps_its_closing_braces(host, receiver):
    got, _ = posted(host, receiver, '{"call": {"who": {"number": "{caller}"}}, "n": {duration}}')
    assert got == {"call": {"who": {"number": "+49 30 1234567"}}, "n": 60}


def test_stored_double_brace_body_keeps_its_meaning(host, receiver):
    got, _ = posted(host, receiver, '{{"from": "{caller}", "seconds": {duration}}}')
    assert got == {"from": "+49 30 1234567", "seconds": 60}


def test_double_braced_word_is_literal_text(host, receiver):
    got, _ = posted(host, receiver, '{"template": "{{caller}}", "value": "{caller}"}')
    assert got == {"template": "{caller}", "value": "+49 30 1234567"}


def test_unknown_word_is_refused_at_save_naming_it_and_the_literal_form(host, receiver):
    with pytest.raises(HostError) as err:
        save(host, trigger="incoming_call_ended", action="post", url=receiver.url("/"),
             body='{"phone": "{phone}"}', content_type="application/json")
    error = err.value.reply["error"]
    assert error["field"] == "body" and error["reason"] == "template_unknown_placeholder"
    assert error["params"] == {"name": "phone"} and "{{phone}}" in error["message"]


def test_formats_arrive_as_written(host, receiver):
    body = ('{"ms": {time:ms}, "iso": "{time:iso}", "dur_ms": {duration:ms}, "e164": "{caller:e164}", '
            '"digits": "{caller:digits}", "national": "{caller:national}", "alias": "{caller_e164}", '
            '"time_iso": "{time_iso}", "ended": "{ended_at:datetime}", "clock": "{duration:minsec}"}')
    got, sent = posted(host, receiver, body, caller="030 1234567")
    start = datetime.datetime.fromtimestamp(int(sent["started_at"]), datetime.timezone.utc)
    assert got == {"ms": round(sent["started_at"] * 1000), "iso": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "dur_ms": 60000, "e164": "+49301234567", "digits": "49301234567", "national": "030 1234567",
                   "alias": "+49301234567", "time_iso": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "ended": datetime.datetime.fromtimestamp(int(sent["ended_at"]), datetime.timezone.utc)
                   .strftime("%Y-%m-%d %H:%M:%S"), "clock": "1:00"}


def test_internal_number_has_no_e164_form_but_keeps_its_digits(host, receiver):
    got, _ = posted(host, receiver, '{"e": "{caller:e164}", "d": "{caller:digits}", "n": "{caller:national}"}',
                    caller="2301")
    assert got == {"e": "", "d": "2301", "n": "2301"}


def test_internal_max_digits_setting_moves_the_line(host, receiver):
    host.request("settings.set", settings={"internal_max_digits": 6})
    got, _ = posted(host, receiver, '{"e": "{caller:e164}"}', caller="123456")
    assert got == {"e": ""}


@pytest.mark.parametrize("body,reason,params", [
    ('{"a": "{caller:ms}"}', "template_format_not_applicable",
     {"name": "caller", "format": "ms", "formats": "e164, digits, national, nsn, national_digits, slack"}),
    ('{"a": "{user:iso}"}', "template_format_not_applicable", {"name": "user", "format": "iso", "formats": "slack"}),
    ('{"a": {event:iso}}', "template_no_formats", {"name": "event", "format": "iso"}),
    ('{"a": "{event}"}', "template_event_position", {"field": "body"}),
])
def test_formats_and_event_that_do_not_apply_are_refused_naming_both(host, receiver, body, reason, params):
    with pytest.raises(HostError) as err:
        save(host, trigger="incoming_call_ended", action="post", url=receiver.url("/"), body=body,
             content_type="application/json")
    error = err.value.reply["error"]
    assert (error["reason"], error["params"], error["field"]) == (reason, params, "body")
    for value in params.values():
        if value != "body":
            assert value.split(",")[0] in error["message"]


def test_event_is_the_whole_call_event(host, receiver):
    got, sent = posted(host, receiver, '{"source": "ucc", "event": {event}}')
    assert got["source"] == "ucc"
    assert {k: got["event"][k] for k in sent} == sent


def test_event_is_refused_in_a_url(host, receiver):
    with pytest.raises(HostError) as err:
        save(host, trigger="incoming_call_ended", action="get", url=receiver.url("/?e={event}"))
    assert err.value.reply["error"]["reason"] == "template_event_position"


def test_url_with_format_is_encoded(host, receiver):
    save(host, trigger="incoming_call_accepted", action="get", url=receiver.url("/find?p={caller:e164}&t={time:iso}"))
    host.request("call_event", event=event("incoming_call_accepted", caller="030 1234567"))
    [req] = receiver.wait_for(1)
    assert req.query["p"] == ["+49301234567"] and req.query["t"][0].endswith("Z")


def test_test_uses_the_last_real_call_and_says_so(host, receiver):
    hook = save(host, trigger="incoming_call_ended", action="post", url=receiver.url("/t"),
                body='{"from": "{caller}"}', content_type="application/json")
    assert host.request("webhooks.test", webhook_id=hook["id"])["values_from"] == "sample"
    [first] = receiver.wait_for(1)
    assert json.loads(first.body) == {"from": "+49 30 1234567"}
    host.request("call_event", event=event("incoming_call_ended", call_id="real-1", caller="+43 1 5121234"))
    receiver.wait_for(2)
    result = host.request("webhooks.test", webhook_id=hook["id"])
    assert result["values_from"] == "last_call" and result["ok"]
    assert json.loads(receiver.wait_for(3)[2].body) == {"from": "+43 1 5121234"}


def _readme_bodies() -> list[str]:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    bodies = re.findall(r"--body '([^']+)'", text)
    bodies += [json.loads(f'"{b}"') for b in re.findall(r'"body": "((?:[^"\\]|\\.)*)"', text)]
    return bodies


@pytest.mark.parametrize("body", _readme_bodies())
def test_every_body_in_the_readme_arrives_as_json_with_the_values(host, receiver, body):
    got, sent = posted(host, receiver, body, trigger="queue_call_ended", caller="030 1234567")
    flat = json.dumps(got, ensure_ascii=False)
    assert "{" + "caller" not in flat and "{time" not in flat and "{duration" not in flat
    values = {"030 1234567", "+49301234567", "agent200", "200"}
    assert any(v in flat for v in values) and (str(int(sent["started_at"])) in flat or "ms" in body or "{event}" in body)


def test_slack_format_keeps_a_callers_name_from_pinging_the_channel(host, receiver):
    got, _ = posted(host, receiver, '{"text": "Missed call from {caller_name:slack} ({caller:slack}), {caller_name}"}',
                    caller_name="<!channel> & <https://evil.example|your bank>", caller="+49 30 <1>")
    assert got == {"text": "Missed call from &lt;!channel&gt; &amp; &lt;https://evil.example|your bank&gt; (+49 30 &lt;1&gt;), "
                           "<!channel> & <https://evil.example|your bank>"}
