"""Conditions per webhook: a webhook whose conditions do not hold fires nothing and logs nothing;
combinations that could never be judged are refused at save.

The rules are judged by the engine (`engine.conditions`) and checked at save by the service, both
in this process; one test sends real frames to a real host, so that the wiring stays tested.
"""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from conftest import event, refused, write_policy

from ucc_webhooks.engine.conditions import meeting_conditions
from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.engine.models import Webhook, WebhookInput
from ucc_webhooks.engine.policy import read_policy
from ucc_webhooks.engine.render import plan_event
from ucc_webhooks_dev.lab.host_client import HostError


def hook(host, receiver, trigger: str, path: str, **conditions) -> dict:
    return host.request("webhooks.save", webhook={"trigger": trigger, "action": "get", "url": receiver.url(path),
                                                  "conditions": conditions})


def fired(host, receiver, ev: dict, expected_paths: set[str]) -> None:
    """Send one event; exactly the webhooks at `expected_paths` fire, and only they are logged."""
    result = host.request("call_event", event=ev)
    assert result["matched"] == len(expected_paths)
    got = {r.path for r in receiver.wait_for(len(expected_paths))} if expected_paths else set()
    assert got == expected_paths
    logged = {d["url"].split("/")[-1] for d in host.request("deliveries.list")["deliveries"] if d["call_id"] == ev["call_id"]}
    assert logged == {p.strip("/") for p in expected_paths}


def test_a_real_host_fires_and_logs_only_the_webhooks_whose_conditions_hold(host, receiver):
    """The wiring: conditions saved over frames, judged at each event with the setting
    `internal_max_digits`, nothing fired and nothing logged for the others, refusals on the wire."""
    hook(host, receiver, "incoming_call_accepted", "/ext", numbers="external")
    hook(host, receiver, "incoming_call_accepted", "/int", numbers="internal")
    hook(host, receiver, "incoming_call_accepted", "/any")
    fired(host, receiver, event("incoming_call_accepted", call_id="c1", caller="2301"), {"/int", "/any"})
    receiver.requests.clear()
    fired(host, receiver, event("incoming_call_accepted", call_id="c2", caller="+49 30 1234567"), {"/ext", "/any"})
    receiver.requests.clear()
    host.request("settings.set", settings={"internal_max_digits": 3})
    fired(host, receiver, event("incoming_call_accepted", call_id="s1", caller="2301"), {"/ext", "/any"})
    with pytest.raises(HostError) as err:
        hook(host, receiver, "incoming_call_ringing", "/x", min_duration=10)
    error = err.value.reply["error"]
    assert (error["code"], error["field"], error["reason"], error["params"]) == (
        "validation_error", "conditions", "conditions_min_duration_trigger", {"trigger": "incoming_call_ringing"})


def webhook(trigger: str, path: str, **conditions) -> Webhook:
    """A webhook as saved (checked by WebhookInput), with its path as id."""
    data = WebhookInput(trigger=trigger, action="get", url=f"https://crm.example.com{path}", conditions=conditions)
    return Webhook(id=path, **data.model_dump(exclude={"id"}))


def firing(webhooks: list[Webhook], ev: dict, internal_max_digits: int = 4) -> set[str]:
    """The webhooks an event fires, as the host plans them: trigger and switch, then conditions."""
    call = CallEvent.model_validate(ev)
    planned = plan_event(call, meeting_conditions(webhooks, call, internal_max_digits), "DE", time.time(),
                         internal_max_digits)
    return {d.webhook_id for d in planned}


def test_numbers_external_and_internal():
    hooks = [webhook("incoming_call_accepted", "/ext", numbers="external"),
             webhook("incoming_call_accepted", "/int", numbers="internal"), webhook("incoming_call_accepted", "/any")]
    assert firing(hooks, event("incoming_call_accepted", caller="2301")) == {"/int", "/any"}
    assert firing(hooks, event("incoming_call_accepted", caller="+49 30 1234567")) == {"/ext", "/any"}


def test_outgoing_judges_the_callee():
    hooks = [webhook("outgoing_call_started", "/ext", numbers="external")]
    assert firing(hooks, event("outgoing_call_started", callee="205")) == set()
    assert firing(hooks, event("outgoing_call_started", callee="0301234567")) == {"/ext"}


