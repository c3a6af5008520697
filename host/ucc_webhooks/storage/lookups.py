"""What the CRM loop keeps: each call's contact, and each lookup as a row of the delivery log.

A lookup is never pending: its row is written once, when it has ended, in a final state (`found`,
`not_found`, `failed`) with the contact it found. The call's contact is kept apart (one row per
call, pruned with the dedupe keys), so that the call's later webhooks find it also after the host
restarted between ringing and hang-up.
"""

from __future__ import annotations

import json
import time

from ucc_webhooks.engine.contacts import Contact
from ucc_webhooks.storage.database import Store
from ucc_webhooks.storage.outbox import new_delivery_id

__all__ = ["LookupStore"]


class LookupStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, *, webhook_id: str, webhook_name: str, trigger: str, call_id: str, method: str, url: str,
               state: str, status: int | None, error: str | None, latency_ms: float | None, contact: Contact,
               at: float | None = None, delivery_id: str | None = None) -> str:
        """Write a lookup's row of the log (with its one attempt); returns its id."""
        at = time.time() if at is None else at
        did = delivery_id or new_delivery_id()
        shown = contact.shown()
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT INTO deliveries(id, webhook_id, webhook_name, trigger, action, call_id, method, url, headers,"
                " body, secret, state, attempts, created_at, updated_at, next_attempt_at, expires_at, last_status,"
                " last_error, latency_ms, contact) VALUES (?,?,?,?,'lookup',?,?,?,'{}',NULL,NULL,?,1,?,?,NULL,?,?,?,?,?)",
                (did, webhook_id, webhook_name, trigger, call_id, method, url, state, at, at, at, status, error,
                 latency_ms, json.dumps(shown, ensure_ascii=False) if shown else None))
            db.execute("INSERT INTO attempts(delivery_seq, attempt, at, status, error, latency_ms) VALUES (?,1,?,?,?,?)",
                       (cur.lastrowid, at, status, error, latency_ms))
        return did

    def save_contact(self, call_id: str, contact: Contact, at: float | None = None) -> Contact:
        """The call's contact: a found one is kept over one not found (several lookups of one call)."""
        at = time.time() if at is None else at
        with self.store.transaction() as db:
            row = db.execute("SELECT contact FROM call_contacts WHERE call_id=?", (call_id,)).fetchone()
            if row is not None and Contact.from_json(row[0]).found and not contact.found:
                return Contact.from_json(row[0])
            db.execute("INSERT OR REPLACE INTO call_contacts(call_id, contact, at) VALUES (?,?,?)",
                       (call_id, contact.to_json(), at))
        return contact

    def contact(self, call_id: str) -> Contact | None:
        row = self.store.db.execute("SELECT contact FROM call_contacts WHERE call_id=?", (call_id,)).fetchone()
        return Contact.from_json(row[0]) if row else None
