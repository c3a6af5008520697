"""The administrator's policy file: the installation-wide `WEBHOOKS_ENABLED` switch and presets.

```json
{"WEBHOOKS_ENABLED": true,
 "webhooks": [{"id": "crm-pop", "name": "CRM", "trigger": "incoming_call_accepted",
               "action": "open_tab", "url": "https://crm.example.com/find?phone={caller_e164}"}]}
```
It is read at every event (a stat, and a parse when the file changed), never cached for the
life of the process. A file that exists but cannot be read or parsed switches webhooks off
("fail closed"): the administrator meant to control them, and doctor and the popup say why.
So does a file that breaks its schema: an unknown or misspelt key (`WEBHOOK_ENABLED`, a
lower-case `webhooks_enabled`), a switch that is not true/false, two presets with one id. A
preset that is itself invalid is skipped, with an error, and the others stay.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ucc_webhooks.engine.depth import MAX_DEPTH, too_deep
from ucc_webhooks.paths import policy_path

__all__ = ["Policy", "read_policy"]


@dataclass(frozen=True)
class Policy:
    webhooks_enabled: bool
    source: str  # the file, or "default" when there is none
    presets: list = field(default_factory=list)  # list[Webhook], origin "admin"
    errors: list[str] = field(default_factory=list)

    def notice(self) -> dict:
        return {"type": "policy", "webhooks_enabled": self.webhooks_enabled, "source": self.source,
                "errors": self.errors}


_cache: dict[Path, tuple[tuple[int, int], Policy]] = {}


def read_policy(path: Path | None = None) -> Policy:
    path = Path(path) if path else policy_path()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Policy(True, "default")
    except OSError as exc:
        return Policy(False, str(path), errors=[f"cannot read {path}: {exc.strerror}; webhooks are off until it is fixed"])
    key = (st.st_mtime_ns, st.st_size)
    hit = _cache.get(path)
    if hit and hit[0] == key:
        return hit[1]
    policy = _parse(path)
    _cache[path] = (key, policy)
    return policy


#: The keys a policy file may hold (its schema); anything else is an error, so that a misspelt
#: switch (`WEBHOOK_ENABLED`, `webhooks_enabled`) cannot leave webhooks silently on.
KEYS = ("WEBHOOKS_ENABLED", "webhooks")


def _parse(path: Path) -> Policy:
    off = "webhooks are off until it is fixed"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        return Policy(False, str(path), errors=[f"{path} is nested too deep to read; {off}"])
    except (OSError, ValueError) as exc:
        return Policy(False, str(path), errors=[f"{path} is not valid JSON ({exc}); {off}"])
    if not isinstance(data, dict):
        return Policy(False, str(path), errors=[f"{path} must hold a JSON object; {off}"])
    if too_deep(data):
        return Policy(False, str(path), errors=[f"{path} is nested deeper than {MAX_DEPTH} levels; {off}"])
    errors: list[str] = []
    for key in data:
        if key not in KEYS:
            near = next((k for k in KEYS if _near(key, k)), None)
            hint = f" (did you mean {near}?)" if near else f"; the keys are {', '.join(KEYS)}"
            errors.append(f"unknown key {key!r} in {path}{hint}; {off}")
    enabled = data.get("WEBHOOKS_ENABLED", True)
    if not isinstance(enabled, bool):
        errors.append(f"WEBHOOKS_ENABLED in {path} must be true or false, not {enabled!r}; treated as false")
    presets, preset_errors, duplicates = _presets(data.get("webhooks", []), path)
    errors += duplicates
    # fail closed on a schema error: the administrator meant to control webhooks
    enabled = enabled is True and not errors
    return Policy(enabled, str(path), presets, errors + preset_errors)


def _near(given: str, key: str) -> bool:
    """A key written in another case, or one or two letters off (WEBHOOK_ENABLED, webhook)."""
    import difflib

    return given.lower() == key.lower() or difflib.SequenceMatcher(None, given.upper(), key.upper()).ratio() >= 0.85


def _presets(items: object, path: Path) -> tuple[list, list[str], list[str]]:
    """(presets, errors of presets skipped, schema errors that switch webhooks off)."""
    import hashlib

    from pydantic import ValidationError

    from ucc_webhooks.engine.models import Webhook, WebhookInput

    if not isinstance(items, list):
        return [], [], [f"\"webhooks\" in {path} must be a list; webhooks are off until it is fixed"]
    presets, errors, duplicates = [], [], []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.append(f"preset #{n} in {path} is not an object; skipped")
            continue
        given_id = str(item.get("id") or hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:12])
        if given_id in seen:
            duplicates.append(f"two presets in {path} have the id {given_id!r}; ids must be unique, "
                              "the second is skipped; webhooks are off until it is fixed")
            continue
        seen.add(given_id)
        try:
            data = WebhookInput.model_validate({k: v for k, v in item.items() if k != "id"})
        except ValidationError as exc:
            errors.append(f"preset #{n} ({given_id}) in {path} skipped: {exc.errors()[0]['msg']}")
            continue
        presets.append(Webhook(id="admin_" + given_id, origin="admin",
                               **data.model_dump(exclude={"id"}, exclude_none=True)))
    return presets, errors, duplicates
