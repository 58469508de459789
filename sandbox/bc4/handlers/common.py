"""What every BC4 handler shares: the view it reads, listings, errors and lookups.

A handler takes the ``View``, the query, the bucket of a ``/buckets/{project}/...`` path (None
in the flat form) and the route's ids, and returns a member (a dict) or a ``Listing`` the app
pages by gear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.bc4.model import (
    ACTIVE,
    STATUSES,
    TRASHED,
    Bc4Account,
    Project,
    Recording,
)
from sandbox.bc4.render import Renderer

Query = Mapping[str, str]


class HttpError(Exception):
    """An error answer with a JSON ``{"error": ...}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class View:
    """The account and the renderer bound to the served origin."""

    account: Bc4Account
    render: Renderer


@dataclass(frozen=True)
class Listing:
    """Items of a collection, how to render one, and when its scope last changed."""

    items: list[Any]
    render: Callable[[Any], Any]
    modified: datetime | None = None


def latest(*moments: datetime | None) -> datetime | None:
    """The newest of the given moments, ignoring None."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def typed_member(v: View, query: Query, bucket: int | None, id: int, *,
                 types: tuple[str, ...], **parents: int) -> dict[str, Any]:
    """A member route that is one recording of a known type (to-do, message, card, ...);
    ids of parents in the path (``chats/{chat}/lines/{id}``) are not checked."""
    return v.render.recording(recording(v, id, types, bucket))


def live_project(v: View, project_id: int) -> Project:
    project = v.account.projects.get(project_id)
    if project is None or project.status == TRASHED or project.template:
        raise HttpError(404, "Not Found")
    return project


def recording(
    v: View, record_id: int, types: tuple[str, ...], bucket: int | None = None
) -> Recording:
    rec = v.account.recordings.get(record_id)
    if rec is None or (types and rec.type not in types):
        raise HttpError(404, "Not Found")
    if bucket is not None and rec.bucket_id != bucket:
        raise HttpError(404, "Not Found")
    live_project(v, rec.bucket_id)
    return rec


def status_of(v: View, query: Query) -> str:
    status = query.get("status", ACTIVE) or ACTIVE
    if status not in STATUSES:
        raise HttpError(400, f"unknown status {status!r}")
    return status


def kids(v: View, parent: Recording, types: tuple[str, ...], status: str = ACTIVE,
         keep: Callable[[Recording], bool] | None = None) -> Listing:
    rows = [r for r in v.account.kids(parent.id, *types)
            if r.status == status and (keep is None or keep(r))]
    return Listing(rows, v.render.recording, parent.updated_at)


def scope_modified(v: View, types: Iterable[str], buckets: set[int]) -> datetime | None:
    """Newest change to any recording of ``types`` in ``buckets``, deleted ones included."""
    wanted = set(types)
    live = (r.updated_at for r in v.account.recordings.values()
            if r.type in wanted and r.bucket_id in buckets)
    gone = (t.deleted_at for t in v.account.tombstones.values()
            if t.type in wanted and t.bucket_id in buckets)
    return latest(*live, *gone)


def container(v: View, id: int, *types: str) -> Recording:
    return recording(v, id, types)


def sort_listing(listing: Listing, query: Query) -> Listing:
    """``sort=created_at|updated_at`` and ``direction`` (default newest created first)."""
    field = "updated_at" if query.get("sort") == "updated_at" else "created_at"
    rows = sorted(listing.items, key=lambda r: (getattr(r, field), r.id),
                  reverse=query.get("direction", "desc") != "asc")
    return Listing(rows, listing.render, listing.modified)
