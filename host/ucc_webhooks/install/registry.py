"""The Windows registry keys that point browsers at the manifest; the key layout is data (tested on
any system), the writer is the seam (`WinRegWriter` only on Windows).

Brave and Vivaldi on Windows read Chrome's key (`Software\\Google\\Chrome\\NativeMessagingHosts`),
as KeePassXC's and browserpass's installers register them, so `registry_entries` gives both keys
for those two.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from ucc_webhooks.constants import HOST_NAME
from ucc_webhooks.install.browsers import Browser, registry_hive

__all__ = ["RegistryWriter", "WinRegWriter", "registry_entries"]


def registry_entries(browsers: Iterable[Browser], system: bool, manifest: Path) -> list[tuple[str, str, str]]:
    """(hive, key, default value) per browser: a subkey named after the host whose default value
    is the manifest's path, e.g. HKEY_CURRENT_USER, Software\\Chromium\\NativeMessagingHosts\\org.uccwebhooks.host."""
    return [(registry_hive(system), f"{b.registry}\\{HOST_NAME}", str(manifest)) for b in browsers if b.registry]


class RegistryWriter(Protocol):
    def set_default(self, hive: str, key: str, value: str) -> None: ...
    def get_default(self, hive: str, key: str) -> str | None: ...
    def delete_key(self, hive: str, key: str) -> None: ...


class WinRegWriter:
    """The real registry (Windows only). Browsers read the 64-bit and the 32-bit view of HKLM."""

    def _hive(self, hive: str):  # pragma: no cover - Windows only
        winreg: Any = importlib.import_module("winreg")  # Windows only; typed loosely so mypy passes elsewhere

        return getattr(winreg, hive)

    def set_default(self, hive: str, key: str, value: str) -> None:  # pragma: no cover - Windows only
        winreg: Any = importlib.import_module("winreg")  # Windows only; typed loosely so mypy passes elsewhere

        with winreg.CreateKeyEx(self._hive(hive), key, 0, winreg.KEY_WRITE) as k:
            winreg.SetValueEx(k, "", 0, winreg.REG_SZ, value)

    def get_default(self, hive: str, key: str) -> str | None:  # pragma: no cover - Windows only
        winreg: Any = importlib.import_module("winreg")  # Windows only; typed loosely so mypy passes elsewhere

        try:
            with winreg.OpenKey(self._hive(hive), key) as k:
                return winreg.QueryValueEx(k, "")[0]
        except OSError:
            return None

    def delete_key(self, hive: str, key: str) -> None:  # pragma: no cover - Windows only
        winreg: Any = importlib.import_module("winreg")  # Windows only; typed loosely so mypy passes elsewhere

        with contextlib.suppress(FileNotFoundError):
            winreg.DeleteKey(self._hive(hive), key)
