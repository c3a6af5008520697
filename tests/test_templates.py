"""Placeholder rules: availability per trigger, encoding per destination, braces, URL schemes."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from pydantic import ValidationError

from ucc_webhooks.engine.models import WebhookInput
from ucc_webhooks.engine.phone_numbers import e164
from ucc_webhooks.engine.templates import Template, TemplateError, render_body, render_url
from ucc_webhooks.engine.triggers import PLACEHOLDERS, allowed_placeholders, trigger_ids

TRIGGERS = trigger_ids()

SEED_RULES = {  # the vendor manual's table: placeholder -> triggers that offer it
    "callee": set(TRIGGERS),
    "caller": set(TRIGGERS) - {"outgoing_call_started", "outgoing_call_ended"},
    "duration": {"incoming_call_ended", "outgoing_call_ended", "queue_call_ended"},
    "user": set(TRIGGERS) - {"outgoing_call_started", "outgoing_call_ended"},
    "time": set(TRIGGERS),
}


def make(trigger: str, url: str, **kw) -> WebhookInput:
    return WebhookInput(trigger=trigger, action=kw.pop("action", "get"), url=url, **kw)


@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize("name", [n for n in PLACEHOLDERS if n != "event"])  # {event}: JSON bodies only
def test_every_placeholder_is_accepted_or_refused_by_its_trigger(trigger, name):
    allowed = name in allowed_placeholders(trigger)
    if name in SEED_RULES:
        assert allowed == (trigger in SEED_RULES[name]), "the seed's restriction"
    if allowed:
        make(trigger, f"https://crm.example.com/x?v={{{name}}}")
    else:
        with pytest.raises(ValidationError) as err:
            make(trigger, f"https://crm.example.com/x?v={{{name}}}")
        message = str(err.value)
        assert f"{{{name}}}" in message and trigger in message


def test_ringing_and_missed_allow_what_incoming_allows_except_duration():
    incoming = set(allowed_placeholders("incoming_call_accepted")) - {"answered_at"}
    for trigger in ("incoming_call_ringing", "incoming_call_missed"):
        # a call that still rings has no ring time yet
        assert incoming <= set(allowed_placeholders(trigger)) | {"answered_at", "ring_seconds"}
        assert "duration" not in allowed_placeholders(trigger)
    assert "ring_seconds" in allowed_placeholders("incoming_call_missed")


def test_unknown_placeholder_is_refused_by_name():
    with pytest.raises(ValidationError, match=r"\{phone\} is not a known placeholder"):
        make("incoming_call_accepted", "https://crm.example.com/?p={phone}")


def test_unknown_placeholder_in_body_is_refused():
    with pytest.raises(ValidationError, match=r"\{durration\}"):
        make("incoming_call_ended", "https://crm.example.com/", action="post", body="d={durration}",
             content_type="text/plain")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.example/", "data:text/html,hi",
                                 "crm.example.com/x", "https:///nohost", "{callee}"])
def test_only_http_and_https(url):
    for action in ("get", "open_tab"):
        with pytest.raises(ValidationError):
            make("incoming_call_accepted", url, action=action)


def test_url_values_are_percent_encoded():
    t = Template.parse("https://crm.example.com/search?q={caller}&n={caller_name}")
    url = render_url(t, {"caller": "+49 30 & co", "caller_name": 'Anna "A" Müller/#?'})
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query == {"q": ["+49 30 & co"], "n": ['Anna "A" Müller/#?']}
    assert "%2B49%2030%20%26%20co" in url


def test_value_cannot_change_scheme_or_host():
    t = Template.parse("https://crm.example.com/{caller}")
    assert render_url(t, {"caller": "@evil.example/x"}).startswith("https://crm.example.com/%40evil.example%2Fx")


def test_json_body_escapes_strings_and_keeps_numbers():
    t = Template.parse('{{"from": "{caller}", "name": {caller_name}, "seconds": {duration}, "at": {answered_at}}}', "body")
    body = render_body(t, {"caller": '+49 "quoted" \\ \n', "caller_name": "Zoë & Co", "duration": 7, "answered_at": None},
                       "application/json")
    assert json.loads(body) == {"from": '+49 "quoted" \\ \n', "name": "Zoë & Co", "seconds": 7, "at": None}


def test_form_body_is_form_encoded():
    t = Template.parse("from={caller}&name={caller_name}", "body")
    body = render_body(t, {"caller": "+49 30 & co", "caller_name": "a=b"}, "application/x-www-form-urlencoded")
    assert urllib.parse.parse_qs(body) == {"from": ["+49 30 & co"], "name": ["a=b"]}


def test_text_body_is_as_is():
    t = Template.parse("Call from {caller} ({caller_name})", "body")
    assert render_body(t, {"caller": "+49 & 1", "caller_name": '"x"'}, "text/plain") == 'Call from +49 & 1 ("x")'


def test_double_braces_are_literal():
    assert render_url(Template.parse("https://x.example/{{literal}}/{callee}"), {"callee": "1"}) == \
        "https://x.example/{literal}/1"


def test_single_braces_are_literal_text():
    # changed on purpose (issue 17): a lone brace was refused; now JSON is written as JSON
    t = Template.parse('{"a": {"b": 1}}', "body")
    assert render_body(t, {}, "application/json") == '{"a": {"b": 1}}'


def test_unknown_word_in_braces_is_refused_with_how_to_write_it_literally():
    with pytest.raises(TemplateError, match=r"\{phone\}.*write \{\{phone\}\}") as err:
        Template.parse('{"a": "{phone}"}', "body").check("incoming_call_ended", "body", "application/json")
    assert err.value.reason == "template_unknown_placeholder" and err.value.params == {"name": "phone"}


def test_json_body_must_be_json_once_filled():
    with pytest.raises(ValidationError, match="not valid JSON"):
        make("incoming_call_ended", "https://crm.example.com/", action="post", body='{{"d": {duration},}}')


def test_body_only_for_post():
    with pytest.raises(ValidationError, match="only POST"):
        make("incoming_call_ended", "https://crm.example.com/", action="get", body="x")


@pytest.mark.parametrize("number,region,expected", [
    ("030 1234567", "DE", "+49301234567"),
    ("0049301234567", "DE", "+49301234567"),
    ("+49 30 1234567", None, "+49301234567"),
    ("49301234567", "DE", "+49301234567"),
    # digits without "+" that start with the country code: the international reading wins, also
    # where a national one would be valid too (0491 is Leer's area code)
    ("491712345678", "DE", "+491712345678"),
    ("30123456", "DE", "+4930123456"),  # no country code in front: national
    ("01 5121234", "AT", "+4315121234"),
    ("200", "DE", ""),
    ("anonymous", "DE", ""),
    ("", "DE", ""),
])
def test_e164(number, region, expected):
    assert e164(number, region) == expected


@pytest.mark.parametrize("text,expected", [
    ('{{{caller}}}', "{1}"),                      # earlier rule: {{ + placeholder + }}
    ('{"a": {"b": "{caller}"}}', '{"a": {"b": "1"}}'),  # JSON as written: both closing braces stay
    ('{{caller}} is {caller}', "{caller} is 1"),   # {{word}} is the literal text in either reading
    ('{ "x": {{caller}} }', '{ "x": {caller} }'),
    ('{}', "{}"),
])
def test_brace_readings(text, expected):
    assert render_body(Template.parse(text, "body"), {"caller": "1"}, "text/plain") == expected


def test_missing_formatted_value_is_null_outside_quotes_and_empty_inside():
    t = Template.parse('{"a": {answered_at:ms}, "b": "{answered_at:iso}"}', "body")
    assert json.loads(render_body(t, {"answered_at": None}, "application/json")) == {"a": None, "b": ""}
