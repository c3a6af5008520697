"""The service in one process (real store, real receiver on 127.0.0.1): a fresh delivery goes out
at once, and it still asks whether it may go when anything changed after its event was planned,
whatever order the frame loop handles things in."""

from __future__ import annotations

import asyncio

from conftest import event

from ucc_webhooks.engine.events import CallEvent
from ucc_webhooks.service.app import App
from ucc_webhooks.storage.database import Store


def _app(notices: list) -> App:
    return App(Store(), notices.append)


async def _settled(app: App, query: str = "SELECT state, last_error FROM deliveries") -> dict:
    """Once every attempt has ended: the delivery's row."""
    await app.deliverer.close(5.0)
    row = dict(app.store.db.execute(query).fetchone())
    app.store.close()
    return row


def _webhook(receiver, **extra) -> dict:
    return {"trigger": "incoming_call_ended", "action": "get", "url": receiver.url("/cdr?c={call_id}"), **extra}


def test_a_fresh_delivery_goes_out_at_once_stored_claimed(home, receiver):
    notices: list = []

    async def run() -> list:
        app = _app(notices)
        app.webhooks.save(_webhook(receiver))
        results = app.call_events.accept([CallEvent.model_validate(event("incoming_call_ended", call_id="fresh-1"))])
        row = app.store.db.execute("SELECT claimed_by FROM deliveries").fetchone()
        assert row["claimed_by"] == app.deliverer.host_id  # claimed in the commit that accepted the event
        await _settled(app)
        return results

    assert asyncio.run(run()) == [{"matched": 1}]
    assert [r.query["c"] for r in receiver.wait_for(1)] == [["fresh-1"]]


def test_a_webhook_switched_off_before_the_first_attempt_sends_nothing(home, receiver):
    """The accept step hands the sender a FreshDelivery; should anything switch the webhook off
    before its task first runs (here: in the same step, as a reordered frame loop could), the
    first attempt asks again and the delivery is cancelled, not sent."""
    notices: list = []

    async def run() -> dict:
        app = _app(notices)
        saved = app.webhooks.save(_webhook(receiver))
        app.call_events.accept([CallEvent.model_validate(event("incoming_call_ended", call_id="late-off"))])
        app.webhooks.save({**_webhook(receiver), "id": saved["id"], "enabled": False})  # before the task runs
        return await _settled(app)

    row = asyncio.run(run())
    assert row == {"state": "cancelled", "last_error": "cancelled: the webhook was switched off"}
    assert receiver.requests == []


def test_the_switch_turned_off_before_the_first_attempt_sends_nothing(home, receiver, policy_file):
    notices: list = []

    async def run() -> dict:
        app = _app(notices)
        app.webhooks.save(_webhook(receiver))
        app.call_events.accept([CallEvent.model_validate(event("incoming_call_ended", call_id="switch-off"))])
        app.state.set_managed_enabled(False)  # the browser's managed storage, told in a hello
        app.state.policy()  # the next read of the switch sees it off and tells the sender
        return await _settled(app, "SELECT state FROM deliveries")

    assert asyncio.run(run()) == {"state": "cancelled"}
    assert receiver.requests == []
    assert any(n.get("type") == "policy" and n["webhooks_enabled"] is False for n in notices)
