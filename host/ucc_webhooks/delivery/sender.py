"""Sends what the outbox holds: one worker per webhook, all on one `httpx.AsyncClient`.

A webhook's deliveries go out one at a time and in order (a delivery is never in flight twice);
different webhooks run concurrently, so a slow or dead target delays only its own queue.
Retries follow Standard Webhooks' advice: exponential backoff with jitter, `Retry-After`
honoured, any 2xx a success; 429, 5xx and network errors retry, other 4xx are final, and 410
Gone also switches the webhook off.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from ucc_webhooks.engine.render import USER_AGENT
from ucc_webhooks.engine.signing import sign
from ucc_webhooks.storage.outbox import Outbox, PendingDelivery

if TYPE_CHECKING:
    import httpx  # loaded on first use: the host answers hello before httpx has loaded

__all__ = ["Deliverer", "Outcome", "backoff_delay"]

log = logging.getLogger("ucc_webhooks.delivery.sender")

# Tests shorten the first delay to keep retry tests quick; users never need to.
FIRST_DELAY_S = float(os.environ.get("UCC_WEBHOOKS_RETRY_BASE_S", "1.0"))
MAX_DELAY_S = 300.0


class Outcome:
    __slots__ = ("error", "latency_ms", "retry_after", "status")

    def __init__(self, status: int | None, error: str | None, latency_ms: float,
                 retry_after: float | None = None) -> None:
        self.status, self.error, self.latency_ms, self.retry_after = status, error, latency_ms, retry_after

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: about 1 s, then doubling, jittered, at most 5 minutes."""
    delay = min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, MAX_DELAY_S)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Deliverer:
    def __init__(self, outbox: Outbox, *, timeout: Callable[[], float],
                 on_update: Callable[[str], None], on_gone: Callable[[str, str], None]) -> None:
        self.outbox = outbox
        self._timeout = timeout
        self._on_update = on_update  # delivery id -> notify the extension
        self._on_gone = on_gone  # (webhook id, reason) -> switch the webhook off
        self._client: httpx.AsyncClient | None = None
        self._workers: dict[str, asyncio.Task] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._in_flight = 0
        self._busy = 0  # workers not waiting out a backoff: their due deliveries are being sent
        self._idle = asyncio.Event()
        self._idle.set()

    def client(self):
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                follow_redirects=True, max_redirects=5, trust_env=False,
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                headers={"User-Agent": USER_AGENT})
        return self._client

    # -- scheduling ------------------------------------------------------------------------------
    def kick(self, webhook_id: str, fresh: PendingDelivery | None = None) -> None:
        """New or retried work for a webhook: start its worker, or wake it from a backoff wait.

        `fresh` is a delivery just committed: a webhook without a worker has nothing older
        pending (a worker lives while its webhook has pending rows), so it can go out at once,
        without reading it back from the store.
        """
        if webhook_id in self._workers:
            self._wake[webhook_id].set()
            return
        self._wake[webhook_id] = asyncio.Event()
        self._set_busy(+1)
        self._workers[webhook_id] = asyncio.get_running_loop().create_task(self._work(webhook_id, fresh))

    def resume(self) -> None:
        """At start: pick up everything a previous run left pending (crash, browser restart, reboot)."""
        for webhook_id in self.outbox.pending_webhooks():
            self.kick(webhook_id)

    def _set_busy(self, delta: int) -> None:
        self._busy += delta
        if self._busy == 0:
            self._idle.set()
        else:
            self._idle.clear()

    async def _work(self, webhook_id: str, fresh: PendingDelivery | None = None) -> None:
        wake = self._wake[webhook_id]  # busy was counted up by kick(), before the task first ran
        try:
            while True:
                d, fresh = fresh or self.outbox.next_pending(webhook_id), None
                if d is None:
                    return
                wait = d.next_attempt_at - time.time()
                if wait > 0:
                    wake.clear()
                    self._set_busy(-1)
                    try:
                        await asyncio.wait_for(wake.wait(), wait)
                    except asyncio.TimeoutError:
                        pass
                    finally:
                        self._set_busy(+1)
                    continue
                await self._attempt(d)
        except Exception:  # a bug here must not end the host; the row stays pending for the next start
            log.exception("delivery worker for %s failed", webhook_id)
        finally:
            self._set_busy(-1)
            self._workers.pop(webhook_id, None)
            self._wake.pop(webhook_id, None)

    async def _attempt(self, d: PendingDelivery) -> None:
        outcome = await self.send(d.method, d.url, d.headers, d.body, d.id, d.secret)
        attempt = d.attempts + 1
        now = time.time()
        next_at = None
        if outcome.ok:
            state = "delivered"
        elif outcome.retryable:
            next_at = now + backoff_delay(attempt, outcome.retry_after)
            if next_at > d.expires_at:
                state, next_at = "failed", None
                outcome.error = f"gave up after {attempt} attempts: {outcome.error}"
            else:
                state = "pending"
        else:
            state = "failed"
        self.outbox.record_attempt(d, status=outcome.status, error=outcome.error, latency_ms=outcome.latency_ms,
                                   state=state, next_attempt_at=next_at, at=now)
        log.info("delivery %s attempt %d: %s", d.id, attempt, outcome.status or outcome.error)
        if outcome.status == 410:
            self._on_gone(d.webhook_id, f"switched off: the target answered 410 Gone on {time.strftime('%Y-%m-%d %H:%M', time.localtime(now))}; "
                                        "fix the URL, then switch it on again")
        self._on_update(d.id)

    # -- one request -------------------------------------------------------------------------------
    async def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                   msg_id: str, secret: str | None) -> Outcome:
        import httpx

        timestamp = int(time.time())
        headers = {**headers, "webhook-id": msg_id, "webhook-timestamp": str(timestamp)}
        if secret:
            headers["webhook-signature"] = sign(secret, msg_id, timestamp, body or b"")
        self._in_flight += 1
        started = time.perf_counter()
        try:
            response = await self.client().request(method, url, headers=headers, content=body,
                                                   timeout=self._timeout())
            latency = (time.perf_counter() - started) * 1000
            error = None if response.is_success else f"HTTP {response.status_code} {response.reason_phrase}".strip()
            return Outcome(response.status_code, error, latency, _retry_after(response.headers.get("retry-after")))
        except httpx.TimeoutException:
            return Outcome(None, f"timed out after {self._timeout():g} s", (time.perf_counter() - started) * 1000)
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                           (time.perf_counter() - started) * 1000)
        finally:
            self._in_flight -= 1

    async def close(self, wait_s: float) -> None:
        """Send what is due and let requests on the wire finish (bounded), then stop.

        Deliveries waiting out a backoff stay in the outbox for the next start.
        """
        try:
            await asyncio.wait_for(self._idle.wait(), wait_s)
        except asyncio.TimeoutError:
            log.warning("stopping with %d request(s) in flight; they are sent again at next start", self._in_flight)
        for task in list(self._workers.values()):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
