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

from typing import Any

from sandbox.bc4.model import ACTIVE, COLUMN_TYPES, Recording
from sandbox.bc4.render_base import SEGMENTS, insert_after
from sandbox.bc4.render_posts import PostRendering
from sandbox.bc4.render_resources import ResourceRendering
from sandbox.bc4.render_todos import TodoRendering


class Renderer(TodoRendering, PostRendering, ResourceRendering):
    """Turns model records into API JSON: ``recording`` picks the shape of a type
    (``_<type>`` of one of the bases), ``tool`` shapes a dock tool's root."""

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
            insert_after(data, "bookmark_url",
                         {"bubble_up_url": self.recording_url(rec, "bubble_up.json")})
        data["content"] = rec.title if rec.type == "Todo" else self.content(rec)
        data["content_attachments"] = self.attachments(rec)
        return self._boosted(rec, data)

    _generic = generic

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
            insert_after(data, "bookmark_url", {"position": rec.position})
            data.update({"name": rec.title, "todolists_count": len(kids),
                         "todolists_url": f"{base}/todolists.json",
                         "completed_ratio": f"{len(done)}/{len(kids)}",
                         "completed": bool(kids) and len(done) == len(kids),
                         "app_todolists_url": f"{self.app_url(rec)}/todolists"})
        elif rec.type == "Message::Board":
            data.pop("bookmark_url")
            insert_after(data, "app_url", {"messages_count": len(kids),
                                           "messages_url": f"{base}/messages.json"})
        elif rec.type == "Schedule":
            insert_after(data, "bookmark_url", {"position": rec.position})
            data.update({"include_due_assignments": True, "entries_count": len(kids),
                         "entries_url": f"{base}/entries.json"})
        elif rec.type == "Chat::Transcript":
            data.pop("bookmark_url")
            insert_after(data, "app_url", {"lines_url": f"{base}/lines.json",
                                           "files_url": f"{base}/uploads.json"})
        elif rec.type == "Questionnaire":
            insert_after(data, "bookmark_url", {"questions_url": f"{base}/questions.json",
                                                "questions_count": len(kids),
                                                "name": rec.title})
        elif rec.type == "Inbox":
            data.pop("bookmark_url")
            data.pop("visible_to_clients")
            data.pop("inherits_status")
            data["forwards_count"] = len(kids)
            data["forwards_url"] = f"{base}/inbox_forwards.json"
        elif rec.type == "Kanban::Board":
            insert_after(data, "bookmark_url",
                         {"subscription_url": self.recording_url(rec, "subscription.json")})
            data["subscribers"] = []
            data["lists"] = [self._column(c) for c in self.acct.kids(rec.id, *COLUMN_TYPES)]
        return data
