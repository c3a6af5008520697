"""Sends what the outbox holds: one worker per webhook, all on one `httpx.AsyncClient`.

A webhook's deliveries go out one at a time and in order (a delivery is never in flight twice);
different webhooks run concurrently, so a slow or dead target delays only its own queue.
Retries follow Standard Webhooks' advice: exponential backoff with jitter, `Retry-After`
honoured, any 2xx a success; 429, 5xx and network errors retry, other 4xx (and 3xx: redirects
are not followed) are final, and 410 Gone also switches the webhook off.

Before each attempt a worker asks whether the delivery may still go: the switch off, the webhook
switched off or deleted end it as `cancelled` with the reason; past `max_age_hours` it fails as
expired, on the clock, also while it waits out a backoff. It then claims the row in SQLite, so that
a second host on the same store never sends it too. A `FreshDelivery` (a delivery whose event was
accepted a moment ago) is the one exception to both steps, without changing either rule: its row
was stored claimed by this host in the commit that accepted the event, and the question was
answered when the event was planned, which still holds as long as nothing that decides it has
changed in this host since (`generation`, see `reconsider`). An attempt that crashes is recorded
as a failure with its reason; a worker never dies silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ucc_webhooks.delivery.http import Answer, Network, Outcome, Requester
from ucc_webhooks.engine.signing import standard_headers
from ucc_webhooks.storage.outbox import Claim, Outbox, PendingDelivery

if TYPE_CHECKING:
    import httpx

__all__ = ["Deliverer", "FreshDelivery", "Outcome", "backoff_delay"]

log = logging.getLogger("ucc_webhooks.delivery.sender")

# Tests shorten the first delay to keep retry tests quick; users never need to.
FIRST_DELAY_S = float(os.environ.get("UCC_WEBHOOKS_RETRY_BASE_S", "1.0"))
MAX_DELAY_S = 300.0
#: A claim outlives the attempt's deadline by this much before another host may take the row.
CLAIM_MARGIN_S = 5.0
#: After a worker's own failure (the store locked, say) it starts again after this long.
RESTART_AFTER_S = 5.0


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: about 1 s, then doubling, jittered, at most 5 minutes."""
    delay = min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, MAX_DELAY_S)


def _dead_here(holder: str) -> bool:
    """Whether a claim was left by a host process of this machine that is gone (killed, crashed):
    its rows need not wait for the claim to lapse."""
    if sys.platform == "win32":  # os.kill there would end the process, not probe it
        return False
    machine, _, rest = holder.partition("/")
    pid_text = rest.partition("/")[0]
    if machine != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


@dataclass(frozen=True, slots=True)
class FreshDelivery:
    """A delivery whose event was accepted a moment ago, handed from the accept step to the sender.

    - `row` was stored claimed by this host (`Deliverer.claim_for_fresh`), so its first attempt
      needs no claim of its own while that claim covers the attempt's deadline;
    - `url` is the URL as `plan` checked and parsed it (None: it is checked before it is sent);
    - `generation` is `Deliverer.generation` as it was before its event was planned: while it
      is unchanged, nothing in this host has switched anything off since, and the first attempt
      does not ask `stop_reason` again; once it changed, it asks like every later attempt.
    """

    row: PendingDelivery
    url: httpx.URL | None
    generation: int


