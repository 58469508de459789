"""To-do lists and to-dos: account-wide, per project and per list, by status."""

from __future__ import annotations

from typing import Any

from sandbox.bc2.handlers.common import (
    Ctx,
    Listing,
    Rows,
    due_since_param,
    find_child,
    find_project,
    published,
)
from sandbox.bc2.model import todolist_completed
from sandbox.bc2.records import Project, Todo, Todolist


def todolist_rows(ctx: Ctx, projects: list[Project], status: str, bucket: bool) -> Rows:
    def keep(todolist: Todolist) -> bool:
        if status == "trashed":
            return todolist.trashed
        done = todolist_completed(ctx.index.todos_by_list.get(todolist.id, []))
        return not todolist.trashed and done == (status == "completed")

    def rows() -> Listing:
        lists = [lst for p in projects for lst in ctx.index.todolists_by_project.get(p.id, [])
                 if keep(lst)]
        return Listing(lists, lambda lst: ctx.render.todolist_row(lst, bucket))

    return rows


def todolists(ctx: Ctx) -> Rows:
    return todolist_rows(ctx, published(ctx), "active", bucket=True)


def todolists_completed(ctx: Ctx) -> Rows:
    return todolist_rows(ctx, published(ctx), "completed", bucket=True)


def todolists_trashed(ctx: Ctx) -> Rows:
    return todolist_rows(ctx, published(ctx), "trashed", bucket=True)


def project_todolists(ctx: Ctx, project: int) -> Rows:
    return todolist_rows(ctx, [find_project(ctx, project)], "active", bucket=False)


def project_todolists_completed(ctx: Ctx, project: int) -> Rows:
    return todolist_rows(ctx, [find_project(ctx, project)], "completed", bucket=False)


def project_todolists_trashed(ctx: Ctx, project: int) -> Rows:
    return todolist_rows(ctx, [find_project(ctx, project)], "trashed", bucket=False)


def todolist(ctx: Ctx, project: int, todolist: int) -> dict[str, Any]:
    found = find_child(ctx, "todolists", todolist, project)
    include = ctx.query.get("exclude_todos", "").lower() not in ("true", "1")
    return ctx.render.todolist_member(found, include_todos=include)


def todo_rows(ctx: Ctx, todos: list[Todo], status: str) -> Rows:
    """``status``: all (remaining then completed), remaining, completed or trashed."""
    due_since = due_since_param(ctx) if status == "all" else None

    def rows() -> Listing:
        if status == "trashed":
            chosen = [t for t in todos if t.trashed]
        else:
            live = [t for t in todos if not t.trashed]
            remaining = [t for t in live if t.completed_at is None]
            completed = [t for t in live if t.completed_at is not None]
            chosen = {"remaining": remaining, "completed": completed}.get(
                status, remaining + completed
            )
        if due_since is not None:
            chosen = [t for t in chosen if t.due_at is not None and t.due_at >= due_since]
        return Listing(chosen, ctx.render.todo_row)

    return rows


def todos_of_list(ctx: Ctx, project: int, todolist: int, status: str) -> Rows:
    found = find_child(ctx, "todolists", todolist, project)
    return todo_rows(ctx, ctx.index.todos_by_list.get(found.id, []), status)


def list_todos(ctx: Ctx, project: int, todolist: int) -> Rows:
    return todos_of_list(ctx, project, todolist, "all")


def list_todos_completed(ctx: Ctx, project: int, todolist: int) -> Rows:
    return todos_of_list(ctx, project, todolist, "completed")


def list_todos_remaining(ctx: Ctx, project: int, todolist: int) -> Rows:
    return todos_of_list(ctx, project, todolist, "remaining")


def list_todos_trashed(ctx: Ctx, project: int, todolist: int) -> Rows:
    return todos_of_list(ctx, project, todolist, "trashed")


def todos_of_project(ctx: Ctx, project: int, status: str) -> Rows:
    found = find_project(ctx, project)
    todos = [
        t for lst in ctx.index.todolists_by_project.get(found.id, []) if not lst.trashed
        for t in ctx.index.todos_by_list.get(lst.id, [])
    ]
    return todo_rows(ctx, todos, status)


def project_todos(ctx: Ctx, project: int) -> Rows:
    return todos_of_project(ctx, project, "all")


def project_todos_completed(ctx: Ctx, project: int) -> Rows:
    return todos_of_project(ctx, project, "completed")


def project_todos_remaining(ctx: Ctx, project: int) -> Rows:
    return todos_of_project(ctx, project, "remaining")


def todo(ctx: Ctx, project: int, todo: int) -> dict[str, Any]:
    return ctx.render.todo_member(find_child(ctx, "todos", todo, project))
