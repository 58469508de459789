"""``Link`` header parsing (RFC 8288), strict enough that a malformed part is never followed.

requests' ``response.links`` splits on commas and strips brackets, so ``>x</p.json?page=2>``
became the path ``x</p.json`` and an empty ``<>`` became the page itself. Here the target is what
lies between a ``<`` and the first ``>`` after it (the SDK's algorithm, pinned by the official
conformance cases), parameters are read up to the next comma outside quotes, and a target that
is empty or not a URI reference is dropped with a warning while later parts still count.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

URI_REFERENCE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


@dataclass(frozen=True)
class Link:
    """One link-value: its target (maybe relative) and its parameters (names lower-cased)."""

    target: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def rels(self) -> frozenset[str]:
        return frozenset(self.params.get("rel", "").lower().split())

    @property
    def valid(self) -> bool:
        return bool(URI_REFERENCE.fullmatch(self.target))


def parse_links(value: str) -> tuple[list[Link], list[str]]:
    """Every link-value in a ``Link`` header, and the problems met on the way."""
    links: list[Link] = []
    problems: list[str] = []
    pos = 0
    while True:
        start = value.find("<", pos)
        if start < 0:
            break
        end = value.find(">", start + 1)
        if end < 0:
            problems.append(f"unterminated '<' in {value[start:start + 60]!r}")
            break
        params, pos = _params(value, end + 1)
        links.append(Link(value[start + 1:end].strip(), params))
    return links, problems


def next_link(value: str | None, *, where: str = "",
              warn: Callable[[str], None] = log.warning) -> str | None:
    """The first well-formed ``rel="next"`` target; malformed parts are skipped with a warning."""
    if not value:
        return None
    links, problems = parse_links(value)
    for problem in problems:
        warn(f"ignored a malformed Link header part from {where}: {problem}")
    for link in links:
        if "next" not in link.rels:
            continue
        if link.valid:
            return link.target
        warn(f"ignored a malformed rel=next Link from {where}: <{link.target[:60]}>")
    return None


def _params(value: str, pos: int) -> tuple[dict[str, str], int]:
    """Parameters after a target, up to the next comma outside a quoted string."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    while pos < len(value):
        char = value[pos]
        pos += 1
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
            continue
        elif char == '"':
            quoted = not quoted
        elif not quoted and char in ";,":
            pieces.append("".join(current))
            current = []
            if char == ",":
                break
            continue
        current.append(char)
    else:
        pieces.append("".join(current))
    params: dict[str, str] = {}
    for piece in pieces:
        name, _, raw = piece.partition("=")
        name = name.strip().lower()
        if name and name not in params:  # RFC 8288: later occurrences are ignored
            params[name] = raw.strip().strip('"')
    return params, pos
