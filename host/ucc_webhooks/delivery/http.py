"""One HTTP request of a delivery, made the way a careful webhook sender makes it.

- One overall deadline per attempt, connect to last byte: httpx's timeouts are per read, so a
  receiver trickling a byte a second would otherwise hold an attempt for ever.
- Nothing of a response is needed but its status (and `Retry-After`, `Location`): at most
  `BODY_LIMIT` bytes of the body are read, the rest is left on a connection that is then closed.
- Redirects are not followed: a 3xx is a failed attempt whose error names the `Location`, so the
  integrator can fix the URL; no header, signature or body ever reaches an origin it was not
  written for.
- No cookie is kept: the jar refuses every cookie, so one receiver cannot set what another sees.
- TLS trusts the operating system's store (truststore) and, when set, the bundle in
  `SSL_CERT_FILE` too; a proxy comes from the host setting `proxy`, or from the usual environment
  variables (`HTTPS_PROXY`, `NO_PROXY`, ...) only when the setting `proxy_from_env` is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import logging
import os
import ssl
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ucc_webhooks.engine.errors import InvalidInput
from ucc_webhooks.engine.http_rules import check_headers, check_request_url, mask_url
from ucc_webhooks.engine.render import USER_AGENT

if TYPE_CHECKING:
    import httpx

__all__ = ["ANSWER_LIMIT", "BODY_LIMIT", "Answer", "Network", "Outcome", "Requester"]

log = logging.getLogger("ucc_webhooks.delivery.http")
T = TypeVar("T")

#: Bytes of a response body read at most (and only to let a small answer keep its connection).
BODY_LIMIT = 16 * 1024
#: Bytes of a lookup's answer read at most: a CRM's search result, never a download.
ANSWER_LIMIT = 512 * 1024


class Outcome:
    __slots__ = ("error", "final", "latency_ms", "retry_after", "status")

    def __init__(self, status: int | None, error: str | None, latency_ms: float,
                 retry_after: float | None = None, final: bool = False) -> None:
        self.status, self.error, self.latency_ms, self.retry_after = status, error, latency_ms, retry_after
        self.final = final  # an error that no retry can mend (the request cannot be made at all)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        if self.final:
            return False
        return self.status is None or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class Answer:
    """A lookup's answer: the status and the body (None when there was none: an error, a timeout)."""

    status: int | None
    body: bytes | None
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True)
class Network:
    """What the client is built from; a change (settings.set, SSL_CERT_FILE) builds a new one."""

    proxy: str | None = None
    proxy_from_env: bool = False
    ca_file: str | None = None


def retry_after(value: str | None) -> float | None:
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


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The OS trust store, plus `SSL_CERT_FILE` when it names a bundle (a company's own CA)."""
    try:
        import truststore

        ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except ImportError:  # pragma: no cover - truststore is a dependency; a broken install still sends
        ctx = ssl.create_default_context()
    if ca_file:
        try:
            ctx.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            log.warning("SSL_CERT_FILE=%s cannot be loaded (%s); only the system's trust store is used", ca_file, exc)
    return ctx


async def within(seconds: float, awaitable: Coroutine[Any, Any, T]) -> T:
    """`await awaitable`, cancelled with asyncio.TimeoutError after `seconds`.

    On Python 3.11+ with `asyncio.timeout`, in the caller's task: `wait_for` (3.10, 3.11) runs the
    coroutine as a task of its own, which puts a turn of the event loop before the request is
    written and a Task's cost on every attempt (measured: 0.2-0.4 ms per event on the host_alone
    benchmark, frame to receiver)."""
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)


