"""Basecamp 2 response shapes: people, projects, groups and events."""

from __future__ import annotations

from typing import Any

from sandbox.bc2.records import DRAFT, TEMPLATE, TRASHED, Event, Group, Person, Project, Todo
from sandbox.bc2.render_base import JsonObj, RendererBase, html_escape, slugify
from sandbox.bc2.time import format_optional, format_timestamp


class PeopleRendering(RendererBase):
    """People, projects (with their star), groups and subgroups, and the event feeds."""

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
