"""Misbehaving receivers on 127.0.0.1 against a real host over real frames: a body without end,
a trickle, silence, redirects, cookies, a TLS server signed by a CA of the test's own, a proxy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import event

from ucc_webhooks_dev.lab.host_client import HostClient
from ucc_webhooks_dev.lab.hostile import HostileReceiver
from ucc_webhooks_dev.lab.receiver import Receiver


def save(host, **webhook) -> dict:
    return host.request("webhooks.save", webhook=webhook)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_an_endless_body_is_not_read(host):
    with HostileReceiver("stream") as target:
        save(host, trigger="incoming_call_accepted", action="get", url=target.url("/big"))
        before = rss_kib(host.proc.pid)
        host.request("call_event", event=event())
        d = host.delivery_when()
        assert d["state"] == "delivered" and d["last_status"] == 200
        # the host read a few kilobytes and closed; kernel buffers hold at most a few MB more
        assert target.bytes_sent < 64 * 1024 * 1024
        assert rss_kib(host.proc.pid) - before < 100 * 1024


def test_a_trickling_receiver_gets_one_overall_deadline_and_the_attempt_is_recorded(host):
    host.request("settings.set", settings={"request_timeout_s": 1})
    with HostileReceiver("trickle", interval=0.3) as target:
        save(host, trigger="incoming_call_accepted", action="get", url=target.url("/slow"))
        host.request("call_event", event=event())
        d = host.delivery_when(lambda d: d["attempts"] >= 1, timeout=15)
        assert "timed out after 1 s" in d["log"][0]["error"]


def test_expiry_is_enforced_on_the_clock_while_the_receiver_hangs(host):
    host.request("settings.set", settings={"request_timeout_s": 1, "max_age_hours": 0.0005})  # 1.8 s
    with HostileReceiver("silent") as target:
        save(host, trigger="incoming_call_accepted", action="get", url=target.url("/never"))
        host.request("call_event", event=event())
        d = host.delivery_when()
        assert d["state"] == "failed"
        assert "expired" in d["last_error"] or "gave up" in d["last_error"]


def test_webhooks_test_runs_beside_the_frame_loop(host):
    # 3 s: far longer than the three requests below take, even on a busy machine
    host.request("settings.set", settings={"request_timeout_s": 3})
    with HostileReceiver("silent") as target:
        hook = save(host, trigger="incoming_call_accepted", action="get", url=target.url("/t"))
        test_id = host.send({"type": "webhooks.test", "webhook_id": hook["id"]})
        target.wait_for(1)  # the test's request is on the wire, and will hang until its deadline
        assert host.request("hello", extension_version="0")["host_version"]
        assert host.request("call_event", event=event(call_id="beside"))["matched"] == 1
        assert host.request("settings.get")["settings"]["request_timeout_s"] == 3
        assert test_id not in host._replies  # answered while the test still waits
        reply = host.reply(test_id, timeout=30)
        assert reply["ok"] and reply["result"]["ok"] is False and "timed out" in reply["result"]["error"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_to_another_origin_are_not_followed(host, status):
    with Receiver() as other, HostileReceiver("redirect", status=status) as target:
        target.location = other.url("/stolen")
        save(host, trigger="incoming_call_accepted", action="post", url=target.url("/hook"),
             body='{{"caller": "{caller}"}}', headers={"X-Api-Key": "k-123"}, secret="generate")
        host.request("call_event", event=event())
        d = host.delivery_when()
        assert d["state"] == "failed" and d["last_status"] == status
        assert "redirects are not followed" in d["last_error"] and other.url("/stolen") in d["last_error"]
        assert other.requests == []
        assert len(target.seen) == 1 and target.seen[0].method == "POST"


def test_a_same_origin_redirect_is_not_followed_either(host):
    with HostileReceiver("redirect", status=302) as target:
        target.location = "/elsewhere"
        save(host, trigger="incoming_call_accepted", action="post", url=target.url("/hook"), body="{{}}")
        host.request("call_event", event=event())
        d = host.delivery_when()
        assert d["state"] == "failed" and "Location: /elsewhere" in d["last_error"]
        assert [s.path for s in target.seen] == ["/hook"]


def test_no_cookie_is_kept_between_requests(host):
    with HostileReceiver("cookie") as a, Receiver() as b:
        wa = save(host, trigger="incoming_call_accepted", action="get", url=a.url("/a"))
        wb = save(host, trigger="incoming_call_accepted", action="get", url=b.url("/b"))
        host.request("call_event", event=event(call_id="one"))
        host.delivery_when(webhook_id=wa["id"])
        host.delivery_when(webhook_id=wb["id"])
        host.request("call_event", event=event(call_id="two"))
        a.wait_for(2)
        b.wait_for(2)
        assert all(s.header("cookie") is None for s in a.seen)
        assert all(r.header("cookie") is None for r in b.requests)


def _test_ca(tmp: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl command."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=UCC Webhooks Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (tmp / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory) -> tuple[Path, Path, Path]:
    return _test_ca(tmp_path_factory.mktemp("ca"))


@pytest.mark.parametrize("trusted", [True, False])
def test_tls_honours_ssl_cert_file(home, test_ca, trusted):
    import ssl

    ca, cert, key = test_ca
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    env = {"SSL_CERT_FILE": str(ca)} if trusted else {}
    with HostileReceiver("ok", tls=ctx) as target, HostClient(env=env) as host:
        save(host, trigger="incoming_call_accepted", action="get", url=target.url("/secure"))
        host.request("call_event", event=event())
        d = host.delivery_when(lambda d: d["attempts"] >= 1)
        if trusted:
            assert d["state"] == "delivered", d
        else:
            assert d["last_status"] is None and "CERTIFICATE_VERIFY_FAILED" in d["log"][0]["error"].upper()


def test_the_proxy_setting_is_used(host):
    with HostileReceiver("ok") as proxy:
        host.request("settings.set", settings={"proxy": proxy.url("")})
        save(host, trigger="incoming_call_accepted", action="get", url="http://crm.invalid/calls?from={caller}")
        host.request("call_event", event=event())
        [seen] = proxy.wait_for(1)
        assert seen.path.startswith("http://crm.invalid/calls?from=")
        assert host.delivery_when()["state"] == "delivered"


def test_proxy_environment_is_used_only_when_opted_in(home):
    with HostileReceiver("ok") as proxy, Receiver() as target:
        env = {"HTTP_PROXY": proxy.url(""), "NO_PROXY": ""}
        with HostClient(env=env) as host:
            save(host, trigger="incoming_call_accepted", action="get", url=target.url("/direct"))
            host.request("call_event", event=event(call_id="direct"))
            target.wait_for(1)
            assert proxy.seen == []
            host.request("settings.set", settings={"proxy_from_env": True})
            host.request("call_event", event=event(call_id="via-proxy"))
            [seen] = proxy.wait_for(1)
            assert seen.path.startswith(target.url("/direct"))
