"""What an administrator deploys: the update manifest Chromium polls, and the policies that
force-install the extension and fill its managed settings (`extension/managed_schema.json`).

Chrome, Chromium and Edge take the same policy names: `ExtensionInstallForcelist` ("<id>;<update
URL>") and, for the settings, `3rdparty.extensions.<id>` (Linux: a JSON file in the browser's
`policies/managed/` folder; Windows: registry values below `Software\\Policies\\<vendor>`, where
lists and objects are given as JSON text; macOS: a configuration profile with the same keys).
Firefox reads `policies.json`: `ExtensionSettings` with `installation_mode: force_installed` and
`3rdparty.Extensions.<id>`. It reads one such file only (Linux: `/etc/firefox/policies/`, else
`distribution/` beside the binary), so the snippet is a whole file, to be merged into a desktop's
existing one (proven in Firefox ESR by `tests/e2e/test_e2e_policy_firefox.py`).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

__all__ = ["chromium_policy", "firefox_policy", "managed_settings", "update_manifest", "windows_reg"]

LINUX_POLICY_DIRS = {
    "chrome": "/etc/opt/chrome/policies/managed",
    "chromium": "/etc/chromium/policies/managed",
    "edge": "/etc/opt/edge/policies/managed",
}
WINDOWS_POLICY_KEYS = {"chrome": r"SOFTWARE\Policies\Google\Chrome", "edge": r"SOFTWARE\Policies\Microsoft\Edge"}


def managed_settings(ucc_origins: list[str], queue_header: str | None, queue_pattern: str | None,
                     webhooks_enabled: bool, caller_card: bool = False) -> dict:
    settings: dict = {"uccOrigins": ucc_origins, "WEBHOOKS_ENABLED": webhooks_enabled}
    if caller_card:  # on for every desktop; without it each user switches it on (no prompt: the build has the permission)
        settings["callerCard"] = True
    rule = {k: v for k, v in (("header", queue_header), ("displayNamePattern", queue_pattern)) if v}
    if rule:
        settings["queueRule"] = rule
    return settings


def update_manifest(extension_id: str, crx_url: str, version: str) -> str:
    """The gupdate XML Chromium fetches from the update URL to learn the CRX's address and version."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n"
        f"  <app appid={quoteattr(extension_id)}>\n"
        f"    <updatecheck codebase={quoteattr(crx_url)} version={quoteattr(version)} />\n"
        "  </app>\n"
        "</gupdate>\n"
    )


def chromium_policy(extension_id: str, update_url: str, settings: dict) -> dict:
    return {
        "ExtensionInstallForcelist": [f"{extension_id};{update_url}"],
        "3rdparty": {"extensions": {extension_id: settings}},
    }


def firefox_policy(addon_id: str, xpi_url: str, settings: dict) -> dict:
    return {
        "policies": {
            "ExtensionSettings": {addon_id: {"installation_mode": "force_installed", "install_url": xpi_url}},
            "3rdparty": {"Extensions": {addon_id: settings}},
        }
    }


def _reg_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def windows_reg(browser: str, extension_id: str, update_url: str, settings: dict) -> str:
    """A .reg file (UTF-16 is what regedit writes; it reads this ASCII-safe text as well)."""
    base = f"HKEY_LOCAL_MACHINE\\{WINDOWS_POLICY_KEYS[browser]}"
    lines = ["Windows Registry Editor Version 5.00", "",
             f"[{base}\\ExtensionInstallForcelist]", f'"1"={_reg_string(f"{extension_id};{update_url}")}', "",
             f"[{base}\\3rdparty\\extensions\\{extension_id}\\policy]"]
    for key, value in settings.items():
        if isinstance(value, bool):
            lines.append(f'"{key}"=dword:{int(value):08x}')
        else:
            lines.append(f'"{key}"={_reg_string(json.dumps(value, ensure_ascii=True))}')
    return "\r\n".join(lines) + "\r\n"
