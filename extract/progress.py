"""How far an export has got, for a person at a terminal and for a log read the next morning.

A crawl learns of its work as it goes: each listing page names new units. A total that counts
what is known so far grows, and a percentage of it goes backwards. ``Progress`` tells work found
apart from work that can still be found: it counts units per phase (account listings, listings
under a project or page, member reads) and knows from the catalog which units can still lead to
units of which phase. A phase none of whose feeding units is left is *settled*: its count is
final. Discovery is over once every phase is settled and no further crawl follows; only then is
there a total to give a percentage or an ETA of.

Two views read its snapshots: ``TerminalBar`` (tqdm, on a terminal) and ``LogTicker`` (one line
every N seconds, for a run nobody watches). ``watching`` runs either on a timer thread, so a
line comes even while one long listing pages or a retry sleeps.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TextIO

from tqdm import tqdm

from extract.catalog import Catalog, Endpoint
from extract.http import HttpStats, RateLimit

RATE_WINDOW = 30.0  # seconds the request rate, unit rate and ETA are measured over
BAR_REFRESH = 0.25  # seconds between redraws of the terminal bar
LOG_EVERY = 30.0  # default seconds between progress log lines
PHASES: tuple[tuple[str, str], ...] = (
    ("account", "account-wide listings (roots of the catalog)"),
    ("lists", "listings under a project, bucket, calendar or page"),
    ("members", "one record read by its id"),
)


def phase_of(endpoint: Endpoint) -> str:
    """The phase of an endpoint's units: root listings, nested listings, or member reads."""
    if not endpoint.parents:
        return "account"
    return "members" if endpoint.is_member else "lists"


def reach(catalog: Catalog, selected: Iterable[str]) -> dict[str, frozenset[str]]:
    """Per selected endpoint, the phases of every unit its units can still lead to.

    A unit leads to its children's units, and a listing that deferred entries wait for
    (``unless_in``) leads to the units its end releases; gathered requests are children too.
    """
    wanted = set(selected)
    chosen = {e.id: e for e in catalog.crawled if e.id in wanted}
    edges: dict[str, set[str]] = {eid: set() for eid in chosen}
    for e in chosen.values():
        for source in (*e.parents, *e.unless_in):
            if source in edges:
                edges[source].add(e.id)
    out: dict[str, frozenset[str]] = {}
    for eid in chosen:
        seen: set[str] = set()
        stack = list(edges[eid])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(edges[current])
        out[eid] = frozenset(phase_of(chosen[x]) for x in seen)
    return out


@dataclass(frozen=True)
class PhaseCount:
    """Units of one phase: ``found`` is final once ``settled``."""

    name: str
    done: int
    found: int
    settled: bool

    def text(self) -> str:
        return f"{self.name} {self.done:,}/{self.found:,}{'' if self.settled else '+'}"


@dataclass(frozen=True)
class Snapshot:
    """The figures of one moment; every count only grows from one snapshot to the next."""

    elapsed: float
    stage: str  # "crawling" or "storing"
    phases: tuple[PhaseCount, ...]
    discovering: bool
    failed: int
    requests: int
    not_modified: int
    retries: int
    throttled: int  # 429 and 503 answers
    request_rate: float  # per second, over the last RATE_WINDOW seconds
    unit_rate: float
    limiter_share: float  # share of worker time spent waiting for the rate limiter, same window
    rate_limit: RateLimit | None = None  # the client-side limit

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)

    @property
    def found(self) -> int:
        return sum(p.found for p in self.phases)

    @property
    def eta(self) -> float | None:
        """Seconds left, once discovery is over and units are finishing; else None."""
        if self.discovering:
            return None
        left = self.found - self.done
        if left == 0:
            return 0.0
        return left / self.unit_rate if self.unit_rate > 0 else None

    @property
    def percent(self) -> int | None:
        """Whole percent of the units done; None while the total can still grow."""
        if self.discovering:
            return None
        return 100 if self.found == 0 else self.done * 100 // self.found

    def units_text(self) -> str:
        more = "+" if self.discovering else ""
        return (f"{self.done:,}/{self.found:,}{more} units "
                f"({', '.join(p.text() for p in self.phases)})")


