"""The presets gallery: every preset, rendered with sample values, is what its vendor documents
(a JSON Schema transcribed from the vendor's page, in tests/fixtures/vendor_schemas with the
source URL); a preset saved through the real host and fired by a real call arrives as that JSON."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import FIXTURES, event, run_cli

from ucc_webhooks.engine.models import WebhookInput
from ucc_webhooks.engine.presets import PRESETS
from ucc_webhooks.engine.templates import Template, render_body
from ucc_webhooks.engine.values import sample_values

SCHEMAS = FIXTURES / "vendor_schemas"
IDS = [p["id"] for p in PRESETS]


def schema(preset_id: str) -> dict:
    return json.loads((SCHEMAS / f"{preset_id}.json").read_text())


def test_the_gallery_has_the_vendors_integrators_use_most():
    assert {"hubspot-call", "pipedrive-call-log", "zoho-crm-call", "salesforce-task", "teams-missed-call",
            "slack-missed-call", "full-event"} <= set(IDS)
    for p in PRESETS:
        assert {"id", "name", "trigger", "action", "url", "headers", "content_type", "body", "doc_url"} <= set(p)


@pytest.mark.parametrize("preset_id", IDS)
def test_preset_cites_the_page_its_schema_was_transcribed_from(preset_id):
    p = next(p for p in PRESETS if p["id"] == preset_id)
    assert schema(preset_id)["source"] == p["doc_url"]


@pytest.mark.parametrize("preset_id", IDS)
def test_rendered_preset_body_matches_the_vendors_schema(preset_id):
    p = next(p for p in PRESETS if p["id"] == preset_id)
    WebhookInput.model_validate({k: p[k] for k in ("trigger", "action", "url", "headers", "content_type", "body")})
    body = render_body(Template.parse(p["body"], "body"), sample_values(p["trigger"]), p["content_type"])
    jsonschema.validate(json.loads(body), schema(preset_id))


def test_schemas_can_fail():
    """The schemas are strict enough to catch a wrong format (seconds where ms are due, Z where an offset is)."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"properties": {"hs_timestamp": 1764000000}}, schema("hubspot-call"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"data": [{"Subject": "x", "Call_Type": "Inbound", "Call_Start_Time": "2026-11-25T07:17:46Z",
                                       "Call_Duration": "1:00"}]}, schema("zoho-crm-call"))


def test_every_preset_listed_over_frames_and_saved_through_the_host_arrives_as_the_vendors_json(host, receiver):
    """All presets in one real host: listed over frames, saved as listed (placeholder header values
    filled in), fired by one real call event per trigger; each request carries its headers and
    JSON that the vendor's schema accepts."""
    presets = host.request("presets.list")["presets"]
    assert [p["id"] for p in presets] == IDS
    headers = {}
    for p in presets:
        headers[p["id"]] = {name: value.replace("<", "").replace(">", "") for name, value in p["headers"].items()}
        host.request("webhooks.save", webhook={"trigger": p["trigger"], "action": p["action"],
                                               "url": receiver.url(f"/v/{p['id']}"), "headers": headers[p["id"]],
                                               "content_type": p["content_type"], "body": p["body"]})
    for trigger in dict.fromkeys(p["trigger"] for p in presets):
        host.request("call_event", event=event(trigger, call_id=f"call-{trigger}"))
    receiver.wait_for(len(presets))
    for p in presets:
        [req] = [r for r in receiver.requests if r.path == f"/v/{p['id']}"]
        assert req.header("content-type") == "application/json", p["id"]
        for name, value in headers[p["id"]].items():
            assert req.header(name) == value, p["id"]
        jsonschema.validate(json.loads(req.body), schema(p["id"]))


cli = run_cli  # the CLI's own main, in this process


def test_cli_presets_and_add_from_preset(home):
    listed = json.loads(cli("presets", "--json").stdout)
    assert [p["id"] for p in listed] == IDS
    refused = cli("add", "--preset", "salesforce-task", "--header", "Authorization: Bearer t")
    assert refused.returncode == 2 and "--url" in refused.stderr
    refused = cli("add", "--preset", "salesforce-task", "--url", "https://acme.my.salesforce.com/services/data/v60.0/sobjects/Task/")
    assert refused.returncode == 2 and "Authorization" in refused.stderr
    added = cli("add", "--preset", "salesforce-task", "--url", "https://acme.my.salesforce.com/services/data/v60.0/sobjects/Task/",
                "--header", "Authorization: Bearer t0k", "--only", "external")
    assert added.returncode == 0, added.stderr
    [w] = json.loads(cli("list", "--json").stdout)
    assert w["trigger"] == "incoming_call_ended" and w["headers"] == {"Authorization": "********"}
    assert w["conditions"]["numbers"] == "external" and "CallDurationInSeconds" in w["body"]
    assert cli("add", "--preset", "nope", "--url", "https://x.example/").returncode == 2


def test_cli_conditions_survive_export_and_import(home):
    assert cli("add", "--trigger", "queue_call_ended", "--action", "post", "--url", "https://crm.example.com/x",
               "--body", '{"caller": "{caller}", "duration": {duration}}', "--queue", "Sales", "--queue", "Billing",
               "--min-duration", "20", "--only", "external").returncode == 0
    exported = cli("export").stdout
    assert json.loads(exported)["webhooks"][0]["conditions"] == {"numbers": "external", "queues": ["Sales", "Billing"],
                                                                 "min_duration": 20}
    imported = cli("import", "--replace", "-", stdin=exported)
    assert imported.returncode == 0, imported.stderr
    [w] = json.loads(cli("list", "--json").stdout)
    assert w["conditions"]["queues"] == ["Sales", "Billing"]


@pytest.mark.parametrize("preset_id", ["slack-missed-call"])
def test_chat_presets_escape_what_the_caller_controls(preset_id):
    """A caller named `<!channel>` must not ping the channel the message goes to."""
    p = next(p for p in PRESETS if p["id"] == preset_id)
    values = {**sample_values(p["trigger"]), "caller_name": "<!channel> & co", "caller": "<https://x.example|1>"}
    body = render_body(Template.parse(p["body"], "body"), values, p["content_type"])
    assert "<" not in body and ">" not in body
    assert "&lt;!channel&gt; &amp; co" in json.loads(body)["text"]
