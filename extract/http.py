"""One factory for every HTTP session: User-Agent, auth, conditional-request cache, retry, limit.

The stack, outermost first: requests-cache (ETag/Last-Modified revalidation, one cache file per
credential; ``extract.sessions``) -> our session's redirect rule (same origin only, see
``extract.origin``) -> our metered adapter, which runs the retry policy of ``extract.retrying``:
each attempt waits for the account's limiter (requests-ratelimiter), is counted for the
manifest, and has default timeouts. Fetch code receives the session; it never builds one.

A family whose limit counts per host (Basecamp 4: per IP address) waits instead for a budget
shared by every process of the host (``extract.hostlimit``), and connections bind to the host's
source address (``BASECAMP_SOURCE_ADDRESS``) when one is set.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from pyrate_limiter import Limiter
from requests.adapters import HTTPAdapter
from requests_ratelimiter import LimiterAdapter
from urllib3.exceptions import NameResolutionError
from urllib3.util.retry import Retry

from extract import hostlimit
from extract.origin import is_loopback
from extract.retrying import DEFAULT_FIRST_BACKOFF, DEFAULT_RETRY_AFTER_MAX, RetryPolicy
from extract.retrying import RetryAfterTooLong as RetryAfterTooLong
from extract.sessions import GuardedSession, open_cache
from transforms.errors import ConfigError, RemoteError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (10.0, 60.0)
DEFAULT_RETRIES: int | None = None
DEFAULT_BACKOFF = DEFAULT_FIRST_BACKOFF
DEFAULT_RETRY_FOR = 300.0
UNLIMITED_PER_SECOND = 1e6
WINDOW_MARGIN = 0.25


@dataclass(frozen=True)
class Credentials:
    """Basic auth (username/password) or an OAuth bearer token. ``repr`` never shows secrets."""

    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @property
    def present(self) -> bool:
        return bool(self.token or (self.username and self.password))

    def fingerprint(self) -> str:
        """A stable, one-way name for this credential: keys the cache without storing it."""
        material = f"{self.username}\0{self.password}\0{self.token}".encode()
        return hashlib.sha256(material).hexdigest()[:16]

    def secrets(self) -> list[str]:
        """Every string that must never appear in an artefact, including encoded forms."""
        found = [s for s in (self.password, self.token) if s]
        if self.username and self.password:
            pair = f"{self.username}:{self.password}".encode()
            found.append(base64.b64encode(pair).decode())
        return found


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer``; requests drops it on redirects to another host."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` per ``seconds``, sliding window, counted per account."""

    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass
class HttpStats:
    """Counters for the run manifest; updated from worker threads.

    ``retries`` counts every re-send: retried statuses and network errors inside the adapter,
    and re-fetches of bodies that did not decode (``count_retry``).
    ``throttle_wait_s`` sums every request's limiter wait (workers waiting together each
    count); ``throttle_wall_s`` is the wall-clock time at least one of them was waiting
    (the union of the waiting intervals), the figure to set beside the run's duration.
    """

    requests: int = 0
    retries: int = 0
    throttle_wait_s: float = 0.0
    throttle_wall_s: float = 0.0
    status: Counter = field(default_factory=Counter)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _waiting: int = field(default=0, repr=False)
    _waiting_since: float = field(default=0.0, repr=False)

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Around a limiter wait: the wall clock runs while any worker is inside."""
        with self._lock:
            if not self._waiting:
                self._waiting_since = self.clock()
            self._waiting += 1
        try:
            yield
        finally:
            with self._lock:
                self._waiting -= 1
                if not self._waiting:
                    self.throttle_wall_s += self.clock() - self._waiting_since

    def record(self, status: int | None, waited: float, *, retry: bool = False) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retry)
            self.throttle_wait_s += waited
            self.status["error" if status is None else str(status)] += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "not_modified": self.status.get("304", 0),
                "retries": self.retries,
                "throttled_429": self.status.get("429", 0),
                "unavailable_503": self.status.get("503", 0),
                "throttle_wait_s": round(self.throttle_wait_s, 3),
                "throttle_wall_s": round(self.throttle_wall_s, 3),
                "status": dict(sorted(self.status.items())),
            }


TRANSIENT_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)


class MeteredAdapter(LimiterAdapter):
    """Sends with our retry policy: every attempt waits for the account's limiter and is counted.

    urllib3 retries nothing here (its first backoff is zero, it skips the limiter and it refuses
    ``Retry-After: -5`` with an exception); the loop below reads the body inside the attempt, so
    a body cut short of its ``Content-Length`` is retried like a reset or a timeout.
    """

    def __init__(self, *, stats: HttpStats, timeout: tuple[float, float], policy: RetryPolicy,
                 source_address: str | None = None, **kwargs: Any) -> None:
        self.stats = stats
        self.default_timeout = timeout
        self.policy = policy
        self.source_address = source_address  # read by init_poolmanager in super().__init__
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        """Connections leave from the host's source address when one is set."""
        super().init_poolmanager(connections, maxsize, block=block,
                                 **self._bound(pool_kwargs))

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return super().proxy_manager_for(proxy, **self._bound(proxy_kwargs))

    def _bound(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.source_address:
            return {**kwargs, "source_address": (self.source_address, 0)}
        return kwargs

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        policy = self.policy
        retrying = policy.applies_to(request.method)
        started = time.monotonic()
        retries = 0
        while True:
            response, error = self._attempt(request, retry=retries > 0, **kwargs)
            transient = response is None or response.status_code in policy.statuses
            if not (retrying and transient
                    and policy.may_retry(retries, time.monotonic() - started)):
                if response is None:
                    raise error or RemoteError("no response")
                return response
            retries += 1
            wait = policy.wait(retries, response.headers if response is not None else None)
            cause = type(error).__name__ if response is None else response.status_code
            log.info("retrying %s %s in %.1fs after %s", request.method, _path(request.url),
                     wait, cause)
            if response is not None:
                response.close()
            time.sleep(wait)

    def _attempt(self, request: requests.PreparedRequest, *, retry: bool, **kwargs: Any
                 ) -> tuple[requests.Response | None, Exception | None]:
        """One send after the limiter; a transient failure is returned, not raised."""
        started = time.monotonic()
        with self.stats.waiting():
            self.limiter.try_acquire(self._bucket_name(request), weight=1, blocking=True)
        waited = time.monotonic() - started
        try:
            response = HTTPAdapter.send(self, request, **kwargs)
            if not kwargs.get("stream"):
                response.content  # noqa: B018 - read here, so a cut-off body is retried
        except requests.exceptions.SSLError:
            self.stats.record(None, waited, retry=retry)
            raise
        except TRANSIENT_ERRORS as exc:
            self.stats.record(None, waited, retry=retry)
            if _unresolvable(exc):
                raise  # a host name that does not resolve is a typo, not a blip: fail now
            return None, exc
        self.stats.record(response.status_code, waited, retry=retry)
        return response, None


def _unresolvable(exc: BaseException) -> bool:
    """True when the host name did not resolve (urllib3 wraps it in a retry error)."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, NameResolutionError):
            return True
        seen = getattr(seen, "reason", None) or (seen.args[0] if seen.args
                                                 and isinstance(seen.args[0], BaseException)
                                                 else None)
    return False


def metered(session: requests.Session, url: str) -> MeteredAdapter | None:
    """The adapter that sends ``url`` for this session, when it is one of ours."""
    adapter = session.get_adapter(url)
    return adapter if isinstance(adapter, MeteredAdapter) else None


def require_safe_base_url(url: str) -> None:
    """HTTPS everywhere except loopback, where the sandbox and tests live."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return
    scheme = parts.scheme or "schemeless"
    raise ConfigError(f"refusing {scheme} base URL {url!r}: HTTPS is required")


@dataclass(frozen=True)
class HttpSettings:
    """Everything a session needs; one object with named defaults.

    ``backoff_factor`` is the first backoff in seconds and the retry policy's time scale: the
    cap (``backoff_max``) and the budget (``retry_for``) default to 30x and 300x of it. ``retries``
    is an optional count cap on top of the time budget. ``full`` revalidates every cached
    response with the server, however fresh it claims to be.
    """

    user_agent: str
    credentials: Credentials
    bucket: str
    rate_limit: RateLimit | None = None
    cache_dir: Path | None = None
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retries: int | None = DEFAULT_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF
    backoff_max: float | None = None
    retry_for: float | None = None
    retry_after_max: float = DEFAULT_RETRY_AFTER_MAX
    pool_size: int = 16
    retry_methods: frozenset[str] = frozenset({"GET", "HEAD"})
    prefix_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    session_auth: bool = True
    auth: requests.auth.AuthBase | None = None
    cache_identity: str | None = None
    full: bool = False
    # The machine-wide budget the main limit counts in, shared by every process of the host
    # (``Family.host_budget``: ``bc4``); None counts it per account, in this process.
    host_budget: str | None = None
    source_address: str | None = field(default_factory=hostlimit.source_address)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy.scaled(self.backoff_factor, cap=self.backoff_max,
                                  budget=self.retry_for, max_retries=self.retries,
                                  retry_after_max=self.retry_after_max,
                                  methods=self.retry_methods)


def _adapter(settings: HttpSettings, stats: HttpStats, rate: RateLimit | None,
             bucket: str, budget: str | None = None) -> MeteredAdapter:
    """A limiter per bucket: the per-account one, or a stricter one for a group of paths;
    the host's shared one (``host_budget``) in place of the per-account one.

    The window is widened by ``WINDOW_MARGIN``: the server counts arrivals, we count departures,
    and a burst that leaves at the very end of our window may arrive inside the server's next
    one. Counting over a slightly longer window absorbs that skew.
    """
    window = rate.seconds + WINDOW_MARGIN if rate else 1
    shared: Limiter | None = None
    if rate and budget:
        shared = hostlimit.host_limiter(budget, rate.requests, window)
    return MeteredAdapter(
        stats=stats,
        timeout=settings.timeout,
        policy=settings.retry_policy(),
        source_address=settings.source_address,
        limiter=shared,
        per_second=rate.requests / window if rate else UNLIMITED_PER_SECOND,
        burst=window,
        per_host=False,
        bucket_name=bucket,
        max_retries=Retry(0, read=False, redirect=False),
        pool_connections=settings.pool_size,
        pool_maxsize=settings.pool_size,
    )


def build_session(settings: HttpSettings, stats: HttpStats) -> requests.Session:
    """The one place a session is assembled; see the module docstring for the layers."""
    if not settings.user_agent or not settings.user_agent.strip():
        raise ConfigError(
            "a User-Agent is required: pass --user-agent 'MyApp (you@example.com)' "
            "or set BASECAMP_USER_AGENT"
        )
    session: requests.Session
    if settings.cache_dir is not None:
        identity = settings.cache_identity or settings.credentials.fingerprint()
        cache_file = settings.cache_dir / f"{settings.bucket.replace(':', '-')}-{identity}.sqlite"
        session = open_cache(cache_file, full=settings.full)
    else:
        session = GuardedSession()
    adapter = _adapter(settings, stats, settings.rate_limit, settings.bucket,
                       settings.host_budget)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    for prefix, limit in settings.prefix_limits.items():
        session.mount(prefix, _adapter(settings, stats, limit, f"{settings.bucket}:{prefix}"))
    session.headers["User-Agent"] = settings.user_agent.strip()
    session.headers["Accept"] = "application/json"
    creds = settings.credentials
    if not settings.session_auth:
        return session
    if settings.auth is not None:
        session.auth = settings.auth
    elif creds.token:
        session.auth = BearerAuth(creds.token)
    elif creds.username and creds.password:
        session.auth = requests.auth.HTTPBasicAuth(creds.username, creds.password)
    return session


def _path(url: str | None) -> str:
    return urlsplit(url or "").path
