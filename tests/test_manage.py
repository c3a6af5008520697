"""The management commands on the store the host uses: an integrator's script, run for real.

The commands run as processes (`python -m ucc_webhooks`) where a process is what is tested: the
exit code a script sees, and a change reaching a host that is already running. Elsewhere the
CLI's own `main` runs in this process (`run_cli`), which spares an interpreter start per command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from conftest import event, run_cli, write_policy

from ucc_webhooks_dev.lab.host_client import HostClient


def cli_process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ucc_webhooks", *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


cli = run_cli


def add(*extra: str, cli=run_cli) -> str:
    result = cli("add", "--trigger", "incoming_call_ended", "--action", "post", "--url", "https://crm.example.com/calls",
                 "--body", '{{"d": {duration}}}', *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_add_then_list_shows_it_to_the_host(home):
    webhook_id = add("--name", "Call log", "--header", "Authorization: Bearer t0ken", cli=cli_process)
    listed = json.loads(cli_process("list", "--json").stdout)
    assert [(w["id"], w["name"], w["headers"]) for w in listed] == [(webhook_id, "Call log", {"Authorization": "********"})]
    assert webhook_id in cli("list").stdout
    with HostClient() as host:
        assert [w["id"] for w in host.request("webhooks.list")["webhooks"]] == [webhook_id]


def test_unavailable_placeholder_is_refused_with_exit_code_2(home):
    result = cli_process("add", "--trigger", "incoming_call_accepted", "--action", "get",
                 "--url", "https://crm.example.com/?d={duration}")
    assert result.returncode == 2
    assert "{duration}" in result.stderr and "incoming_call_accepted" in result.stderr
    assert json.loads(cli("list", "--json").stdout) == []


def test_bad_arguments_exit_2(home):
    assert cli("add", "--trigger", "call_answered", "--action", "get", "--url", "https://x.example/").returncode == 2
    assert cli("add", "--trigger", "incoming_call_ended", "--action", "get", "--url", "ftp://x.example/").returncode == 2
    assert cli("add", "--trigger", "incoming_call_ended", "--action", "get", "--url", "https://x.example/",
               "--header", "no colon").returncode == 2
    result = cli("remove", "wh_doesnotexist")
    assert result.returncode == 2 and "ucc-webhooks list" in result.stderr


def test_enable_disable_remove(home):
    webhook_id = add()
    assert cli("disable", webhook_id).returncode == 0
    assert json.loads(cli("list", "--json").stdout)[0]["enabled"] is False
    assert cli("enable", webhook_id).returncode == 0
    assert json.loads(cli("list", "--json").stdout)[0]["enabled"] is True
    assert cli("remove", webhook_id).returncode == 0
    assert json.loads(cli("list", "--json").stdout) == []


def test_admin_presets_are_read_only_from_the_cli(home, policy_file):
    write_policy(policy_file, {"webhooks": [{"id": "pop", "trigger": "incoming_call_accepted", "action": "open_tab",
                                             "url": "https://crm.example.com/{caller}"}]})
    assert "[admin]" in cli("list").stdout
    result = cli("disable", "admin_pop")
    assert result.returncode == 2 and "administrator" in result.stderr


def test_test_command_reports_the_outcome(home, receiver):
    receiver.respond(default=202)
    result = cli("add", "--trigger", "incoming_call_accepted", "--action", "get", "--url", receiver.url("/t?c={caller}"))
    webhook_id = result.stdout.strip()
    result = cli("test", webhook_id)
    assert result.returncode == 0 and "HTTP 202" in result.stdout and "(sample values)" in result.stdout
    assert receiver.wait_for(1)[0].query == {"c": ["+49 30 1234567"]}
    receiver.respond(default=500)
    assert cli("test", webhook_id).returncode == 1


def test_log_shows_deliveries(home, receiver):
    with HostClient() as host:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "get", "url": receiver.url("/l")})
        host.request("call_event", event={"trigger": "incoming_call_ended", "call_id": "c1", "direction": "incoming",
                                          "duration": 3})
        host.notice("delivery")
    entries = json.loads(cli("log", "--json").stdout)
    assert [(e["call_id"], e["state"], e["last_status"]) for e in entries] == [("c1", "delivered", 200)]
    assert "delivered" in cli("log").stdout


def test_export_import_leaves_secrets_out_unless_asked(home, tmp_path):
    add("--header", "Authorization: Bearer t0ken", "--secret", "generate", "--name", "one")
    plain = cli("export").stdout
    assert "t0ken" not in plain and "whsec_" not in plain
    target = tmp_path / "full.json"
    assert cli("export", "--include-secrets", str(target)).returncode == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert "t0ken" in target.read_text() and "whsec_" in target.read_text()

    # Back into the same store: matched by id, the stored header value and secret are kept.
    result = cli("import", "--replace", "-", stdin=plain)
    assert result.returncode == 0, result.stderr
    assert "0 added, 0 updated, 1 unchanged" in result.stdout
    [webhook] = json.loads(cli("list", "--json").stdout)
    assert webhook["name"] == "one" and webhook["headers"] == {"Authorization": "********"} and webhook["secret"] == "********"
    assert cli("import", str(target)).returncode == 0
    assert len(json.loads(cli("list", "--json").stdout)) == 1


def test_import_twice_changes_nothing_and_names_what_the_file_left_out(home, tmp_path):
    add("--header", "Authorization: Bearer t0ken", "--secret", "generate", "--name", "one")
    add("--name", "two")
    plain = tmp_path / "plain.json"
    plain.write_text(cli("export").stdout)
    for w in json.loads(cli("list", "--json").stdout):
        assert cli("remove", w["id"]).returncode == 0
    # Another desktop: an empty store. Ids from the file are not reused; name+trigger+url match next time.
    first = json.loads(cli("import", "--json", str(plain)).stdout)
    assert len(first["added"]) == 2 and not first["updated"] and not first["unchanged"]
    assert first["left_out"] == ["one: value of header Authorization", "one: signing secret"]
    before = json.loads(cli("list", "--json").stdout)
    again = cli("import", str(plain))
    assert again.returncode == 0 and "0 added, 0 updated, 2 unchanged" in again.stdout
    assert "one: value of header Authorization" in again.stdout
    assert json.loads(cli("list", "--json").stdout) == before  # not even updated_at moved
    # A changed file updates in place.
    data = json.loads(plain.read_text())
    data["webhooks"][1]["enabled"] = False
    plain.write_text(json.dumps(data))
    third = json.loads(cli("import", "--json", str(plain)).stdout)
    assert len(third["updated"]) == 1 and len(third["unchanged"]) == 1
    assert [w["enabled"] for w in json.loads(cli("list", "--json").stdout)] == [True, False]


def test_import_is_all_or_nothing(home, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"webhooks": [
        {"trigger": "incoming_call_ended", "action": "get", "url": "https://ok.example/"},
        {"trigger": "incoming_call_accepted", "action": "get", "url": "https://x.example/{duration}"}]}))
    result = cli("import", str(bad))
    assert result.returncode == 2 and "#2" in result.stderr and "nothing was imported" in result.stderr
    assert json.loads(cli("list", "--json").stdout) == []


def test_a_webhook_added_by_the_cli_fires_in_a_running_host(home, receiver):
    with HostClient() as host:
        host.request("call_event", event={"trigger": "incoming_call_ended", "call_id": "before", "direction": "incoming",
                                          "duration": 3})
        result = cli_process("add", "--trigger", "incoming_call_ended", "--action", "get", "--url", receiver.url("/cli?c={call_id}"))
        assert result.returncode == 0, result.stderr
        assert host.request("call_event", event={"trigger": "incoming_call_ended", "call_id": "after",
                                                 "direction": "incoming", "duration": 3}) == {"matched": 1}
        assert receiver.wait_for(1)[0].query == {"c": ["after"]}
        assert cli_process("disable", result.stdout.strip()).returncode == 0
        assert host.request("call_event", event={"trigger": "incoming_call_ended", "call_id": "off",
                                                 "direction": "incoming", "duration": 3}) == {"matched": 0}


def test_list_shows_names(home):
    add("--name", "Call log")
    assert "'Call log'" in cli("list").stdout


def test_completion_scripts_know_the_subcommands_and_options(home):
    bash = cli("completion", "bash")
    assert bash.returncode == 0 and "extension-id" in bash.stdout and "import" in bash.stdout
    check = subprocess.run(["bash", "-n"], input=bash.stdout, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    zsh = cli("completion", "zsh")
    assert zsh.returncode == 0 and "#compdef ucc-webhooks" in zsh.stdout and "--ucc-origin" in zsh.stdout


def test_add_and_test_print_json_for_scripts(home, receiver):
    added = cli("add", "--json", "--trigger", "incoming_call_ended", "--action", "get", "--url", receiver.url("/j"),
                "--secret", "generate")
    assert added.returncode == 0, added.stderr
    info = json.loads(added.stdout)
    assert info["id"].startswith("wh_") and info["secret"].startswith("whsec_")
    tested = cli("test", "--json", info["id"])
    assert tested.returncode == 0, tested.stderr
    result = json.loads(tested.stdout)
    assert result["ok"] is True and result["status"] == 200


def test_enable_disable_remove_confirm_as_json(home):
    webhook_id = add()
    assert cli("disable", webhook_id).stdout == ""  # silent by default, like rm
    assert json.loads(cli("disable", "--json", webhook_id).stdout) == {"id": webhook_id, "enabled": False}
    assert json.loads(cli("enable", "--json", webhook_id).stdout) == {"id": webhook_id, "enabled": True}
    assert json.loads(cli("remove", "--json", webhook_id).stdout) == {"id": webhook_id, "removed": True}
    assert json.loads(cli("list", "--json").stdout) == []


def test_settings_from_a_script_are_checked_as_the_popups_and_reach_the_host(home):
    shown = cli("settings", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["proxy"] is None
    done = cli("settings", "--json", "set", "proxy=http://ops:s3cret@proxy.example.com:3128", "internal_max_digits=6",
               "proxy_from_env=true", "default_region=AT")
    assert done.returncode == 0, done.stderr
    after = json.loads(done.stdout)
    assert after["proxy"] == "http://ops:********@proxy.example.com:3128"  # never printed in clear
    assert (after["internal_max_digits"], after["proxy_from_env"], after["default_region"]) == (6, True, "AT")
    with HostClient() as host:
        assert host.request("settings.get")["settings"]["internal_max_digits"] == 6
    bad = cli("settings", "set", "proxy=ftp://proxy.example.com")
    assert bad.returncode == 2 and "proxy" in bad.stderr
    assert cli("settings", "set", "colour=blue").returncode == 2
    assert json.loads(cli("settings", "--json").stdout)["internal_max_digits"] == 6  # a refusal changes nothing
    reset = cli("settings", "reset", "internal_max_digits", "--json")
    assert json.loads(reset.stdout)["internal_max_digits"] == 4
    assert "proxy = " in cli("settings").stdout


def test_settings_set_from_the_cli_reach_a_running_host_at_its_next_event(home, receiver):
    with HostClient() as host:
        host.request("webhooks.save", webhook={"trigger": "incoming_call_ended", "action": "post", "url": receiver.url("/s"),
                                               "content_type": "application/json", "body": '{"e": "{caller:e164}"}'})
        assert host.request("settings.get")["settings"]["internal_max_digits"] == 4  # the host has read them
        assert cli_process("settings", "set", "internal_max_digits=6").returncode == 0
        host.request("call_event", event=event("incoming_call_ended", caller="123456"))
        [req] = receiver.wait_for(1, path="/s")
        assert json.loads(req.body) == {"e": ""}  # six digits: now an internal number, no E.164 form
        assert host.request("settings.get")["settings"]["internal_max_digits"] == 6
