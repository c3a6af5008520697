"""The policy file is checked against its schema: a misspelt switch or a duplicate preset id is an
error shown in hello and doctor, and webhooks stay off until it is fixed (fail closed).

The service judges the file in this process; one test asks a real host over frames."""

from __future__ import annotations

import json

import pytest
from conftest import event, write_policy
from test_doctor import doctor, line

from ucc_webhooks.engine.events import CallEvent

PRESET = {"name": "CRM", "trigger": "incoming_call_accepted", "action": "open_tab",
          "url": "https://crm.example.com/find?phone={caller_e164}"}


def hello(app) -> dict:
    """What `hello` says of the policy, as the host answers it (native.hello from the service's state)."""
    from ucc_webhooks.native.hello import hello_result

    return hello_result(app.state.policy(), app.outbox.failed_count())


@pytest.mark.parametrize("key", ["WEBHOOK_ENABLED", "webhooks_enabled", "Webhooks_Enabled"])
def test_a_misspelt_switch_is_an_error_and_webhooks_stay_off(app, policy_file, key):
    write_policy(policy_file, {key: False})
    said = hello(app)
    assert said["webhooks_enabled"] is False
    assert any("did you mean WEBHOOKS_ENABLED" in e for e in said["policy"]["errors"]), said["policy"]
    assert app.call_events.accept([CallEvent.model_validate(event())])[0]["matched"] == 0


def test_an_unknown_key_is_named(app, policy_file):
    write_policy(policy_file, {"WEBHOOKS_ENABLED": True, "colour": "blue"})
    said = hello(app)
    assert said["webhooks_enabled"] is False and "'colour'" in said["policy"]["errors"][0]


def test_two_presets_with_one_id_are_an_error_and_listed_once(host, policy_file):
    """Through a real host over frames: hello and the list."""
    write_policy(policy_file, {"WEBHOOKS_ENABLED": True, "webhooks": [{"id": "crm", **PRESET}, {"id": "crm", **PRESET}]})
    hello = host.request("hello", extension_version="0")
    assert hello["webhooks_enabled"] is False and "'crm'" in hello["policy"]["errors"][0]
    assert [w["id"] for w in host.request("webhooks.list")["webhooks"]] == ["admin_crm"]


def test_a_valid_policy_still_switches_on(app, policy_file):
    write_policy(policy_file, {"WEBHOOKS_ENABLED": True, "webhooks": [{"id": "crm", **PRESET}]})
    said = hello(app)
    assert said["webhooks_enabled"] is True and said["policy"]["errors"] == []


def test_doctor_shows_the_schema_error(env):
    from pathlib import Path

    Path(env["UCC_WEBHOOKS_POLICY"]).write_text(json.dumps({"WEBHOOK_ENABLED": True}))
    code, lines, _ = doctor(env, "--browser", "chromium")
    text = line(lines, "policy", "switch")
    assert code == 1 and "WEBHOOK_ENABLED" in text and "did you mean WEBHOOKS_ENABLED" in text
