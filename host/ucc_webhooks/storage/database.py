"""The one SQLite database of a user: webhooks, settings, seen events, the outbox and its log.

SQLite in WAL mode gives atomic commits and lets the host and the CLI use the store at the same
time. The folder is 0700 and the files 0600: the store holds header values and signing secrets.
The schema carries a version and migrates forward in `_MIGRATIONS`, one step per version.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from ucc_webhooks.engine.errors import NotFound
from ucc_webhooks.engine.http_rules import unmask_url
from ucc_webhooks.engine.models import MASK, Settings, Webhook, WebhookInput
from ucc_webhooks.engine.signing import generate_secret
from ucc_webhooks.paths import DB_NAME, data_dir

__all__ = ["SCHEMA_VERSION", "NotFound", "Store", "StoreError"]



class StoreError(Exception):
    """Base of the store's errors; the message says what to do."""


_MIGRATIONS: list[str] = [
    # version 1
    """
    CREATE TABLE webhooks(id TEXT PRIMARY KEY, position INTEGER NOT NULL, data TEXT NOT NULL);
    CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE seen_events(call_id TEXT NOT NULL, trigger TEXT NOT NULL, seen_at REAL NOT NULL,
                             PRIMARY KEY(call_id, trigger)) WITHOUT ROWID;
    CREATE INDEX seen_events_age ON seen_events(seen_at);
    CREATE TABLE deliveries(
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT UNIQUE NOT NULL,
        webhook_id TEXT NOT NULL, webhook_name TEXT NOT NULL, trigger TEXT NOT NULL,
        action TEXT NOT NULL, call_id TEXT NOT NULL,
        method TEXT NOT NULL, url TEXT NOT NULL, headers TEXT NOT NULL, body BLOB, secret TEXT,
        state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, updated_at REAL NOT NULL, next_attempt_at REAL,
        expires_at REAL NOT NULL, last_status INTEGER, last_error TEXT, latency_ms REAL);
    CREATE INDEX deliveries_pending ON deliveries(state, webhook_id, seq);
    CREATE TABLE attempts(delivery_seq INTEGER NOT NULL, attempt INTEGER NOT NULL, at REAL NOT NULL,
                          status INTEGER, error TEXT, latency_ms REAL,
                          PRIMARY KEY(delivery_seq, attempt)) WITHOUT ROWID;
    """,
    # version 2: webhooks gain `conditions` (numbers / queues / min_duration). Webhooks are stored
    # as JSON documents, so the step writes the default into every stored one: each row then
    # says what it fires for, and a row without the field is known to predate conditions.
    """
    UPDATE webhooks SET data = json_set(data, '$.conditions', json('{"numbers": "any", "queues": [], "min_duration": null}'))
    WHERE json_extract(data, '$.conditions') IS NULL
    """,
    # version 3: a host claims a row before it sends it, so that two hosts on one store (Chrome
    # and Firefox open at once) never both send it; the claim lapses after the attempt's deadline.
    """
    ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
    ALTER TABLE deliveries ADD COLUMN claimed_until REAL;
    """,
    # version 4: the CRM loop. A lookup is a row of the log (never pending) with the contact it found;
    # each call's contact is kept apart, so that the call's later webhooks find it after a restart.
    """
    ALTER TABLE deliveries ADD COLUMN contact TEXT;
    CREATE TABLE call_contacts(call_id TEXT PRIMARY KEY, contact TEXT NOT NULL, at REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX call_contacts_age ON call_contacts(at)
    """,
]
SCHEMA_VERSION = len(_MIGRATIONS)


def _private_file(path: Path) -> None:
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


