"""The vocabulary of an endpoint catalog: one frozen dataclass, one tuple of entries per API.

An entry says only what differs from the defaults. The crawl reads these tables; it has no
function per endpoint.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from extract.pagers import PAGERS, Pager

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]
Paging = Literal["page_number", "ignores_page", "offset", "link", "none"]
Auth = Literal["session", "body", "path", "header"]
TOKEN_SLOT = "{token}"


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint of an API family.

    ``parents`` name the endpoints whose records supply the path ids: each parent record becomes
    one request of this endpoint (deduplicated by URL), after ``where`` accepts it. ``bind`` maps a
    context name (a path placeholder, or a column such as ``bucket_id``) to a dotted field of the
    parent record; ids already known from the parent's own path carry over by themselves. ``each``
    fans out over a list field of the parent record; then ``^field`` in ``bind`` reads the
    enclosing record. A tuple in ``bind`` means the first of those fields that is present (for
    parents of different shapes). ``constants`` become columns of every record; ``context``
    seeds names that children and rows inherit. ``params`` values may name context values in
    braces (``{buckets}``).

    Account-wide listings need three more words. ``gather`` makes one request (or one per
    chunk) out of *all* parent records once every ancestor unit is done, binding each name to
    the comma-joined values (``bucket=1,2,3``). ``unwrap`` reads records out of grouped pages
    (``[{"bucket": …, "todos": [...]}]``). ``row_ctx`` takes context per record, such as the
    partitioning ``project_id`` from ``bucket.id``. ``thin`` marks a projection that lacks
    type-specific fields, so any fuller source of the same row wins column by column.
    ``opt_in`` names an option without which the entry is not crawled (costly fan-outs).
    ``reshape`` renames top-level fields of each record (None drops one) where this source
    spells a field differently from the table's main source. ``once`` is for an account-wide
    collection served only under a scoped route (any parent answers the same): one request,
    from the first parent record accepted, with none of that parent's context.

    Two words fill in what a listing leaves thin. ``unless_in`` names listings that already
    return whole records of this table: this entry's units wait until those listings (and
    every ancestor) are done, and a parent record whose ``id`` one of them returned asks
    nothing. ``changed_since`` names a context value (an incremental run's bookmark): in a
    feed read (a crawl that stops paging at the bookmark), a parent record whose
    ``updated_at`` is older asks nothing, as only changed rows are stored; a listing read whole
    replaces its rows, so each of them asks again.
    """

    id: str
    path: str
    table: str
    kind: Literal["collection", "member"] = "collection"
    parents: tuple[str, ...] = ()
    bind: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    where: Predicate | None = None
    each: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    paging: Paging = "page_number"
    constants: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    crawl: bool = True
    note: str = ""
    examples: tuple[str, ...] = ()
    method: str = "GET"
    body: str | None = None
    auth: Auth = "session"
    limit_group: str | None = None
    gather: bool = False
    unwrap: str | None = None
    row_ctx: Mapping[str, str] = field(default_factory=dict)
    thin: bool = False
    opt_in: str | None = None
    reshape: Mapping[str, str | None] = field(default_factory=dict)
    once: bool = False
    unless_in: tuple[str, ...] = ()
    changed_since: str | None = None

    @property
    def is_member(self) -> bool:
        return self.kind == "member"

    def placeholders(self) -> tuple[str, ...]:
        """Names in ``{braces}`` in the path template, in order (never the token slot)."""
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.path)
                     if name and name != "token")

    def query(self, ctx: Mapping[str, Any]) -> dict[str, str]:
        """``params`` with context values filled into any ``{name}``."""
        return {k: v.format(**ctx) if "{" in v else v for k, v in self.params.items()}

    def pager(self, page_size: int) -> Pager:
        """A fresh pager for one walk of this endpoint's pages (``extract.pagers``)."""
        return PAGERS[self.paging](self.params, page_size)

    def url_path(self, ctx: Mapping[str, Any]) -> str:
        """The path with ids filled in; a token slot stays a slot until the request is sent."""
        return self.path.format(**{**ctx, "token": TOKEN_SLOT})


@dataclass(frozen=True)
class Catalog:
    """All endpoints of one API family plus the family-wide defaults."""

    api: str
    base_url: str
    page_size: int
    endpoints: tuple[Endpoint, ...]

    def __post_init__(self) -> None:
        ids = [e.id for e in self.endpoints]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate endpoint ids in {self.api} catalog: {sorted(dupes)}")
        known = set(ids)
        for e in self.endpoints:
            missing = [p for p in (*e.parents, *e.unless_in) if p not in known]
            if missing:
                raise ValueError(f"{e.id}: unknown parent or unless_in endpoints {missing}")

    def __getitem__(self, endpoint_id: str) -> Endpoint:
        for e in self.endpoints:
            if e.id == endpoint_id:
                return e
        raise KeyError(endpoint_id)

    @property
    def crawled(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if e.crawl and e.opt_in is None)

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(sorted({e.opt_in for e in self.endpoints if e.opt_in}))

    def with_options(self, names: Iterable[str]) -> Catalog:
        """This catalog with the entries of the named opt-in options crawled too."""
        wanted = set(names)
        unknown = wanted - set(self.options)
        if unknown:
            raise ValueError(f"{self.api} has no option(s) {sorted(unknown)}")
        return replace(self, endpoints=tuple(
            replace(e, opt_in=None) if e.opt_in in wanted else e for e in self.endpoints))

    def children(self, endpoint_id: str) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.crawled if endpoint_id in e.parents)

    def roots(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.crawled if not e.parents)

    def ancestors(self, endpoint_id: str) -> set[str]:
        """Every crawled endpoint that must run before ``endpoint_id`` can be reached."""
        seen: set[str] = set()
        stack = list(self[endpoint_id].parents)
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self[current].parents)
        return seen


def dig(record: Record, dotted: str) -> Any:
    """Follow ``a.b.c`` through nested mappings; None when any step is missing."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
