"""What every Basecamp 4 JSON shape shares: urls, the person shape, parents and buckets,
rich-text content with its attachment, and the common recording head.

The rules the shapes follow are told in ``sandbox.bc4.render``.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sandbox.bc4.model import ACTIVE, BOOSTABLE_TYPES, COLUMN_TYPES, Bc4Account, Person, Recording

APP_ORIGIN = "https://3.basecamp.com"
STORAGE_ORIGIN = "https://storage.3.basecamp.com"
CENTRAL = timezone(timedelta(hours=-6))

SEGMENTS: dict[str, str] = {
    "Todoset": "todosets", "Todolist": "todolists", "Todo": "todos",
    "Message::Board": "message_boards", "Message": "messages", "Vault": "vaults",
    "Document": "documents", "Upload": "uploads", "Schedule": "schedules",
    "Schedule::Entry": "schedule_entries", "Chat::Transcript": "chats",
    "Questionnaire": "questionnaires", "Question": "questions",
    "Question::Answer": "question_answers", "Inbox": "inboxes",
    "Inbox::Forward": "inbox_forwards", "Kanban::Board": "card_tables",
    "Kanban::Card": "card_tables/cards", "Kanban::Step": "card_tables/steps",
    "Comment": "comments", "Client::Approval": "client/approvals",
    "Client::Correspondence": "client/correspondences", "Timesheet::Entry": "timesheet/entries",
    **{kind: "card_tables/columns" for kind in COLUMN_TYPES},
}


def stamp(moment: datetime, offset: bool = False) -> str:
    """ISO 8601 with milliseconds: ``Z`` for UTC, or ``-06:00`` when ``offset``."""
    if offset:
        return moment.astimezone(CENTRAL).isoformat(timespec="milliseconds")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def sgid(kind: str, ident: int | str) -> str:
    """An opaque signed-global-id lookalike, stable per record."""
    raw = base64.b64encode(f"gid://bc3/{kind}/{ident}".encode()).decode()
    return raw + "--" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def insert_after(data: dict[str, Any], key: str, extra: dict[str, Any]) -> None:
    """Insert ``extra`` right after ``key`` so the key order follows the fixtures."""
    items = list(data.items())
    at = next(i for i, (k, _) in enumerate(items) if k == key) + 1
    data.clear()
    data.update(items[:at])
    data.update(extra)
    data.update(items[at:])


class RendererBase:
    """Turns model records into API JSON for one account and public origin."""

    def __init__(self, account: Bc4Account, origin: str) -> None:
        self.acct = account
        self.api = f"{origin}/{account.account_id}"
        self.app = f"{APP_ORIGIN}/{account.account_id}"

    def _ts(self, moment: datetime, bucket_id: int) -> str:
        return stamp(moment, offset=bucket_id % 2 == 0)

    def bucket_url(self, bucket_id: int, rest: str) -> str:
        return f"{self.api}/buckets/{bucket_id}/{rest}"

    def _path(self, rec: Recording) -> str:
        if rec.type == "Chat::Lines::Text":
            return f"chats/{rec.parent_id}/lines/{rec.id}"
        if rec.type == "Inbox::Forward::Reply":
            return f"inbox_forwards/{rec.parent_id}/replies/{rec.id}"
        if rec.type == "Client::Reply":
            return f"client/recordings/{rec.parent_id}/replies/{rec.id}"
        if rec.type == "Client::Board":
            return "client/board"
        return f"{SEGMENTS[rec.type]}/{rec.id}"

    def _account_path(self, rec: Recording) -> str:
        """Path below the account: the bucket form, except for gauges (project form)."""
        if rec.type == "Gauge":
            return f"projects/{rec.bucket_id}/gauge"
        if rec.type == "Gauge::Needle":
            return f"projects/{rec.bucket_id}/gauge/needles/{rec.id}"
        return f"buckets/{rec.bucket_id}/{self._path(rec)}"

    def url(self, rec: Recording) -> str:
        return f"{self.api}/{self._account_path(rec)}.json"

    def app_url(self, rec: Recording) -> str:
        return f"{self.app}/{self._account_path(rec)}"

    def ref(self, rec: Recording) -> dict[str, Any]:
        """The short ``{id, title, type, url, app_url}`` form (parents, boosted recordings)."""
        return {"id": rec.id, "title": rec.title, "type": rec.type, "url": self.url(rec),
                "app_url": self.app_url(rec)}

    def recording_url(self, rec: Recording, rest: str) -> str:
        return self.bucket_url(rec.bucket_id, f"recordings/{rec.id}/{rest}")

    def person(self, person_id: int | str) -> dict[str, Any]:
        """The full Person shape (creators, assignees, participants, ``/people.json``)."""
        p: Person = self.acct.people[person_id]
        data: dict[str, Any] = {
            "id": p.id, "attachable_sgid": sgid("Person", p.id), "name": p.name,
            "email_address": p.email_address, "personable_type": p.personable_type,
            "title": p.title, "bio": p.bio, "location": p.location,
            "created_at": stamp(p.created_at), "updated_at": stamp(p.updated_at),
            "admin": p.admin, "owner": p.owner, "client": p.client, "employee": p.employee,
            "time_zone": p.time_zone,
            "avatar_url": f"https://3.basecamp-static.com/{self.acct.account_id}/people/"
                          f"{sgid('Avatar', p.id)[:16]}/avatar?v=1",
        }
        if p.company is not None:
            data["company"] = {"id": p.company[0], "name": p.company[1]}
        data["can_manage_projects"] = p.admin or p.employee
        data["can_manage_people"] = p.admin
        return data

    def bucket(self, bucket_id: int) -> dict[str, Any]:
        return {"id": bucket_id, "name": self.acct.projects[bucket_id].name, "type": "Project"}

    def parent(self, rec: Recording) -> dict[str, Any]:
        if rec.parent_id is None:
            project = self.acct.projects[rec.bucket_id]
            return {"id": project.id, "title": project.name, "type": "Project",
                    "url": f"{self.api}/projects/{project.id}.json",
                    "app_url": f"{self.app}/projects/{project.id}"}
        return self.ref(self.acct.recordings[rec.parent_id])

    def attachments(self, rec: Recording) -> list[dict[str, Any]]:
        """Downloadable files in the rich text: one image in every "rich" body."""
        if "<strong>" not in rec.content:
            return []
        blob = sgid("ActiveStorage::Blob", rec.id)
        base = self.bucket_url(rec.bucket_id, f"blobs/{blob}")
        return [{"id": rec.id + 1, "sgid": blob, "filename": "diagram.png",
                 "content_type": "image/png", "byte_size": 204_800,
                 "download_url": f"{base}/download/diagram.png", "width": 1024.0, "height": 768,
                 "previewable": True, "preview_url": f"{base}/previews/diagram.png",
                 "thumbnail_url": f"{base}/thumbnails/diagram.png"}]

    def content(self, rec: Recording) -> str:
        if "<strong>" not in rec.content:
            return rec.content
        blob = sgid("ActiveStorage::Blob", rec.id)
        return rec.content + (
            f'<bc-attachment sgid="{blob}" content-type="image/png"><figure>'
            f'<img src="{self.bucket_url(rec.bucket_id, "blobs/" + blob)}/previews/diagram.png">'
            "<figcaption>diagram.png</figcaption></figure></bc-attachment>")

    def head(self, rec: Recording, parent: bool = True) -> dict[str, Any]:
        """Fields every recording has, in the fixtures' order."""
        data: dict[str, Any] = {
            "id": rec.id, "status": rec.status, "visible_to_clients": rec.visible_to_clients,
            "created_at": self._ts(rec.created_at, rec.bucket_id),
            "updated_at": self._ts(rec.updated_at, rec.bucket_id), "title": rec.title,
            "inherits_status": True, "type": rec.type, "url": self.url(rec),
            "app_url": self.app_url(rec),
            "bookmark_url": f"{self.api}/my/bookmarks/{sgid('Bookmark', rec.id)}.json",
        }
        if parent:
            data["parent"] = self.parent(rec)
        data["bucket"] = self.bucket(rec.bucket_id)
        data["creator"] = self.person(rec.creator_id)
        return data

    def _comments(self, rec: Recording) -> dict[str, Any]:
        live = [c for c in self.acct.kids(rec.id, "Comment") if c.status == ACTIVE]
        return {"subscription_url": self.recording_url(rec, "subscription.json"),
                "comments_count": len(live), "comments_url": self.recording_url(rec,
                                                                             "comments.json")}

    def _boosted(self, rec: Recording, data: dict[str, Any]) -> dict[str, Any]:
        """Add ``boosts_count``/``boosts_url`` after the comment fields of boostable types."""
        if rec.type not in BOOSTABLE_TYPES or "boosts_count" in data:
            return data
        anchor = next(k for k in ("comments_url", "bubble_up_url", "bookmark_url") if k in data)
        insert_after(data, anchor, {
            "boosts_count": len(self.acct.boosts.get(rec.id, ())),
            "boosts_url": self.recording_url(rec, "boosts.json")})
        return data

    def _rich(self, rec: Recording, field: str) -> dict[str, Any]:
        return {field: self.content(rec),
                f"{field}_attachments": self.attachments(rec)}
