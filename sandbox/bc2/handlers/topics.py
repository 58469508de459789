"""Events (account and project), topics (active, archived) and messages."""

from __future__ import annotations

from typing import Any

from sandbox.bc2.handlers.common import (
    Ctx,
    Listing,
    Rows,
    find_child,
    find_project,
    published,
    since_param,
    visible_events,
)
from sandbox.bc2.records import Commentable, Project
from sandbox.bc2.render_base import topic_updated_at


def events(ctx: Ctx) -> Rows:
    since = since_param(ctx)
    return lambda: Listing(visible_events(ctx, ctx.index.events_newest, since),
                           lambda e: ctx.render.event_row(e, "account"))


def project_events(ctx: Ctx, project: int) -> Rows:
    found = find_project(ctx, project)
    since = since_param(ctx)
    events = ctx.index.events_by_bucket.get(("Project", found.id), [])
    return lambda: Listing(visible_events(ctx, events, since, any_bucket=True),
                           lambda e: ctx.render.event_row(e, "project"))


def commentables(ctx: Ctx, project_id: int) -> list[Commentable]:
    index = ctx.index
    lists = index.todolists_by_project.get(project_id, [])
    todos = [t for lst in lists if not lst.trashed for t in index.todos_by_list.get(lst.id, [])]
    return [
        *index.messages_by_project.get(project_id, []),
        *index.documents_by_project.get(project_id, []),
        *index.forwards_by_project.get(project_id, []),
        *index.uploads_by_project.get(project_id, []),
        *lists, *todos,
        *index.calendar_events_by_bucket.get(("Project", project_id), []),
    ]


def topic_records(ctx: Ctx, project_id: int, archived: bool) -> list[Commentable]:
    return [
        r for r in commentables(ctx, project_id)
        if not r.trashed and r.topic_archived == archived
        and (type(r).__name__ == "Message" or ctx.index.comments_of(r))
    ]


def topic_rows(ctx: Ctx, projects: list[Project], archived: bool, bucket: bool) -> Rows:
    oldest = ctx.query.get("sort") == "oldest"

    def rows() -> Listing:
        records = [r for p in projects for r in topic_records(ctx, p.id, archived)]
        records.sort(
            key=lambda r: (topic_updated_at(r, ctx.index.comments_of(r)), r.topic_id),
            reverse=not oldest,
        )
        return Listing(records, lambda r: ctx.render.topic_row(r, bucket))

    return rows


def topics(ctx: Ctx) -> Rows:
    return topic_rows(ctx, published(ctx), archived=False, bucket=True)


def topics_archived(ctx: Ctx) -> Rows:
    return topic_rows(ctx, published(ctx), archived=True, bucket=True)


def project_topics(ctx: Ctx, project: int) -> Rows:
    found = find_project(ctx, project)
    return topic_rows(ctx, [found], archived=False, bucket=False)


def project_topics_archived(ctx: Ctx, project: int) -> Rows:
    found = find_project(ctx, project)
    return topic_rows(ctx, [found], archived=True, bucket=False)


def message(ctx: Ctx, project: int, message: int) -> dict[str, Any]:
    return ctx.render.message_member(find_child(ctx, "messages", message, project))
