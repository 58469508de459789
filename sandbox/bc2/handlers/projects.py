"""Projects (active, drafts, archived, templates), one project, stars, and Launchpad's
account discovery document."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sandbox.bc2.handlers.common import (
    Ctx,
    Listing,
    Rows,
    bucket_events,
    find_project,
    live_people,
)
from sandbox.bc2.handlers.topics import topic_records
from sandbox.bc2.records import ACTIVE, ARCHIVED, DRAFT, TEMPLATE
from sandbox.bc2.render_base import topic_updated_at
from sandbox.bc2.time import format_timestamp


def projects_in(ctx: Ctx, states: tuple[str, ...], style: str = "list") -> Rows:
    def rows() -> Listing:
        chosen = [p for p in ctx.acct.projects.values() if p.state in states]
        if DRAFT in states:
            chosen = [p for p in chosen if p.creator_id == ctx.acct.me_id]
        chosen.sort(key=lambda p: (p.name.lower(), p.id))
        return Listing(chosen, lambda p: ctx.render.project_row(p, style))

    return rows


def projects_active(ctx: Ctx) -> Rows:
    return projects_in(ctx, (ACTIVE,))


def projects_drafts(ctx: Ctx) -> Rows:
    return projects_in(ctx, (DRAFT,))


def projects_archived(ctx: Ctx) -> Rows:
    return projects_in(ctx, (ARCHIVED,))


def project_templates(ctx: Ctx) -> Rows:
    return projects_in(ctx, (TEMPLATE,), "template")


def project(ctx: Ctx, project: int) -> dict[str, Any]:
    found = find_project(ctx, project)
    index = ctx.index
    topics = [
        SimpleNamespace(updated_at=topic_updated_at(r, index.comments_of(r)))
        for r in topic_records(ctx, found.id, archived=False)
    ]
    parts = {
        "accesses": live_people(ctx, found.access_ids),
        "attachments": index.attachments_by_project.get(found.id, []),
        "calendar_events": bucket_events(ctx, ("Project", found.id)),
        "documents": [d for d in index.documents_by_project.get(found.id, [])
                      if not d.trashed],
        "topics": topics,
        "todolists": [x for x in index.todolists_by_project.get(found.id, [])
                      if not x.trashed],
    }
    return ctx.render.project_member(found, parts)


def stars(ctx: Ctx) -> Rows:
    def rows() -> Listing:
        starred = [p for p in ctx.acct.projects.values()
                   if p.state == ACTIVE and p.starred_at is not None]
        starred.sort(key=lambda p: (p.starred_at, p.id), reverse=True)
        return Listing(starred, ctx.render.star)

    return rows


def launchpad(ctx: Ctx) -> dict[str, Any]:
    """Launchpad's authorization.json, served on the sandbox root for account discovery."""
    me = ctx.acct.people[ctx.acct.me_id]
    first, _, last = me.name.partition(" ")
    origin = ctx.urls.api.removesuffix(f"/{ctx.acct.account_id}/api/v1")
    other = 99_999_999
    return {
        "expires_at": format_timestamp(ctx.acct.now + timedelta(weeks=2)),
        "identity": {"id": me.identity_id, "first_name": first, "last_name": last,
                     "email_address": me.email_address},
        "accounts": [
            {"product": "bc3", "id": other, "name": ctx.acct.name,
             "href": f"{origin}/{other}", "app_href": f"{origin}/{other}"},
            {"product": "bcx", "id": ctx.acct.account_id, "name": ctx.acct.name,
             "href": ctx.urls.api, "app_href": ctx.urls.app},
        ],
    }
