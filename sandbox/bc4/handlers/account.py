"""Account-level routes: projects, templates, people, chats, ``/projects/recordings``,
Lineup markers, webhooks and chatbots."""

from __future__ import annotations

from typing import Any

from sandbox.bc4.handlers.common import (
    HttpError,
    Listing,
    Query,
    View,
    live_project,
    recording,
    scope_modified,
    status_of,
)
from sandbox.bc4.model import (
    ACTIVE,
    LISTABLE_TYPES,
    TRASHED,
)


def projects(v: View, query: Query, bucket: int | None) -> Listing:
    status = status_of(v, query)
    rows = [p for p in v.account.projects.values()
            if p.status == status and not p.template]
    rows.sort(key=lambda p: (p.created_at, p.id), reverse=True)
    return Listing(rows, v.render.project)


def project(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    return v.render.project(live_project(v, id))


def templates(v: View, query: Query, bucket: int | None) -> Listing:
    status = status_of(v, query)
    rows = [p for p in v.account.projects.values() if p.template and p.status == status]
    return Listing(rows, v.render.project)


def template(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    project = v.account.projects.get(id)
    if project is None or not project.template:
        raise HttpError(404, "Not Found")
    return v.render.project(project)


def people(v: View, query: Query, bucket: int | None) -> Listing:
    rows = [p.id for p in v.account.people.values() if not p.system]
    return Listing(rows, v.render.person)


def person(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    if id not in v.account.people:
        raise HttpError(404, "Not Found")
    return v.render.person(id)


def my_profile(v: View, query: Query, bucket: int | None) -> dict[str, Any]:
    owner = next(p for p in v.account.people.values() if p.owner)
    return v.render.person(owner.id)


def project_people(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return Listing(list(live_project(v, id).people), v.render.person)


def chats(v: View, query: Query, bucket: int | None) -> Listing:
    rows = []
    for project in v.account.projects.values():
        if project.status != ACTIVE or project.template:
            continue
        rows += [v.account.recordings[t.id] for t in project.dock
                 if t.name == "chat" and t.enabled]
    return Listing(rows, v.render.tool)


def recordings(v: View, query: Query, bucket: int | None) -> Listing:
    kind = query.get("type")
    if kind not in LISTABLE_TYPES:
        raise HttpError(400, f"type must be one of {', '.join(LISTABLE_TYPES)}")
    status = status_of(v, query)
    if query.get("bucket"):
        try:
            wanted = {int(b) for b in query["bucket"].split(",") if b.strip()}
        except ValueError as exc:
            raise HttpError(400, "bucket must be comma-separated project ids") from exc
        buckets = {b for b in wanted if b in v.account.projects
                   and v.account.projects[b].status != TRASHED}
    else:
        buckets = {p.id for p in v.account.projects.values()
                   if p.status == ACTIVE and not p.template}
    rows = [r for r in v.account.recordings.values()
            if r.type == kind and r.status == status and r.bucket_id in buckets]
    field = "updated_at" if query.get("sort") == "updated_at" else "created_at"
    rows.sort(key=lambda r: (getattr(r, field), r.id), reverse=query.get("direction") != "asc")
    return Listing(rows, v.render.generic, scope_modified(v, (kind,), buckets))


def markers(v: View, query: Query, bucket: int | None) -> Listing:
    return Listing(list(v.account.markers), v.render.marker)


def webhooks(v: View, query: Query, bucket: int) -> Listing:
    live_project(v, bucket)
    return Listing(list(v.account.webhooks.get(bucket, [])), v.render.webhook)


def webhook(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    for project_id, hooks in v.account.webhooks.items():
        for hook in hooks:
            if hook.id == id and bucket in (None, project_id):
                live_project(v, project_id)
                return v.render.webhook(hook, deliveries=True)
    raise HttpError(404, "Not Found")


def chatbots(v: View, query: Query, bucket: int, id: int) -> Listing:
    """Every chatbot of the account, as seen from this campfire (they are account-wide)."""
    chat = recording(v, id, ("Chat::Transcript",), bucket)
    return Listing(list(v.account.chatbots),
                   lambda bot: v.render.chatbot(bot, chat.bucket_id, chat.id))


def chatbot(v: View, query: Query, bucket: int, chat: int, id: int) -> dict[str, Any]:
    room = recording(v, chat, ("Chat::Transcript",), bucket)
    bot = next((b for b in v.account.chatbots if b.id == id), None)
    if bot is None:
        raise HttpError(404, "Not Found")
    return v.render.chatbot(bot, room.bucket_id, room.id)
