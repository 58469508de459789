"""One factory for every HTTP session: User-Agent, auth, conditional-request cache, retry, limit.

The stack, outermost first: requests-cache (ETag/Last-Modified revalidation, one cache file per
credential) -> our metered adapter (proactive per-account limiter from requests-ratelimiter,
counters for the manifest, default timeouts) -> urllib3 ``Retry`` (429/5xx/network errors with
backoff, honouring ``Retry-After``). Fetch code receives the session; it never builds one.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession
from requests_ratelimiter import LimiterAdapter
from urllib3.util.retry import Retry

from extract.errors import ConfigError

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_TIMEOUT = (10.0, 60.0)
DEFAULT_RETRIES = 6
DEFAULT_BACKOFF = 0.5
DEFAULT_BACKOFF_MAX = 60.0
DEFAULT_RETRY_AFTER_MAX = 600
LOOPBACK_NAMES = {"localhost"}
UNCAPPED = 10**9
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
    """Counters for the run manifest; updated from worker threads."""

    requests: int = 0
    retries: int = 0
    throttle_wait_s: float = 0.0
    status: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, statuses: list[int | None], waited: float) -> None:
        with self._lock:
            self.requests += len(statuses)
            self.retries += len(statuses) - 1
            self.throttle_wait_s += waited
            self.status.update("error" if s is None else str(s) for s in statuses)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "not_modified": self.status.get("304", 0),
                "retries": self.retries,
                "throttled_429": self.status.get("429", 0),
                "unavailable_503": self.status.get("503", 0),
                "throttle_wait_s": round(self.throttle_wait_s, 3),
                "status": dict(sorted(self.status.items())),
            }


class RetryAfterTooLong(Exception):
    """The server asked us to wait longer than we agreed to; stop instead of hanging."""


class PoliteRetry(Retry):
    """urllib3 Retry that logs each retry and refuses absurd ``Retry-After`` values."""

    def parse_retry_after(self, retry_after: str) -> float:
        seconds = Retry(retry_after_max=UNCAPPED).parse_retry_after(retry_after)
        if seconds > self.retry_after_max:
            raise RetryAfterTooLong(
                f"server asked to wait {seconds:.0f}s, above the {self.retry_after_max}s limit"
            )
        return seconds

    def increment(self, method=None, url=None, response=None, error=None, *args, **kwargs):
        status = response.status if response is not None else type(error).__name__
        log.info("retrying %s %s after %s", method, url, status)
        return super().increment(method, url, response, error, *args, **kwargs)


class MeteredAdapter(LimiterAdapter):
    """Waits for the account's limiter, applies default timeouts, and counts what went out."""

    def __init__(self, *, stats: HttpStats, timeout: tuple[float, float], **kwargs: Any) -> None:
        self.stats = stats
        self.default_timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        started = time.monotonic()
        self.limiter.try_acquire(self._bucket_name(request), weight=1, blocking=True)
        waited = time.monotonic() - started
        try:
            response = HTTPAdapter.send(self, request, **kwargs)
        except Exception:
            self.stats.record([None], waited)
            raise
        history = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
        self.stats.record([h.status for h in history] + [response.status_code], waited)
        return response


def require_safe_base_url(url: str) -> None:
    """HTTPS everywhere except loopback, where the sandbox and tests live."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return
    scheme = parts.scheme or "schemeless"
    raise ConfigError(f"refusing {scheme} base URL {url!r}: HTTPS is required")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HttpSettings:
    """Everything a session needs; one object with named defaults."""

    user_agent: str
    credentials: Credentials
    bucket: str
    rate_limit: RateLimit | None = None
    cache_dir: Path | None = None
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF
    backoff_max: float = DEFAULT_BACKOFF_MAX
    retry_after_max: int = DEFAULT_RETRY_AFTER_MAX
    pool_size: int = 16
    retry_methods: frozenset[str] = frozenset({"GET", "HEAD"})
    prefix_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    session_auth: bool = True
    auth: requests.auth.AuthBase | None = None
    cache_identity: str | None = None


def build_retry(settings: HttpSettings) -> Retry:
    return PoliteRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        redirect=0,
        allowed_methods=settings.retry_methods,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        backoff_jitter=0.1,
        respect_retry_after_header=True,
        retry_after_max=settings.retry_after_max,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def _adapter(settings: HttpSettings, stats: HttpStats, rate: RateLimit | None,
             bucket: str) -> MeteredAdapter:
    """A limiter per bucket: the per-account one, or a stricter one for a group of paths.

    The window is widened by ``WINDOW_MARGIN``: the server counts arrivals, we count departures,
    and a burst that leaves at the very end of our window may arrive inside the server's next
    one. Counting over a slightly longer window absorbs that skew.
    """
    window = rate.seconds + WINDOW_MARGIN if rate else 1
    return MeteredAdapter(
        stats=stats,
        timeout=settings.timeout,
        per_second=rate.requests / window if rate else UNLIMITED_PER_SECOND,
        burst=window,
        per_host=False,
        bucket_name=bucket,
        max_retries=build_retry(settings),
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
        session = CachedSession(
            str(cache_file),
            backend="sqlite",
            always_revalidate=True,
            allowable_codes=(200,),
            allowable_methods=("GET",),
            expire_after=-1,
        )
    else:
        session = requests.Session()
    adapter = _adapter(settings, stats, settings.rate_limit, settings.bucket)
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
