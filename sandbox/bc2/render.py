"""JSON shapes of Basecamp 2 responses, one function per kind of response.

Key sets, key order and value types follow the official examples in the reference, quirks
included, because clients are tested against them:

- summary rows vs members: members drop ``url``/``app_url`` where the examples do (project,
  person, calendar, document, message, to-do list) and add counters or embedded arrays;
- ``bucket`` appears only where the examples show it (account-wide lists, person events,
  assigned to-dos, the forward member without ``app_url``, documents with ``color``);
- to-do rows embed a to-do list snapshot that repeats ``created_at`` (emitted as a real
  duplicate key, see ``DUPLICATE_CREATED_AT``) and is stale: its counts are as of the to-do's
  own ``updated_at``;
- the to-do member embeds ``comments`` only when ``comments_count`` > 0 (the official example
  has none; to-dos are commentable, so a to-do with comments shows them);
- comments always use the full embedded shape (id, content, timestamps, private, trashed,
  attachments, creator); the message, document and to-do list examples show abbreviated
  comments (the document one even lacks ``id``), read here as documentation drift;
- attachment ``url``s point at an "asset host" (same server, other host name) for attachment
  rows and at the API host for embedded attachments, as in the examples.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sandbox.bc2.model import TYPE_TABLES, Bc2Account, Index, todolist_completed
from sandbox.bc2.records import (
    DRAFT,
    TEMPLATE,
    TRASHED,
    Attachment,
    Calendar,
    CalendarEvent,
    Comment,
    Commentable,
    Document,
    Event,
    Forward,
    Group,
    Message,
    Person,
    Project,
    Todo,
    Todolist,
    Upload,
)
from sandbox.bc2.time import format_day, format_optional, format_timestamp

# Placeholder key that the encoder rewrites to a second "created_at" (see bc2_app.encode).
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


class Renderer:
    """Turns model rows into response dicts for one request (one index revision)."""

    def __init__(self, acct: Bc2Account, index: Index, urls: Urls) -> None:
        self.acct = acct
        self.index = index
        self.urls = urls

    # ------------------------------------------------------------------ small objects
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

    # ------------------------------------------------------------------ people
    def person_paths(self, person: Person) -> tuple[str, str]:
        return self.urls.pair(f"/people/{person.id}-{slugify(person.name)}")

    def person_row(self, person: Person, style: str = "list") -> JsonObj:
        """``style``: list (people lists), access (adds is_client) or membership (no trashed)."""
        key = person.avatar_key
        row: JsonObj = {
            "id": person.id, "identity_id": person.identity_id, "name": person.name,
            "email_address": person.email_address, "admin": person.admin,
        }
        if style == "access":
            row["is_client"] = person.client
        if style != "membership":
            row["trashed"] = person.trashed
        url, app_url = self.person_paths(person)
        row.update({
            "avatar_url": f"https://asset0.37img.com/global/{key}/avatar.96.gif",
            "fullsize_avatar_url": f"https://asset0.37img.com/global/{key}/original.gif?r=3",
            "created_at": format_timestamp(person.created_at),
            "updated_at": format_timestamp(person.updated_at),
            "url": url, "app_url": app_url,
        })
        return row

    def person_member(self, person: Person, events: list[Event], assigned: list[Todo]) -> JsonObj:
        key = person.avatar_key
        base = f"/people/{person.id}-{slugify(person.name)}"
        return {
            "id": person.id, "identity_id": person.identity_id, "name": person.name,
            "email_address": person.email_address, "admin": person.admin,
            "trashed": person.trashed,
            "avatar_url": f"https://asset0.37img.com/global/{key}/avatar.96.gif?r=3",
            "fullsize_avatar_url": f"https://asset0.37img.com/global/{key}/original.gif?r=3",
            "created_at": format_timestamp(person.created_at),
            "updated_at": format_timestamp(person.updated_at),
            "events": self.counter(f"{base}/events", events),
            "assigned_todos": self.counter(f"{base}/assigned_todos", assigned),
        }

    # ------------------------------------------------------------------ projects
    def project_row(self, project: Project, style: str = "list") -> JsonObj:
        """``style``: list, template (no draft) or person (no app_url)."""
        url, app_url = self.urls.pair(f"/projects/{project.id}")
        row: JsonObj = {
            "id": project.id, "name": project.name, "description": project.description,
            "updated_at": format_timestamp(project.updated_at), "url": url,
        }
        if style != "person":
            row["app_url"] = app_url
        row.update({
            "template": project.state == TEMPLATE,
            "archived": project.state == "archived",
            "starred": project.starred_at is not None,
            "trashed": project.state == TRASHED,
        })
        if style != "template":
            row["draft"] = project.state == DRAFT
        row.update({"is_client_project": project.is_client_project, "color": project.color})
        return row

    def project_member(self, project: Project, parts: dict[str, list[Any]]) -> JsonObj:
        """``parts`` holds the rows behind each counter (accesses, attachments, ...)."""
        base = f"/projects/{project.id}"
        member: JsonObj = {
            "id": project.id, "name": project.name, "description": project.description,
            "archived": project.state == "archived",
            "created_at": format_timestamp(project.created_at),
            "updated_at": format_timestamp(project.updated_at),
            "template": project.state == TEMPLATE,
            "starred": project.starred_at is not None,
            "trashed": project.state == TRASHED,
        }
        if project.state != TEMPLATE:
            member["draft"] = project.state == DRAFT
        lists = parts["todolists"]
        lists_url, lists_app_url = self.urls.pair(f"{base}/todolists")
        member.update({
            "is_client_project": project.is_client_project,
            "color": project.color,
            "creator": self.creator(project.creator_id),
            "accesses": self.counter(f"{base}/accesses", parts["accesses"]),
            "attachments": self.counter(f"{base}/attachments", parts["attachments"]),
            "calendar_events": self.counter(f"{base}/calendar_events", parts["calendar_events"]),
            "documents": self.counter(f"{base}/documents", parts["documents"]),
            "topics": self.counter(f"{base}/topics", parts["topics"]),
            "todolists": {
                "remaining_count": sum(1 for lst in lists if not self.list_completed(lst)),
                "completed_count": sum(1 for lst in lists if self.list_completed(lst)),
                "updated_at": format_optional(max((x.updated_at for x in lists), default=None)),
                "url": lists_url,
                "app_url": lists_app_url,
            },
        })
        return member

    def star(self, project: Project) -> JsonObj:
        url, app_url = self.urls.pair(f"/projects/{project.id}/star")
        assert project.starred_at is not None
        return {"project_id": project.id, "created_at": format_timestamp(project.starred_at),
                "url": url, "app_url": app_url}

    # ------------------------------------------------------------------ groups
    def subgroup_stub(self, group: Group) -> JsonObj:
        return {"created_at": format_timestamp(group.created_at), "id": group.id,
                "name": group.name, "updated_at": format_timestamp(group.updated_at)}

    def group_row(self, group: Group, subgroups: list[Group]) -> JsonObj:
        row = self.subgroup_stub(group)
        if subgroups:
            row["subgroups"] = [self.subgroup_stub(s) for s in subgroups]
        return row

    def memberships(self, group: Group) -> list[JsonObj]:
        people = (self.acct.people.get(pid) for pid in group.member_ids)
        return [self.person_row(p, "membership") for p in people if p and not p.trashed]

    def group_member(self, group: Group, subgroups: list[Group]) -> JsonObj:
        member: JsonObj = {"created_at": format_timestamp(group.created_at), "id": group.id,
                           "name": group.name}
        if subgroups:
            member["subgroups"] = [self.subgroup_stub(s) for s in subgroups]
        member["memberships"] = self.memberships(group)
        return member

    def subgroup_member(self, group: Group) -> JsonObj:
        return {
            "created_at": format_timestamp(group.created_at), "id": group.id,
            "name": group.name, "parent_id": group.parent_id,
            "updated_at": format_timestamp(group.updated_at),
            "memberships": self.memberships(group),
        }

    # ------------------------------------------------------------------ events
    def event_row(self, event: Event, view: str) -> JsonObj | None:
        """``view``: account, project or person (person: bucket, no creator)."""
        eventable = self.acct.lookup(event.eventable_type, event.eventable_id)
        if eventable is None:
            return None
        ref = self.ref(eventable)
        row: JsonObj = {
            "id": event.id,
            "created_at": format_timestamp(event.created_at),
            "updated_at": format_timestamp(event.updated_at),
            "private": event.private, "action": event.action, "target": event.target,
            "eventable": ref,
        }
        if view != "person":
            row["creator"] = self.creator(event.creator_id)
        comment = self.acct.comments.get(event.comment_id) if event.comment_id else None
        if comment is not None:
            excerpt = html_escape(comment.content)
            row["attachments"] = self.attachments_on("Comment", comment.id)
            row["excerpt"] = excerpt
            row["raw_excerpt"] = excerpt
        row["summary"] = f"{event.action} {event.target}"
        row["url"] = ref["url"]
        row["html_url"] = ref["app_url"]
        if view != "project":
            row["bucket"] = self.bucket(event.bucket_type, event.bucket_id)
        return row

    # ------------------------------------------------------------------ comments & attachments
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

    def attachment_row(self, attachment: Attachment) -> JsonObj:
        row: JsonObj = {"id": attachment.id}
        if attachment.linked_source is None:
            path = self._download_path(attachment)
            thumb_ext = "gif" if attachment.content_type == "image/gif" else "png"
            row.update({
                "key": attachment.key, "name": attachment.name,
                "byte_size": attachment.byte_size, "content_type": attachment.content_type,
                "created_at": format_timestamp(attachment.created_at),
                "updated_at": format_timestamp(attachment.updated_at),
                "url": f"{self.urls.asset_api}{path}",
                "app_url": f"{self.urls.asset_app}{path}",
                "thumbnail_url": (
                    f"{self.urls.asset_app}/projects/{attachment.project_id}/attachments/"
                    f"{attachment.id}/{attachment.key}/thumbnail.{thumb_ext}"
                ),
            })
        else:
            row.update({
                "name": attachment.name, "byte_size": attachment.byte_size,
                "content_type": attachment.content_type,
                "linked_source": attachment.linked_source, "linked_type": attachment.linked_type,
                "link_url": attachment.link_url,
                "created_at": format_timestamp(attachment.created_at),
                "updated_at": format_timestamp(attachment.updated_at),
            })
        owner = self.acct.lookup(attachment.attachable_type, attachment.attachable_id)
        if isinstance(owner, Comment):
            parent = self.acct.lookup(owner.parent_type, owner.parent_id)
            url, app_url = self.urls.pair(
                f"{self.record_path(parent)}" if parent else f"/projects/{attachment.project_id}"
            )
            attachable = {"id": owner.id, "type": "Comment", "url": url, "app_url": app_url}
        elif owner is not None:
            attachable = self.ref(owner)
        else:
            attachable = {"id": attachment.attachable_id, "type": attachment.attachable_type,
                          "url": None, "app_url": None}
        row.update({
            "private": attachment.private, "trashed": attachment.trashed,
            "tags": list(attachment.tags), "creator": self.creator(attachment.creator_id),
            "attachable": attachable,
        })
        return row

    # ------------------------------------------------------------------ topics & messages
    def topic_row(self, record: Commentable, with_bucket: bool) -> JsonObj:
        comments = self.index.comments_of(record)
        last = comments[-1] if comments else None
        type_name = type(record).__name__
        count = len(self.index.attachments_of(type_name, record.id)) + sum(
            len(self.index.attachments_of("Comment", c.id)) for c in comments
        )
        if last is not None:
            excerpt, updater = last.content, last.creator_id
        else:
            excerpt = re.sub(r"<[^>]+>", " ", getattr(record, "content", "")).strip()
            updater = getattr(record, "last_updater_id", record.creator_id)
        title = topic_title(record)
        if isinstance(record, Upload):
            files = self.index.attachments_of("Upload", record.id)
            title = files[0].name if files else title
        row: JsonObj = {
            "id": record.topic_id, "title": title, "excerpt": excerpt[:100],
            "created_at": format_timestamp(record.created_at),
            "updated_at": format_timestamp(topic_updated_at(record, comments)),
            "attachments": count, "private": record.private, "trashed": record.trashed,
            "last_updater": self.stub(updater), "topicable": self.ref(record),
        }
        if with_bucket:
            row["bucket"] = self.bucket(*record_bucket(record))
        return row

    def message_member(self, message: Message) -> JsonObj:
        return {
            "id": message.id, "subject": message.subject,
            "created_at": format_timestamp(message.created_at),
            "updated_at": format_timestamp(message.updated_at),
            "content": message.content, "private": message.private, "trashed": message.trashed,
            "creator": self.creator(message.creator_id), "comments": self.comments(message),
            "subscribers": self.subscribers(message),
        }

    # ------------------------------------------------------------------ to-do lists & to-dos
    def list_completed(self, todolist: Todolist) -> bool:
        return todolist_completed(self.index.todos_by_list.get(todolist.id, []))

    def _list_counts(self, todolist: Todolist, as_of: datetime | None = None) -> tuple[int, int]:
        remaining = completed = 0
        for todo in self.index.todos_by_list.get(todolist.id, []):
            if todo.trashed or (as_of is not None and todo.created_at > as_of):
                continue
            done = todo.completed_at is not None and (as_of is None or todo.completed_at <= as_of)
            completed += done
            remaining += not done
        return completed, remaining

    def todolist_row(self, todolist: Todolist, with_bucket: bool) -> JsonObj:
        url, app_url = self.urls.pair(f"/projects/{todolist.project_id}/todolists/{todolist.id}")
        completed, remaining = self._list_counts(todolist)
        row: JsonObj = {
            "id": todolist.id, "name": todolist.name, "description": todolist.description,
            "created_at": format_timestamp(todolist.created_at),
            "updated_at": format_timestamp(todolist.updated_at),
            "url": url, "app_url": app_url, "completed": self.list_completed(todolist),
            "position": todolist.position, "private": todolist.private,
            "trashed": todolist.trashed, "completed_count": completed,
            "remaining_count": remaining, "creator": self.creator(todolist.creator_id),
        }
        if with_bucket:
            row["bucket"] = self.bucket("Project", todolist.project_id)
        return row

    def assigned_row(self, todolist: Todolist, todos: list[Todo]) -> JsonObj:
        row = self.todolist_row(todolist, with_bucket=False)
        row["assigned_todos"] = [
            {
                "id": t.id, "content": t.content,
                "due_at": format_day(t.due_at) if t.due_at else None,
                "comments_count": len(self.index.comments_of(t)),
                "created_at": format_timestamp(t.created_at),
                "updated_at": format_timestamp(t.updated_at),
                **dict(zip(("url", "app_url"), self.urls.pair(self.record_path(t)), strict=True)),
                "position": t.position,
            }
            for t in todos
        ]
        row["bucket"] = self.bucket("Project", todolist.project_id)
        return row

    def _embedded_todo(self, todo: Todo) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(todo))
        item: JsonObj = {
            "id": todo.id, "content": todo.content,
            "due_at": format_day(todo.due_at) if todo.due_at else None,
            "comments_count": len(self.index.comments_of(todo)),
            "created_at": format_timestamp(todo.created_at),
            "updated_at": format_timestamp(todo.updated_at),
        }
        if todo.completed_at is None:
            item.update({"assignee": self.assignee(todo.assignee_id), "position": todo.position,
                         "url": url, "app_url": app_url})
            return item
        item.update({
            "completed_at": format_timestamp(todo.completed_at), "url": url, "app_url": app_url,
            "assignee": self.assignee(todo.assignee_id), "position": todo.position,
            "completer": self.stub(todo.completer_id or todo.creator_id),
        })
        return item

    def todolist_member(self, todolist: Todolist, include_todos: bool) -> JsonObj:
        completed, remaining = self._list_counts(todolist)
        member: JsonObj = {
            "id": todolist.id, "name": todolist.name, "description": todolist.description,
            "created_at": format_timestamp(todolist.created_at),
            "updated_at": format_timestamp(todolist.updated_at),
            "completed": self.list_completed(todolist), "position": todolist.position,
            "private": todolist.private, "trashed": todolist.trashed,
            "completed_count": completed, "remaining_count": remaining,
            "creator": self.creator(todolist.creator_id),
        }
        if include_todos:
            todos = self.index.todos_by_list.get(todolist.id, [])
            member["todos"] = {
                "remaining": [self._embedded_todo(t) for t in todos
                              if not t.trashed and t.completed_at is None],
                "completed": [self._embedded_todo(t) for t in todos
                              if not t.trashed and t.completed_at is not None],
                "trashed": [self._embedded_todo(t) for t in todos if t.trashed],
            }
        member["comments"] = self.comments(todolist)
        member["subscribers"] = self.subscribers(todolist)
        return member

    def _todolist_snapshot(self, todo: Todo) -> JsonObj:
        """The stale copy of the list embedded in to-do rows (counts as of the to-do's edit)."""
        todolist = self.acct.todolists.get(todo.todolist_id)
        if todolist is None:
            return {}
        completed, remaining = self._list_counts(todolist, as_of=todo.updated_at)
        url, app_url = self.urls.pair(f"/projects/{todolist.project_id}/todolists/{todolist.id}")
        created = format_timestamp(todolist.created_at)
        return {
            "completed": remaining == 0 and completed > 0,
            "completed_count": completed, "created_at": created,
            "creator": self.creator(todolist.creator_id), "description": todolist.description,
            "id": todolist.id, "name": todolist.name, "position": todolist.position,
            "private": todolist.private, "remaining_count": remaining,
            "trashed": todolist.trashed, DUPLICATE_CREATED_AT: created,
            "url": url, "app_url": app_url,
        }

    def _todo_base(self, todo: Todo) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(todo))
        base: JsonObj = {
            "id": todo.id, "todolist_id": todo.todolist_id, "position": todo.position,
            "content": todo.content, "due_at": format_day(todo.due_at) if todo.due_at else None,
            "due_on": None,
            "created_at": format_timestamp(todo.created_at),
            "updated_at": format_timestamp(todo.updated_at),
            "completed_at": format_timestamp(todo.completed_at) if todo.completed_at else False,
            "comments_count": len(self.index.comments_of(todo)),
            "private": todo.private, "trashed": todo.trashed,
            "creator": self.creator(todo.creator_id),
            "assignee": self.assignee(todo.assignee_id),
            "completed": todo.completed_at is not None,
            "url": url, "app_url": app_url,
        }
        if todo.completed_at is not None:
            base["completer"] = self.stub(todo.completer_id or todo.creator_id)
        return base

    def todo_row(self, todo: Todo) -> JsonObj:
        row = self._todo_base(todo)
        row["todolist"] = self._todolist_snapshot(todo)
        return row

    def todo_member(self, todo: Todo) -> JsonObj:
        member = self._todo_base(todo)
        member["attachments"] = self.attachments_on("Todo", todo.id)
        if member["comments_count"]:
            member["comments"] = self.comments(todo)
        member["subscribers"] = self.subscribers(todo)
        return member

    # ------------------------------------------------------------ documents, forwards, uploads
    def document_row(self, document: Document, with_bucket: bool) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(document))
        row: JsonObj = {
            "id": document.id, "title": document.title,
            "created_at": format_timestamp(document.created_at),
            "updated_at": format_timestamp(document.updated_at),
            "url": url, "app_url": app_url,
            "private": document.private, "trashed": document.trashed,
        }
        if with_bucket:
            row["bucket"] = self.bucket("Project", document.project_id, "documents")
        return row

    def document_member(self, document: Document) -> JsonObj:
        return {
            "id": document.id, "title": document.title, "content": document.content,
            "created_at": format_timestamp(document.created_at),
            "updated_at": format_timestamp(document.updated_at),
            "private": document.private, "trashed": document.trashed,
            "last_updater": self.stub(document.last_updater_id),
            "creator": self.creator(document.creator_id),
            "comments": self.comments(document), "subscribers": self.subscribers(document),
        }

    def forward_row(self, forward: Forward, with_bucket: bool) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(forward))
        row: JsonObj = {
            "id": forward.id, "subject": forward.subject, "from": forward.sender,
            "created_at": format_timestamp(forward.created_at),
            "updated_at": format_timestamp(forward.updated_at),
            "private": forward.private, "trashed": forward.trashed,
            "url": url, "app_url": app_url,
        }
        if with_bucket:
            row["bucket"] = self.bucket("Project", forward.project_id)
        return row

    def forward_member(self, forward: Forward) -> JsonObj:
        return {
            "id": forward.id, "subject": forward.subject, "from": forward.sender,
            "created_at": format_timestamp(forward.created_at),
            "updated_at": format_timestamp(forward.updated_at),
            "private": forward.private, "trashed": forward.trashed,
            "content": forward.content, "content_html": forward.content_html,
            "creator": self.creator(forward.creator_id),
            "attachments": self.attachments_on("Forward", forward.id, app_url=False),
            "comments": self.comments(forward), "subscribers": self.subscribers(forward),
            "bucket": self.bucket("Project", forward.project_id, "forward"),
        }

    def upload_member(self, upload: Upload) -> JsonObj:
        return {
            "id": upload.id,
            "created_at": format_timestamp(upload.created_at),
            "updated_at": format_timestamp(upload.updated_at),
            "content": upload.content, "trashed": upload.trashed,
            "attachments": self.attachments_on("Upload", upload.id),
            "comments": self.comments(upload), "subscribers": self.subscribers(upload),
        }

    # ------------------------------------------------------------------ calendars
    def calendar_paths(self, calendar: Calendar, suffix: str = "") -> tuple[str, str]:
        return self.urls.pair(f"/calendars/{calendar.id}-{slugify(calendar.name)}{suffix}")

    def calendar_row(self, calendar: Calendar) -> JsonObj:
        url, app_url = self.calendar_paths(calendar)
        return {"id": calendar.id, "name": calendar.name,
                "updated_at": format_timestamp(calendar.updated_at), "color": calendar.color,
                "url": url, "app_url": app_url}

    def calendar_member(
        self, calendar: Calendar, accesses: list[Person], events: list[CalendarEvent]
    ) -> JsonObj:
        accesses_url, accesses_app_url = self.calendar_paths(calendar, "/accesses")
        upcoming, _ = self.calendar_paths(calendar, "/calendar_events")
        past, _ = self.calendar_paths(calendar, "/calendar_events/past")
        return {
            "id": calendar.id, "name": calendar.name,
            "created_at": format_timestamp(calendar.created_at),
            "updated_at": format_timestamp(calendar.updated_at), "color": calendar.color,
            "creator": self.creator(calendar.creator_id),
            "accesses": {
                "count": len(accesses),
                "updated_at": format_optional(max((p.updated_at for p in accesses), default=None)),
                "url": accesses_url, "app_url": accesses_app_url,
            },
            "calendar_events": {
                "count": len(events),
                "updated_at": format_optional(max((e.updated_at for e in events), default=None)),
                "urls": {"upcoming": upcoming, "past": past},
            },
        }

    def _recurring(self, event: CalendarEvent) -> JsonObj:
        rule = event.recurring
        assert rule is not None
        return {"frequency": rule.frequency, "count": rule.count,
                "until": format_day(rule.until) if rule.until else None,
                "excluding": list(rule.excluding)}

    def calendar_event_row(self, event: CalendarEvent) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(event))
        row: JsonObj = {
            "id": event.id, "summary": event.summary, "description": event.description,
            "created_at": format_timestamp(event.created_at),
            "updated_at": format_timestamp(event.updated_at),
            "all_day": event.all_day, "starts_at": when(event.starts_at),
            "ends_at": when(event.ends_at),
            "comments_count": len(self.index.comments_of(event)),
            "private": event.private, "trashed": event.trashed,
            "creator": self.creator(event.creator_id),
        }
        if event.recurring is not None:
            row["recurring"] = self._recurring(event)
        row.update({"url": url, "app_url": app_url})
        return row

    def calendar_event_member(self, event: CalendarEvent) -> JsonObj:
        member = self.calendar_event_row(event)
        del member["comments_count"]
        member["comments"] = self.comments(event)
        member["subscribers"] = self.subscribers(event)
        return member

    def occurrence_row(
        self, event: CalendarEvent, number: int, starts: date | datetime, ends: date | datetime
    ) -> JsonObj:
        """An expanded recurrence: no id/url/timestamps; the first one also lacks a count."""
        url, app_url = self.urls.pair(self.record_path(event))
        row: JsonObj = {
            "summary": event.summary, "description": event.description,
            "all_day": event.all_day, "starts_at": when(starts), "ends_at": when(ends),
        }
        if number > 1:
            row["comments_count"] = len(self.index.comments_of(event))
        row.update({
            "private": event.private, "trashed": event.trashed,
            "creator": self.creator(event.creator_id),
            "recurrence": {"number": number,
                           "master": {"id": event.id, "url": url, "app_url": app_url}},
        })
        return row


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
