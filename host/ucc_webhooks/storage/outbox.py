"""The durable outbox and the delivery log, both rows of the `deliveries` table.

An event's deliveries are committed together with its dedupe key before the host acknowledges
the event, so a crash after the reply loses nothing; a row leaves `pending` only with a final
outcome. Every attempt is a row in `attempts`, which is the log the popup and `log` show.
"""

from __future__ import annotations

import builtins
import json
import secrets
import time
from dataclasses import dataclass

from ucc_webhooks.engine.render import PlannedDelivery
from ucc_webhooks.storage.database import NotFound, Store

__all__ = ["LOG_LIMIT", "Outbox", "PendingDelivery"]

#: Finished deliveries kept in the log; older ones are pruned. Pending ones are never pruned.
LOG_LIMIT = 2000
#: How long a (call_id, trigger) is remembered for dedupe.
SEEN_TTL_S = 7 * 24 * 3600

FINAL_STATES = ("delivered", "failed", "dropped", "opened")


@dataclass(frozen=True)
class PendingDelivery:
    seq: int
    id: str
    webhook_id: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    secret: str | None
    attempts: int
    created_at: float
    expires_at: float
    next_attempt_at: float


def new_delivery_id() -> str:
    return "msg_" + secrets.token_urlsafe(12)


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- accepting events ----------------------------------------------------------------------
    def accept(self, call_id: str, trigger: str, planned: list[PlannedDelivery], max_age_s: float,
               now: float | None = None) -> list[PendingDelivery] | None:
        """Record the event and its deliveries in one durable commit; None if it was seen before."""
        return self.accept_many([(call_id, trigger, planned)], max_age_s, now)[0]

    def accept_many(self, events: list[tuple[str, str, list[PlannedDelivery]]], max_age_s: float,
                    now: float | None = None) -> list[list[PendingDelivery] | None]:
        """Several events in one commit: the host batches frames that arrive together.

        The commit survives a crash of this process at once (WAL); `Store.sync_to_disk()` makes it
        survive a power cut too, and the host calls it before it acknowledges the events.

        Returns, per event, its deliveries as rows (open_tab ones too, in their final state), or
        None when the event was seen before.
        """
        now = time.time() if now is None else now
        results: list[list[PendingDelivery] | None] = []
        with self.store.transaction() as db:
            for call_id, trigger, planned in events:
                cur = db.execute("INSERT OR IGNORE INTO seen_events(call_id, trigger, seen_at) VALUES (?,?,?)",
                                 (call_id, trigger, now))
                if cur.rowcount == 0:
                    results.append(None)
                    continue
                rows = []
                for p in planned:
                    did = new_delivery_id()
                    cur = db.execute(
                        "INSERT INTO deliveries(id, webhook_id, webhook_name, trigger, action, call_id, method, url,"
                        " headers, body, secret, state, created_at, updated_at, next_attempt_at, expires_at,"
                        " last_error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (did, p.webhook_id, p.webhook_name, trigger, p.action, call_id, p.method, p.url,
                         json.dumps(p.headers), p.body, p.secret, p.state, now, now,
                         now if p.state == "pending" else None, now + max_age_s, p.note))
                    rows.append(PendingDelivery(
                        seq=cur.lastrowid or 0, id=did, webhook_id=p.webhook_id, method=p.method, url=p.url,
                        headers=p.headers, body=p.body, secret=p.secret, attempts=0, created_at=now,
                        expires_at=now + max_age_s, next_attempt_at=now))
                results.append(rows)
        return results

    # -- the sender's side -----------------------------------------------------------------------
    def pending_webhooks(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT webhook_id FROM deliveries WHERE state='pending'").fetchall()
        return [r[0] for r in rows]

    def next_pending(self, webhook_id: str) -> PendingDelivery | None:
        """The oldest pending delivery of a webhook: ordering per webhook is kept."""
        row = self.db.execute(
            "SELECT * FROM deliveries WHERE state='pending' AND webhook_id=? ORDER BY seq LIMIT 1",
            (webhook_id,)).fetchone()
        if row is None:
            return None
        return PendingDelivery(
            seq=row["seq"], id=row["id"], webhook_id=row["webhook_id"], method=row["method"], url=row["url"],
            headers=json.loads(row["headers"]), body=row["body"], secret=row["secret"],
            attempts=row["attempts"], created_at=row["created_at"], expires_at=row["expires_at"],
            next_attempt_at=row["next_attempt_at"] or row["created_at"])

    def record_attempt(self, d: PendingDelivery, *, status: int | None, error: str | None,
                       latency_ms: float | None, state: str, next_attempt_at: float | None,
                       at: float | None = None) -> None:
        at = time.time() if at is None else at
        attempt = d.attempts + 1
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO attempts(delivery_seq, attempt, at, status, error, latency_ms)"
                       " VALUES (?,?,?,?,?,?)", (d.seq, attempt, at, status, error, latency_ms))
            db.execute("UPDATE deliveries SET attempts=?, state=?, updated_at=?, next_attempt_at=?, last_status=?,"
                       " last_error=?, latency_ms=? WHERE seq=?",
                       (attempt, state, at, next_attempt_at, status, error, latency_ms, d.seq))

    def retry(self, delivery_id: str, max_age_s: float) -> str:
        """Send a failed delivery again (popup's "send again"); returns its webhook id."""
        now = time.time()
        with self.store.transaction() as db:
            row = db.execute("SELECT webhook_id, action, state FROM deliveries WHERE id=?", (delivery_id,)).fetchone()
            if row is None:
                raise NotFound(f"no delivery with id {delivery_id!r}; `ucc-webhooks log` shows the ids")
            if row["action"] == "open_tab":
                raise NotFound(f"delivery {delivery_id} opened a tab; tabs are never opened again later")
            db.execute("UPDATE deliveries SET state='pending', next_attempt_at=?, expires_at=?, updated_at=?"
                       " WHERE id=?", (now, now + max_age_s, now, delivery_id))
        return row["webhook_id"]

    def drop_pending_of(self, webhook_id: str, reason: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE deliveries SET state='failed', last_error=?, next_attempt_at=NULL, updated_at=?"
                       " WHERE webhook_id=? AND state='pending'", (reason, time.time(), webhook_id))

    # -- the log ---------------------------------------------------------------------------------
    def get(self, delivery_id: str) -> dict:
        rows = self._rows("WHERE d.id=?", (delivery_id,), 1)
        if not rows:
            raise NotFound(f"no delivery with id {delivery_id!r}")
        return rows[0]

    def list(self, limit: int = 50, webhook_id: str | None = None, with_log: bool = True) -> builtins.list[dict]:
        where, args = ("WHERE d.webhook_id=?", (webhook_id,)) if webhook_id else ("", ())
        return self._rows(where, args, limit, with_log)

    def failed_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM deliveries WHERE state='failed'").fetchone()[0]

    def _rows(self, where: str, args: tuple, limit: int, with_log: bool = True) -> builtins.list[dict]:
        rows = self.db.execute(
            f"SELECT * FROM deliveries d {where} ORDER BY d.seq DESC LIMIT ?", (*args, max(1, min(limit, 1000)))
        ).fetchall()
        out = []
        for r in rows:
            item = {k: r[k] for k in ("id", "webhook_id", "webhook_name", "trigger", "action", "call_id", "url",
                                      "state", "attempts", "last_status", "last_error", "latency_ms",
                                      "created_at", "updated_at", "next_attempt_at")}
            item["log"] = [dict(a) for a in self.db.execute(
                "SELECT attempt, at, status, error, latency_ms FROM attempts WHERE delivery_seq=? ORDER BY attempt",
                (r["seq"],))] if with_log else []
            out.append(item)
        return out

    def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.store.transaction() as db:
            db.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - SEEN_TTL_S,))
            cutoff = db.execute(
                "SELECT seq FROM deliveries WHERE state != 'pending' ORDER BY seq DESC LIMIT 1 OFFSET ?",
                (LOG_LIMIT,)).fetchone()
            if cutoff:
                db.execute("DELETE FROM attempts WHERE delivery_seq IN (SELECT seq FROM deliveries"
                           " WHERE seq <= ? AND state != 'pending')", (cutoff[0],))
                db.execute("DELETE FROM deliveries WHERE seq <= ? AND state != 'pending'", (cutoff[0],))

