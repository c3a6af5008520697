"""The lab on its own, without the extension: the softphone page registers at Kamailio and SIPp
plays every remote-party part the webhook tests rely on. When these fail, the webhook tests
cannot mean anything, so they come first."""

from __future__ import annotations

import pytest

from ucc_webhooks_dev.lab.phonepage import PhonePage

pytestmark = pytest.mark.browser

CALLER = "+4930123456"
CALLER_NAME = 'Anna "Ä" Müller & Co'


@pytest.fixture
def page(plain_chromium, softphone_server, sip) -> PhonePage:
    return PhonePage(plain_chromium.driver, softphone_server.url(ws=sip.ws_url, user="agent200")).open()


def test_incoming_call_answered_then_remote_hangs_up(page, remote):
    assert not page.observed()  # the probe the policy tests ask: no extension, no page step
    run = remote.call("agent200", "uac_remote_hangup", caller=CALLER, caller_name=CALLER_NAME, talk_ms=800)
    page.wait_calls(1)
    (call,) = page.calls()
    assert (call["direction"], call["remote"], call["remoteName"]) == ("incoming", CALLER, CALLER_NAME)
    page.answer()
    page.wait_event("confirmed", 0)
    ended = page.wait_event("ended", 0)
    assert ended[0]["detail"]["originator"] == "remote"
    run.wait()


def test_queue_header_reaches_the_page_and_page_hangs_up_after_hold(page, remote):
    run = remote.call("agent200", "uac_page_hangup", caller=CALLER, caller_name="Support: Anna",
                      headers={"X-Queue": "Support"})
    page.wait_calls(1)
    page.answer()
    page.wait_event("confirmed", 0)
    page.hold()
    page.wait_event("hold", 0)
    page.hangup()
    assert page.wait_event("ended", 0)[0]["detail"]["originator"] == "local"
    run.wait()


def test_incoming_call_cancelled_before_answer(page, remote):
    run = remote.call("agent200", "uac_cancel", caller=CALLER, talk_ms=300)
    failed = page.wait_event("failed", 0)
    assert failed[0]["detail"]["originator"] == "remote"
    assert failed[0]["detail"]["cause"] == "Canceled"
    run.wait()


def test_incoming_call_rejected_by_the_page_with_486(page, remote):
    run = remote.call("agent200", "uac_rejected", caller=CALLER)
    page.wait_calls(1)
    page.reject(status=486)
    page.wait_event("failed", 0)
    run.wait()


def test_outgoing_call_answered_then_page_hangs_up(page, remote):
    target = remote.serve("uas_answer", number="300")
    index = page.call(target.uri)
    page.wait_event("confirmed", index)
    page.hangup(index)
    page.wait_event("ended", index)
    target.wait()


def test_outgoing_call_answered_then_remote_hangs_up(page, remote):
    target = remote.serve("uas_answer_hangup", number="301", talk_ms=500)
    index = page.call(target.uri)
    page.wait_event("confirmed", index)
    assert page.wait_event("ended", index)[0]["detail"]["originator"] == "remote"
    target.wait()


def test_outgoing_call_rejected_486(page, remote):
    target = remote.serve("uas_reject", number="302")
    index = page.call(target.uri)
    failed = page.wait_event("failed", index)
    assert failed[0]["detail"]["status"] == 486
    target.wait()


def test_outgoing_call_cancelled_by_the_page(page, remote):
    target = remote.serve("uas_ring", number="303")
    index = page.call(target.uri)
    page.wait_event("progress", index)
    page.hangup(index)
    page.wait_event("failed", index)
    target.wait()


def test_two_incoming_calls_at_once(page, remote):
    first = remote.call("agent200", "uac_page_hangup", caller="+4930111111")
    second = remote.call("agent200", "uac_page_hangup", caller="+4930222222")
    page.wait_calls(2)
    page.answer(0)
    page.answer(1)
    page.wait_event("confirmed", 0)
    page.wait_event("confirmed", 1)
    page.hangup(0)
    page.hangup(1)
    page.wait_event("ended", 0)
    page.wait_event("ended", 1)
    first.wait()
    second.wait()
