"""Where the host keeps its data and where the administrator's policy file lives."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["DB_NAME", "data_dir", "policy_path"]

#: The SQLite database in the data directory.
DB_NAME = "ucc-webhooks.sqlite3"


def data_dir() -> Path:
    """`UCC_WEBHOOKS_HOME`, else the platform's per-user data directory."""
    override = os.environ.get("UCC_WEBHOOKS_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "ucc-webhooks"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ucc-webhooks"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "ucc-webhooks"


def policy_path() -> Path:
    """`UCC_WEBHOOKS_POLICY`, else the system-wide file an administrator deploys."""
    override = os.environ.get("UCC_WEBHOOKS_POLICY")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "ucc-webhooks" / "policy.json"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/ucc-webhooks/policy.json")
    return Path("/etc/ucc-webhooks/policy.json")
