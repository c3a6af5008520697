"""`ucc-webhooks install` / `uninstall`, run as a user runs them, against a temporary HOME and system root.

Expected paths are spelled out here, not taken from `install_paths`, so that a wrong entry in the
browser table fails a test instead of agreeing with itself.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import struct
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest
from conftest import run_cli

from ucc_webhooks import paths
from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME
from ucc_webhooks.install import installer
from ucc_webhooks.install import manifest as install_manifest
from ucc_webhooks.install.browsers import BROWSERS, data_dir

REPO = Path(__file__).resolve().parents[1]
ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"
NAME = f"{HOST_NAME}.json"

USER_DIRS = {
    "chrome": ".config/google-chrome/NativeMessagingHosts",
    "chromium": ".config/chromium/NativeMessagingHosts",
    "edge": ".config/microsoft-edge/NativeMessagingHosts",
    "brave": ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "vivaldi": ".config/vivaldi/NativeMessagingHosts",
    "firefox": ".mozilla/native-messaging-hosts",
    "chrome-beta": ".config/google-chrome-beta/NativeMessagingHosts",
    "chrome-dev": ".config/google-chrome-unstable/NativeMessagingHosts",
    "chrome-canary": ".config/google-chrome-canary/NativeMessagingHosts",
    "edge-beta": ".config/microsoft-edge-beta/NativeMessagingHosts",
    "edge-dev": ".config/microsoft-edge-dev/NativeMessagingHosts",
    "librewolf": ".librewolf/native-messaging-hosts",
    "waterfox": ".waterfox/native-messaging-hosts",
    "opera": ".config/opera/NativeMessagingHosts",
    "zen": ".mozilla/native-messaging-hosts",  # Zen reads Firefox's folder
}
SYSTEM_DIRS = {
    "chrome": "etc/opt/chrome/native-messaging-hosts",
    "chromium": "etc/chromium/native-messaging-hosts",
    "edge": "etc/opt/edge/native-messaging-hosts",
    "brave": "etc/opt/chrome/native-messaging-hosts",
    "vivaldi": "etc/opt/chrome/native-messaging-hosts",
    "firefox": "usr/lib/mozilla/native-messaging-hosts",
    "chrome-beta": "etc/opt/chrome/native-messaging-hosts",
    "chrome-dev": "etc/opt/chrome/native-messaging-hosts",
    "chrome-canary": "etc/opt/chrome/native-messaging-hosts",
    "edge-beta": "etc/opt/edge/native-messaging-hosts",
    "edge-dev": "etc/opt/edge/native-messaging-hosts",
    "librewolf": "usr/lib/librewolf/native-messaging-hosts",
    "waterfox": "usr/lib/waterfox/native-messaging-hosts",
    "opera": "etc/opt/chrome/native-messaging-hosts",
    "zen": "usr/lib/mozilla/native-messaging-hosts",
}
def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`ucc-webhooks ARGS` with exactly `env`: `doctor` as a process, as a user runs it (it keeps
    what it learnt for the one run it is); install and uninstall by the CLI's main in this process."""
    if args[0] == "doctor":
        return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], env=env, capture_output=True, text=True,
                              timeout=60)
    return run_cli(*args, env=env)


def home(env) -> Path:
    return Path(env["HOME"])


def root(env) -> Path:
    return Path(env["UCC_WEBHOOKS_SYSTEM_ROOT"])


def user_launcher(env) -> Path:
    return home(env) / ".local/share/ucc-webhooks/native-host/ucc-webhooks-host"


def expected_manifest(browser: str, launcher: Path) -> dict:
    firefox = browser in ("firefox", "librewolf", "waterfox", "zen")
    allowed = {"allowed_extensions": [FIREFOX_EXTENSION_ID]} if firefox else {"allowed_origins": [ORIGIN]}
    return {"name": HOST_NAME, "description": "UCC Webhooks: outgoing webhooks for the UCware UCC web client",
            "path": str(launcher), "type": "stdio", **allowed}


def test_templates_carry_our_ids_and_match_the_builtin_copy(monkeypatch):
    for family in ("chromium", "firefox"):
        on_disk = json.loads((REPO / "manifests" / f"{family}.json").read_text())
        monkeypatch.setattr(install_manifest, "_TEMPLATE_DIRS", (REPO / "no-such-folder",))
        assert install_manifest.load_template(family) == on_disk
        monkeypatch.undo()
        assert on_disk == expected_manifest(family, Path("@LAUNCHER@"))


@pytest.mark.parametrize("browser", list(USER_DIRS))
def test_install_then_uninstall_per_user(env, browser):
    done = cli(env, "install", "--browser", browser)
    assert done.returncode == 0, done.stderr
    manifest = home(env) / USER_DIRS[browser] / NAME
    assert json.loads(manifest.read_text()) == expected_manifest(browser, user_launcher(env))
    assert os.access(user_launcher(env), os.X_OK)
    lines = done.stdout.splitlines()
    assert any(line.startswith(browser) and str(manifest) in line and "checked" in line for line in lines)
    assert not (root(env)).exists()  # per-user install writes nothing outside HOME

    gone = cli(env, "uninstall", "--browser", browser)
    assert gone.returncode == 0, gone.stderr
    assert not manifest.exists()
    assert not user_launcher(env).exists()


@pytest.mark.parametrize("browser", list(SYSTEM_DIRS))
def test_install_then_uninstall_system(env, browser):
    done = cli(env, "install", "--system", "--browser", browser)
    assert done.returncode == 0, done.stderr
    launcher = root(env) / "usr/local/lib/ucc-webhooks/ucc-webhooks-host"
    manifest = root(env) / SYSTEM_DIRS[browser] / NAME
    assert json.loads(manifest.read_text()) == expected_manifest(browser, launcher)
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o644
    assert stat.S_IMODE(launcher.stat().st_mode) == 0o755
    assert not (home(env) / ".config").exists()
    gone = cli(env, "uninstall", "--system", "--browser", browser)
    assert gone.returncode == 0
    assert not manifest.exists() and not launcher.exists()


def test_system_install_without_permission_names_the_command(env, tmp_path):
    if os.geteuid() == 0:  # root writes anywhere but into the kernel's folders
        if not Path("/sys/kernel").is_dir():
            pytest.skip("no /sys/kernel to stand for a folder root cannot write")
        env["UCC_WEBHOOKS_SYSTEM_ROOT"] = "/sys/kernel/ucc-webhooks-test"
    else:
        (tmp_path / "ro").mkdir(mode=0o500)
        env["UCC_WEBHOOKS_SYSTEM_ROOT"] = str(tmp_path / "ro")
    done = cli(env, "install", "--system", "--browser", "chrome")
    assert done.returncode == 1
    assert f"sudo {sys.executable} -m ucc_webhooks install --system --browser chrome" in done.stderr


def test_install_reports_a_file_that_does_not_check_out(env, monkeypatch, capsys):
    """`install` reads back what it wrote; a template gone wrong is caught there, not in the browser."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    real = installer.render_manifest
    monkeypatch.setattr(installer, "render_manifest",
                        lambda family, launcher, callers=None: real(family, launcher, callers).replace(ORIGIN, ORIGIN.rstrip("/")))
    args = Namespace(command="install", browser=["chromium"], system=False, profile_dir=None)
    assert installer.run(args, platform="linux") == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "trailing slash" in out


def test_firefox_system_writes_lib64_where_the_distribution_has_it(env):
    (root(env) / "usr/lib").mkdir(parents=True)
    (root(env) / "usr/lib64").mkdir()
    assert cli(env, "install", "--system", "--browser", "firefox").returncode == 0
    assert (root(env) / "usr/lib/mozilla/native-messaging-hosts" / NAME).is_file()
    assert (root(env) / "usr/lib64/mozilla/native-messaging-hosts" / NAME).is_file()


def test_all_installs_every_browser_with_one_launcher(env):
    done = cli(env, "install", "--browser", "all")
    assert done.returncode == 0, done.stderr
    for _browser, folder in USER_DIRS.items():
        assert json.loads((home(env) / folder / NAME).read_text())["path"] == str(user_launcher(env))
    assert len([line for line in done.stdout.splitlines() if "written" in line]) == 2 + len(USER_DIRS)  # launcher, ids file


def test_uninstall_keeps_the_launcher_while_another_browser_uses_it(env):
    assert cli(env, "install", "--browser", "chromium", "--browser", "firefox").returncode == 0
    gone = cli(env, "uninstall", "--browser", "chromium")
    assert user_launcher(env).exists()
    assert "kept" in gone.stdout
    cli(env, "uninstall", "--browser", "firefox")
    assert not user_launcher(env).exists()


def test_xdg_config_home_is_where_chromium_looks(env, tmp_path):
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    assert cli(env, "install", "--browser", "chromium").returncode == 0
    assert (tmp_path / "xdg/chromium/NativeMessagingHosts" / NAME).is_file()


def test_profile_dir_gets_its_own_manifest(env, tmp_path):
    profile = tmp_path / "profile"
    done = cli(env, "install", "--browser", "chromium", "--profile-dir", str(profile))
    assert done.returncode == 0, done.stderr
    assert json.loads((profile / "NativeMessagingHosts" / NAME).read_text()) == expected_manifest("chromium", user_launcher(env))
    assert not (home(env) / USER_DIRS["chromium"]).exists()
    assert cli(env, "uninstall", "--browser", "chromium", "--profile-dir", str(profile)).returncode == 0
    assert not (profile / "NativeMessagingHosts" / NAME).exists()


def test_profile_dir_for_firefox_alone_is_refused_with_what_works(env, tmp_path):
    done = cli(env, "install", "--browser", "firefox", "--profile-dir", str(tmp_path / "p"))
    assert done.returncode == 2
    assert "$HOME/.mozilla/native-messaging-hosts" in done.stderr and "HOME=" in done.stderr
    assert not (tmp_path / "p").exists()


def test_profile_dir_with_all_skips_firefox_and_says_why(env, tmp_path):
    done = cli(env, "install", "--browser", "all", "--profile-dir", str(tmp_path / "p"))
    assert done.returncode == 0
    assert any(line.startswith("firefox") and "skipped" in line for line in done.stdout.splitlines())
    assert not (home(env) / ".mozilla").exists()


def test_without_browser_installs_for_the_browsers_found(env, tmp_path):
    fake = tmp_path / "bin" / "firefox"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    done = cli(env, "install")
    assert done.returncode == 0, done.stderr
    assert (home(env) / USER_DIRS["firefox"] / NAME).is_file()
    assert not (home(env) / ".config").exists()


def test_without_browser_and_none_found_asks_for_one(env):
    done = cli(env, "install")
    assert done.returncode == 2
    assert "--browser" in done.stderr


def test_bad_browser_name_is_a_usage_error(env):
    assert cli(env, "install", "--browser", "netscape").returncode == 2


# --- the launcher ---

def test_launcher_runs_the_host_with_the_installing_python(env):
    assert cli(env, "install", "--browser", "chromium").returncode == 0
    text = user_launcher(env).read_text()
    assert text.startswith("#!/bin/sh\n")
    assert f'exec {shlex.quote(sys.executable)} -m ucc_webhooks host "$@"' in text
    body = json.dumps({"id": 1, "type": "hello", "extension_version": "test"}).encode()
    clean = {k: v for k, v in env.items() if k != "PATH"}  # a browser's PATH may lack our Python
    out = subprocess.run([str(user_launcher(env)), ORIGIN], input=struct.pack("@I", len(body)) + body,
                         capture_output=True, env=clean, timeout=30, cwd="/")
    (length,) = struct.unpack("@I", out.stdout[:4])
    reply = json.loads(out.stdout[4 : 4 + length])
    assert reply["id"] == 1 and reply["ok"] is True and reply["result"]["host_version"]


def fake_python(tmp_path: Path) -> Path:
    """Stands in for the interpreter: prints its arguments and the variables the launcher sets."""
    fake = tmp_path / "fake-python"
    fake.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                    "print(json.dumps({'argv': sys.argv[1:], 'home': os.environ.get('UCC_WEBHOOKS_HOME'),"
                    " 'path': os.environ.get('PATH'), 'pythonpath': os.environ.get('PYTHONPATH')}))\n")
    fake.chmod(0o755)
    return fake


def run_launcher(tmp_path, text: str, env: dict, *args: str) -> dict:
    launcher = tmp_path / "launcher"
    launcher.write_text(text)
    launcher.chmod(0o755)
    out = subprocess.run([str(launcher), *args], capture_output=True, text=True, env=env, timeout=30, check=True)
    return json.loads(out.stdout)


def test_launcher_passes_the_browsers_arguments_and_pins_the_data_folder(tmp_path):
    text = install_manifest.render_launcher("linux", str(fake_python(tmp_path)), pinned_home="/data/it's here")
    seen = run_launcher(tmp_path, text, {"PATH": "/usr/bin:/bin"}, "/x/manifest.json", FIREFOX_EXTENSION_ID)
    assert seen["argv"] == ["-m", "ucc_webhooks", "host", "/x/manifest.json", FIREFOX_EXTENSION_ID]
    assert seen["home"] == "/data/it's here"
    seen = run_launcher(tmp_path, text, {"PATH": "/usr/bin:/bin", "UCC_WEBHOOKS_HOME": "/elsewhere"}, ORIGIN)
    assert seen["home"] == "/elsewhere"  # the caller's own setting wins


def test_launcher_carries_the_checkout_when_the_package_is_not_installed(tmp_path):
    text = install_manifest.render_launcher("linux", str(fake_python(tmp_path)), pythonpath="/src/host")
    assert run_launcher(tmp_path, text, {"PATH": "/usr/bin:/bin"})["pythonpath"] == "/src/host"


def test_macos_launcher_puts_homebrew_on_path(tmp_path):
    text = install_manifest.render_launcher("darwin", str(fake_python(tmp_path)))
    seen = run_launcher(tmp_path, text, {"PATH": "/usr/bin:/bin"})
    assert seen["path"].split(":")[:3] == ["/opt/homebrew/bin", "/opt/homebrew/sbin", "/usr/local/bin"]
    assert seen["path"].endswith(":/usr/bin:/bin")
    assert "/opt/homebrew" not in install_manifest.render_launcher("linux", "/usr/bin/python3")


def test_data_folder_rule_agrees_with_the_hosts(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("UCC_WEBHOOKS_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert data_dir(dict(os.environ), sys.platform) == paths.data_dir()
    monkeypatch.setenv("UCC_WEBHOOKS_HOME", str(tmp_path / "x"))
    assert data_dir(dict(os.environ), sys.platform) == paths.data_dir() == tmp_path / "x"


# --- snap and flatpak ---

def test_snap_chromium_is_explained_not_written_into(env):
    (root(env) / "snap/bin").mkdir(parents=True)
    (root(env) / "snap/bin/chromium").write_text("")
    (home(env) / "snap/chromium/common/chromium").mkdir(parents=True)
    done = cli(env, "install", "--browser", "chromium")
    assert done.returncode == 0
    assert "snap" in done.stdout and "cannot start a program outside the snap" in done.stdout
    assert not list((home(env) / "snap").rglob("*.json"))


def test_snap_firefox_uses_the_ordinary_manifest_through_the_portal(env):
    (home(env) / "snap/firefox").mkdir(parents=True)
    done = cli(env, "install", "--browser", "firefox")
    assert "portal" in done.stdout
    assert (home(env) / USER_DIRS["firefox"] / NAME).is_file()


@pytest.mark.parametrize("browser, says", [("chrome", "flatpak-spawn --host"), ("firefox", "WebExtensions portal")])
def test_flatpak_is_explained_not_written_into(env, browser, says):
    app = home(env) / ".var/app" / BROWSERS[browser].flatpak
    app.mkdir(parents=True)
    done = cli(env, "install", "--browser", browser)
    assert "flatpak" in done.stdout and says in done.stdout
    assert list(app.rglob("*")) == []


def test_uninstall_without_browser_removes_from_all(env):
    assert cli(env, "install", "--browser", "edge", "--browser", "firefox").returncode == 0
    assert cli(env, "uninstall").returncode == 0
    assert not (home(env) / USER_DIRS["edge"] / NAME).exists()
    assert not (home(env) / USER_DIRS["firefox"] / NAME).exists()
    assert not user_launcher(env).exists()


def test_install_and_uninstall_json_for_roll_out_scripts(env):
    done = cli(env, "install", "--browser", "chromium", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # nothing but the one object on stdout
    assert (report["command"], report["ok"], report["exit_code"]) == ("install", True, 0)
    manifest = home(env) / USER_DIRS["chromium"] / NAME
    assert {"who": "chromium", "status": "written", "path": str(manifest)}.items() <= next(
        i for i in report["items"] if i["who"] == "chromium").items()
    assert report["message"].startswith("Done.")
    refused = cli(env, "install", "--browser", "arc", "--json")
    assert refused.returncode == 2 and json.loads(refused.stdout)["error"].startswith("error: not made for this operating system")
    gone = json.loads(cli(env, "uninstall", "--browser", "chromium", "--json").stdout)
    assert {(i["who"], i["status"]) for i in gone["items"]} >= {("chromium", "removed"), ("launcher", "removed")}
    assert not manifest.exists()


def test_uninstalling_zen_keeps_the_manifest_firefox_still_reads(env):
    assert cli(env, "install", "--browser", "firefox").returncode == 0
    manifest = home(env) / USER_DIRS["firefox"] / NAME
    (home(env) / ".mozilla/firefox").mkdir(parents=True)
    (home(env) / ".mozilla/firefox/profiles.ini").write_text("[General]\n")  # Firefox is installed here
    done = cli(env, "uninstall", "--browser", "zen")
    assert done.returncode == 0 and manifest.is_file()
    assert "kept" in done.stdout and "also read by firefox" in done.stdout
    assert cli(env, "uninstall", "--browser", "zen", "--browser", "firefox").returncode == 0
    assert not manifest.exists()
