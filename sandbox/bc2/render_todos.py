"""Basecamp 2 response shapes: to-do lists and to-dos."""

from __future__ import annotations

from datetime import datetime

from sandbox.bc2.records import Todo, Todolist
from sandbox.bc2.render_base import DUPLICATE_CREATED_AT, JsonObj, RendererBase
from sandbox.bc2.time import format_day, format_timestamp


class TodoRendering(RendererBase):
    """To-do lists (rows, members, assigned lists) and to-dos with their stale list snapshot."""

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
