"""The `hello` reply, built from light modules only.

The host answers `hello` while pydantic, httpx and the store still load in a thread (see
host.py), so the extension learns early that the host is there and what it offers.
"""

from __future__ import annotations

import sqlite3

from ucc_webhooks.constants import VERSION
from ucc_webhooks.engine.formats import formats_for
from ucc_webhooks.engine.policy import Policy
from ucc_webhooks.engine.triggers import (
    ACTIONS,
    CONTENT_TYPES,
    PLACEHOLDERS,
    actions_for,
    allowed_placeholders,
    conditions_for,
    placeholder_kind,
    spec,
    trigger_ids,
    unavailable_reason,
)
from ucc_webhooks.paths import DB_NAME, data_dir

__all__ = ["failed_count_on_disk", "hello_result", "vocabulary"]


def _trigger(trigger: str) -> dict:
    t = spec(trigger)
    assert t is not None
    offered = allowed_placeholders(trigger)
    return {
        "id": trigger,
        "direction": t.direction,
        "moment": t.moment,
        "placeholders": list(offered),
        "unavailable": {n: unavailable_reason(n, trigger) for n in PLACEHOLDERS if n not in offered},
        "conditions": conditions_for(trigger),
        "actions": actions_for(trigger),
    }


def vocabulary() -> dict:
    """What `hello` tells the popup, the one source of everything it offers: the triggers, each
    with its placeholders (and why not the others), the conditions and actions it may have; the actions,
    content types, and every placeholder's description, kind and formats."""
    return {
        "triggers": [_trigger(t) for t in trigger_ids()],
        "actions": list(ACTIONS),
        "content_types": list(CONTENT_TYPES),
        "placeholders": [{"name": n, "description": d, "kind": placeholder_kind(n), "formats": list(formats_for(n))}
                         for n, (d, _, _) in PLACEHOLDERS.items()],
    }


def hello_result(policy: Policy, failed_count: int) -> dict:
    return {"host_version": VERSION, "webhooks_enabled": policy.webhooks_enabled,
            "policy": {"webhooks_enabled": policy.webhooks_enabled, "source": policy.source, "errors": policy.errors},
            "failed_count": failed_count, **vocabulary()}


def failed_count_on_disk() -> int:
    """Deliveries that failed for good, read without opening the store for writing (0 if none yet)."""
    path = data_dir() / DB_NAME
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
        try:
            # as storage.outbox.FAILED counts them (no import: the store's modules load after hello)
            return db.execute("SELECT COUNT(*) FROM deliveries WHERE state='failed' AND action != 'lookup'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0