class Deliverer:
    def __init__(self, outbox: Outbox, *, timeout: Callable[[], float],
                 on_update: Callable[[str], None], on_gone: Callable[[str, str], None],
                 stop_reason: Callable[[str], str | None] = lambda webhook_id: None,
                 network: Callable[[], Network] = Network) -> None:
        self.outbox = outbox
        self._timeout = timeout
        self._on_update = on_update  # delivery id -> notify the extension
        self._on_gone = on_gone  # (webhook id, reason) -> switch the webhook off
        self._stop_reason = stop_reason  # webhook id -> why its deliveries must not go (or None)
        self._network = network
        self.requester = Requester()
        self.host_id = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"
        self._workers: dict[str, asyncio.Task] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._in_flight = 0
        self._generation = 0
        self._busy = 0  # workers not waiting out a backoff: their due deliveries are being sent
        self._idle = asyncio.Event()
        self._idle.set()

    # -- scheduling ------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Counts `reconsider()` calls: read it before planning an event's deliveries (FreshDelivery)."""
        return self._generation

    def kick(self, webhook_id: str) -> None:
        """New or retried work for a webhook: start its worker, or wake it from a backoff wait."""
        self._start(webhook_id, None)

    def send_fresh(self, fresh: FreshDelivery) -> None:
        """Send a delivery just accepted, at once: its webhook has no worker (it was stored claimed
        only then, `claim_for_fresh`), so nothing older of it is pending. Should a worker have
        started since, the row waits its turn there like any other (this host holds its claim)."""
        self._start(fresh.row.webhook_id, fresh)

    def _start(self, webhook_id: str, fresh: FreshDelivery | None) -> None:
        if webhook_id in self._workers:
            self._wake[webhook_id].set()
            return
        self._wake[webhook_id] = asyncio.Event()
        self._set_busy(+1)
        self._workers[webhook_id] = asyncio.get_running_loop().create_task(self._work(webhook_id, fresh))

    def sends_at_once(self, webhook_id: str) -> bool:
        """Whether a delivery of this webhook committed now goes out at once (`send_fresh`): true
        while the webhook has no worker, which would send older rows first."""
        return webhook_id not in self._workers

    def claim_for_fresh(self, now: float) -> Claim:
        """How `Outbox.accept_many` stores the deliveries this host sends at once: claimed by it,
        for as long as `claim()` before the attempt would claim them."""
        return Claim(self.host_id, now + self._timeout() + CLAIM_MARGIN_S, self.sends_at_once)

    def reconsider(self) -> None:
        """The switch or a webhook changed in this host: every worker checks its next delivery
        again, and no FreshDelivery planned before skips that check."""
        self._generation += 1
        for event in self._wake.values():
            event.set()

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

    async def _wait(self, wake: asyncio.Event, seconds: float) -> None:
        wake.clear()
        self._set_busy(-1)
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wake.wait(), max(0.0, seconds))
        finally:
            self._set_busy(+1)

    async def _work(self, webhook_id: str, fresh: FreshDelivery | None) -> None:
        wake = self._wake[webhook_id]  # busy was counted up by kick(), before the task first ran
        restart = False
        try:
            while True:
                asked = fresh is not None and fresh.generation == self._generation  # see FreshDelivery
                url = fresh.url if fresh is not None else None
                d = fresh.row if fresh is not None else self.outbox.next_pending(webhook_id)
                fresh = None
                if d is None:
                    return
                now = time.time()
                reason = None if asked else self._stop_reason(webhook_id)
                if reason:
                    self.outbox.cancel_pending(reason, webhook_id)
                    self._on_update(d.id)
                    continue
                if now >= d.expires_at:
                    self._finish(d, "failed", f"expired: not delivered within max_age_hours after {d.attempts} attempt(s)")
                    continue
                wait = d.next_attempt_at - now
                if wait > 0:  # a backoff; expiry is due on the clock even if no attempt comes first
                    await self._wait(wake, min(wait, d.expires_at - now))
                    continue
                deadline = self._timeout()
                until = now + deadline + CLAIM_MARGIN_S
                # a row stored claimed by this host (accept_many) needs no second UPDATE while its
                # claim still covers the attempt; any other row is claimed here, in SQLite
                held = d.claimed_until is not None and d.claimed_until >= now + deadline
                if not held and not self.outbox.claim(d, self.host_id, until, now):
                    holder, held_until = self.outbox.claimant(d)
                    if not (holder and _dead_here(holder) and self.outbox.claim(d, self.host_id, until, now, holder)):
                        # another host on this store sends it; look again once its claim may have lapsed
                        await self._wait(wake, min(max((held_until or now) - now, 0.05), MAX_DELAY_S))
                        continue
                try:
                    await self._attempt(d, deadline, url)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the attempt itself crashed: a recorded failure, the worker goes on
                    log.exception("delivery %s: attempt failed inside the host", d.id)
                    self.outbox.record_attempt(d, status=None, error=f"not sent: the host failed: {type(exc).__name__}: {exc}",
                                               latency_ms=None, state="failed", next_attempt_at=None)
                    self._on_update(d.id)
        except asyncio.CancelledError:
            raise
        except Exception:  # the store failed (locked, full disk): say so and start again a little later
            log.exception("delivery worker for %s failed; starting it again in %g s", webhook_id, RESTART_AFTER_S)
            restart = True
        finally:
            self._set_busy(-1)
            self._workers.pop(webhook_id, None)
            self._wake.pop(webhook_id, None)
            if restart:
                with contextlib.suppress(RuntimeError):
                    asyncio.get_running_loop().call_later(RESTART_AFTER_S, self.kick, webhook_id)

    def _finish(self, d: PendingDelivery, state: str, reason: str) -> None:
        self.outbox.finish_unsent(d, state, reason)
        log.info("delivery %s: %s", d.id, reason)
        self._on_update(d.id)

    async def _attempt(self, d: PendingDelivery, deadline: float, url: httpx.URL | None) -> None:
        outcome = await self.send(d.method, d.url, d.headers, d.body, d.id, d.secret, deadline, url)
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
                   msg_id: str, secret: str | None, deadline: float | None = None,
                   checked_url: httpx.URL | None = None) -> Outcome:
        headers = standard_headers(headers, msg_id, secret, body, int(time.time()))
        self.requester.configure(self._network())
        self._in_flight += 1
        try:
            return await self.requester.request(method, url, headers, body, deadline or self._timeout(), checked_url)
        finally:
            self._in_flight -= 1

    async def fetch(self, method: str, url: str, headers: dict[str, str], body: bytes | None, msg_id: str,
                    secret: str | None, deadline: float, parsed_url: httpx.URL | None = None) -> Answer:
        """A lookup's request, on the same client and with the same headers as a delivery; its answer is read."""
        headers = standard_headers(headers, msg_id, secret, body, int(time.time()))
        self.requester.configure(self._network())
        return await self.requester.fetch(method, url, headers, body, deadline, parsed_url)

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
        await self.requester.aclose()
        with contextlib.suppress(Exception):  # the next start may send them at once
            self.outbox.release_claims(self.host_id)
