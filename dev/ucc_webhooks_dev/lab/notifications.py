"""A desktop's notification server for the lab: a private D-Bus session bus with
`org.freedesktop.Notifications` served here, so tests see every notification a browser shows and
closes, and can click one.

On Linux both browsers show a notification by calling `Notify` on the session bus (Chromium
directly, Firefox through libnotify); with no server there, headless Firefox drops it. The lab
starts its own `dbus-daemon` (a config of its own: no service activation, so nothing else is
started on the bus) and serves the Desktop Notifications Specification 1.2 on it with the
pure-Python `jeepney`:

    with NotificationServer(tmp) as desktop:
        browser_env = desktop.environ          # DBUS_SESSION_BUS_ADDRESS for the browser
        shown = desktop.wait_for(lambda n: n.summary == "Anna")
        desktop.click(shown)                   # ActionInvoked "default", as a desktop does
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucc_webhooks_dev.lab.net import wait_until
from ucc_webhooks_dev.lab.proc import LabProcess

__all__ = ["CLOSED_BY_CALL", "DISMISSED", "EXPIRED", "Notification", "NotificationServer"]

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
#: NotificationClosed reasons (spec 1.2): expired, dismissed by the user, closed by CloseNotification.
EXPIRED, DISMISSED, CLOSED_BY_CALL = 1, 2, 3
CAPABILITIES = ["actions", "body"]  # no body-markup: bodies arrive as the plain text the extension gave

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

_INTROSPECTION = """<node>
 <interface name="org.freedesktop.Notifications">
  <method name="GetCapabilities"><arg direction="out" type="as"/></method>
  <method name="Notify"><arg type="s"/><arg type="u"/><arg type="s"/><arg type="s"/><arg type="s"/>
   <arg type="as"/><arg type="a{sv}"/><arg type="i"/><arg direction="out" type="u"/></method>
  <method name="CloseNotification"><arg type="u"/></method>
  <method name="GetServerInformation"><arg direction="out" type="s"/><arg direction="out" type="s"/>
   <arg direction="out" type="s"/><arg direction="out" type="s"/></method>
  <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
 </interface>
