"""Which extensions the host serves: exactly the ids `ucc-webhooks install --extension-id` wrote.

A browser tells the host who calls: Chromium passes `chrome-extension://ID/`, Firefox the
manifest's path and the add-on id. Only Firefox hands over the manifest, so the ids cannot be
read back from it on Chromium; `install` therefore writes them a second time, into
`allowed-callers.json` beside the launcher (same keys as the manifests: `allowed_origins`,
`allowed_extensions`). The launcher names that file in `UCC_WEBHOOKS_CALLERS_FILE`; a
launcher that does not (one written before this file existed, or Windows' old `.bat`) is served from
the per-user launcher folder's file, then the system one's, and without any file the two ids
this project ships are served, as before.

A caller refused is written to `refused-callers.json` in the data folder, so that `doctor` can
say "an extension with id X tried to connect" and give the `install --extension-id X` line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID

__all__ = [
    "CALLERS_ENV",
    "CALLERS_FILE_NAME",
    "DEFAULT_CALLERS",
    "REFUSED_FILE_NAME",
    "caller_of",
    "callers_file_candidates",
    "chromium_origin",
    "is_chromium_id",
    "is_firefox_id",
    "read_callers",
    "read_refused",
    "record_refused",
    "split_ids",
]

log = logging.getLogger("ucc_webhooks.native.callers")

CALLERS_FILE_NAME = "allowed-callers.json"
CALLERS_ENV = "UCC_WEBHOOKS_CALLERS_FILE"
REFUSED_FILE_NAME = "refused-callers.json"
REFUSED_KEEP = 20

_CHROMIUM_ID = re.compile(r"^[a-p]{32}$")
# Firefox add-on ids: an email-like string or a GUID in braces (addons.mozilla.org's two forms).
_FIREFOX_ID = re.compile(r"^([A-Za-z0-9._+-]{1,80}@[A-Za-z0-9.-]{1,80}|\{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\})$")


def chromium_origin(extension_id: str) -> str:
    return f"chrome-extension://{extension_id}/"


DEFAULT_CALLERS: dict[str, list[str]] = {
    "allowed_origins": [chromium_origin(CHROMIUM_EXTENSION_ID)],
    "allowed_extensions": [FIREFOX_EXTENSION_ID],
}


def is_chromium_id(text: str) -> bool:
    return bool(_CHROMIUM_ID.match(text))


def is_firefox_id(text: str) -> bool:
    return bool(_FIREFOX_ID.match(text))


def split_ids(ids: Iterable[str] | None) -> dict[str, list[str]]:
    """`--extension-id` values -> the two manifest keys. A family for which no id is given keeps
    the id this project ships, so naming only an enterprise Chromium id leaves Firefox working.
    Raises ValueError for a value that is neither a Chromium id nor a Firefox add-on id."""
    chromium: list[str] = []
    firefox: list[str] = []
    for raw in ids or []:
        text = raw.strip()
        origin = re.match(r"^chrome-extension://([a-p]{32})/?$", text)
        if origin:
            text = origin.group(1)
        if is_chromium_id(text):
            chromium.append(chromium_origin(text))
        elif is_firefox_id(text):
            firefox.append(text)
        else:
            raise ValueError(f"{raw!r} is no extension id: a Chromium id is 32 letters a-p "
                             "(chrome://extensions shows it), a Firefox id looks like name@example.org or {GUID}")
    return {
        "allowed_origins": list(dict.fromkeys(chromium)) or list(DEFAULT_CALLERS["allowed_origins"]),
        "allowed_extensions": list(dict.fromkeys(firefox)) or list(DEFAULT_CALLERS["allowed_extensions"]),
    }


def callers_file_candidates(env: Mapping[str, str] | None = None) -> list[Path]:
    env = os.environ if env is None else env
    if env.get(CALLERS_ENV):
        return [Path(env[CALLERS_ENV])]
    from ucc_webhooks.paths import launcher_dir

    return [launcher_dir(False, env) / CALLERS_FILE_NAME, launcher_dir(True, env) / CALLERS_FILE_NAME]


def read_callers(env: Mapping[str, str] | None = None) -> tuple[dict[str, list[str]], Path | None]:
    """The ids the host serves and the file they came from (None: no file, our own ids)."""
    for path in callers_file_candidates(env):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as e:
            log.warning("cannot read %s (%s): serving only the ids this project ships", path, e)
            return {k: list(v) for k, v in DEFAULT_CALLERS.items()}, None
        if isinstance(data, dict):
            return {key: [v for v in data.get(key) or [] if isinstance(v, str)] for key in DEFAULT_CALLERS}, path
    return {k: list(v) for k, v in DEFAULT_CALLERS.items()}, None


def caller_of(argv: list[str]) -> str | None:
    """Chromium: the `chrome-extension://ID/` argument; Firefox: the add-on id after the manifest path."""
    callers = [a for a in argv if a.startswith("chrome-extension://")]
    if callers:
        return callers[0]
    if len(argv) >= 2 and argv[0].endswith(".json"):
        return argv[1]
    return None


def record_refused(caller: str, data_dir: Path) -> None:
    """Best effort: a refused caller must never make the host fail differently."""
    import tempfile  # only for a refusal: not on the start of a host that serves

    path = data_dir / REFUSED_FILE_NAME
    try:
        seen = read_refused(data_dir)
        seen[caller] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        newest = dict(sorted(seen.items(), key=lambda kv: kv[1])[-REFUSED_KEEP:])
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{REFUSED_FILE_NAME}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(newest, f, indent=2)
        os.replace(tmp, path)
    except OSError as e:
        log.warning("cannot note the refused caller in %s: %s", path, e)


def read_refused(data_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((data_dir / REFUSED_FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}
