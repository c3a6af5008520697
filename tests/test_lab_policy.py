"""`MachinePolicy` (the lab's machine-policy writer) in a temporary folder: it makes only what is
missing, never overwrites a policy that was there (Firefox reads one fixed name, `policies.json`),
and on leaving removes only its own file and folders, also when the block fails."""

from __future__ import annotations

import json

import pytest

from ucc_webhooks_dev.lab import policy as lab_policy
from ucc_webhooks_dev.lab.policy import MachinePolicy


@pytest.fixture(autouse=True)
def allowed(monkeypatch):
    monkeypatch.setattr(lab_policy, "may_write_machine_policy", lambda: None)  # no root, no /etc here


def test_writes_then_removes_the_file_and_the_folders_it_made(tmp_path):
    folder = tmp_path / "etc" / "firefox" / "policies"
    with MachinePolicy(folder, {"policies": {}}, file_name="policies.json") as path:
        assert path == folder / "policies.json" and json.loads(path.read_text()) == {"policies": {}}
        assert path.stat().st_mode & 0o777 == 0o644
    assert not (tmp_path / "etc").exists()


def test_an_existing_policy_is_refused_and_left_as_it_was(tmp_path):
    theirs = tmp_path / "policies.json"
    theirs.write_text('{"policies": {"DisableTelemetry": true}}')
    with pytest.raises(FileExistsError, match="not ours"), MachinePolicy(tmp_path, {"policies": {}}, "policies.json"):
        pytest.fail("the block must not run")
    assert theirs.read_text() == '{"policies": {"DisableTelemetry": true}}'


def test_removed_also_when_the_block_fails_but_not_a_file_put_in_its_place(tmp_path):
    folder = tmp_path / "policies"
    with pytest.raises(RuntimeError), MachinePolicy(folder, {}, "policies.json"):
        raise RuntimeError("the browser did not start")
    assert not folder.exists()
    with MachinePolicy(folder, {}, "policies.json") as path:
        path.unlink()
        path.write_text("{\"policies\": {}}")  # an administrator's file, written while the test ran
    assert path.read_text() == "{\"policies\": {}}"


def test_refused_without_permission(tmp_path, monkeypatch):
    monkeypatch.setattr(lab_policy, "may_write_machine_policy", lambda: "needs root")
    with pytest.raises(PermissionError), MachinePolicy(tmp_path / "p", {}):
        pass
    assert not (tmp_path / "p").exists()
