"""The version is written once, in `ucc_webhooks.constants.VERSION`; everything else derives from
it (package metadata, `hello`, the CLI) or is checked against it here (the extension's manifest and
package.json, which cannot import Python)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

from ucc_webhooks.constants import VERSION

REPO = Path(__file__).resolve().parents[1]


def test_package_metadata_is_the_constant():
    assert importlib.metadata.version("ucc-webhooks") == VERSION


def test_extension_manifest_and_package_json_carry_the_same_version():
    assert json.loads((REPO / "extension" / "manifest.json").read_text())["version"] == VERSION
    assert json.loads((REPO / "package.json").read_text())["version"] == VERSION


def test_hello_and_the_cli_report_it(host):
    assert host.request("hello", extension_version=VERSION)["host_version"] == VERSION
    out = subprocess.run([sys.executable, "-m", "ucc_webhooks", "--version"], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["ucc-webhooks", VERSION]