class Store:
    """Open with `Store()` (the user's data directory) or `Store(path_to_folder)`."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder else data_dir()
        try:
            # Only a folder the host creates is made private: UCC_WEBHOOKS_HOME may point at a
            # folder of the user's (their home, a shared one) whose mode is theirs to choose; the
            # files in it are 0600 either way.
            if not self.folder.exists():
                try:
                    self.folder.mkdir(parents=True, mode=0o700)
                    os.chmod(self.folder, 0o700)
                except FileExistsError:  # another process made it a moment ago
                    pass
            self.path = self.folder / DB_NAME
            _private_file(self.path)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory {self.folder}: {exc.strerror}; "
                "set UCC_WEBHOOKS_HOME to a writable folder or fix its permissions") from None
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self._webhooks: tuple[int, list[Webhook]] | None = None  # (data_version, webhooks)
        self._settings: tuple[int, Settings] | None = None  # (data_version, settings)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self._migrate()
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                os.chmod(extra, 0o600)

    def close(self) -> None:
        self.db.close()

    def sync_to_disk(self) -> None:
        """fsync the write-ahead log: what was committed survives a power cut from here on.

        Commits run with synchronous=NORMAL, which is safe against a crash of any process but
        leaves the last ones in the OS's cache; this is the missing fsync, done apart so that the
        host can run it in a thread while the event's requests already go out.
        """
        target = self.path.with_name(self.path.name + "-wal")
        if not target.exists():
            target = self.path
        fd = os.open(target, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def transaction(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; `durable` syncs to disk before returning (survives power loss)."""
        if durable:
            self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            if durable:
                self.db.execute("PRAGMA synchronous=NORMAL")

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer ucc-webhooks (schema {version}, this one knows "
                    f"{SCHEMA_VERSION}); upgrade with `pip install -U ucc-webhooks`")
            for step in range(version, SCHEMA_VERSION):
                for statement in filter(str.strip, _MIGRATIONS[step].split(";")):
                    db.execute(statement)
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- webhooks ---------------------------------------------------------------------------
    def list_webhooks(self) -> list[Webhook]:
        """All user webhooks; kept between calls until this store or another process (the CLI)
        changes the database, which `PRAGMA data_version` tells cheaply: this runs at every event."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._webhooks is not None and self._webhooks[0] == version:
            return list(self._webhooks[1])
        rows = self.db.execute("SELECT data FROM webhooks ORDER BY position, id").fetchall()
        webhooks = [Webhook.model_validate_json(r["data"]) for r in rows]
        self._webhooks = (version, webhooks)
        return list(webhooks)

    def get_webhook(self, webhook_id: str) -> Webhook:
        row = self.db.execute("SELECT data FROM webhooks WHERE id=?", (webhook_id,)).fetchone()
        if row is None:
            raise NotFound(f"no webhook with id {webhook_id!r}; `ucc-webhooks list` shows the ids",
                               reason="webhook_not_found", params={"id": webhook_id})
        return Webhook.model_validate_json(row["data"])

    def save_webhook(self, data: WebhookInput) -> tuple[Webhook, str | None]:
        """Create or update; returns the webhook and, when one was generated, the new secret in clear."""
        now = time.time()
        generated = None
        self._webhooks = None
        with self.transaction() as db:
            old = None
            if data.id:
                row = db.execute("SELECT data FROM webhooks WHERE id=?", (data.id,)).fetchone()
                if row is None:
                    raise NotFound(f"no webhook with id {data.id!r}; leave out the id to create a new one",
                                   reason="webhook_not_found", params={"id": str(data.id)})
                old = Webhook.model_validate_json(row["data"])
            headers = {k: (old.headers.get(k, "") if old and v == MASK else v) for k, v in data.headers.items()}
            secret = data.secret
            if secret == "generate":
                secret = generated = generate_secret()
            elif secret == MASK:
                secret = old.secret if old else None
            webhook = Webhook(
                id=data.id or "wh_" + secrets.token_hex(6),
                name=data.name, trigger=data.trigger, action=data.action,
                url=unmask_url(data.url, old.url if old else None),
                body=data.body if data.action in ("post", "lookup") else "", content_type=data.content_type,
                enabled=data.enabled, headers=headers, secret=secret, conditions=data.conditions, origin="user",
                response_map=data.response_map, contact_hosts=data.contact_hosts, fallback_url=data.fallback_url,
                # switching a webhook on again clears why it was switched off
                disabled_reason=None if data.enabled else (old.disabled_reason if old else None),
                created_at=old.created_at if old else now, updated_at=now,
            )
            if old:
                db.execute("UPDATE webhooks SET data=? WHERE id=?", (webhook.model_dump_json(), webhook.id))
            else:
                pos = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM webhooks").fetchone()[0]
                db.execute("INSERT INTO webhooks(id, position, data) VALUES (?,?,?)",
                           (webhook.id, pos, webhook.model_dump_json()))
        return webhook, generated

    def set_enabled(self, webhook_id: str, enabled: bool, reason: str | None = None) -> Webhook:
        self._webhooks = None
        with self.transaction() as db:
            row = db.execute("SELECT data FROM webhooks WHERE id=?", (webhook_id,)).fetchone()
            if row is None:
                raise NotFound(f"no webhook with id {webhook_id!r}; `ucc-webhooks list` shows the ids",
                               reason="webhook_not_found", params={"id": webhook_id})
            webhook = Webhook.model_validate_json(row["data"]).model_copy(
                update={"enabled": enabled, "disabled_reason": None if enabled else reason, "updated_at": time.time()})
            db.execute("UPDATE webhooks SET data=? WHERE id=?", (webhook.model_dump_json(), webhook_id))
        return webhook

    def delete_webhook(self, webhook_id: str) -> None:
        self._webhooks = None
        with self.transaction() as db:
            if db.execute("DELETE FROM webhooks WHERE id=?", (webhook_id,)).rowcount == 0:
                raise NotFound(f"no webhook with id {webhook_id!r}; `ucc-webhooks list` shows the ids",
                               reason="webhook_not_found", params={"id": webhook_id})
            # its pending deliveries end here, and no row keeps its headers or secret
            db.execute("UPDATE deliveries SET state='cancelled', last_error=?, next_attempt_at=NULL, updated_at=?"
                       " WHERE webhook_id=? AND state='pending'",
                       ("cancelled: the webhook was deleted", time.time(), webhook_id))
            db.execute("UPDATE deliveries SET headers='{}', secret=NULL WHERE webhook_id=?", (webhook_id,))

    # -- settings ---------------------------------------------------------------------------
    def get_settings(self) -> Settings:
        """Kept like the webhooks (see `list_webhooks`): `ucc-webhooks settings set` in another
        process reaches a running host at its next event."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._settings is not None and self._settings[0] == version:
            return self._settings[1]
        rows = self.db.execute("SELECT key, value FROM settings").fetchall()
        known = Settings.model_fields
        settings = Settings.model_validate({r["key"]: json.loads(r["value"]) for r in rows if r["key"] in known})
        self._settings = (version, settings)
        return settings

    def set_settings(self, changes: dict) -> Settings:
        current = self.get_settings()
        if isinstance(changes.get("proxy"), str):  # a masked proxy URL sent back keeps its password
            changes = {**changes, "proxy": unmask_url(changes["proxy"], current.proxy)}
        merged = Settings.model_validate({**current.model_dump(), **changes})
        with self.transaction() as db:
            for key, value in merged.model_dump().items():
                db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, json.dumps(value)))
        self._settings = None  # data_version counts only other connections' commits
        return merged
