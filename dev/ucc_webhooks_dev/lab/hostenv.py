"""A throwaway home for the native host: data directory, policy file and HOME, all in one temp dir.

It registers the host into a browser profile the way a user would (`ucc-webhooks install`),
creates webhooks in the same store the host reads, flips the policy switch, and finds (and can
kill) the host processes a browser started for it. Nothing here touches the real home.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import ucc_webhooks

__all__ = ["HostCommandFailed", "HostEnv"]

_HOST_DIR = Path(ucc_webhooks.__file__).resolve().parents[1]  # the folder holding the runtime package


class HostCommandFailed(RuntimeError):
    """An `ucc-webhooks` command exited non-zero; the message carries its output."""


class HostEnv:
    """`env = HostEnv(tmp)`; `env.environ` is what the browser (and so the host) must inherit."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.policy_path = self.root / "policy.json"
        self.user_home = self.root / "home"
        self.user_home.mkdir(parents=True, exist_ok=True)

    @property
    def environ(self) -> dict[str, str]:
        """Variables for the browser's environment; the host it launches inherits them."""
        env = {
            "UCC_WEBHOOKS_HOME": str(self.data_dir),
            "UCC_WEBHOOKS_POLICY": str(self.policy_path),
            "HOME": str(self.user_home),
            "XDG_CONFIG_HOME": str(self.user_home / ".config"),
            "XDG_DATA_HOME": str(self.user_home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.user_home / ".cache"),
        }
        return env

    def cli(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run `python -m ucc_webhooks ARGS` with this environment (and the checkout on PYTHONPATH)."""
        env = {**os.environ, **self.environ}
        env["PYTHONPATH"] = str(_HOST_DIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        proc = subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], env=env, capture_output=True,
                              text=True, timeout=timeout, cwd=self.root)
        if check and proc.returncode != 0:
            raise HostCommandFailed(f"ucc-webhooks {' '.join(args)} exited {proc.returncode}\n"
                                    f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    # -- registration -----------------------------------------------------------------------
    def install_chromium(self, profile_dir: Path) -> str:
        """`ucc-webhooks install --browser chromium --profile-dir DIR`; returns its output."""
        return self.cli("install", "--browser", "chromium", "--profile-dir", str(profile_dir)).stdout

    def install_firefox(self) -> str:
        """`ucc-webhooks install --browser firefox` with HOME pointing into this env."""
        return self.cli("install", "--browser", "firefox").stdout

    # -- webhooks and policy ----------------------------------------------------------------
    def store(self):
        from ucc_webhooks.storage.database import Store

        return Store(self.data_dir)

    def add(self, trigger: str, action: str, url: str, *, body: str = "", content_type: str = "application/json",
            enabled: bool = True, name: str = "", headers: dict[str, str] | None = None, **fields: Any) -> Any:
        """Create a webhook in the host's store (what `ucc-webhooks add` does); returns it. `fields`:
        any other field of the webhook (`conditions`, `response_map`, `contact_hosts` ...)."""
        from ucc_webhooks.engine.models import WebhookInput

        store = self.store()
        try:
            webhook, _ = store.save_webhook(WebhookInput(
                trigger=trigger, action=action, url=url, body=body, content_type=content_type,
                enabled=enabled, name=name, headers=headers or {}, **fields))
            return webhook
        finally:
            store.close()

    def webhooks(self) -> list[Any]:
        store = self.store()
        try:
            return store.list_webhooks()
        finally:
            store.close()

    def clear(self) -> None:
        """Delete every user webhook."""
        store = self.store()
        try:
            for webhook in store.list_webhooks():
                store.delete_webhook(webhook.id)
        finally:
            store.close()

    def set_policy(self, webhooks_enabled: bool | None, presets: list[dict] | None = None) -> None:
        """Write the administrator's policy file: `WEBHOOKS_ENABLED` (left out when None) and
        preset webhooks; with neither, remove the file."""
        if webhooks_enabled is None and presets is None:
            self.policy_path.unlink(missing_ok=True)
            return
        policy: dict[str, Any] = {}
        if webhooks_enabled is not None:
            policy["WEBHOOKS_ENABLED"] = webhooks_enabled
        if presets is not None:
            policy["webhooks"] = presets
        self.policy_path.write_text(json.dumps(policy))

    # -- processes ----------------------------------------------------------------------------
    def host_pids(self) -> list[int]:
        """Running host processes whose environment names this env's data directory."""
        marker = f"UCC_WEBHOOKS_HOME={self.data_dir}".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"ucc_webhooks" in b" ".join(cmdline) and b"host" in cmdline and marker in environ:
                pids.append(int(entry.name))
        return pids

    def kill_hosts(self) -> list[int]:
        """SIGKILL the hosts of this env (as a crash would); returns their pids."""
        pids = self.host_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids
