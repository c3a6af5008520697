"""`ucc-webhooks doctor`: one test per broken link it claims to detect, and the healthy chain.

Every test runs the command as a user does (`python -m ucc_webhooks doctor`) against a temporary
HOME, system root, policy file and data folder; the hello check talks real frames either to the
real host (through the installed launcher) or to a small fake host written here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from ucc_webhooks.constants import CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, HOST_NAME

ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"
NAME = f"{HOST_NAME}.json"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`ucc-webhooks ARGS` with exactly `env`: `doctor` as a process, as a user runs it (it keeps
    what it learnt for the one run it is); install and uninstall by the CLI's main in this process."""
    if args[0] == "doctor":
        return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], env=env, capture_output=True, text=True,
                              timeout=60)
    return run_cli(*args, env=env)


def chromium_manifest(env) -> Path:
    return Path(env["HOME"]) / ".config/chromium/NativeMessagingHosts" / NAME


def data_folder(env) -> Path:
    return Path(env["HOME"]) / ".local/share/ucc-webhooks"


@pytest.fixture
def installed(env):
    done = cli(env, "install", "--browser", "chromium")
    assert done.returncode == 0, done.stderr
    return env


def doctor(env, *args: str) -> tuple[int, list[str], str]:
    done = cli(env, "doctor", *args)
    return done.returncode, done.stdout.splitlines(), done.stdout


def line(lines: list[str], who: str, link: str) -> str:
    found = [i for i, text in enumerate(lines) if text.split()[:2] == [who, link]]
    assert found, f"no {who} {link} line in:\n" + "\n".join(lines)
    text = lines[found[0]]
    if found[0] + 1 < len(lines) and lines[found[0] + 1].lstrip().startswith("fix:"):
        text += "\n" + lines[found[0] + 1]
    return text


def edit_manifest(env, **changes) -> None:
    path = chromium_manifest(env)
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def fake_host(tmp_path: Path, body: str) -> Path:
    """A host in a few lines that speaks real frames; `body` decides what it answers."""
    script = tmp_path / "fake-host"
    script.write_text(f"""#!{sys.executable}
import json, struct, sys, time
def read():
    head = sys.stdin.buffer.read(4)
    if len(head) < 4:
        sys.exit(0)
    return json.loads(sys.stdin.buffer.read(struct.unpack("@I", head)[0]))
def send(message):
    data = json.dumps(message).encode()
    sys.stdout.buffer.write(struct.pack("@I", len(data)) + data)
    sys.stdout.buffer.flush()
open({str(tmp_path / 'argv.json')!r}, "w").write(json.dumps(sys.argv[1:]))
request = read()
open({str(tmp_path / 'request.json')!r}, "w").write(json.dumps(request))
{body}
read()
""")
    script.chmod(0o755)
    return script


HELLO_OK = 'send({"id": request["id"], "ok": True, "result": {"host_version": "9.9.9"}})'


# --- healthy ---

def test_healthy_chain_looks_good(installed):
    code, lines, out = doctor(installed, "--browser", "chromium")
    assert code == 0, out
    assert lines[-1] == "Looks good"
    order = [text.split()[:3] for text in lines[:-1]]
    assert order == [["chromium", "manifest", "ok"], ["chromium", "launcher", "ok"], ["chromium", "origin", "ok"],
                     ["chromium", "hello", "ok"], ["host", "ids", "note"], ["policy", "switch", "ok"], ["data", "folder", "ok"]]


def test_json_for_scripts(installed):
    done = cli(installed, "doctor", "--browser", "chromium", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"] is True
    assert [(c["who"], c["link"], c["ok"]) for c in report["checks"]][:4] == [
        ("chromium", "manifest", True), ("chromium", "launcher", True), ("chromium", "origin", True), ("chromium", "hello", True)]


def test_json_failure_carries_the_fix(env):
    done = cli(env, "doctor", "--browser", "chromium", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["ok"] is False
    assert report["checks"][0]["fix"] == "run `ucc-webhooks install --browser chromium`"


def test_without_browser_checks_the_browsers_that_have_a_manifest(installed):
    code, lines, out = doctor(installed)
    assert code == 0, out
    assert {text.split()[0] for text in lines[:-1]} == {"chromium", "host", "policy", "data"}


def test_profile_dir_checks_that_profiles_manifest(env, tmp_path):
    profile = tmp_path / "profile"
    assert cli(env, "install", "--browser", "chromium", "--profile-dir", str(profile)).returncode == 0
    code, lines, out = doctor(env, "--browser", "chromium", "--profile-dir", str(profile))
    assert code == 0, out
    assert str(profile / "NativeMessagingHosts" / NAME) in line(lines, "chromium", "manifest")


def test_system_manifest_is_found_and_its_fix_needs_root(env):
    assert cli(env, "install", "--system", "--browser", "edge").returncode == 0
    code, lines, out = doctor(env, "--browser", "edge")
    assert code == 0, out
    assert "(system)" in line(lines, "edge", "manifest")
    manifest = Path(env["UCC_WEBHOOKS_SYSTEM_ROOT"]) / "etc/opt/edge/native-messaging-hosts" / NAME
    manifest.write_text("{")
    code, lines, _ = doctor(env, "--browser", "edge")
    assert code == 1
    assert f"fix: run `sudo {sys.executable} -m ucc_webhooks install --system --browser edge`" in line(lines, "edge", "manifest")


def test_firefox_is_started_as_firefox_starts_it(env, tmp_path):
    assert cli(env, "install", "--browser", "firefox").returncode == 0
    manifest = Path(env["HOME"]) / ".mozilla/native-messaging-hosts" / NAME
    data = json.loads(manifest.read_text())
    data["path"] = str(fake_host(tmp_path, HELLO_OK))
    manifest.write_text(json.dumps(data))
    code, _lines, out = doctor(env, "--browser", "firefox")
    assert code == 0, out
    assert json.loads((tmp_path / "argv.json").read_text()) == [str(manifest), FIREFOX_EXTENSION_ID]


# --- one test per broken link ---

def test_missing_manifest(env):
    code, lines, out = doctor(env, "--browser", "chromium")
    assert code == 1
    text = line(lines, "chromium", "manifest")
    assert "FAIL" in text and "not found" in text
    assert "fix: run `ucc-webhooks install --browser chromium`" in text
    assert "Specified native messaging host not found." in out


def test_no_browser_registered_at_all(env):
    code, lines, out = doctor(env)
    assert code == 1
    assert "FAIL" in line(lines, "browsers", "manifest") and "ucc-webhooks install --browser" in out


def test_manifest_not_valid_json(installed):
    chromium_manifest(installed).write_text('{"name": "org.uccwebhooks.host",')
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "manifest")
    assert code == 1 and "FAIL" in text and "not valid JSON" in text
    assert "fix: run `ucc-webhooks install --browser chromium`" in text


def test_manifest_with_another_name(installed):
    edit_manifest(installed, name="org.other.host")
    code, lines, _ = doctor(installed, "--browser", "chromium")
    assert code == 1 and "org.other.host" in line(lines, "chromium", "manifest")


def test_origin_without_trailing_slash(installed):
    edit_manifest(installed, allowed_origins=[ORIGIN.rstrip("/")])
    code, lines, out = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "origin")
    assert code == 1 and "FAIL" in text and "trailing slash" in text
    assert "fix: run `ucc-webhooks install --browser chromium`" in text
    # Chromium rejects such a manifest as a whole (checked against the real browser in test_installer)
    assert "Specified native messaging host not found." in out and "forbidden" not in out


def test_origin_of_another_extension(installed):
    edit_manifest(installed, allowed_origins=["chrome-extension://" + "b" * 32 + "/"])
    code, lines, out = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "origin")
    assert code == 1 and "FAIL" in text and ORIGIN in text
    assert "Access to the specified native messaging host is forbidden." in out


def test_launcher_not_executable(installed):
    launcher = json.loads(chromium_manifest(installed).read_text())["path"]
    os.chmod(launcher, 0o644)
    code, lines, out = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "launcher")
    assert code == 1 and "FAIL" in text and "not executable" in text
    assert f"fix: run `chmod +x {launcher}`" in text
    assert "Native host has exited." in out


def test_launcher_missing(installed):
    os.unlink(json.loads(chromium_manifest(installed).read_text())["path"])
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "launcher")
    assert code == 1 and "does not exist" in text and "ucc-webhooks install --browser chromium" in text


def test_launcher_path_relative(installed):
    edit_manifest(installed, path="ucc-webhooks-host")
    code, lines, _ = doctor(installed, "--browser", "chromium")
    assert code == 1 and "not absolute" in line(lines, "chromium", "launcher")


def test_fake_host_answering_real_frames_passes(installed, tmp_path):
    edit_manifest(installed, path=str(fake_host(tmp_path, HELLO_OK)))
    code, lines, out = doctor(installed, "--browser", "chromium")
    assert code == 0, out
    assert "host 9.9.9 answered" in line(lines, "chromium", "hello")
    assert json.loads((tmp_path / "request.json").read_text()) == {"id": 1, "type": "hello", "extension_version": "doctor"}
    assert json.loads((tmp_path / "argv.json").read_text()) == [ORIGIN]


def test_notices_before_the_reply_are_skipped(installed, tmp_path):
    body = 'send({"type": "policy", "webhooks_enabled": True, "source": "default"})\n' + HELLO_OK
    edit_manifest(installed, path=str(fake_host(tmp_path, body)))
    code, _lines, out = doctor(installed, "--browser", "chromium")
    assert code == 0, out


def test_host_not_answering(installed, tmp_path):
    edit_manifest(installed, path=str(fake_host(tmp_path, "time.sleep(30)")))
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "hello")
    assert code == 1 and "FAIL" in text and "no answer within 2 s" in text
    assert "fix: run the launcher as the browser does" in text


def test_host_crashing_at_start(installed, tmp_path):
    edit_manifest(installed, path=str(fake_host(tmp_path, "sys.stderr.write('boom: no database\\n'); sys.exit(3)")))
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "hello")
    assert code == 1 and "exited (code 3)" in text and "boom: no database" in text


def test_host_answering_with_an_error(installed, tmp_path):
    body = 'send({"id": 1, "ok": False, "error": {"code": "internal", "message": "x"}})'
    edit_manifest(installed, path=str(fake_host(tmp_path, body)))
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "hello")
    assert code == 1 and "unexpected answer" in text and "internal" in text


def test_python_environment_gone(installed, tmp_path):
    launcher = Path(json.loads(chromium_manifest(installed).read_text())["path"])
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import ucc_webhooks_gone' \"$@\"\n")
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "chromium", "hello")
    assert code == 1 and "No module named" in text and "reinstall the package" in text


def test_policy_switched_off(installed):
    Path(installed["UCC_WEBHOOKS_POLICY"]).write_text('{"WEBHOOKS_ENABLED": false}')
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "policy", "switch")
    assert code == 1 and "FAIL" in text and "WEBHOOKS_ENABLED is false" in text
    assert '"WEBHOOKS_ENABLED": true' in text


def test_policy_file_broken(installed):
    Path(installed["UCC_WEBHOOKS_POLICY"]).write_text('{"WEBHOOKS_ENABLED": tru')
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "policy", "switch")
    assert code == 1 and "not valid JSON" in text and "fix: ask your administrator to repair" in text


def test_policy_on_passes(installed):
    Path(installed["UCC_WEBHOOKS_POLICY"]).write_text('{"WEBHOOKS_ENABLED": true}')
    code, lines, out = doctor(installed, "--browser", "chromium")
    assert code == 0, out and "true" in line(lines, "policy", "switch")


def test_policy_preset_skipped_is_a_note_for_the_administrator(installed):
    Path(installed["UCC_WEBHOOKS_POLICY"]).write_text(json.dumps(
        {"WEBHOOKS_ENABLED": True, "webhooks": [{"trigger": "no_such_trigger", "action": "get", "url": "https://x.example/"}]}))
    code, lines, out = doctor(installed, "--browser", "chromium")
    assert code == 0, out
    assert "ok" in line(lines, "policy", "switch")
    assert "note" in line(lines, "policy", "presets") and "preset #1" in line(lines, "policy", "presets")


