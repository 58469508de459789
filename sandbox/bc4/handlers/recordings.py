"""Routes on any recording: comments, events, client replies, timesheets, upload versions,
boosts and subscriptions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sandbox.bc4.handlers.common import (
    HttpError,
    Listing,
    Query,
    View,
    kids,
    live_project,
    recording,
    scope_modified,
    sort_listing,
)
from sandbox.bc4.model import (
    ACTIVE,
    SUBSCRIBABLE_TYPES,
    TRASHED,
    Recording,
)


def any_recording(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    return v.render.recording(recording(v, id, (), bucket))


def comments(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, recording(v, id, ()), ("Comment",))


def events(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    rec = recording(v, id, ())
    events = sorted(v.account.events.get(rec.id, []),
                    key=lambda e: (e.created_at, e.id), reverse=True)
    return Listing(events, lambda e: v.render.event(e, rec.bucket_id), rec.updated_at)


def client_listing(v: View, bucket: int, kind: str, query: Mapping[str, str]) -> Listing:
    project = live_project(v, bucket)
    if project.client_board_id is None:
        return Listing([], v.render.recording)
    board = v.account.recordings[project.client_board_id]
    return sort_listing(kids(v, board, (kind,)), query)


def approvals(v: View, query: Query, bucket: int) -> Listing:
    return client_listing(v, bucket, "Client::Approval", query)


def correspondences(v: View, query: Query, bucket: int) -> Listing:
    return client_listing(v, bucket, "Client::Correspondence", query)


def client_replies(v: View, query: Query, bucket: int, id: int) -> Listing:
    parent = recording(v, id, ("Client::Approval", "Client::Correspondence"), bucket)
    return kids(v, parent, ("Client::Reply",))


def timesheet(
    v: View, entries: Iterable[Recording], query: Mapping[str, str], modified: datetime | None
) -> Listing:
    """Active entries filtered by ``from``/``to``/``person_id``, oldest date first."""
    start, end = query.get("from") or "", query.get("to") or "9999-12-31"
    person = query.get("person_id") or ""
    rows = [e for e in entries if e.status == ACTIVE
            and start <= e.extra["date"] <= end
            and (not person or str(e.extra["person"]) == person)]
    rows.sort(key=lambda e: (e.extra["date"], e.created_at, e.id))
    return Listing(rows, v.render.recording, modified)


def project_timesheet(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    project = live_project(v, id)
    if not project.timesheet_enabled:
        return Listing([], v.render.recording)
    entries = (r for r in v.account.recordings.values()
               if r.type == "Timesheet::Entry" and r.bucket_id == id)
    return timesheet(v, entries, query, scope_modified(v, ("Timesheet::Entry",), {id}))


def report_timesheet(v: View, query: Query, bucket: int | None) -> Listing:
    """Every enabled live project's entries at once; without ``from`` the prose's default
    window applies (the last month), so a complete read passes ``from`` and ``to``."""
    if not query.get("from") and not query.get("start_date"):
        start = (v.account.now - timedelta(days=31)).date().isoformat()
        query = {**query, "from": start}
    enabled = {p.id for p in v.account.projects.values()
               if p.timesheet_enabled and p.status != TRASHED and not p.template}
    entries = (r for r in v.account.recordings.values()
               if r.type == "Timesheet::Entry" and r.bucket_id in enabled)
    return timesheet(v, entries, query, scope_modified(v, ("Timesheet::Entry",), enabled))


def recording_timesheet(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    rec = recording(v, id, ())
    if not v.account.projects[rec.bucket_id].timesheet_enabled:
        return Listing([], v.render.recording)
    return timesheet(v, v.account.kids(rec.id, "Timesheet::Entry"), query, rec.updated_at)


def versions(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    """Version events newest first; only the newest is ``current``."""
    upload = recording(v, id, ("Upload",))
    events = sorted((e for e in v.account.events.get(upload.id, []) if e.file),
                    key=lambda e: (e.created_at, e.id), reverse=True)
    newest = events[0].id if events else None
    return Listing(events, lambda e: v.render.upload_version(e, upload, e.id == newest),
                   upload.updated_at)


def boosts(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    rec = recording(v, id, ())
    return Listing(list(v.account.boosts.get(rec.id, [])), v.render.boost)


def event_boosts(v: View, query: Query, bucket: int | None, id: int, event: int) -> Listing:
    """Served (version ``boosts_url`` points here) but always empty."""
    rec = recording(v, id, ())
    if all(e.id != event for e in v.account.events.get(rec.id, [])):
        raise HttpError(404, "Not Found")
    return Listing([], v.render.boost)


def boost(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    for rec_id, boosts in v.account.boosts.items():
        for boost in boosts:
            if boost.id == id:
                recording(v, rec_id, (), bucket)
                return v.render.boost(boost)
    raise HttpError(404, "Not Found")


def subscription(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    return v.render.subscription(recording(v, id, SUBSCRIBABLE_TYPES, bucket))
