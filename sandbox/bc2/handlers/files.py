"""Documents, forwards, attachments (also by tag), uploads and attachment downloads."""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.bc2.handlers.common import (
    Ctx,
    Listing,
    Rows,
    find_child,
    find_project,
    not_found,
    published,
    sort_by,
)
from sandbox.bc2.records import Attachment, Project
from sandbox.contract import MEMBER, AppResult


def document_rows(ctx: Ctx, projects: list[Project], bucket: bool) -> Rows:
    def rows() -> Listing:
        docs = [d for p in projects for d in ctx.index.documents_by_project.get(p.id, [])
                if not d.trashed]
        return Listing(sort_by(ctx, "documents", docs),
                       lambda d: ctx.render.document_row(d, bucket))

    return rows


def documents(ctx: Ctx) -> Rows:
    return document_rows(ctx, published(ctx), bucket=True)


def project_documents(ctx: Ctx, project: int) -> Rows:
    return document_rows(ctx, [find_project(ctx, project)], bucket=False)


def document(ctx: Ctx, project: int, document: int) -> dict[str, Any]:
    return ctx.render.document_member(find_child(ctx, "documents", document, project))


def forward_rows(ctx: Ctx, projects: list[Project], bucket: bool) -> Rows:
    def rows() -> Listing:
        found = [f for p in projects for f in ctx.index.forwards_by_project.get(p.id, [])
                 if not f.trashed]
        return Listing(sort_by(ctx, "forwards", found),
                       lambda f: ctx.render.forward_row(f, bucket))

    return rows


def forwards(ctx: Ctx) -> Rows:
    return forward_rows(ctx, published(ctx), bucket=True)


def project_forwards(ctx: Ctx, project: int) -> Rows:
    return forward_rows(ctx, [find_project(ctx, project)], bucket=False)


def forward(ctx: Ctx, project: int, forward: int) -> dict[str, Any]:
    return ctx.render.forward_member(find_child(ctx, "forwards", forward, project))


def attachment_rows(ctx: Ctx, projects: list[Project], tag: str | None = None) -> Rows:
    wanted = tag.lower() if tag is not None else None

    def rows() -> Listing:
        found = [
            a for p in projects for a in ctx.index.attachments_by_project.get(p.id, [])
            if wanted is None or wanted in (t.lower() for t in a.tags)
        ]
        return Listing(sort_by(ctx, "attachments", found), ctx.render.attachment_row)

    return rows


def attachments(ctx: Ctx) -> Rows:
    return attachment_rows(ctx, published(ctx))


def project_attachments(ctx: Ctx, project: int) -> Rows:
    return attachment_rows(ctx, [find_project(ctx, project)])


def tag_attachments(ctx: Ctx, tag: str) -> Rows:
    return attachment_rows(ctx, published(ctx), tag)


def project_tag_attachments(ctx: Ctx, project: int, tag: str) -> Rows:
    return attachment_rows(ctx, [find_project(ctx, project)], tag)


def attachment(ctx: Ctx, project: int, attachment: int) -> dict[str, Any]:
    found: Attachment = find_child(ctx, "attachments", attachment, project)
    if found.attachable_type == "Forward":
        raise not_found()
    return ctx.render.attachment_row(found)


def upload(ctx: Ctx, project: int, upload: int) -> dict[str, Any]:
    return ctx.render.upload_member(find_child(ctx, "uploads", upload, project))


def download(ctx: Ctx, project: int, attachment: int, key: str) -> AppResult:
    """Binary content: deterministic bytes of the advertised size."""
    found: Attachment = find_child(ctx, "attachments", attachment, project)
    if found.key != key or found.linked_source is not None:
        raise not_found()
    body = hashlib.shake_256(found.key.encode()).digest(found.byte_size)
    return AppResult(status=200, body=body, content_type=found.content_type, kind=MEMBER,
                     total=1, last_modified=found.updated_at)
