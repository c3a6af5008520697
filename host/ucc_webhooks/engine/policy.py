"""The administrator's policy file: the installation-wide `WEBHOOKS_ENABLED` switch and presets.

```json
{"WEBHOOKS_ENABLED": true,
 "webhooks": [{"id": "crm-pop", "name": "CRM", "trigger": "incoming_call_accepted",
               "action": "open_tab", "url": "https://crm.example.com/find?phone={caller_e164}"}]}
```
It is read at every event (a stat, and a parse when the file changed), never cached for the
life of the process. A file that exists but cannot be read or parsed switches webhooks off
("fail closed"): the administrator meant to control them, and doctor and the popup say why.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

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


def _parse(path: Path) -> Policy:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Policy(False, str(path), errors=[f"{path} is not valid JSON ({exc}); webhooks are off until it is fixed"])
    if not isinstance(data, dict):
        return Policy(False, str(path), errors=[f"{path} must hold a JSON object; webhooks are off until it is fixed"])
    enabled = data.get("WEBHOOKS_ENABLED", True)
    errors: list[str] = []
    if not isinstance(enabled, bool):
        errors.append(f"WEBHOOKS_ENABLED in {path} must be true or false, not {enabled!r}; treated as false")
        enabled = False
    presets, preset_errors = _presets(data.get("webhooks", []), path)
    return Policy(enabled, str(path), presets, errors + preset_errors)


def _presets(items: object, path: Path) -> tuple[list, list[str]]:
    from pydantic import ValidationError

    from ucc_webhooks.engine.models import Webhook, WebhookInput

    if not isinstance(items, list):
        return [], [f"\"webhooks\" in {path} must be a list"]
    presets, errors = [], []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.append(f"preset #{n} in {path} is not an object; skipped")
            continue
        given_id = str(item.get("id") or hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:12])
        try:
            data = WebhookInput.model_validate({k: v for k, v in item.items() if k != "id"})
        except ValidationError as exc:
            errors.append(f"preset #{n} ({given_id}) in {path} skipped: {exc.errors()[0]['msg']}")
            continue
        presets.append(Webhook(id="admin_" + given_id, origin="admin",
                               **data.model_dump(exclude={"id"}, exclude_none=True)))
    return presets, errors
