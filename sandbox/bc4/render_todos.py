"""Basecamp 4 JSON shapes: to-dos, to-do lists and card tables (cards, steps, columns)."""

from __future__ import annotations

from typing import Any

from sandbox.bc4.model import ACTIVE, Recording
from sandbox.bc4.render_base import RendererBase, insert_after


class TodoRendering(RendererBase):
    """To-dos and to-do lists; cards, their steps and the card table columns."""

    def _todo(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        insert_after(data, "bookmark_url", {**self._comments(rec), "position": rec.position})
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
        insert_after(data, "bookmark_url", {
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

    def _kanban_card(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        comments = self._comments(rec)
        insert_after(data, "bookmark_url", {
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
        insert_after(data, "bookmark_url", extra)
        if completed:
            data["completer"] = self.person(rec.creator_id)
        data["assignees"] = []
        return data

    def _column(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        cards = [c for c in self.acct.kids(rec.id, "Kanban::Card") if c.status == ACTIVE]
        held = [c for c in cards if c.extra["on_hold"]]
        insert_after(data, "bookmark_url", {
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
