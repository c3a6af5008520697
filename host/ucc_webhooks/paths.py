"""Where the host keeps its data, where `install` puts the launcher, and the policy file.

Every function reads the environment and the platform it is given (default: this process's),
so that `install`'s tests can lay out a macOS or Windows machine inside a temporary folder.
`UCC_WEBHOOKS_SYSTEM_ROOT` is put in front of system paths; it exists for tests and for staging
an image, never set it on a real desktop.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DB_NAME", "data_dir", "home_dir", "launcher_dir", "policy_path", "system_root", "under_root"]

#: The SQLite database in the data directory.
DB_NAME = "ucc-webhooks.sqlite3"

Env = Mapping[str, str]


def home_dir(env: Env | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())


def system_root(env: Env | None = None) -> Path:
    """Prefix for system paths: `/` on a real machine, a temporary folder in tests."""
    env = os.environ if env is None else env
    return Path(env.get("UCC_WEBHOOKS_SYSTEM_ROOT") or "/")


def under_root(env: Env, absolute: str) -> Path:
    """A system path (`/etc/...`, `/snap/bin/...`) below `system_root`."""
    return system_root(env) / absolute.lstrip("/")


def data_dir(env: Env | None = None, platform: str | None = None) -> Path:
    """`UCC_WEBHOOKS_HOME`, else the platform's per-user data directory."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if env.get("UCC_WEBHOOKS_HOME"):
        return Path(env["UCC_WEBHOOKS_HOME"])
    if platform == "win32":
        return Path(env.get("LOCALAPPDATA") or home_dir(env) / "AppData" / "Local") / "ucc-webhooks"
    if platform == "darwin":
        return home_dir(env) / "Library" / "Application Support" / "ucc-webhooks"
    return Path(env.get("XDG_DATA_HOME") or home_dir(env) / ".local" / "share") / "ucc-webhooks"


def launcher_dir(system: bool, env: Env | None = None, platform: str | None = None) -> Path:
    """Where `install` writes the launcher, the ids file (and on Windows the manifests the
    registry points to).

    Per user: `<data dir>/native-host/`, beside the user's own data, so that one folder holds all
    a user's UCC Webhooks state and `UCC_WEBHOOKS_HOME` moves both (tests, the demo's throwaway
    setup). For the whole system: a folder every user can read, never anyone's home:
    `/usr/local/lib/ucc-webhooks` (Linux), `/Library/Application Support/ucc-webhooks` (macOS),
    `%ProgramData%\\ucc-webhooks` (Windows).
    """
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not system:
        return data_dir(env, platform) / "native-host"
    if platform == "win32":
        return Path(env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData") / "ucc-webhooks"
    folder = "Library/Application Support/ucc-webhooks" if platform == "darwin" else "usr/local/lib/ucc-webhooks"
    return system_root(env) / folder


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
