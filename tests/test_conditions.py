"""Conditions per webhook against the real host: a webhook whose conditions do not hold fires
nothing and logs nothing; combinations that could never be judged are refused at save."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import event

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


def test_numbers_external_and_internal(host, receiver):
    hook(host, receiver, "incoming_call_accepted", "/ext", numbers="external")
    hook(host, receiver, "incoming_call_accepted", "/int", numbers="internal")
    hook(host, receiver, "incoming_call_accepted", "/any")
    fired(host, receiver, event("incoming_call_accepted", call_id="c1", caller="2301"), {"/int", "/any"})
    receiver.requests.clear()
    fired(host, receiver, event("incoming_call_accepted", call_id="c2", caller="+49 30 1234567"), {"/ext", "/any"})


def test_outgoing_judges_the_callee(host, receiver):
    hook(host, receiver, "outgoing_call_started", "/ext", numbers="external")
    fired(host, receiver, event("outgoing_call_started", call_id="o1", callee="205"), set())
    fired(host, receiver, event("outgoing_call_started", call_id="o2", callee="0301234567"), {"/ext"})


def test_queues_any_of_the_names_case_insensitive(host, receiver):
    hook(host, receiver, "queue_call_accepted", "/sales", queues=["Sales", "Billing"])
    fired(host, receiver, event("queue_call_accepted", call_id="q1", queue="Support"), set())
    fired(host, receiver, event("queue_call_accepted", call_id="q2", queue="sales"), {"/sales"})


def test_queues_on_ringing_skip_direct_calls(host, receiver):
    hook(host, receiver, "incoming_call_ringing", "/pop", queues=["Support"])
    fired(host, receiver, event("incoming_call_ringing", call_id="r1", queue=None), set())
    fired(host, receiver, event("incoming_call_ringing", call_id="r2", queue="Support"), {"/pop"})


def test_min_duration(host, receiver):
    hook(host, receiver, "incoming_call_ended", "/long", min_duration=30)
    fired(host, receiver, event("incoming_call_ended", call_id="e1", duration=29), set())
    fired(host, receiver, event("incoming_call_ended", call_id="e2", duration=30), {"/long"})


def test_internal_max_digits_setting(host, receiver):
    host.request("settings.set", settings={"internal_max_digits": 3})
    hook(host, receiver, "incoming_call_accepted", "/ext", numbers="external")
    fired(host, receiver, event("incoming_call_accepted", call_id="s1", caller="2301"), {"/ext"})


@pytest.mark.parametrize("trigger,conditions,reason", [
    ("incoming_call_ringing", {"min_duration": 10}, "conditions_min_duration_trigger"),
    ("incoming_call_accepted", {"min_duration": 10}, "conditions_min_duration_trigger"),
    ("incoming_call_ended", {"queues": ["Sales"]}, "conditions_queues_trigger"),
    ("outgoing_call_started", {"queues": ["Sales"]}, "conditions_queues_trigger"),
])
def test_invalid_combinations_are_refused_naming_the_field(host, receiver, trigger, conditions, reason):
    with pytest.raises(HostError) as err:
        hook(host, receiver, trigger, "/x", **conditions)
    error = err.value.reply["error"]
    assert (error["field"], error["reason"], error["params"]) == ("conditions", reason, {"trigger": trigger})


def test_bad_values_are_refused(host, receiver):
    for conditions in ({"numbers": "some"}, {"queues": [""]}, {"min_duration": -1}, {"colour": "red"}):
        with pytest.raises(HostError):
            hook(host, receiver, "queue_call_ended", "/x", **conditions)


def test_conditions_are_stored_listed_and_kept_across_restart(host, receiver, home):
    saved = hook(host, receiver, "queue_call_ended", "/x", numbers="external", queues=["Sales"], min_duration=5)
    expected = {"numbers": "external", "queues": ["Sales"], "min_duration": 5, "contact": "any"}
    assert saved["conditions"] == expected
    assert host.request("webhooks.list")["webhooks"][0]["conditions"] == expected


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


def test_admin_presets_in_the_policy_carry_conditions(home, policy_file, host, receiver):
    from conftest import write_policy

    write_policy(policy_file, {"webhooks": [{"id": "p", "trigger": "incoming_call_accepted", "action": "get",
                                             "url": receiver.url("/admin"), "conditions": {"numbers": "external"}}]})
    fired(host, receiver, event("incoming_call_accepted", call_id="a1", caller="201"), set())
    fired(host, receiver, event("incoming_call_accepted", call_id="a2", caller="+4930123456"), {"/admin"})
