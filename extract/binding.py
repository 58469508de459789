"""How a parent record becomes a child unit's context: ``bind``, gathered chunks, feed reads.

See ``extract.catalog.Endpoint`` for the words (``bind``, ``each``/``^field``, ``gather``,
``changed_since``); the crawl asks these functions for each record it fans out from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from extract.catalog import Endpoint, dig
from extract.timezones import parse_stamp

log = logging.getLogger(__name__)

GATHER_CHUNK = 50  # ids per gathered request: ~600 characters of query string


def bind(child: Endpoint, ctx: Mapping[str, Any], record: Mapping[str, Any],
         item: Mapping[str, Any]) -> dict[str, Any] | None:
    """The child's context from one parent record (and list item), or None when a bound field
    is missing (the child is then not requested)."""
    out = dict(ctx)
    for name, sources in child.bind.items():
        candidates = (sources,) if isinstance(sources, str) else sources
        value = next((v for v in (read(s, record, item) for s in candidates) if v is not None),
                     None)
        if value is None:
            log.debug("%s: parent record has no %s; not requested", child.id, sources)
            return None
        out[name] = value
    return out


def gathered_contexts(values: Mapping[str, set[Any]], root: Mapping[str, Any]
                      ) -> Iterable[dict[str, Any]]:
    """Contexts of a gathered request: each name bound to ≤ GATHER_CHUNK comma-joined values.

    Nothing gathered means nothing to ask for. Only single-name gathers are chunked; the
    catalog has no other kind.
    """
    (name, found), = values.items()
    ordered = sorted(found, key=lambda v: (str(type(v)), v))
    for start in range(0, len(ordered), GATHER_CHUNK):
        chunk = ordered[start:start + GATHER_CHUNK]
        yield {**root, name: ",".join(str(v) for v in chunk)}


def older(record: Mapping[str, Any], since: Any) -> bool:
    """True when the record's ``updated_at`` is before ``since`` (unknown stamps are not)."""
    stamp, bound = parse_stamp(record.get("updated_at")), parse_stamp(since)
    return stamp is not None and bound is not None and stamp < bound


def read(source: str, record: Mapping[str, Any], item: Mapping[str, Any]) -> Any:
    """A bound field: ``^field`` from the enclosing record, anything else from the item."""
    return dig(record, source[1:]) if source.startswith("^") else dig(item, source)
