"""`ucc-webhooks extension pack`: a CRX3 signed by Chromium's own packer, with the UCC origins
granted and baked in, its update manifest, the policies, and the line for the desktops."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from ucc_webhooks.constants import FIREFOX_EXTENSION_ID, VERSION

UPDATE = "https://intranet.example.com/ucc/updates.xml"


def pack(tmp_path: Path, *extra: str, out: str = "out") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ucc_webhooks", "extension", "pack", "--key", str(tmp_path / "k.pem"),
                           "--update-url", UPDATE, "--out", str(tmp_path / out), *extra],
                          capture_output=True, text=True, timeout=180)


def crx_parts(path: Path) -> tuple[bytes, zipfile.ZipFile]:
    data = path.read_bytes()
    assert data[:4] == b"Cr24" and struct.unpack("<I", data[4:8])[0] == 3
    (size,) = struct.unpack("<I", data[8:12])
    return data[12 : 12 + size], zipfile.ZipFile(io.BytesIO(data[12 + size :]))


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pack")
    done = pack(tmp, "--ucc-origin", "https://ucc.example.com:8443/app", "--ucc-origin", "ucc2.example.com",
                "--queue-header", "X-Queue", "--json")
    assert done.returncode == 0, done.stderr
    return tmp, json.loads(done.stdout)


def test_key_is_made_private_and_the_id_is_the_keys(packed):
    tmp, info = packed
    key = tmp / "k.pem"
    assert info["key_created"] and key.stat().st_mode & 0o777 == 0o600
    if shutil.which("openssl"):
        der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], capture_output=True, check=True).stdout
        expected = "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(der).hexdigest()[:32])
        assert info["extension_id"] == expected
    again = pack(tmp, "--ucc-origin", "https://ucc.example.com", "--json", out="again")
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["extension_id"] == info["extension_id"] and not second["key_created"]


def test_crx_grants_and_bakes_in_the_origins_without_our_key(packed):
    _, info = packed
    _, zf = crx_parts(Path(info["files"]["crx"]))
    manifest = json.loads(zf.read("manifest.json"))
    origins = ["https://ucc.example.com/*", "https://ucc2.example.com/*"]
    assert info["ucc_origins"] == origins
    assert manifest["host_permissions"] == origins and "key" not in manifest and manifest["version"] == VERSION
    assert json.dumps(origins) in zf.read("bg/defaults.js").decode()
    with zipfile.ZipFile(info["files"]["xpi"]) as xpi:
        assert json.loads(xpi.read("manifest.json"))["host_permissions"] == origins
    # force-installed: the caller card's notifications without a prompt
    assert "notifications" in manifest["permissions"] and "optional_permissions" not in manifest


def test_only_the_enterprise_build_grants_notifications(tmp_path):
    """The store build keeps `notifications` optional (asked for when the user switches the caller card
    on): a new permission with a warning would disable the extension for every user who updates."""
    from ucc_webhooks.release.bundle import extension_source, stage_extension
    from ucc_webhooks.release.policies import managed_settings

    shipped = json.loads((extension_source() / "manifest.json").read_text())
    assert shipped["optional_permissions"] == ["notifications"] and "notifications" not in shipped["permissions"]
    store = stage_extension(tmp_path / "store")
    assert store["optional_permissions"] == ["notifications"] and "notifications" not in store["permissions"]
    enterprise = stage_extension(tmp_path / "enterprise", ["https://ucc.example.com/*"], grant=("notifications", "tabs"))
    assert enterprise["permissions"] == [*shipped["permissions"], "notifications"], "only optional ones are granted"
    assert json.loads((tmp_path / "enterprise" / "manifest.json").read_text()) == enterprise
    assert "callerCard" not in managed_settings([], None, None, True)
    done = pack(tmp_path, "--ucc-origin", "https://ucc.example.com", "--caller-card", "--json")
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)["files"]
    assert json.loads(Path(files["chromium_linux"]).read_text())["3rdparty"]["extensions"].popitem()[1]["callerCard"] is True
    assert '"callerCard"=dword:00000001' in Path(files["chrome_windows"]).read_text()
    assert json.loads(Path(files["firefox"]).read_text())["policies"]["3rdparty"]["Extensions"][FIREFOX_EXTENSION_ID]["callerCard"] is True


def test_update_manifest_and_policies(packed):
    _, info = packed
    ext = info["extension_id"]
    app = ET.parse(info["files"]["update_manifest"]).getroot()[0]
    assert app.get("appid") == ext
    check = app[0]
    assert check.get("codebase") == "https://intranet.example.com/ucc/ucc-webhooks.crx" and check.get("version") == VERSION
    settings = {"uccOrigins": info["ucc_origins"], "WEBHOOKS_ENABLED": True, "queueRule": {"header": "X-Queue"}}
    for browser in ("chrome", "chromium", "edge"):
        policy = json.loads(Path(info["files"][f"{browser}_linux"]).read_text())
        assert policy == {"ExtensionInstallForcelist": [f"{ext};{UPDATE}"], "3rdparty": {"extensions": {ext: settings}}}
    reg = Path(info["files"]["edge_windows"]).read_text()
    assert "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\\ExtensionInstallForcelist]" in reg
    assert f'"1"="{ext};{UPDATE}"' in reg and '"WEBHOOKS_ENABLED"=dword:00000001' in reg
    assert '"queueRule"="{\\"header\\": \\"X-Queue\\"}"' in reg
    firefox = json.loads(Path(info["files"]["firefox"]).read_text())["policies"]
    assert firefox["ExtensionSettings"][FIREFOX_EXTENSION_ID] == {
        "installation_mode": "force_installed", "install_url": "https://intranet.example.com/ucc/ucc-webhooks.xpi"}
    assert firefox["3rdparty"]["Extensions"][FIREFOX_EXTENSION_ID] == settings
    assert info["install_command"] == f"ucc-webhooks install --extension-id {ext} --extension-id {FIREFOX_EXTENSION_ID}"


def test_the_printed_line_for_the_desktops(tmp_path):
    done = pack(tmp_path, "--ucc-origin", "https://ucc.example.com")
    assert done.returncode == 0, done.stderr
    assert "created" in done.stdout and "never commit it" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].strip().startswith("ucc-webhooks install --extension-id ")


@pytest.mark.parametrize("bad", [["--ucc-origin", "ftp://ucc.example.com"], ["--ucc-origin", "https://user:pw@ucc.example.com"],
                                 ["--ucc-origin", "https://ucc.example.com", "--crx-url", "file:///x.crx"]])
def test_bad_input_is_refused_before_anything_is_written(tmp_path, bad):
    done = pack(tmp_path, *bad)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert not (tmp_path / "k.pem").exists() and not (tmp_path / "out").exists()
