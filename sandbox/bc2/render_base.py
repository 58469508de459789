"""What every Basecamp 2 response shape shares: links, people stubs, buckets, comments and
embedded attachments, plus the text helpers (slugs, Rails-style escaping, timestamps).

The rules the shapes follow are told in ``sandbox.bc2.render``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sandbox.bc2.model import TYPE_TABLES, Bc2Account, Index, todolist_completed
from sandbox.bc2.records import (
    Attachment,
    Calendar,
    CalendarEvent,
    Comment,
    Commentable,
    Project,
    Todo,
    Todolist,
)
from sandbox.bc2.time import format_day, format_optional, format_timestamp

# Placeholder key that the encoder rewrites to a second "created_at" (sandbox.bc2.app.encode).
DUPLICATE_CREATED_AT = "created_at\u0000"

JsonObj = dict[str, Any]


def slugify(text: str) -> str:
    """URL slug as Rails' parameterize would make it (ASCII, dash separated)."""
    folded = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def html_escape(text: str) -> str:
    """Escape like Rails (``'`` becomes ``&#39;``, unlike Python's html.escape)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )


def when(value: date | datetime) -> str:
    """Timestamp or date-only string, depending on the value."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    return format_day(value)


@dataclass(frozen=True)
class Urls:
    """Where payload links point: the sandbox itself, so followed links stay local."""

    api: str
    app: str
    asset_api: str
    asset_app: str

    @classmethod
    def for_origin(cls, origin: str, asset_origin: str, account_id: int) -> Urls:
        return cls(
            api=f"{origin}/{account_id}/api/v1",
            app=f"{origin}/{account_id}",
            asset_api=f"{asset_origin}/{account_id}/api/v1",
            asset_app=f"{asset_origin}/{account_id}",
        )

    def pair(self, path: str) -> tuple[str, str]:
        """API url (with .json) and web url for a path like ``/projects/1``."""
        return f"{self.api}{path}.json", f"{self.app}{path}"


class RendererBase:
    """Turns model rows into response dicts for one request (one index revision)."""

    def __init__(self, acct: Bc2Account, index: Index, urls: Urls) -> None:
        self.acct = acct
        self.index = index
        self.urls = urls

    def creator(self, person_id: int) -> JsonObj:
        person = self.acct.people.get(person_id)
        key = person.avatar_key if person else "0" * 40
        return {
            "id": person_id,
            "name": person.name if person else "Deleted person",
            "avatar_url": f"https://asset0.37img.com/global/{key}/avatar.96.gif?r=3",
            "fullsize_avatar_url": f"https://asset0.37img.com/global/{key}/original.gif?r=3",
        }

    def stub(self, person_id: int) -> JsonObj:
        person = self.acct.people.get(person_id)
        return {"id": person_id, "name": person.name if person else "Deleted person"}

    def assignee(self, person_id: int | None) -> JsonObj:
        if person_id is None:
            return {}
        return {"id": person_id, "type": "Person", "name": self.stub(person_id)["name"]}

    def record_path(self, record: Commentable) -> str:
        segment = TYPE_TABLES[type(record).__name__]
        if isinstance(record, CalendarEvent):
            bucket = "projects" if record.bucket_type == "Project" else "calendars"
            return f"/{bucket}/{record.bucket_id}/{segment}/{record.id}"
        return f"/projects/{record.project_id}/{segment}/{record.id}"  # type: ignore[attr-defined]

    def ref(self, record: Commentable) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(record))
        return {"id": record.id, "type": type(record).__name__, "url": url, "app_url": app_url}

    def bucket(self, bucket_type: str, bucket_id: int, style: str = "plain") -> JsonObj:
        """``style``: plain, documents (adds color, type first) or forward (no app_url)."""
        if bucket_type == "Project":
            owner: Project | Calendar | None = self.acct.projects.get(bucket_id)
            url, app_url = self.urls.pair(f"/projects/{bucket_id}")
        else:
            owner = self.acct.calendars.get(bucket_id)
            url, app_url = self.urls.pair(f"/calendars/{bucket_id}")
        name = owner.name if owner else ""
        if style == "documents":
            color = owner.color if owner else "3185c5"
            return {"type": bucket_type, "id": bucket_id, "name": name, "color": color,
                    "url": url, "app_url": app_url}
        if style == "forward":
            return {"id": bucket_id, "name": name, "type": bucket_type, "url": url}
        return {"id": bucket_id, "name": name, "type": bucket_type, "url": url, "app_url": app_url}

    def counter(self, path: str, rows: list[Any]) -> JsonObj:
        url, app_url = self.urls.pair(path)
        stamp = max((r.updated_at for r in rows), default=None)
        return {"count": len(rows), "updated_at": format_optional(stamp), "url": url,
                "app_url": app_url}

    def comment(self, comment: Comment) -> JsonObj:
        return {
            "id": comment.id, "content": comment.content,
            "created_at": format_timestamp(comment.created_at),
            "updated_at": format_timestamp(comment.updated_at),
            "private": comment.private, "trashed": comment.trashed,
            "attachments": self.attachments_on("Comment", comment.id),
            "creator": self.creator(comment.creator_id),
        }

    def comments(self, record: Commentable) -> list[JsonObj]:
        return [self.comment(c) for c in self.index.comments_of(record)]

    def subscribers(self, record: Commentable) -> list[JsonObj]:
        return [self.stub(pid) for pid in record.subscriber_ids]

    def _download_path(self, attachment: Attachment) -> str:
        return (f"/projects/{attachment.project_id}/attachments/{attachment.id}/"
                f"{attachment.key}/original/{attachment.name}")

    def embedded_attachment(self, attachment: Attachment, app_url: bool = True) -> JsonObj:
        path = self._download_path(attachment)
        item: JsonObj = {
            "key": attachment.key, "name": attachment.name, "byte_size": attachment.byte_size,
            "content_type": attachment.content_type,
            "created_at": format_timestamp(attachment.created_at),
            "url": f"{self.urls.api}{path}",
        }
        if app_url:
            item["app_url"] = f"{self.urls.app}{path}"
        item["creator"] = self.creator(attachment.creator_id)
        return item

    def attachments_on(self, type_name: str, record_id: int, app_url: bool = True) -> list:
        return [
            self.embedded_attachment(a, app_url)
            for a in self.index.attachments_of(type_name, record_id)
        ]

    def list_completed(self, todolist: Todolist) -> bool:
        return todolist_completed(self.index.todos_by_list.get(todolist.id, []))


def topic_title(record: Commentable) -> str:
    """Title a topic shows for its topicable."""
    for attr in ("subject", "title", "name", "summary"):
        value = getattr(record, attr, None)
        if isinstance(value, str):
            return value
    if isinstance(record, Todo):
        return record.content
    return getattr(record, "content", "")


def topic_updated_at(record: Commentable, comments: list[Comment]) -> datetime:
    """A topic moves with its latest comment."""
    return max([record.updated_at, *(c.updated_at for c in comments)])


def record_bucket(record: Commentable) -> tuple[str, int]:
    """(bucket type, bucket id) a commentable lives in."""
    if isinstance(record, CalendarEvent):
        return record.bucket_type, record.bucket_id
    return "Project", record.project_id  # type: ignore[attr-defined]
