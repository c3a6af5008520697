"""Frames and files an attacker or a broken browser could send: none of them ends the host."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

from conftest import write_policy

from ucc_webhooks_dev.lab.host_client import HostClient

HOST = [sys.executable, "-m", "ucc_webhooks", "host"]


def frame(data: bytes) -> bytes:
    return struct.pack("@I", len(data)) + data


def test_a_frame_of_nested_brackets_gets_an_error_and_the_host_lives(host):
    host.send_raw(frame(b"[" * 2048))
    [reply] = host.wait_unmatched(1)
    assert reply["error"]["code"] == "invalid_json" and "nested too deep" in reply["error"]["message"]
    assert host.request("hello", extension_version="0")["host_version"]


def test_deep_nesting_inside_a_valid_request_is_refused(host):
    deep: object = "x"
    for _ in range(500):
        deep = {"a": deep}
    host.send_raw(frame(json.dumps({"id": 7, "type": "webhooks.save", "webhook": deep}).encode()))
    [reply] = host.wait_unmatched(1)
    assert reply["error"]["code"] == "invalid_json"
    assert host.request("settings.get")["settings"]


def test_a_policy_nested_3000_deep_fails_closed_with_a_reason(home, policy_file):
    policy_file.write_text('{"webhooks": ' + "[" * 3000 + "]" * 3000 + "}")
    with HostClient() as host:
        hello = host.request("hello", extension_version="0")
        assert hello["webhooks_enabled"] is False
        assert "nested" in hello["policy"]["errors"][0]
        assert host.request("hello", extension_version="0")["webhooks_enabled"] is False
        assert host.close() == 0


def test_host_help_prints_usage_and_exits(home):
    done = subprocess.run([*HOST, "--help"], stdin=subprocess.PIPE, capture_output=True, timeout=20)
    assert done.returncode == 0 and b"usage: ucc-webhooks host" in done.stdout


def test_host_on_dev_null_exits_at_once(home):
    done = subprocess.run([*HOST], stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert done.returncode == 0 and done.stdout == b""


def test_host_on_a_regular_file_reads_it_and_exits(home, tmp_path):
    path = tmp_path / "frames"
    path.write_bytes(frame(json.dumps({"id": 1, "type": "hello"}).encode()))
    with path.open("rb") as stdin:
        done = subprocess.run([*HOST], stdin=stdin, capture_output=True, timeout=20)
    assert done.returncode == 0 and b'"host_version"' in done.stdout


def test_host_with_a_closed_stdin_exits_at_once(home):
    done = subprocess.run([*HOST], stdin=subprocess.DEVNULL, capture_output=True, timeout=20,
                          preexec_fn=lambda: os.close(0))
    assert done.returncode == 0


def test_bad_policy_write_between_frames_never_ends_the_host(host, policy_file):
    write_policy(policy_file, {"WEBHOOKS_ENABLED": True})
    assert host.request("hello", extension_version="0")["webhooks_enabled"] is True
    policy_file.write_text("[" * 100000)
    assert host.request("hello", extension_version="0")["webhooks_enabled"] is False
