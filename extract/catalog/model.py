"""The vocabulary of an endpoint catalog: one frozen dataclass, one tuple of entries per API.

An entry says only what differs from the defaults. The crawl reads these tables; it has no
function per endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]
Paging = Literal["page_number", "ignores_page", "offset", "none"]
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
    seeds names that children and rows inherit.
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

    @property
    def is_member(self) -> bool:
        return self.kind == "member"

    def placeholders(self) -> tuple[str, ...]:
        """Names in ``{braces}`` in the path template, in order (never the token slot)."""
        import string

        return tuple(name for _, name, _, _ in string.Formatter().parse(self.path)
                     if name and name != "token")

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
            missing = [p for p in e.parents if p not in known]
            if missing:
                raise ValueError(f"{e.id}: unknown parent endpoints {missing}")

    def __getitem__(self, endpoint_id: str) -> Endpoint:
        for e in self.endpoints:
            if e.id == endpoint_id:
                return e
        raise KeyError(endpoint_id)

    @property
    def crawled(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if e.crawl)

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
