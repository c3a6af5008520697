"""`install` for the operating systems this machine is not: macOS folders, the Windows registry
and the Windows launcher (an executable: distlib's console stub, a `#!"python.exe"` line, a zip).

The stub itself is distlib's, the one pip puts in every `Scripts\\` folder; what is ours is the
line and the archive. The archive is run here with the local Python exactly as the stub runs it
on Windows (`python.exe <the .exe> <the browser's arguments>`), below a folder named `Jürgen`.
Expected paths are spelled out, not taken from `browsers.BROWSERS` (see tests/test_installer.py).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest
from test_installer import ORIGIN, expected_manifest

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME
from ucc_webhooks.install import files, installer, winlauncher
from ucc_webhooks.install import manifest as install_manifest
from ucc_webhooks.install.browsers import BROWSERS, available_on, manifest_dir

WINDOWS = {n: b for n, b in BROWSERS.items() if available_on(b, "win32")}

MAC_USER = {
    "chrome": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "edge": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    "brave": "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "vivaldi": "Library/Application Support/Vivaldi/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
    "chrome-beta": "Library/Application Support/Google/Chrome Beta/NativeMessagingHosts",
    "chrome-dev": "Library/Application Support/Google/Chrome Dev/NativeMessagingHosts",
    "chrome-canary": "Library/Application Support/Google/Chrome Canary/NativeMessagingHosts",
    "edge-beta": "Library/Application Support/Microsoft Edge Beta/NativeMessagingHosts",
    "edge-dev": "Library/Application Support/Microsoft Edge Dev/NativeMessagingHosts",
    "librewolf": "Library/Application Support/librewolf/NativeMessagingHosts",
    "waterfox": "Library/Application Support/Waterfox/NativeMessagingHosts",
    "opera": "Library/Application Support/com.operasoftware.Opera/NativeMessagingHosts",
    "arc": "Library/Application Support/Arc/User Data/NativeMessagingHosts",
    "zen": "Library/Application Support/Mozilla/NativeMessagingHosts",  # Firefox's: Zen reads it
}
MAC_SYSTEM = {
    "chrome": "Library/Google/Chrome/NativeMessagingHosts",
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "edge": "Library/Microsoft/Edge/NativeMessagingHosts",
    "brave": "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "vivaldi": "Library/Application Support/Vivaldi/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
    "chrome-beta": "Library/Google/Chrome/NativeMessagingHosts",
    "chrome-dev": "Library/Google/Chrome/NativeMessagingHosts",
    "chrome-canary": "Library/Google/Chrome/NativeMessagingHosts",
    "edge-beta": "Library/Microsoft/Edge/NativeMessagingHosts",
    "edge-dev": "Library/Microsoft/Edge/NativeMessagingHosts",
    "librewolf": "Library/Application Support/librewolf/NativeMessagingHosts",
    "waterfox": "Library/Application Support/Waterfox/NativeMessagingHosts",
    # Opera's documentation names Chrome's system folder; Arc documents none, Chrome's is used
    "opera": "Library/Google/Chrome/NativeMessagingHosts",
    "arc": "Library/Google/Chrome/NativeMessagingHosts",
    "zen": "Library/Application Support/Mozilla/NativeMessagingHosts",
}
REGISTRY = {
    "chrome": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "chromium": r"Software\Chromium\NativeMessagingHosts\org.uccwebhooks.host",
    "edge": r"Software\Microsoft\Edge\NativeMessagingHosts\org.uccwebhooks.host",
    # Brave and Vivaldi on Windows read Chrome's key (KeePassXC's installer registers them there)
    "brave": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "vivaldi": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "firefox": r"Software\Mozilla\NativeMessagingHosts\org.uccwebhooks.host",
    "chrome-beta": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "chrome-dev": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "chrome-canary": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "edge-beta": r"Software\Microsoft\Edge\NativeMessagingHosts\org.uccwebhooks.host",
    "edge-dev": r"Software\Microsoft\Edge\NativeMessagingHosts\org.uccwebhooks.host",
    "librewolf": r"Software\LibreWolf\NativeMessagingHosts\org.uccwebhooks.host",
    "waterfox": r"Software\Waterfox\NativeMessagingHosts\org.uccwebhooks.host",
    # Opera's documentation: Chrome's key. Zen reads Firefox's. Arc: no Windows entry.
    "opera": r"Software\Google\Chrome\NativeMessagingHosts\org.uccwebhooks.host",
    "zen": r"Software\Mozilla\NativeMessagingHosts\org.uccwebhooks.host",
}


@pytest.mark.parametrize("browser", list(MAC_USER))
def test_macos_folders(tmp_path, browser):
    env = {"HOME": str(tmp_path), "UCC_WEBHOOKS_SYSTEM_ROOT": str(tmp_path / "root")}
    b = BROWSERS[browser]
    assert manifest_dir(b, "user", env, "darwin") == [tmp_path / MAC_USER[browser]]
    assert manifest_dir(b, "system", env, "darwin") == [tmp_path / "root" / MAC_SYSTEM[browser]]


def test_registry_key_layout():
    manifest = Path("C:/ProgramData/ucc-webhooks/org.uccwebhooks.host.chromium.json")
    for system, hive in ((False, "HKEY_CURRENT_USER"), (True, "HKEY_LOCAL_MACHINE")):
        entries = installer.registry_entries(WINDOWS.values(), system, manifest)
        assert entries == [(hive, REGISTRY[b], str(manifest)) for b in WINDOWS]


class FakeRegistry:
    def __init__(self):
        self.keys: dict[tuple[str, str], str] = {}

    def set_default(self, hive, key, value):
        self.keys[(hive, key)] = value

    def get_default(self, hive, key):
        return self.keys.get((hive, key))

    def delete_key(self, hive, key):
        self.keys.pop((hive, key), None)


def test_windows_install_and_uninstall_through_the_registry_seam(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    monkeypatch.delenv("UCC_WEBHOOKS_HOME", raising=False)
    registry = FakeRegistry()
    args = Namespace(command="install", browser=["all"], system=False, profile_dir=None)
    assert installer.run(args, platform="win32", registry=registry) == 0
    folder = tmp_path / "Local/ucc-webhooks/native-host"
    launcher = folder / "ucc-webhooks-host.exe"
    chromium, firefox = folder / f"{HOST_NAME}.chromium.json", folder / f"{HOST_NAME}.firefox.json"
    assert registry.keys == {("HKEY_CURRENT_USER", REGISTRY[b]): str(firefox if BROWSERS[b].family == "firefox" else chromium) for b in WINDOWS}
    assert json.loads(chromium.read_text()) == expected_manifest("chromium", launcher)
    assert json.loads(firefox.read_text()) == expected_manifest("firefox", launcher)
    assert launcher.read_bytes().startswith(b"MZ")
    assert json.loads((folder / "allowed-callers.json").read_text())["allowed_origins"] == [ORIGIN]

    args.command, args.browser = "uninstall", ["chrome"]
    assert installer.run(args, platform="win32", registry=registry) == 0
    assert ("HKEY_CURRENT_USER", REGISTRY["chrome"]) not in registry.keys
    assert chromium.exists()  # Chromium, Edge, Brave, Vivaldi still point at it
    args.browser = ["all"]
    assert installer.run(args, platform="win32", registry=registry) == 0
    assert registry.keys == {}
    assert not chromium.exists() and not firefox.exists() and not launcher.exists()


def test_windows_profile_dir_is_refused_with_what_works(tmp_path, capsys):
    args = Namespace(command="install", browser=["chrome"], system=False, profile_dir=tmp_path)
    assert installer.run(args, platform="win32", registry=FakeRegistry()) == 2
    assert "registry" in capsys.readouterr().err


def test_macos_and_windows_have_no_browser_linux_lacks_except_arc():
    linux_only_missing = [n for n, b in BROWSERS.items() if not available_on(b, "linux")]
    assert linux_only_missing == ["arc"]
    assert set(MAC_USER) == set(BROWSERS)
    assert set(REGISTRY) == set(WINDOWS) == set(BROWSERS) - {"arc"}


def test_arc_on_linux_is_refused_with_what_works(env):
    done = subprocess.run([sys.executable, "-m", "ucc_webhooks", "install", "--browser", "arc"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Arc (macOS)" in done.stderr and "--manifest-dir" in done.stderr


# --- the Windows launcher ---

JUERGEN_PYTHON = r"C:\Users\Jürgen\AppData\Local\Programs\Python\Python313\python.exe"


def test_windows_launcher_is_distlibs_stub_a_utf8_line_and_an_archive():
    exe = winlauncher.build(JUERGEN_PYTHON, pinned_home=r"D:\Daten\Jürgen", callers_file=r"C:\Users\Jürgen\ids.json")
    stub = (Path(__import__("distlib").__file__).parent / "t64.exe").read_bytes()
    assert exe.startswith(stub) and stub.startswith(b"MZ")
    line = exe[len(stub):].split(b"\r\n", 1)[0]
    # the stub decodes this line as UTF-8 (MultiByteToWideChar(CP_UTF8)) and runs what is quoted
    assert line.decode("utf-8") == f'#!"{JUERGEN_PYTHON}"'
    with zipfile.ZipFile(__import__("io").BytesIO(exe)) as z:
        main = z.read("__main__.py")
    assert main.isascii()  # whatever the folder's letters: nothing for a code page to get wrong
    assert r"D:\\Daten\\J\xfcrgen" in main.decode() and "'host', *sys.argv[1:]" in main.decode()
    assert install_manifest.launcher_name("win32") == "ucc-webhooks-host.exe"


def test_windows_launcher_for_arm64_uses_the_arm_stub():
    assert winlauncher.stub_name("ARM64") == "t64-arm.exe" and winlauncher.stub_name("AMD64") == "t64.exe"


def test_windows_launcher_archive_serves_hello_below_a_non_ascii_folder(tmp_path):
    folder = tmp_path / "Users" / "Jürgen" / "AppData" / "Local" / "ucc-webhooks" / "native-host"
    folder.mkdir(parents=True)
    home = tmp_path / "Users" / "Jürgen" / "Daten"
    callers = folder / "allowed-callers.json"
    callers.write_text(json.dumps({"allowed_origins": [ORIGIN], "allowed_extensions": [FIREFOX_EXTENSION_ID]}))
    exe = folder / "ucc-webhooks-host.exe"
    exe.write_bytes(winlauncher.build(sys.executable, pinned_home=str(home), callers_file=str(callers)))
    body = json.dumps({"id": 7, "type": "hello", "extension_version": "test"}).encode()
    # As the stub starts it: python, the .exe as the script, then Chrome's arguments on Windows.
    out = subprocess.run([sys.executable, str(exe), ORIGIN, "--parent-window=0"],
                         input=struct.pack("@I", len(body)) + body, capture_output=True, timeout=30, cwd="/",
                         env={"PATH": "/usr/bin:/bin"})
    (length,) = struct.unpack("@I", out.stdout[:4])
    assert json.loads(out.stdout[4 : 4 + length])["result"]["host_version"], out.stderr
    assert home.is_dir()  # the pinned data folder, with its ü, is where the host keeps its store
    refused = subprocess.run([sys.executable, str(exe), f"chrome-extension://{'b' * 32}/"], input=b"",
                             capture_output=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    assert refused.returncode == 1, "the ids file the launcher names was not the one the host read"
    assert CHROMIUM_EXTENSION_ID not in refused.stderr.decode()


def test_windows_install_replaces_a_running_launcher_and_the_old_bat(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    monkeypatch.delenv("UCC_WEBHOOKS_HOME", raising=False)
    folder = tmp_path / "Local/ucc-webhooks/native-host"
    folder.mkdir(parents=True)
    (folder / "ucc-webhooks-host.bat").write_text("@echo off\r\n")
    args = Namespace(command="install", browser=["chrome"], system=False, profile_dir=None)
    assert installer.run(args, platform="win32", registry=FakeRegistry()) == 0
    launcher = folder / "ucc-webhooks-host.exe"
    assert not (folder / "ucc-webhooks-host.bat").exists()
    first = launcher.read_bytes()

    # Windows refuses to delete a running .exe but lets it be renamed: the browser keeps its host.
    real_unlink = Path.unlink

    def running(self, missing_ok=False):
        if ".exe.old-" in self.name:
            raise PermissionError(13, "in use", str(self))
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", running)
    monkeypatch.setattr(files, "python_for_launcher", lambda: r"C:\Python314\python.exe")  # a new first line
    assert installer.run(args, platform="win32", registry=FakeRegistry()) == 0
    assert launcher.read_bytes() != first
    (aside,) = folder.glob("ucc-webhooks-host.exe.old-*")
    assert aside.read_bytes() == first
    monkeypatch.setattr(Path, "unlink", real_unlink)  # the browser has closed it
    assert installer.run(args, platform="win32", registry=FakeRegistry()) == 0
    assert not list(folder.glob("*.old-*"))


def test_install_json_reports_every_file_and_key(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    monkeypatch.delenv("UCC_WEBHOOKS_HOME", raising=False)
    registry = FakeRegistry()
    args = Namespace(command="install", browser=["chrome", "firefox"], system=False, profile_dir=None, json=True)
    assert installer.run(args, platform="win32", registry=registry) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["exit_code"] == 0 and report["error"] is None
    statuses = {(i["who"], i["status"], Path(i["path"]).name) for i in report["items"]}
    assert ("launcher", "written", "ucc-webhooks-host.exe") in statuses
    assert ("chrome", "written", f"{HOST_NAME}.chromium.json") in statuses
    assert {i["path"] for i in report["items"] if i["who"] == "firefox"} >= {
        f"HKEY_CURRENT_USER\\{REGISTRY['firefox']}"}
    args.command = "uninstall"
    assert installer.run(args, platform="win32", registry=registry) == 0
    removed = json.loads(capsys.readouterr().out)
    assert {i["who"] for i in removed["items"] if i["status"] == "removed"} >= {"chrome", "firefox", "launcher"}
    assert registry.keys == {}


def test_windows_install_without_distlib_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    monkeypatch.delenv("UCC_WEBHOOKS_HOME", raising=False)
    monkeypatch.setitem(sys.modules, "distlib", None)  # as if the package were not installed
    args = Namespace(command="install", browser=["chrome"], system=False, profile_dir=None, json=True)
    assert installer.run(args, platform="win32", registry=FakeRegistry()) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and "pip install distlib" in report["error"]