</node>
"""


@dataclass
class Notification:
    """One `Notify` call as the server saw it; `closed_reason` once it is closed."""

    id: int
    app_name: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]
    expire_timeout: int
    shown_mono: float  # time.perf_counter() when Notify arrived (same clock as the lab's receivers)
    replaces_id: int = 0
    closed_reason: int | None = None
    closed_mono: float | None = None
    invoked: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.closed_reason is None

    @property
    def action_keys(self) -> list[str]:
        return self.actions[0::2]


class NotificationServer:
    """A private session bus under `root` and the notification server on it (a thread)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.socket = self.root / "bus"
        self.address = f"unix:path={self.socket}"
        self.notifications: list[Notification] = []
        self.calls: list[str] = []  # every method called, in order (diagnostics)
        self._cond = threading.Condition()
        self._next_id = 1
        self._bus: LabProcess | None = None
        self._conn: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def environ(self) -> dict[str, str]:
        """What a browser needs in its environment to show its notifications here."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> NotificationServer:
        from jeepney import DBusAddress
        from jeepney.bus_messages import message_bus
        from jeepney.io.threading import DBusRouter, Proxy, open_dbus_connection

        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "bus.conf"
        config.write_text(_CONFIG.format(socket=self.socket), encoding="utf-8")
        self._bus = LabProcess(["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile"],
                               self.root / "dbus-daemon.log")
        wait_until(self.socket.exists, 10, "dbus-daemon's socket", self._bus.popen)
        self._conn = open_dbus_connection(bus=self.address)
        with DBusRouter(self._conn) as router:
            (reply,) = Proxy(message_bus, router, timeout=5).RequestName(NAME, 4)  # 4: do not queue
        if reply != 1:  # 1: primary owner
            raise RuntimeError(f"could not own {NAME} on the lab bus (RequestName answered {reply})")
        self._emitter = DBusAddress(PATH, interface=NAME)
        self._thread = threading.Thread(target=self._serve, name="notification-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        if self._thread is not None:
            self._thread.join(5)
        if self._bus is not None:
            self._bus.stop()

    def __enter__(self) -> NotificationServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests do ---------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the list of notifications: `wait_for(after=mark)` looks only at later ones."""
        with self._cond:
            return len(self.notifications)

    def wait_for(self, match: Callable[[Notification], bool] = lambda n: True, timeout: float = 15.0,
                 what: str = "a notification", after: int = 0) -> Notification:
        """The first notification (shown since `after`, or later) for which `match` holds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = next((n for n in self.notifications[after:] if match(n)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(n.summary, n.body, n.closed_reason) for n in self.notifications]
                    raise TimeoutError(f"{what} did not show within {timeout}s; shown: {seen}; calls: {self.calls}")
                self._cond.wait(left)

    def wait_closed(self, notification: Notification, timeout: float = 15.0) -> int:
        """Wait until `notification` is closed; returns the reason."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while notification.closed_reason is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"notification {notification.summary!r} still open after {timeout}s")
                self._cond.wait(left)
            return notification.closed_reason

    def click(self, notification: Notification, action: str = "default") -> None:
        """What a desktop does when the user clicks the notification: `ActionInvoked` with the
        default action's key, then the notification goes away (`NotificationClosed`, dismissed)."""
        if action not in notification.action_keys:
            raise ValueError(f"the notification offers no action {action!r}: {notification.actions}")
        notification.invoked.append(action)
        self._signal("ActionInvoked", "us", (notification.id, action))
        self._close(notification, DISMISSED)

    def expire(self, notification: Notification) -> None:
        """The notification timed out on the desktop (`NotificationClosed`, expired)."""
        self._close(notification, EXPIRED)

    # -- the server ------------------------------------------------------------------------
    def _serve(self) -> None:
        from jeepney import MessageType
        from jeepney.io.threading import ReceiveStopped

        while not self._stopping:
            try:
                msg = self._conn.receive(timeout=0.5)
            except TimeoutError:
                continue
            except (ReceiveStopped, OSError, ValueError):
                return
            if msg.header.message_type == MessageType.method_call:
                try:
                    self._answer(msg)
                except Exception as exc:  # a bad call must not end the server
                    self._reply_error(msg, "org.freedesktop.DBus.Error.Failed", str(exc))

    def _answer(self, msg: Any) -> None:
        from jeepney import HeaderFields, new_method_return

        member = msg.header.fields.get(HeaderFields.member)
        interface = msg.header.fields.get(HeaderFields.interface)
        self.calls.append(str(member))
        if interface == "org.freedesktop.DBus.Introspectable" and member == "Introspect":
            self._conn.send(new_method_return(msg, "s", (_INTROSPECTION,)))
        elif interface == "org.freedesktop.DBus.Peer" and member == "Ping":
            self._conn.send(new_method_return(msg))
        elif member == "GetCapabilities":
            self._conn.send(new_method_return(msg, "as", (CAPABILITIES,)))
        elif member == "GetServerInformation":
            self._conn.send(new_method_return(msg, "ssss", ("ucc-lab", "ucc-webhooks", "1", "1.2")))
        elif member == "Notify":
            app_name, replaces_id, _icon, summary, body, actions, hints, expire = msg.body
            with self._cond:
                number = replaces_id or self._next_id
                if not replaces_id:
                    self._next_id += 1
                self.notifications.append(Notification(
                    id=number, app_name=app_name, summary=summary, body=body, actions=list(actions),
                    hints={k: v for k, (_sig, v) in hints.items() if k != "image-data"},
                    expire_timeout=expire, shown_mono=time.perf_counter(), replaces_id=replaces_id))
                self._cond.notify_all()
            self._conn.send(new_method_return(msg, "u", (number,)))
        elif member == "CloseNotification":
            (number,) = msg.body
            self._conn.send(new_method_return(msg))
            for n in [n for n in self.notifications if n.id == number and n.open]:
                self._close(n, CLOSED_BY_CALL)
        else:
            self._reply_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", f"no method {member}")

    def _close(self, notification: Notification, reason: int) -> None:
        with self._cond:
            if not notification.open:
                return
            notification.closed_reason = reason
            notification.closed_mono = time.perf_counter()
            self._cond.notify_all()
        self._signal("NotificationClosed", "uu", (notification.id, reason))

    def _signal(self, name: str, signature: str, body: tuple) -> None:
        from jeepney import new_signal

        self._conn.send(new_signal(self._emitter, name, signature, body))

    def _reply_error(self, msg: Any, name: str, text: str) -> None:
        from jeepney import new_error

        with contextlib.suppress(Exception):
            self._conn.send(new_error(msg, name, "s", (text,)))