class Progress:
    """Counts an export's units per phase as its crawls find and finish them; thread-safe.

    The crawl calls ``setting_up`` around its start (preflight, roots, first releases), then
    ``found`` for each unit it queues and ``finished`` when one is done; a unit's children are
    found before the unit finishes. The export calls ``watch`` with its HTTP counters,
    ``more_crawls`` when a later crawl will follow this one, and ``crawled`` when crawling is over.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 window: float = RATE_WINDOW) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._window = window
        self._started = clock()
        self._phase: dict[str, str] = {}
        self._reach: dict[str, frozenset[str]] = {}
        self._done: Counter[str] = Counter()
        self._found: Counter[str] = Counter()
        self._pending: Counter[str] = Counter()  # by endpoint id
        self._failed = 0
        self._setting_up = 0
        self._more = False
        self._open = True  # no crawl has been set up yet
        self._crawled = False
        self._stats: HttpStats | None = None
        self._workers = 1
        self._rate_limit: RateLimit | None = None
        self._samples: deque[tuple[float, int, int, float]] = deque([(self._started, 0, 0, 0.0)])

    def watch(self, stats: HttpStats, workers: int, rate_limit: RateLimit | None = None
              ) -> None:
        """Read request counts from ``stats``; ``workers`` share the limiter's wait;
        ``rate_limit`` is shown beside the rate (a sliding window: bursts can beat its
        average)."""
        with self._lock:
            self._stats, self._workers = stats, max(workers, 1)
            self._rate_limit = rate_limit

    @contextmanager
    def setting_up(self, catalog: Catalog, selected: Iterable[str]) -> Iterator[None]:
        """A crawl of ``selected`` starts: until it is set up, more can be found than is queued."""
        phases = {e.id: phase_of(e) for e in catalog.crawled}
        feeds = reach(catalog, selected)
        with self._lock:
            self._phase.update(phases)
            for eid, reached in feeds.items():
                self._reach[eid] = self._reach.get(eid, frozenset()) | reached
            self._setting_up += 1
        try:
            yield
        finally:
            with self._lock:
                self._setting_up -= 1
                if not self._more:
                    self._open = False

    def more_crawls(self, follow: bool) -> None:
        """Whether another crawl follows the next one (an incremental run's second read)."""
        with self._lock:
            self._more = follow

    def crawled(self) -> None:
        """Crawling is over: every count is final."""
        with self._lock:
            self._open, self._more, self._crawled = False, False, True

    def found(self, endpoint_id: str) -> None:
        with self._lock:
            self._found[self._phase.get(endpoint_id, "lists")] += 1
            self._pending[endpoint_id] += 1

    def finished(self, endpoint_id: str, *, failed: bool = False) -> None:
        with self._lock:
            self._done[self._phase.get(endpoint_id, "lists")] += 1
            self._pending[endpoint_id] -= 1
            self._failed += int(failed)

    def snapshot(self) -> Snapshot:
        """The figures now; rates over the last ``window`` seconds of snapshots."""
        http = self._stats.as_dict() if self._stats is not None else {}
        with self._lock:
            now = self._clock()
            open_ = self._open or self._setting_up > 0
            feeding = set().union(*(self._reach.get(eid, frozenset(n for n, _ in PHASES))
                                    for eid, n in self._pending.items() if n))
            phases = tuple(PhaseCount(name, self._done[name], self._found[name],
                                      not open_ and name not in feeding)
                           for name, _ in PHASES)
            done = sum(p.done for p in phases)
            requests = http.get("requests", 0)
            waited = float(http.get("throttle_wait_s", 0.0))
            while len(self._samples) > 1 and now - self._samples[1][0] >= self._window:
                self._samples.popleft()
            then, done_then, requests_then, waited_then = self._samples[0]
            self._samples.append((now, done, requests, waited))
            span = now - then
            workers, rate_limit = self._workers, self._rate_limit
            stage = "storing" if self._crawled else "crawling"
            failed = self._failed
        return Snapshot(
            elapsed=now - self._started, stage=stage, phases=phases,
            discovering=not all(p.settled for p in phases), failed=failed,
            requests=requests, not_modified=http.get("not_modified", 0),
            retries=http.get("retries", 0),
            throttled=http.get("throttled_429", 0) + http.get("unavailable_503", 0),
            request_rate=(requests - requests_then) / span if span > 0 else 0.0,
            unit_rate=(done - done_then) / span if span > 0 else 0.0,
            limiter_share=min(1.0, (waited - waited_then) / (span * workers)) if span > 0 else 0.0,
            rate_limit=rate_limit,
        )


class View(Protocol):
    """Shows snapshots somewhere; ``close`` ends the display."""

    def show(self, snapshot: Snapshot) -> None: ...

    def close(self) -> None: ...


def clock_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def http_text(s: Snapshot) -> str:
    """Requests, rate and throttling, in words for a log line."""
    limit = (f", limit {s.rate_limit.requests}/{s.rate_limit.seconds:g}s"
             if s.rate_limit else "")
    return (f"{s.requests:,} requests ({s.request_rate:.1f}/s{limit}), {s.retries:,} retries, "
            f"{s.throttled:,} throttled (429/503), limiter wait {s.limiter_share:.0%}")


def outlook_text(s: Snapshot) -> str | None:
    """What is left of the crawl: still discovering, or a percentage and an ETA."""
    if s.stage == "storing":
        return None
    if s.discovering:
        return "discovering"
    eta = s.eta
    return f"{s.percent}%, ETA {clock_text(eta)}" if eta is not None else f"{s.percent}%"


class LogTicker:
    """One line per snapshot on a stream, for a run nobody watches (cron, CI, a scheduler)."""

    def __init__(self, stream: TextIO, label: str,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self._stream = stream
        self._label = label
        self._now = now

    def line(self, s: Snapshot) -> str:
        failed = f", {s.failed:,} failed" if s.failed else ""
        outlook = outlook_text(s)
        return (f"{self._now():%Y-%m-%d %H:%M:%S} progress {self._label}: "
                f"{clock_text(s.elapsed)} {s.stage}, {s.units_text()}{failed}, {http_text(s)}"
                + (f", {outlook}" if outlook else ""))

    def show(self, snapshot: Snapshot) -> None:
        self._stream.write(self.line(snapshot) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Nothing to take down: every line is complete when written."""


class TerminalBar:
    """A tqdm bar: a count while discovering, a percentage of a fixed total once it is over.

    The total is set once, when discovery ends, so the percentage only grows. Each phase shows
    its own count, with ``+`` while more of it can still be found.
    """

    def __init__(self, stream: TextIO, label: str) -> None:
        self._bar = tqdm(total=None, unit=" units", desc=label, file=stream, leave=False,
                         dynamic_ncols=True)

    @property
    def total(self) -> float | None:
        return self._bar.total

    def show(self, s: Snapshot) -> None:
        bar = self._bar
        if bar.total is None and not s.discovering:
            bar.total = s.found
        bar.set_postfix_str(f"{', '.join(p.text() for p in s.phases)}; "
                            f"{s.requests:,} req {s.request_rate:.1f}/s, "
                            f"{s.throttled:,} throttled"
                            + (f", {s.failed:,} failed" if s.failed else "")
                            + ("; storing" if s.stage == "storing" else ""), refresh=False)
        bar.update(s.done - bar.n)
        bar.refresh()

    def close(self) -> None:
        self._bar.close()


@contextmanager
def watching(progress: Progress, view: View, every: float) -> Iterator[Progress]:
    """Show ``progress`` in ``view`` every ``every`` seconds from a daemon thread until the
    block ends, then close the view."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(every):
            try:
                view.show(progress.snapshot())
            except (OSError, ValueError):  # stderr closed or a broken pipe: stop showing
                return

    thread = threading.Thread(target=tick, name="progress", daemon=True)
    thread.start()
    try:
        yield progress
    finally:
        stop.set()
        thread.join()
        view.close()
