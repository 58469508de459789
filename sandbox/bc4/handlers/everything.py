"""BC5 routes: the grouped "everything" lists (open/completed to-dos and cards, not now)
and gauges with their needles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.bc4.handlers.account import projects
from sandbox.bc4.handlers.common import (
    HttpError,
    Listing,
    Query,
    View,
    live_project,
    recording,
    scope_modified,
)
from sandbox.bc4.model import (
    ACTIVE,
    Project,
    Recording,
)

# Risk order of ``/reports/gauges.json``: the latest needle's color, red first.
_RISK = {"red": 0, "yellow": 1, "green": 2}


def grouped(v: View, kind: str, key: str, keep: Callable[[Recording], bool]) -> Listing:
    """Active ``kind`` rows passing ``keep``, one ``{"bucket", key}`` group per project."""
    rows: dict[int, list[Recording]] = {p.id: [] for p in projects(v, {}, None).items}
    for rec in v.account.recordings.values():
        if rec.type == kind and rec.status == ACTIVE and rec.bucket_id in rows and keep(rec):
            rows[rec.bucket_id].append(rec)
    groups = [(bucket, recs) for bucket, recs in rows.items() if recs]
    return Listing(groups, lambda group: {
        "bucket": v.render.bucket(group[0]),
        key: [v.render.recording(rec) for rec in group[1]]},
        scope_modified(v, (kind,), set(rows)))


def not_now(v: View, card: Recording) -> bool:
    assert card.parent_id is not None
    return v.account.recordings[card.parent_id].type == "Kanban::NotNowColumn"


def open_todos(v: View, query: Query, bucket: int | None) -> Listing:
    return grouped(v, "Todo", "todos", lambda t: not t.extra["completed"])


def completed_todos(v: View, query: Query, bucket: int | None) -> Listing:
    return grouped(v, "Todo", "todos", lambda t: t.extra["completed"])


def open_cards(v: View, query: Query, bucket: int | None) -> Listing:
    return grouped(v, "Kanban::Card", "cards",
                   lambda c: not c.extra["completed"] and not not_now(v, c))


def completed_cards(v: View, query: Query, bucket: int | None) -> Listing:
    return grouped(v, "Kanban::Card", "cards", lambda c: c.extra["completed"])


def not_now_cards(v: View, query: Query, bucket: int | None) -> Listing:
    return grouped(v, "Kanban::Card", "cards", lambda card: not_now(v, card))


def gauges(v: View, query: Query, bucket: int | None) -> Listing:
    gauges = {p.id: g for p in projects(v, {}, None).items
              if (g := gauge_of(v, p)) is not None and g.extra["enabled"]}
    if query.get("bucket_ids"):
        order = [int(b) for b in query["bucket_ids"].split(",") if b.strip().isdigit()]
        rows = [gauges[b] for b in dict.fromkeys(order) if b in gauges]
    else:
        rows = sorted(gauges.values(), key=lambda gauge: risk(v, gauge))
    return Listing(rows, v.render.recording)


def risk(v: View, gauge: Recording) -> tuple[int, str, int]:
    needles = v.render.needles(gauge)
    color = needles[0].extra["color"] if needles else ""
    return _RISK.get(color, len(_RISK)), v.account.projects[gauge.bucket_id].name, gauge.id


def gauge_of(v: View, project: Project) -> Recording | None:
    gauge = v.account.recordings.get(project.gauge_id or 0)
    return gauge if gauge is not None and gauge.status == ACTIVE else None


def gauge(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    gauge = gauge_of(v, live_project(v, id))
    if gauge is None:
        raise HttpError(404, "Not Found")
    return v.render.recording(gauge)


def needles(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    gauge = gauge_of(v, live_project(v, id))
    if gauge is None:
        return Listing([], v.render.recording)
    return Listing(v.render.needles(gauge), v.render.recording, gauge.updated_at)


def project_needle(
    v: View, query: Query, bucket: int | None, project: int, id: int
) -> dict[str, Any]:
    needle = recording(v, id, ("Gauge::Needle",), project)
    return v.render.recording(needle)
