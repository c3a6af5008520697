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
from collections.abc import Callable
from dataclasses import dataclass

from ucc_webhooks.engine.errors import NotFound
from ucc_webhooks.engine.http_rules import mask_url
from ucc_webhooks.engine.render import PlannedDelivery
from ucc_webhooks.storage.database import Store

__all__ = ["LOG_LIMIT", "Claim", "Outbox", "PendingDelivery"]

#: Finished deliveries kept in the log; older ones are pruned. Pending ones are never pruned.
LOG_LIMIT = 2000
#: How long a (call_id, trigger) is remembered for dedupe.
SEEN_TTL_S = 7 * 24 * 3600

FINAL_STATES = ("delivered", "failed", "dropped", "opened", "cancelled", "found", "not_found")
#: The badge counts deliveries that failed for good; a lookup that failed is not one (it counts as not found).
FAILED = "state='failed' AND action != 'lookup'"
#: Attempts listed per delivery in `list`; the rest are summarised (`attempts` counts them all).
LOG_ATTEMPTS = 5
#: Longest text of one field in `list` (an error, a URL): a reply must fit the 1 MiB frame.
FIELD_CHARS = 2048


@dataclass(frozen=True)
class Claim:
    """Rows stored claimed by `host_id` until `until`: for the webhooks whose `sends_at_once` is true."""

    host_id: str
    until: float
    sends_at_once: Callable[[str], bool]


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
    #: Until when this host holds the row's claim, when the row was stored claimed (`accept_many`
    #: with `claim`); None for a row read from the store, which the sender claims before it sends.
    claimed_until: float | None = None


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= FIELD_CHARS:
        return text
    return text[: FIELD_CHARS - 1] + "…"


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
                    now: float | None = None, claim: Claim | None = None) -> list[list[PendingDelivery] | None]:
        """Several events in one commit: the host batches frames that arrive together.

        The commit survives a crash of this process at once (WAL); `Store.sync_to_disk()` makes it
        survive a power cut too, and the host calls it before it acknowledges the events.

        `claim`: the first pending delivery of each webhook it names is stored already claimed
        by that host, in this same commit (what `claim()` would do as a statement of its own just
        after): the sender sends it at once, and no other host on the store can take it meanwhile.

        Returns, per event, its deliveries as rows (open_tab ones too, in their final state), or
        None when the event was seen before.
        """
        now = time.time() if now is None else now
        results: list[list[PendingDelivery] | None] = []
        claimed: set[str] = set()
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
                    by, until = None, None
                    if (claim and p.state == "pending" and p.webhook_id not in claimed
                            and claim.sends_at_once(p.webhook_id)):
                        claimed.add(p.webhook_id)
                        by, until = claim.host_id, claim.until
                    cur = db.execute(
                        "INSERT INTO deliveries(id, webhook_id, webhook_name, trigger, action, call_id, method, url,"
                        " headers, body, secret, state, created_at, updated_at, next_attempt_at, expires_at,"
                        " last_error, claimed_by, claimed_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (did, p.webhook_id, p.webhook_name, trigger, p.action, call_id, p.method, p.url,
                         json.dumps(p.headers), p.body, p.secret, p.state, now, now,
                         now if p.state == "pending" else None, now + max_age_s, p.note, by, until))
                    rows.append(PendingDelivery(
                        seq=cur.lastrowid or 0, id=did, webhook_id=p.webhook_id, method=p.method, url=p.url,
                        headers=p.headers, body=p.body, secret=p.secret, attempts=0, created_at=now,
                        expires_at=now + max_age_s, next_attempt_at=now, claimed_until=until))
                results.append(rows)
        return results

    def seen(self, call_id: str, trigger: str) -> bool:
        """Whether this event was accepted before (it would be dropped as a duplicate)."""
        return self.db.execute("SELECT 1 FROM seen_events WHERE call_id=? AND trigger=?", (call_id, trigger)).fetchone() is not None

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

    def claim(self, d: PendingDelivery, host_id: str, until: float, now: float | None = None,
              steal_from: str | None = None) -> bool:
        """Take the row for one attempt; False when another host has it or it changed since it was read.

        The claim is one UPDATE in SQLite: of two hosts on one store only one can win it, and a
        host that died with a claim loses it when `until` (the attempt's deadline) has passed.
        """
        now = time.time() if now is None else now
        with self.store.transaction() as db:
            cur = db.execute(
                "UPDATE deliveries SET claimed_by=?, claimed_until=? WHERE seq=? AND state='pending' AND attempts=?"
                " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by=? OR claimed_by=?)",
                (host_id, until, d.seq, d.attempts, now, host_id, steal_from))
            return cur.rowcount == 1

    def release_claims(self, host_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE deliveries SET claimed_by=NULL, claimed_until=NULL WHERE claimed_by=?", (host_id,))

    def claimant(self, d: PendingDelivery) -> tuple[str | None, float | None]:
        """Who holds the row's claim and until when."""
        row = self.db.execute("SELECT claimed_by, claimed_until FROM deliveries WHERE seq=?", (d.seq,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def record_attempt(self, d: PendingDelivery, *, status: int | None, error: str | None,
                       latency_ms: float | None, state: str, next_attempt_at: float | None,
                       at: float | None = None) -> None:
        at = time.time() if at is None else at
        attempt = d.attempts + 1
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO attempts(delivery_seq, attempt, at, status, error, latency_ms)"
                       " VALUES (?,?,?,?,?,?)", (d.seq, attempt, at, status, error, latency_ms))
            # a row cancelled (webhook deleted, switch off) while the attempt ran stays cancelled
            db.execute("UPDATE deliveries SET attempts=?, state=CASE WHEN state='cancelled' THEN state ELSE ? END,"
                       " updated_at=?, next_attempt_at=CASE WHEN state='cancelled' THEN NULL ELSE ? END, last_status=?,"
                       " last_error=CASE WHEN state='cancelled' THEN last_error ELSE ? END, latency_ms=?,"
                       " claimed_by=NULL, claimed_until=NULL WHERE seq=?",
                       (attempt, state, at, next_attempt_at, status, error, latency_ms, d.seq))

    def finish_unsent(self, d: PendingDelivery, state: str, reason: str, at: float | None = None) -> None:
        """End a pending row without an attempt: `failed` (expired) or `cancelled`, with the reason."""
        at = time.time() if at is None else at
        with self.store.transaction() as db:
            db.execute("UPDATE deliveries SET state=?, last_error=?, next_attempt_at=NULL, updated_at=?,"
                       " claimed_by=NULL, claimed_until=NULL WHERE seq=? AND state='pending'", (state, reason, at, d.seq))

    def cancel_pending(self, reason: str, webhook_id: str | None = None) -> list[str]:
        """Cancel the pending deliveries of one webhook (or all): the ids of the rows cancelled."""
        where, args = ("AND webhook_id=?", (webhook_id,)) if webhook_id else ("", ())
        with self.store.transaction() as db:
            ids = [r[0] for r in db.execute(f"SELECT id FROM deliveries WHERE state='pending' {where}", args)]
            db.execute(f"UPDATE deliveries SET state='cancelled', last_error=?, next_attempt_at=NULL, updated_at=?"
                       f" WHERE state='pending' {where}", (reason, time.time(), *args))
        return ids

    def retry(self, delivery_id: str, max_age_s: float) -> str:
        """Send a failed delivery again (popup's "send again"); returns its webhook id."""
        now = time.time()
        with self.store.transaction() as db:
            row = db.execute("SELECT webhook_id, action, state FROM deliveries WHERE id=?", (delivery_id,)).fetchone()
            if row is None:
                raise NotFound(f"no delivery with id {delivery_id!r}; `ucc-webhooks log` shows the ids",
                               reason="delivery_not_retryable", params={"id": delivery_id})
            if row["action"] == "open_tab":
                raise NotFound(f"delivery {delivery_id} opened a tab; tabs are never opened again later",
                               reason="delivery_not_retryable", params={"id": delivery_id})
            if row["action"] == "lookup":
                raise NotFound(f"{delivery_id} was a lookup; a lookup runs only while its call does",
                               reason="delivery_not_retryable", params={"id": delivery_id})
            if row["state"] == "pending":
                db.execute("UPDATE deliveries SET next_attempt_at=? WHERE id=?", (now, delivery_id))
            else:
                db.execute("UPDATE deliveries SET state='pending', next_attempt_at=?, expires_at=?, updated_at=?,"
                           " claimed_by=NULL, claimed_until=NULL WHERE id=?", (now, now + max_age_s, now, delivery_id))
        return row["webhook_id"]

    # -- the log ---------------------------------------------------------------------------------
    def list(self, limit: int = 50, webhook_id: str | None = None, with_log: bool = True) -> builtins.list[dict]:
        return self.page(limit, webhook_id, with_log=with_log)[0]

    def page(self, limit: int = 50, webhook_id: str | None = None, before: int | None = None,
             budget: int | None = None, with_log: bool = True) -> tuple[builtins.list[dict], int | None]:
        """Newest first, at most `limit` rows older than the cursor `before`, and no more than fit in
        `budget` bytes of JSON; returns the rows and the cursor of the next page (None at the end)."""
        clauses: builtins.list[str] = []
        args: builtins.list[object] = []
        if webhook_id:
            clauses.append("d.webhook_id=?")
            args.append(webhook_id)
        if before is not None:
            clauses.append("d.seq<?")
            args.append(before)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        limit = max(1, min(limit, 1000))
        rows = self._rows(where, tuple(args), limit + 1, with_log)
        out: builtins.list[dict] = []
        used = 0
        for item in rows[:limit]:
            size = len(json.dumps(item, ensure_ascii=False).encode("utf-8")) + 1
            if budget is not None and out and used + size > budget:
                return out, out[-1]["cursor"]
            out.append(item)
            used += size
        return out, (out[-1]["cursor"] if len(rows) > limit and out else None)

    def get(self, delivery_id: str) -> dict:
        rows = self._rows("WHERE d.id=?", (delivery_id,), 1)
        if not rows:
            raise NotFound(f"no delivery with id {delivery_id!r}")
        return rows[0]

    def failed_count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM deliveries WHERE {FAILED}").fetchone()[0]

    def _rows(self, where: str, args: tuple, limit: int, with_log: bool = True) -> builtins.list[dict]:
        rows = self.db.execute(
            f"SELECT * FROM deliveries d {where} ORDER BY d.seq DESC LIMIT ?", (*args, max(1, limit))
        ).fetchall()
        out = []
        for r in rows:
            item = {k: r[k] for k in ("id", "webhook_id", "webhook_name", "trigger", "action", "call_id", "url",
                                      "state", "attempts", "last_status", "last_error", "latency_ms",
                                      "created_at", "updated_at", "next_attempt_at")}
            item["url"] = _clip(mask_url(item["url"]))
            item["contact"] = json.loads(r["contact"]) if r["contact"] else None  # a lookup's, when it found one
            item["last_error"] = _clip(item["last_error"])
            item["cursor"] = r["seq"]
            log = []
            if with_log:  # the last few attempts; `attempts` counts them all
                log = [dict(a) for a in self.db.execute(
                    "SELECT attempt, at, status, error, latency_ms FROM attempts WHERE delivery_seq=?"
                    " ORDER BY attempt DESC LIMIT ?", (r["seq"], LOG_ATTEMPTS))]
                log.reverse()
                for a in log:
                    a["error"] = _clip(a["error"])
            item["log"] = log
            item["log_omitted"] = max(0, r["attempts"] - len(log)) if with_log else 0
            out.append(item)
        return out

    def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.store.transaction() as db:
            db.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - SEEN_TTL_S,))
            db.execute("DELETE FROM call_contacts WHERE at < ?", (now - SEEN_TTL_S,))
            cutoff = db.execute(
                "SELECT seq FROM deliveries WHERE state != 'pending' ORDER BY seq DESC LIMIT 1 OFFSET ?",
                (LOG_LIMIT,)).fetchone()
            if cutoff:
                db.execute("DELETE FROM attempts WHERE delivery_seq IN (SELECT seq FROM deliveries"
                           " WHERE seq <= ? AND state != 'pending')", (cutoff[0],))
                db.execute("DELETE FROM deliveries WHERE seq <= ? AND state != 'pending'", (cutoff[0],))

