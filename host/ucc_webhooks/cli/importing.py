"""`ucc-webhooks import FILE`: idempotent, so a roll-out script can run it on every login.

A webhook in the file is matched to a stored one by its `id` (as `export` writes it), else by name +
trigger + URL. A match is updated only when something differs; the rest are added. Importing the
same file twice changes nothing. Header values and secrets that the file leaves out (`export`
without `--include-secrets` writes them empty) keep the stored values of a matched webhook, and
are listed in the report: a new webhook is imported without them, so fill them in afterwards
(`ucc-webhooks list` shows which). An import never removes a stored secret. `--replace` removes
your own webhooks that the file does not match. Nothing is written when any entry is invalid.
"""

from __future__ import annotations

import json
import sys

from ucc_webhooks.cli.usage import UsageError, validated_webhook
from ucc_webhooks.engine.models import MASK

__all__ = ["import_file"]

_STORE_OWNED = ("origin", "disabled_reason", "created_at", "updated_at")
_COMPARED = ("name", "trigger", "action", "url", "body", "content_type", "enabled", "headers", "secret", "conditions",
             "response_map", "contact_hosts", "fallback_url")


def _read(path: str) -> list:
    try:
        raw = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        data = json.loads(raw)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None
    items = data.get("webhooks") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UsageError("expected {\"webhooks\": [...]} as written by `ucc-webhooks export`")
    return items


def import_file(store, args) -> int:
    existing = store.list_webhooks()
    by_id = {w.id: w for w in existing}
    by_key = {(w.name, w.trigger, w.url): w for w in existing}
    plans = []  # (old webhook or None, checked input, label)
    left_out: list[str] = []
    for n, item in enumerate(_read(args.file), 1):
        if not isinstance(item, dict):
            raise UsageError(f"webhook #{n} is not an object (nothing was imported)")
        item = {k: v for k, v in item.items() if k not in _STORE_OWNED}
        old = by_id.get(item.get("id") or "") or by_key.get((item.get("name", ""), item.get("trigger"), item.get("url")))
        item["id"] = old.id if old else None
        label = item.get("name") or item.get("url") or f"#{n}"
        headers = {}
        for name, value in (item.get("headers") or {}).items():
            if value and value != MASK:
                headers[name] = value
            elif old and name in old.headers:
                headers[name] = MASK  # keep the stored value
            else:
                left_out.append(f"{label}: value of header {name}")
        item["headers"] = headers
        if item.get("secret") == MASK:  # `export` without --include-secrets: there is one, not written
            if not (old and old.secret):
                item["secret"] = None
                left_out.append(f"{label}: signing secret")
        elif not item.get("secret"):
            item["secret"] = MASK if old and old.secret else None  # an import never removes a secret
        try:
            checked = validated_webhook(item)
        except UsageError as exc:
            raise UsageError(f"webhook #{n}: {exc} (nothing was imported)") from None
        plans.append((old, checked))
    matched = {old.id for old, _ in plans if old}
    report: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": [], "removed": [], "left_out": left_out}
    if args.replace:
        for w in existing:
            if w.id not in matched:
                store.delete_webhook(w.id)
                report["removed"].append(w.id)
    for old, checked in plans:
        if old and _same(old, checked):
            report["unchanged"].append(old.id)
            continue
        webhook, _ = store.save_webhook(checked)
        report["updated" if old else "added"].append(webhook.id)
    if getattr(args, "json", False):
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    counts = ", ".join(f"{len(report[k])} {k}" for k in ("added", "updated", "unchanged", "removed") if report[k] or k != "removed")
    print(f"imported: {counts}")
    if left_out:
        print("left out of the file (fill them in, e.g. `ucc-webhooks add` again or the popup):")
        for what in left_out:
            print(f"  {what}")
    return 0


def _same(old, new) -> bool:
    for field in _COMPARED:
        value = getattr(new, field)
        if field == "headers":
            value = {k: old.headers.get(k, "") if v == MASK else v for k, v in value.items()}
        if field == "secret" and value == MASK:
            value = old.secret
        if field == "body" and new.action not in ("post", "lookup"):
            value = ""
        if getattr(old, field) != value:
            return False
    return True
