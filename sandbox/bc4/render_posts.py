"""Basecamp 4 JSON shapes: messages, comments, documents, uploads, vaults, schedule entries,
campfire lines, check-ins, forwards and client items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.bc4.model import ACTIVE, MessageType, Recording
from sandbox.bc4.render_base import RendererBase, insert_after, stamp


class PostRendering(RendererBase):
    """Recordings people write: posts, files, entries, lines, answers and client items."""

    def _message(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        category = rec.extra.get("category")
        body = self._rich(rec, "content")
        insert_after(data, "bookmark_url", {"subject": rec.title, "content": body["content"],
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
        insert_after(data, "bookmark_url", {**self._comments(rec), "position": rec.position})
        data.update(self._rich(rec, "content"))
        return data

    def _upload(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        insert_after(data, "bookmark_url", {**self._comments(rec), "position": rec.position})
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
        insert_after(data, "bookmark_url", {"position": rec.position})
        kids = [k for k in self.acct.kids(rec.id) if k.status == ACTIVE]
        for kind, plural in (("Document", "documents"), ("Upload", "uploads"),
                             ("Vault", "vaults")):
            data[f"{plural}_count"] = sum(1 for k in kids if k.type == kind)
            data[f"{plural}_url"] = self.bucket_url(rec.bucket_id,
                                                    f"vaults/{rec.id}/{plural}.json")
        return data

    def _schedule_entry(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        insert_after(data, "title", {"summary": rec.title})
        starts: datetime = rec.extra["starts_at"]
        ends: datetime = rec.extra["ends_at"]
        comments = self._comments(rec)
        insert_after(data, "bookmark_url", {
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
        insert_after(data, "bookmark_url", {"content": rec.content})
        return data

    def _question(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        insert_after(data, "bookmark_url",
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
        insert_after(data, "bookmark_url", {**self._comments(rec), "content": rec.content,
                                            "group_on": rec.created_at.date().isoformat()})
        data["content_attachments"] = []
        return data

    def _inbox_forward(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        replies = [r for r in self.acct.kids(rec.id) if r.status == ACTIVE]
        insert_after(data, "bookmark_url", {
            "subscription_url": self.recording_url(rec, "subscription.json"),
            "subject": rec.title, "content": rec.content, "from": rec.extra["sender"],
            "replies_count": len(replies),
            "replies_url": self.bucket_url(rec.bucket_id, f"inbox_forwards/{rec.id}/replies.json"),
        })
        data["content_attachments"] = []
        return data

    def _client_approval(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        insert_after(data, "bookmark_url",
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