def test_queues_any_of_the_names_case_insensitive():
    hooks = [webhook("queue_call_accepted", "/sales", queues=["Sales", "Billing"])]
    assert firing(hooks, event("queue_call_accepted", queue="Support")) == set()
    assert firing(hooks, event("queue_call_accepted", queue="sales")) == {"/sales"}


def test_queues_on_ringing_skip_direct_calls():
    hooks = [webhook("incoming_call_ringing", "/pop", queues=["Support"])]
    assert firing(hooks, event("incoming_call_ringing", queue=None)) == set()
    assert firing(hooks, event("incoming_call_ringing", queue="Support")) == {"/pop"}


def test_min_duration():
    hooks = [webhook("incoming_call_ended", "/long", min_duration=30)]
    assert firing(hooks, event("incoming_call_ended", duration=29)) == set()
    assert firing(hooks, event("incoming_call_ended", duration=30)) == {"/long"}


def test_internal_max_digits_setting():
    hooks = [webhook("incoming_call_accepted", "/ext", numbers="external")]
    assert firing(hooks, event("incoming_call_accepted", caller="2301")) == set()
    assert firing(hooks, event("incoming_call_accepted", caller="2301"), internal_max_digits=3) == {"/ext"}


def save(app, trigger: str, **conditions) -> dict:
    return app.webhooks.save({"trigger": trigger, "action": "get", "url": "https://crm.example.com/x",
                              "conditions": conditions})


@pytest.mark.parametrize("trigger,conditions,reason", [
    ("incoming_call_ringing", {"min_duration": 10}, "conditions_min_duration_trigger"),
    ("incoming_call_accepted", {"min_duration": 10}, "conditions_min_duration_trigger"),
    ("incoming_call_ended", {"queues": ["Sales"]}, "conditions_queues_trigger"),
    ("outgoing_call_started", {"queues": ["Sales"]}, "conditions_queues_trigger"),
])
def test_invalid_combinations_are_refused_naming_the_field(app, trigger, conditions, reason):
    error = refused(save, app, trigger, **conditions)
    assert (error["code"], error["field"], error["reason"], error["params"]) == (
        "validation_error", "conditions", reason, {"trigger": trigger})


def test_bad_values_are_refused(app):
    for conditions in ({"numbers": "some"}, {"queues": [""]}, {"min_duration": -1}, {"colour": "red"}):
        assert refused(save, app, "queue_call_ended", **conditions)["code"] == "validation_error", conditions


def test_conditions_are_stored_listed_and_kept_across_restart(app):
    from ucc_webhooks.service.app import App
    from ucc_webhooks.storage.database import Store

    saved = save(app, "queue_call_ended", numbers="external", queues=["Sales"], min_duration=5)
    expected = {"numbers": "external", "queues": ["Sales"], "min_duration": 5, "contact": "any"}
    assert saved["conditions"] == expected
    assert app.webhooks.list()["webhooks"][0]["conditions"] == expected
    restarted = App(Store(), lambda notice: None)
    try:
        assert restarted.webhooks.list()["webhooks"][0]["conditions"] == expected
    finally:
        restarted.store.close()


def test_migration_gives_old_rows_the_default_conditions(home):
    """A store written before conditions existed (schema 1) opens with every webhook's default."""
    from ucc_webhooks.storage import database

    home.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(home / "ucc-webhooks.sqlite3")
    for statement in filter(str.strip, database._MIGRATIONS[0].split(";")):
        db.execute(statement)
    old = {"id": "wh_old", "trigger": "incoming_call_ended", "action": "get", "url": "https://crm.example.com/x"}
    db.execute("INSERT INTO webhooks VALUES ('wh_old', 1, ?)", (json.dumps(old),))
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    store = database.Store(home)
    try:
        [w] = store.list_webhooks()
        assert w.conditions.is_default
        row = store.db.execute("SELECT data FROM webhooks").fetchone()[0]
        assert json.loads(row)["conditions"] == {"numbers": "any", "queues": [], "min_duration": None}
    finally:
        store.close()


def test_admin_presets_in_the_policy_carry_conditions(policy_file):
    write_policy(policy_file, {"webhooks": [{"id": "p", "trigger": "incoming_call_accepted", "action": "get",
                                             "url": "https://crm.example.com/admin", "conditions": {"numbers": "external"}}]})
    presets = read_policy().presets
    assert [w.id for w in presets] == ["admin_p"]
    assert firing(presets, event("incoming_call_accepted", caller="201")) == set()
    assert firing(presets, event("incoming_call_accepted", caller="+4930123456")) == {"admin_p"}