async def _read_a_little(response: Any) -> None:
    """Read at most BODY_LIMIT bytes; a longer body is left on a connection that is then closed."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > BODY_LIMIT:
            return


class Requester:
    """Makes requests on one shared `httpx.AsyncClient`, rebuilt when the network settings change."""

    def __init__(self, network: Network | None = None) -> None:
        self._clients: dict[Network, Any] = {}
        self._network = network or Network()

    def configure(self, network: Network) -> None:
        self._network = network

    def client(self) -> Any:
        import httpx

        key = self._network
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = httpx.AsyncClient(
                follow_redirects=False, trust_env=key.proxy_from_env, proxy=key.proxy or None, timeout=None,
                verify=ssl_context(key.ca_file), cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                headers={"User-Agent": USER_AGENT})
        return client

    async def request(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                      deadline_s: float, checked_url: httpx.URL | None = None) -> Outcome:
        """`checked_url`: `url` as `check_request_url` returned it when this process planned the
        delivery; a URL without it (a row from the store, written by any version) is checked here."""
        started = time.perf_counter()

        def ms() -> float:
            return (time.perf_counter() - started) * 1000

        try:  # the sender applies the rules the save applied: a stored row from an older version too
            if checked_url is None:
                checked_url = check_request_url(url)
            check_headers(headers)
        except InvalidInput as exc:
            return Outcome(None, f"not sent: {exc}", ms(), final=True)
        try:
            return await within(deadline_s, self._exchange(method, checked_url, headers, body, started + deadline_s))
        except asyncio.TimeoutError:
            return Outcome(None, f"timed out after {deadline_s:g} s (the whole attempt, connect to last byte)", ms())
        except Exception as exc:
            import httpx

            if isinstance(exc, httpx.TransportError | httpx.TimeoutException):
                text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                return Outcome(None, text, ms())
            # anything else (httpx refusing the URL or a header, a bug) can never succeed on a retry
            log.warning("request to %s could not be made: %r", mask_url(url), exc)
            return Outcome(None, f"not sent: {type(exc).__name__}: {exc}", ms(), final=True)

    async def _exchange(self, method: str, url: Any, headers: dict[str, str], body: bytes | None,
                        deadline_at: float) -> Outcome:
        started = time.perf_counter()
        async with self.client().stream(method, url, headers=headers, content=body) as response:
            latency = (time.perf_counter() - started) * 1000
            status = response.status_code
            after = retry_after(response.headers.get("retry-after"))
            error = None
            if 300 <= status < 400:
                location = response.headers.get("location")
                where = f"; Location: {mask_url(location)}" if location else " (no Location given)"
                error = (f"HTTP {status} {response.reason_phrase}: redirects are not followed{where}; "
                         "put the final address into the webhook's URL").replace("  ", " ")
            elif not 200 <= status < 300:
                error = f"HTTP {status} {response.reason_phrase}".strip()
            # The status is known: a body that trickles or never ends must not cost it.
            left = (deadline_at - time.perf_counter()) * 0.8
            if left > 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await within(left, _read_a_little(response))
            return Outcome(status, error, latency, after)

    async def fetch(self, method: str, url: str, headers: dict[str, str], body: bytes | None, deadline_s: float,
                    checked_url: httpx.URL | None = None) -> Answer:
        """A lookup: the same rules as a delivery (one deadline, no redirects, no cookies), but the
        answer is read, up to ANSWER_LIMIT bytes."""
        started = time.perf_counter()

        def ms() -> float:
            return (time.perf_counter() - started) * 1000

        try:
            if checked_url is None:
                checked_url = check_request_url(url)
            check_headers(headers)
        except InvalidInput as exc:
            return Answer(None, None, ms(), f"not sent: {exc}")
        try:
            return await within(deadline_s, self._read_answer(method, checked_url, headers, body, started))
        except asyncio.TimeoutError:
            return Answer(None, None, ms(), f"timed out after {deadline_s:g} s")
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return Answer(None, None, ms(), text)

    async def _read_answer(self, method: str, url: Any, headers: dict[str, str], body: bytes | None,
                           started: float) -> Answer:
        async with self.client().stream(method, url, headers=headers, content=body) as response:
            status = response.status_code
            if 300 <= status < 400:
                return Answer(status, None, (time.perf_counter() - started) * 1000,
                              f"HTTP {status}: redirects are not followed; put the final address into the lookup's URL")
            chunks, read = [], 0
            async for chunk in response.aiter_bytes():  # decoded (gzip), and bounded as it is decoded
                read += len(chunk)
                if read > ANSWER_LIMIT:
                    return Answer(status, None, (time.perf_counter() - started) * 1000,
                                  f"the answer is larger than {ANSWER_LIMIT // 1024} KiB")
                chunks.append(chunk)
            return Answer(status, b"".join(chunks), (time.perf_counter() - started) * 1000)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def network_from(settings: Any) -> Network:
    return Network(proxy=getattr(settings, "proxy", None) or None,
                   proxy_from_env=bool(getattr(settings, "proxy_from_env", False)),
                   ca_file=os.environ.get("SSL_CERT_FILE") or None)
