"""The most recent real call event per trigger, for `webhooks.test` ("test with a real call").

Kept in memory only, never written to disk: numbers and names of callers are personal data, and
the test needs nothing the host would not have again after the next call. One event per trigger,
forgotten after `MAX_AGE_S` and when the host ends (the browser closes its port).
"""

from __future__ import annotations

from ucc_webhooks.engine.events import CallEvent

__all__ = ["MAX_AGE_S", "LastCalls"]

MAX_AGE_S = 24 * 3600.0


class LastCalls:
    def __init__(self) -> None:
        self._events: dict[str, tuple[float, CallEvent]] = {}

    def remember(self, event: CallEvent, now: float) -> None:
        self._events[event.trigger] = (now, event)

    def get(self, trigger: str, now: float) -> CallEvent | None:
        hit = self._events.get(trigger)
        if hit is None:
            return None
        if now - hit[0] > MAX_AGE_S:
            del self._events[trigger]
            return None
        return hit[1]