def test_data_folder_open_to_others(installed, tmp_path):
    # The real host tightens the mode when it starts, so a fake one answers hello here.
    edit_manifest(installed, path=str(fake_host(tmp_path, HELLO_OK)))
    data_folder(installed).mkdir(parents=True, exist_ok=True)
    data_folder(installed).chmod(0o755)
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "data", "folder")
    assert code == 1 and "mode 755" in text and f"fix: run `chmod 700 {data_folder(installed)}`" in text


def test_data_folder_is_a_file(env, tmp_path):
    env["UCC_WEBHOOKS_HOME"] = str(tmp_path / "data")
    (tmp_path / "data").write_text("")
    code, lines, _ = doctor(env, "--browser", "chromium")
    assert code == 1 and "is not a folder" in line(lines, "data", "folder")


def test_data_folder_cannot_be_created(env, tmp_path):
    (tmp_path / "file").write_text("")
    env["UCC_WEBHOOKS_HOME"] = str(tmp_path / "file" / "data")
    code, lines, _ = doctor(env, "--browser", "chromium")
    text = line(lines, "data", "folder")
    assert code == 1 and "cannot be created" in text and "mkdir -p -m 700" in text


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners")
def test_data_folder_of_another_user(installed):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the folder away")
    os.chown(data_folder(installed), 65534, 65534)
    code, lines, _ = doctor(installed, "--browser", "chromium")
    text = line(lines, "data", "folder")
    assert code == 1 and "belongs to another user" in text and "sudo chown -R" in text


def test_data_folder_not_writable(env, tmp_path):
    """Root may write into any ordinary folder, so as root the folder is one of the kernel's
    (`/sys/kernel`: root's own, mode 755, refuses new files); otherwise our own, mode 500."""
    if os.geteuid() == 0:
        if not Path("/sys/kernel").is_dir():
            pytest.skip("no /sys/kernel to stand for an unwritable folder")
        folder = Path("/sys/kernel")
    else:
        folder = tmp_path / "data"
        folder.mkdir(mode=0o500)
    env["UCC_WEBHOOKS_HOME"] = str(folder)
    code, lines, _ = doctor(env, "--browser", "chromium")
    text = line(lines, "data", "folder")
    assert code == 1 and "FAIL" in text and "is not writable" in text and "chmod u+rwx" in text


def test_explain_prints_both_messages(env):
    done = cli(env, "doctor", "--explain")
    assert done.returncode == 0
    assert "Specified native messaging host not found." in done.stdout
    assert "Access to the specified native messaging host is forbidden." in done.stdout
    assert "Native host has exited." in done.stdout
    assert "--profile-dir" in done.stdout and "trailing slash" in done.stdout


def test_snap_chromium_is_noted(installed):
    (Path(installed["HOME"]) / "snap/chromium").mkdir(parents=True)
    code, lines, _out = doctor(installed, "--browser", "chromium")
    assert "note" in line(lines, "chromium", "snap")
    assert code == 0  # a note is not a failure: a native Chromium may be in use too


def test_manifests_readme_explains_the_same_messages():
    readme = (Path(__file__).resolve().parents[1] / "manifests" / "README.md").read_text()
    from ucc_webhooks.install import doctor as module

    for message in ("Specified native messaging host not found.", "Access to the specified native messaging host is forbidden.",
                    "No such native application org.uccwebhooks.host", "Native host has exited.",
                    "An unexpected error occurred"):
        assert message in readme and message in "".join(module.EXPLANATIONS.values())


def test_zen_shares_firefoxs_manifest_and_is_named_only_where_it_is_installed(env):
    assert cli(env, "install", "--browser", "firefox").returncode == 0
    _, lines, _ = doctor(env)
    assert any(text.split()[:1] == ["firefox"] for text in lines)
    assert not any(text.split()[:1] == ["zen"] for text in lines), "\n".join(lines)
    (Path(env["HOME"]) / ".zen").mkdir()
    (Path(env["HOME"]) / ".zen/profiles.ini").write_text("[General]\n")
    _, lines, _ = doctor(env)
    assert line(lines, "zen", "manifest").split()[2] == "ok"


def test_doctor_on_a_browser_of_another_system_says_so(env):
    code, _, out = doctor(env, "--browser", "arc")
    assert code != 0 and "Arc does not exist on this operating system" in out
