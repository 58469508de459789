"""JSON shapes of Basecamp 4 resources, key for key as the official SDK fixtures show them.

Every recording shares a common head (id, status, timestamps, title, type, urls, parent,
bucket, creator); each type adds its own fields. ``url`` fields use the legacy bucket form
(``/buckets/{project}/...``) like the real API, and point at this sandbox so clients can follow
them. Timestamps are UTC (``Z``) except in even-numbered projects, which use ``-06:00``: real
payloads mix offsets and clients must normalise.

Gauges and needles are the exception to the bucket form: their fixtures use
``/projects/{p}/gauge.json`` and ``/projects/{p}/gauge/needles/{id}.json``. Boostable types
(``BOOSTABLE_TYPES``) carry ``boosts_count``/``boosts_url`` right after their comment fields.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sandbox.bc4.model import (
    ACTIVE,
    BOOSTABLE_TYPES,
    COLUMN_TYPES,
    TOOL_TYPES,
    Bc4Account,
    Boost,
    Chatbot,
    Event,
    LineupMarker,
    MessageType,
    Person,
    Project,
    Recording,
    Webhook,
)

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


class Renderer:
    """Turns model records into API JSON for one account and public origin."""

    def __init__(self, account: Bc4Account, origin: str) -> None:
        self.acct = account
        self.api = f"{origin}/{account.account_id}"
        self.app = f"{APP_ORIGIN}/{account.account_id}"

    # ------------------------------------------------------------------ helpers
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

    # ------------------------------------------------------------------ recordings
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
        _insert_after(data, anchor, {
            "boosts_count": len(self.acct.boosts.get(rec.id, ())),
            "boosts_url": self.recording_url(rec, "boosts.json")})
        return data

    def recording(self, rec: Recording) -> dict[str, Any]:
        """The type-specific shape of any recording."""
        render = getattr(self, "_" + rec.type.replace("::", "_").lower(), None)
        if render is None:
            render = self._column if rec.type in COLUMN_TYPES else self._generic
        return self._boosted(rec, render(rec))

    def generic(self, rec: Recording) -> dict[str, Any]:
        """The thin projection ``/projects/recordings.json`` serves for every type.

        A to-do's ``content`` is its title (plain text), as in the full Todo shape.
        """
        data = self.head(rec)
        if rec.type == "Todolist":
            _insert_after(data, "bookmark_url",
                          {"bubble_up_url": self.recording_url(rec, "bubble_up.json")})
        data["content"] = rec.title if rec.type == "Todo" else self.content(rec)
        data["content_attachments"] = self.attachments(rec)
        return self._boosted(rec, data)

    _generic = generic

    def _rich(self, rec: Recording, field: str) -> dict[str, Any]:
        return {field: self.content(rec),
                f"{field}_attachments": self.attachments(rec)}

    def _todo(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", {**self._comments(rec), "position": rec.position})
        desc = self._rich(rec, "description")
        data.update({
            "description": desc["description"], "completed": rec.extra["completed"],
            "content": rec.title, "starts_on": rec.extra["starts_on"],
            "due_on": rec.extra["due_on"],
            "assignees": [self.person(p) for p in rec.extra["assignees"]],
            "completion_subscribers": [],
            "completion_url": self.bucket_url(rec.bucket_id, f"todos/{rec.id}/completion.json"),
            "description_attachments": desc["description_attachments"],
        })
        return data

    def _todolist(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        todos = self.acct.kids(rec.id, "Todo")
        done = sum(1 for t in todos if t.extra["completed"])
        _insert_after(data, "bookmark_url", {
            "subscription_url": self.recording_url(rec, "subscription.json"),
            "bubble_up_url": self.recording_url(rec, "bubble_up.json"),
            "comments_count": self._comments(rec)["comments_count"],
            "comments_url": self.recording_url(rec, "comments.json"), "position": rec.position,
        })
        desc = self._rich(rec, "description")
        data.update({"description": desc["description"],
                     "description_attachments": desc["description_attachments"],
                     "completed": bool(todos) and done == len(todos),
                     "completed_ratio": f"{done}/{len(todos)}", "name": rec.title,
                     "color": rec.extra.get("color")})
        if rec.extra.get("group"):
            data["group_position_url"] = self.bucket_url(
                rec.bucket_id, f"todolists/groups/{rec.id}/position.json")
        else:
            data["groups_url"] = self.bucket_url(rec.bucket_id, f"todolists/{rec.id}/groups.json")
        data["todos_url"] = self.bucket_url(rec.bucket_id, f"todolists/{rec.id}/todos.json")
        data["app_todos_url"] = f"{self.app_url(rec)}/todos"
        data["comments_app_url"] = (
            f"{self.app}/buckets/{rec.bucket_id}/recordings/{rec.id}/comments")
        return data

    def _message(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        category = rec.extra.get("category")
        body = self._rich(rec, "content")
        _insert_after(data, "bookmark_url", {"subject": rec.title, "content": body["content"],
                                             **self._comments(rec)})
        if category:
            data["category"] = self.category(self.acct.categories[category])
        data["content_attachments"] = body["content_attachments"]
        return data

    def category(self, category: MessageType) -> dict[str, Any]:
        return {"id": category.id, "name": category.name, "icon": category.icon,
                "created_at": stamp(category.created_at), "updated_at": stamp(category.updated_at)}

    def _comment(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        assert rec.parent_id is not None
        parent = self.acct.recordings[rec.parent_id]
        data["app_url"] = f"{self.app_url(parent)}#__recording_{rec.id}"
        data.update(self._rich(rec, "content"))
        return data

    _client_reply = _comment
    _inbox_forward_reply = _comment

    def _document(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", {**self._comments(rec), "position": rec.position})
        data.update(self._rich(rec, "content"))
        return data

    def _upload(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", {**self._comments(rec), "position": rec.position})
        name = rec.extra["filename"]
        data.update({
            "description": rec.content, "content_type": "image/png",
            "byte_size": rec.extra["byte_size"], "width": rec.extra["width"],
            "height": rec.extra["height"],
            "download_url": self.bucket_url(rec.bucket_id, f"uploads/{rec.id}/download/{name}"),
            "filename": name, "description_attachments": [],
        })
        return data

    def _vault(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", {"position": rec.position})
        kids = [k for k in self.acct.kids(rec.id) if k.status == ACTIVE]
        for kind, plural in (("Document", "documents"), ("Upload", "uploads"),
                             ("Vault", "vaults")):
            data[f"{plural}_count"] = sum(1 for k in kids if k.type == kind)
            data[f"{plural}_url"] = self.bucket_url(rec.bucket_id,
                                                    f"vaults/{rec.id}/{plural}.json")
        return data

    def _schedule_entry(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "title", {"summary": rec.title})
        starts: datetime = rec.extra["starts_at"]
        ends: datetime = rec.extra["ends_at"]
        comments = self._comments(rec)
        _insert_after(data, "bookmark_url", {
            "subscription_url": comments["subscription_url"],
            "comments_url": comments["comments_url"],
            "comments_count": comments["comments_count"],
            "starts_at": self._ts(starts, rec.bucket_id), "ends_at": self._ts(ends, rec.bucket_id),
            "all_day": rec.extra["all_day"], "description": rec.content,
        })
        data["participants"] = [self.person(p) for p in rec.extra["participants"]]
        data["description_attachments"] = []
        return data

    def _chat_lines_text(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", {"content": rec.content})
        return data

    def _question(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url",
                      {"subscription_url": self.recording_url(rec, "subscription.json")})
        answers = [a for a in self.acct.kids(rec.id) if a.status == ACTIVE]
        data.update({
            "paused": rec.extra["paused"],
            "schedule": {"frequency": rec.extra["frequency"], "days": [1, 2, 3, 4, 5],
                         "hour": 17, "minute": 0, "week_instance": None, "week_interval": None,
                         "month_interval": None,
                         "start_date": rec.created_at.date().isoformat(), "end_date": None},
            "answers_count": len(answers),
            "answers_url": self.bucket_url(rec.bucket_id, f"questions/{rec.id}/answers.json"),
        })
        return data

    def _question_answer(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", {**self._comments(rec), "content": rec.content,
                                             "group_on": rec.created_at.date().isoformat()})
        data["content_attachments"] = []
        return data

    def _inbox_forward(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        replies = [r for r in self.acct.kids(rec.id) if r.status == ACTIVE]
        _insert_after(data, "bookmark_url", {
            "subscription_url": self.recording_url(rec, "subscription.json"),
            "subject": rec.title, "content": rec.content, "from": rec.extra["sender"],
            "replies_count": len(replies),
            "replies_url": self.bucket_url(rec.bucket_id, f"inbox_forwards/{rec.id}/replies.json"),
        })
        data["content_attachments"] = []
        return data

    def _kanban_card(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        comments = self._comments(rec)
        _insert_after(data, "bookmark_url", {
            "subscription_url": comments["subscription_url"], "position": rec.position,
            "content": rec.content, "description": rec.content, "due_on": rec.extra["due_on"],
            "completed": rec.extra["completed"], "comments_count": comments["comments_count"],
            "comments_url": comments["comments_url"],
            "comment_count": comments["comments_count"],
            "completion_url": self.bucket_url(rec.bucket_id,
                                              f"card_tables/cards/{rec.id}/completion.json"),
        })
        data["assignees"] = [self.person(p) for p in rec.extra["assignees"]]
        data["completion_subscribers"] = []
        data["steps"] = [self._kanban_step(s) for s in self.acct.kids(rec.id, "Kanban::Step")
                         if s.status == rec.status]
        data["description_attachments"] = []
        return data

    def _kanban_step(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        completed = rec.extra["completed"]
        extra: dict[str, Any] = {"position": rec.position, "due_on": rec.extra["due_on"],
                                 "completed": completed}
        if completed:
            extra["completed_at"] = self._ts(rec.updated_at, rec.bucket_id)
        _insert_after(data, "bookmark_url", extra)
        if completed:
            data["completer"] = self.person(rec.creator_id)
        data["assignees"] = []
        return data

    def _column(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        cards = [c for c in self.acct.kids(rec.id, "Kanban::Card") if c.status == ACTIVE]
        held = [c for c in cards if c.extra["on_hold"]]
        _insert_after(data, "bookmark_url", {
            "position": rec.position, "color": rec.extra["color"], "description": "",
            "cards_count": len(cards) - len(held), "comment_count": 0,
            "cards_url": self.bucket_url(rec.bucket_id, f"card_tables/lists/{rec.id}/cards.json"),
        })
        hold_id = rec.extra.get("on_hold_id")
        if hold_id is not None:
            data["on_hold"] = {
                "id": hold_id, "status": ACTIVE, "inherits_status": True, "title": "On hold",
                "created_at": data["created_at"], "updated_at": data["updated_at"],
                "cards_count": len(held),
                "cards_url": self.bucket_url(rec.bucket_id,
                                             f"card_tables/lists/{hold_id}/cards.json"),
            }
        data["subscribers"] = []
        return data

    def _client_approval(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url",
                      {"subscription_url": self.recording_url(rec, "subscription.json")})
        replies = [r for r in self.acct.kids(rec.id) if r.status == ACTIVE]
        data.update({"content": rec.content, "subject": rec.title})
        if rec.type == "Client::Approval":
            data["due_on"] = None
        data["replies_count"] = len(replies)
        data["replies_url"] = self.bucket_url(rec.bucket_id,
                                              f"client/recordings/{rec.id}/replies.json")
        if rec.type == "Client::Approval":
            data["approval_status"] = rec.extra["approval_status"]
            data["approver"] = self.person(rec.extra["approver"])
        data["content_attachments"] = []
        return data

    _client_correspondence = _client_approval

    def needles(self, gauge: Recording) -> list[Recording]:
        """A gauge's active needles, newest first (the order of its needles listing)."""
        found = [n for n in self.acct.kids(gauge.id, "Gauge::Needle") if n.status == ACTIVE]
        return sorted(found, key=lambda n: (n.created_at, n.id), reverse=True)

    def _gauge(self, rec: Recording) -> dict[str, Any]:
        """Needle-less gauges omit the attachments and needle keys, as openapi describes."""
        data = self.head(rec, parent=False)
        needles = self.needles(rec)
        data["description"] = self.content(rec)
        if needles:
            data["description_attachments"] = self.attachments(rec)
        data["enabled"] = rec.extra["enabled"]
        if needles:
            data["last_needle_color"] = needles[0].extra["color"]
            data["last_needle_position"] = needles[0].position
        if len(needles) > 1:
            data["previous_needle_position"] = needles[1].position
        return data

    def _gauge_needle(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        _insert_after(data, "bookmark_url", self._comments(rec))
        desc = self._rich(rec, "description")
        data.update({"description": desc["description"],
                     "description_attachments": desc["description_attachments"],
                     "color": rec.extra["color"], "position": rec.position})
        return data

    def _timesheet_entry(self, rec: Recording) -> dict[str, Any]:
        """The full entry (``timesheet/get.json``) plus the report's ``billable_status``."""
        data = self.head(rec)
        data.update({"date": rec.extra["date"], "description": rec.content,
                     "hours": rec.extra["hours"],
                     "billable_status": rec.extra["billable_status"],
                     "person": self.person(rec.extra["person"])})
        return data

    def boost(self, boost: Boost) -> dict[str, Any]:
        rec = self.acct.recordings[boost.recording_id]
        return {"id": boost.id, "content": boost.content,
                "created_at": self._ts(boost.created_at, rec.bucket_id),
                "booster": self.person(boost.booster_id), "recording": self.ref(rec)}

    def upload_version(self, event: Event, upload: Recording, current: bool) -> dict[str, Any]:
        """One version event of an upload with the file it recorded."""
        assert event.file is not None
        filename, size = event.file
        rest = f"uploads/{upload.id}/versions/{event.id}/download/{filename}"
        return {
            "id": event.id, "recording_id": upload.id, "action": event.action,
            "details": event.details,
            "created_at": self._ts(event.created_at, upload.bucket_id),
            "creator": self.person(event.creator_id), "boosts_count": 0,
            "boosts_url": self.recording_url(upload, f"events/{event.id}/boosts.json"),
            "upload": {"content_type": "image/png", "byte_size": size, "filename": filename,
                       "download_url": self.bucket_url(upload.bucket_id, rest),
                       "app_download_url": f"{STORAGE_ORIGIN}/{self.acct.account_id}/buckets/"
                                           f"{upload.bucket_id}/{rest}",
                       "current": current},
        }

    def subscription(self, rec: Recording) -> dict[str, Any]:
        """Subscribers: the creator, then assignees and participants (people only)."""
        ids: list[int | str] = []
        for pid in [rec.creator_id, *rec.extra.get("assignees", ()),
                    *rec.extra.get("participants", ())]:
            if pid not in ids and not self.acct.people[pid].system:
                ids.append(pid)
        owner = next(p.id for p in self.acct.people.values() if p.owner)
        return {"subscribed": owner in ids, "count": len(ids),
                "url": self.recording_url(rec, "subscription.json"),
                "subscribers": [self.person(pid) for pid in ids]}

    # ------------------------------------------------------------------ tool roots
    def tool(self, rec: Recording) -> dict[str, Any]:
        """A dock tool's root recording (todoset, board, vault, schedule, chat, ...)."""
        if rec.type == "Vault":
            return self._vault(rec)
        data = self.head(rec, parent=False)
        kids = [k for k in self.acct.kids(rec.id) if k.status == ACTIVE]
        base = self.bucket_url(rec.bucket_id, SEGMENTS[rec.type] + f"/{rec.id}")
        if rec.type == "Todoset":
            done = [k for k in kids if all(t.extra["completed"]
                                           for t in self.acct.kids(k.id, "Todo"))]
            _insert_after(data, "bookmark_url", {"position": rec.position})
            data.update({"name": rec.title, "todolists_count": len(kids),
                         "todolists_url": f"{base}/todolists.json",
                         "completed_ratio": f"{len(done)}/{len(kids)}",
                         "completed": bool(kids) and len(done) == len(kids),
                         "app_todolists_url": f"{self.app_url(rec)}/todolists"})
        elif rec.type == "Message::Board":
            data.pop("bookmark_url")
            _insert_after(data, "app_url", {"messages_count": len(kids),
                                            "messages_url": f"{base}/messages.json"})
        elif rec.type == "Schedule":
            _insert_after(data, "bookmark_url", {"position": rec.position})
            data.update({"include_due_assignments": True, "entries_count": len(kids),
                         "entries_url": f"{base}/entries.json"})
        elif rec.type == "Chat::Transcript":
            data.pop("bookmark_url")
            _insert_after(data, "app_url", {"lines_url": f"{base}/lines.json",
                                            "files_url": f"{base}/uploads.json"})
        elif rec.type == "Questionnaire":
            _insert_after(data, "bookmark_url", {"questions_url": f"{base}/questions.json",
                                                 "questions_count": len(kids),
                                                 "name": rec.title})
        elif rec.type == "Inbox":
            data.pop("bookmark_url")
            data.pop("visible_to_clients")
            data.pop("inherits_status")
            data["forwards_count"] = len(kids)
            data["forwards_url"] = f"{base}/inbox_forwards.json"
        elif rec.type == "Kanban::Board":
            _insert_after(data, "bookmark_url",
                          {"subscription_url": self.recording_url(rec, "subscription.json")})
            data["subscribers"] = []
            data["lists"] = [self._column(c) for c in self.acct.kids(rec.id, *COLUMN_TYPES)]
        return data

    # ------------------------------------------------------------------ other resources
    def project(self, project: Project) -> dict[str, Any]:
        offset = project.id % 2 == 0
        data: dict[str, Any] = {
            "id": project.id, "status": project.status,
            "created_at": stamp(project.created_at, offset),
            "updated_at": stamp(project.updated_at, offset), "name": project.name,
            "description": project.description,
        }
        if project.template:
            data["url"] = f"{self.api}/templates/{project.id}.json"
            data["app_url"] = f"{self.app}/templates/{project.id}"
            return data
        data.update({
            "purpose": project.purpose, "start_date": project.start_date,
            "end_date": project.end_date, "clients_enabled": project.clients_enabled,
            "bookmark_url": f"{self.api}/my/bookmarks/{sgid('Bucket', project.id)}.json",
            "url": f"{self.api}/projects/{project.id}.json",
            "app_url": f"{self.app}/projects/{project.id}",
            "dock": [self.dock_item(project, tool.id) for tool in project.dock],
            "bookmarked": project.id % 3 == 0,
        })
        if project.clients_enabled:
            data["client_company"] = {"id": 1_033_447_818, "name": "Leto Brand"}
            data["clientside"] = {"url": self.bucket_url(project.id, "client/board.json"),
                                  "app_url": f"{self.app}/buckets/{project.id}/client/board"}
        return data

    def webhook(self, hook: Webhook, deliveries: bool = False) -> dict[str, Any]:
        """The list shape; the member (``deliveries``) adds an empty ``recent_deliveries``."""
        data: dict[str, Any] = {
            "id": hook.id, "active": hook.active,
            "created_at": self._ts(hook.created_at, hook.bucket_id),
            "updated_at": self._ts(hook.updated_at, hook.bucket_id),
            "payload_url": hook.payload_url, "types": list(hook.types),
            "url": self.bucket_url(hook.bucket_id, f"webhooks/{hook.id}.json"),
            "app_url": f"{self.app}/buckets/{hook.bucket_id}/webhooks/{hook.id}",
        }
        if deliveries:
            data["recent_deliveries"] = []
        return data

    def chatbot(self, bot: Chatbot, bucket_id: int, chat_id: int) -> dict[str, Any]:
        """The admin view (the sandbox token is the account owner) as seen from one campfire.

        Chatbots are account-wide, but ``url`` and the keyed ``lines_url`` (a posting
        credential) belong to the campfire they are asked through.
        """
        rest = f"chats/{chat_id}/integrations/{bot.id}"
        key = base64.urlsafe_b64encode(
            hashlib.sha256(f"{bot.key}:{chat_id}".encode()).digest()).decode()[:24]
        return {
            "id": bot.id, "created_at": self._ts(bot.created_at, bot.bucket_id),
            "updated_at": self._ts(bot.updated_at, bot.bucket_id),
            "service_name": bot.service_name, "command_url": bot.command_url,
            "url": self.bucket_url(bucket_id, rest + ".json"),
            "app_url": f"{self.app}/buckets/{bucket_id}/{rest}",
            "lines_url": f"{self.api}/integrations/{key}/buckets/{bucket_id}/chats/"
                         f"{chat_id}/lines",
        }

    def marker(self, marker: LineupMarker) -> dict[str, Any]:
        return {"id": marker.id, "name": marker.name, "date": marker.date,
                "created_at": stamp(marker.created_at), "updated_at": stamp(marker.updated_at)}

    def dock_item(self, project: Project, tool_id: int) -> dict[str, Any]:
        tool = next(t for t in project.dock if t.id == tool_id)
        segment = SEGMENTS[TOOL_TYPES[tool.name]]
        return {"id": tool.id, "title": tool.title, "name": tool.name, "enabled": tool.enabled,
                "position": tool.position,
                "url": self.bucket_url(project.id, f"{segment}/{tool.id}.json"),
                "app_url": f"{self.app}/buckets/{project.id}/{segment}/{tool.id}"}

    def event(self, event: Event, bucket_id: int) -> dict[str, Any]:
        return {"id": event.id, "recording_id": event.recording_id, "action": event.action,
                "details": event.details, "created_at": self._ts(event.created_at, bucket_id),
                "creator": self.person(event.creator_id)}


def _insert_after(data: dict[str, Any], key: str, extra: dict[str, Any]) -> None:
    """Insert ``extra`` right after ``key`` so the key order follows the fixtures."""
    items = list(data.items())
    at = next(i for i, (k, _) in enumerate(items) if k == key) + 1
    data.clear()
    data.update(items[:at])
    data.update(extra)
    data.update(items[at:])
