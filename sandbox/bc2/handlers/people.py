"""People, their projects, events and assigned to-dos; accesses; groups and subgroups."""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.bc2.handlers.common import (
    Ctx,
    Listing,
    Rows,
    bucket_live,
    due_since_param,
    find_person,
    find_project,
    live_people,
    not_found,
    published,
    since_param,
    visible_events,
)
from sandbox.bc2.records import Person, Todo


def people(ctx: Ctx) -> Rows:
    def rows() -> Listing:
        live = [p for p in ctx.acct.people.values() if not p.trashed]
        live.sort(key=lambda p: (p.name, p.id))
        return Listing(live, ctx.render.person_row)

    return rows


def people_trashed(ctx: Ctx) -> Rows:
    def rows() -> Listing:
        gone = sorted((p for p in ctx.acct.people.values() if p.trashed),
                      key=lambda p: (p.name, p.id))
        return Listing(gone, ctx.render.person_row)

    return rows


def person_member(ctx: Ctx, person: Person) -> dict[str, Any]:
    events = [e for e in ctx.index.events_by_creator.get(person.id, [])
              if bucket_live(ctx, e.bucket_type, e.bucket_id)]
    return ctx.render.person_member(person, events, assigned(ctx, person.id, None))


def person_me(ctx: Ctx) -> dict[str, Any]:
    return person_member(ctx, find_person(ctx, ctx.acct.me_id))


def person(ctx: Ctx, person: int) -> dict[str, Any]:
    return person_member(ctx, find_person(ctx, person))


def person_projects(ctx: Ctx, person: int) -> Rows:
    find_person(ctx, person)

    def rows() -> Listing:
        mine = [p for p in ctx.acct.projects.values() if person in p.access_ids]
        mine.sort(key=lambda p: (p.name.lower(), p.id))
        return Listing(mine, lambda p: ctx.render.project_row(p, "person"))

    return rows


def person_events(ctx: Ctx, person: int) -> Rows:
    find_person(ctx, person)
    since = since_param(ctx)

    def rows() -> Listing:
        events = visible_events(ctx, ctx.index.events_by_creator.get(person, []), since)
        return Listing(events, lambda e: ctx.render.event_row(e, "person"))

    return rows


def assigned(ctx: Ctx, person: int, due_since: date | None) -> list[Todo]:
    """Open to-dos assigned to ``person`` in published projects, in list order."""
    found: list[Todo] = []
    for project in published(ctx):
        for todolist in ctx.index.todolists_by_project.get(project.id, []):
            if todolist.trashed:
                continue
            found.extend(
                t for t in ctx.index.todos_by_list.get(todolist.id, [])
                if t.assignee_id == person and not t.trashed and t.completed_at is None
                and (due_since is None or (t.due_at is not None and t.due_at >= due_since))
            )
    return found


def person_assigned_todos(ctx: Ctx, person: int) -> Rows:
    find_person(ctx, person)
    due_since = due_since_param(ctx)

    def rows() -> Listing:
        by_list: dict[int, list[Todo]] = {}
        for todo in assigned(ctx, person, due_since):
            by_list.setdefault(todo.todolist_id, []).append(todo)
        return Listing(list(by_list.items()),
                       lambda pair: ctx.render.assigned_row(ctx.acct.todolists[pair[0]],
                                                            pair[1]))

    return rows


def project_accesses(ctx: Ctx, project: int) -> Rows:
    found = find_project(ctx, project)
    return lambda: Listing(live_people(ctx, found.access_ids),
                           lambda p: ctx.render.person_row(p, "access"))


def calendar_accesses(ctx: Ctx, calendar: int) -> Rows:
    found = ctx.acct.calendars.get(calendar)
    if found is None:
        raise not_found()
    return lambda: Listing(live_people(ctx, found.access_ids),
                           lambda p: ctx.render.person_row(p, "access"))


def subgroups(ctx: Ctx, group_id: int) -> list[Any]:
    return sorted((g for g in ctx.acct.groups.values() if g.parent_id == group_id),
                  key=lambda g: g.id)


def groups(ctx: Ctx) -> Rows:
    def rows() -> Listing:
        top = sorted((g for g in ctx.acct.groups.values() if g.parent_id is None),
                     key=lambda g: (g.name, g.id))
        return Listing(top, lambda g: ctx.render.group_row(g, subgroups(ctx, g.id)))

    return rows


def group(ctx: Ctx, group: int) -> dict[str, Any]:
    found = ctx.acct.groups.get(group)
    if found is None or found.parent_id is not None:
        raise not_found()
    return ctx.render.group_member(found, subgroups(ctx, found.id))


def subgroup(ctx: Ctx, group: int, subgroup: int) -> dict[str, Any]:
    found = ctx.acct.groups.get(subgroup)
    if found is None or found.parent_id != group:
        raise not_found()
    return ctx.render.subgroup_member(found)
