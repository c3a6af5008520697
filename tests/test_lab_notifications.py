"""The lab's notification server (`lab/notifications.py`) against a real D-Bus client: what a
browser calls (capabilities, Notify, CloseNotification) is recorded, and a click or a close reaches
the client as the desktop's signals do."""

from __future__ import annotations

import pytest

from ucc_webhooks_dev.lab.notifications import CLOSED_BY_CALL, DISMISSED, NAME, PATH, NotificationServer


@pytest.fixture
def desktop(tmp_path):
    with NotificationServer(tmp_path / "bus") as server:
        yield server


@pytest.fixture
def client(desktop):
    from jeepney import DBusAddress, MatchRule
    from jeepney.bus_messages import message_bus
    from jeepney.io.threading import DBusRouter, Proxy, open_dbus_connection

    conn = open_dbus_connection(bus=desktop.address)
    router = DBusRouter(conn)
    rule = MatchRule(type="signal", interface=NAME, path=PATH)
    Proxy(message_bus, router, timeout=5).AddMatch(rule)
    with router.filter(rule, bufsize=10) as signals:
        yield router, DBusAddress(PATH, bus_name=NAME, interface=NAME), signals
    router.close()
    conn.close()


def call(router, address, method, signature=None, body=()):
    from jeepney import new_method_call

    reply = router.send_and_get_reply(new_method_call(address, method, signature, body), timeout=5)
    return reply.body


def notify(router, address, summary, body, actions=("default", "Activate")):
    (number,) = call(router, address, "Notify", "susssasa{sv}i",
                     ("Chromium", 0, "", summary, body, list(actions), {"urgency": ("y", 1)}, -1))
    return number


def test_capabilities_and_server_information(client):
    router, address, _ = client
    assert call(router, address, "GetCapabilities") == (["actions", "body"],)
    assert call(router, address, "GetServerInformation")[3] == "1.2"


def test_notify_is_recorded_and_close_is_signalled(desktop, client):
    router, address, signals = client
    number = notify(router, address, "Anna Müller", "ACME\n+49301234567")
    shown = desktop.wait_for(lambda n: n.summary == "Anna Müller", timeout=5)
    assert (shown.id, shown.body, shown.app_name, shown.hints) == (number, "ACME\n+49301234567", "Chromium", {"urgency": 1})
    assert shown.open and shown.action_keys == ["default"]
    call(router, address, "CloseNotification", "u", (number,))
    assert desktop.wait_closed(shown, timeout=5) == CLOSED_BY_CALL
    closed = signals.get(timeout=5)
    assert (closed.header.fields[3], closed.body) == ("NotificationClosed", (number, CLOSED_BY_CALL))  # 3: member


def test_a_click_invokes_the_default_action_then_closes(desktop, client):
    router, address, signals = client
    number = notify(router, address, "Unknown caller", "+49301234567")
    shown = desktop.wait_for(timeout=5)
    desktop.click(shown)
    invoked, closed = signals.get(timeout=5), signals.get(timeout=5)
    assert (invoked.header.fields[3], invoked.body) == ("ActionInvoked", (number, "default"))
    assert closed.body == (number, DISMISSED) and shown.closed_reason == DISMISSED


def test_no_click_without_the_action_and_a_timeout_names_what_was_shown(desktop, client):
    router, address, _ = client
    notify(router, address, "Plain", "no actions", actions=())
    shown = desktop.wait_for(timeout=5)
    with pytest.raises(ValueError, match="no action 'default'"):
        desktop.click(shown)
    with pytest.raises(TimeoutError, match="Plain"):
        desktop.wait_for(lambda n: n.summary == "Other", timeout=0.3)
    mark = desktop.mark()
    with pytest.raises(TimeoutError):
        desktop.wait_for(lambda n: n.summary == "Plain", timeout=0.3, after=mark)
    notify(router, address, "Plain", "again", actions=())
    assert desktop.wait_for(lambda n: n.summary == "Plain", timeout=5, after=mark).body == "again"
