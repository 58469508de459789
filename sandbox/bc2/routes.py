"""Basecamp 2's GET routes as a werkzeug routing table; each endpoint names its handler.

Paths are matched below ``/{account}/api/v1`` without the ``.json`` suffix, each segment
percent-decoded (and re-encoded, so an encoded ``/`` stays inside its segment). An id segment
may carry a slug (``123-my-project``); a tag is any text. Mode: ``member`` (one record),
``paged`` (50 a page, ``[]`` past the end) or ``whole`` (ignores ``page``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from werkzeug.routing import BaseConverter, Rule, ValidationError

from sandbox.bc2.handlers import calendars, files, people, projects, todos, topics
from sandbox.router import Router

MEMBER = "member"
PAGED = "paged"
WHOLE = "whole"

_ID = re.compile(r"^(\d+)(?:-[^/]*)?$")


class IdConverter(BaseConverter):
    """A record id, optionally followed by ``-slug``."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> int:
        found = _ID.match(unquote(value))
        if not found:
            raise ValidationError()
        return int(found.group(1))


class TagConverter(BaseConverter):
    """A tag name: any text, even empty, decoded."""

    regex = r"[^/]*"

    def to_python(self, value: str) -> str:
        return unquote(value)


@dataclass(frozen=True)
class Endpoint:
    """A route's handler and how its answer is served (``mode``)."""

    handler: Callable[..., Any]
    mode: str

    @property
    def name(self) -> str:
        return self.handler.__name__


def member(path: str, handler: Callable[..., Any]) -> Rule:
    return Rule(path, endpoint=Endpoint(handler, MEMBER))


def paged(path: str, handler: Callable[..., Any]) -> Rule:
    return Rule(path, endpoint=Endpoint(handler, PAGED))


def whole(path: str, handler: Callable[..., Any]) -> Rule:
    return Rule(path, endpoint=Endpoint(handler, WHOLE))


ROUTER = Router([
    whole("/projects", projects.projects_active),
    paged("/projects/drafts", projects.projects_drafts),
    paged("/projects/archived", projects.projects_archived),
    member("/projects/<id:project>", projects.project),
    paged("/project_templates", projects.project_templates),
    paged("/stars", projects.stars),
    whole("/people", people.people),
    paged("/people/trashed", people.people_trashed),
    member("/people/me", people.person_me),
    member("/people/<id:person>", people.person),
    paged("/people/<id:person>/projects", people.person_projects),
    paged("/people/<id:person>/events", people.person_events),
    paged("/people/<id:person>/assigned_todos", people.person_assigned_todos),
    paged("/projects/<id:project>/accesses", people.project_accesses),
    paged("/calendars/<id:calendar>/accesses", people.calendar_accesses),
    paged("/groups", people.groups),
    member("/groups/<id:group>", people.group),
    member("/groups/<id:group>/subgroups/<id:subgroup>", people.subgroup),
    paged("/events", topics.events),
    paged("/projects/<id:project>/events", topics.project_events),
    paged("/topics", topics.topics),
    paged("/topics/archived", topics.topics_archived),
    paged("/projects/<id:project>/topics", topics.project_topics),
    paged("/projects/<id:project>/topics/archived", topics.project_topics_archived),
    member("/projects/<id:project>/messages/<id:message>", topics.message),
    paged("/todolists", todos.todolists),
    paged("/todolists/completed", todos.todolists_completed),
    paged("/todolists/trashed", todos.todolists_trashed),
    paged("/projects/<id:project>/todolists", todos.project_todolists),
    paged("/projects/<id:project>/todolists/completed", todos.project_todolists_completed),
    paged("/projects/<id:project>/todolists/trashed", todos.project_todolists_trashed),
    member("/projects/<id:project>/todolists/<id:todolist>", todos.todolist),
    paged("/projects/<id:project>/todolists/<id:todolist>/todos", todos.list_todos),
    paged("/projects/<id:project>/todolists/<id:todolist>/todos/completed",
           todos.list_todos_completed),
    paged("/projects/<id:project>/todolists/<id:todolist>/todos/remaining",
           todos.list_todos_remaining),
    paged("/projects/<id:project>/todolists/<id:todolist>/todos/trashed", todos.list_todos_trashed),
    paged("/projects/<id:project>/todos", todos.project_todos),
    paged("/projects/<id:project>/todos/completed", todos.project_todos_completed),
    paged("/projects/<id:project>/todos/remaining", todos.project_todos_remaining),
    member("/projects/<id:project>/todos/<id:todo>", todos.todo),
    paged("/documents", files.documents),
    paged("/projects/<id:project>/documents", files.project_documents),
    member("/projects/<id:project>/documents/<id:document>", files.document),
    paged("/forwards", files.forwards),
    paged("/projects/<id:project>/forwards", files.project_forwards),
    member("/projects/<id:project>/forwards/<id:forward>", files.forward),
    paged("/attachments", files.attachments),
    paged("/projects/<id:project>/attachments", files.project_attachments),
    member("/projects/<id:project>/attachments/<id:attachment>", files.attachment),
    member("/projects/<id:project>/uploads/<id:upload>", files.upload),
    paged("/tags/<tag:tag>/attachments", files.tag_attachments),
    paged("/projects/<id:project>/tags/<tag:tag>/attachments", files.project_tag_attachments),
    paged("/calendars", calendars.calendars),
    member("/calendars/<id:calendar>", calendars.calendar),
    paged("/calendar_events", calendars.calendar_events_window),
    paged("/projects/<id:project>/calendar_events", calendars.project_calendar_events),
    paged("/projects/<id:project>/calendar_events/past", calendars.project_calendar_events_past),
    member("/projects/<id:project>/calendar_events/<id:event>", calendars.project_calendar_event),
    paged("/calendars/<id:calendar>/calendar_events", calendars.calendar_calendar_events),
    paged("/calendars/<id:calendar>/calendar_events/past", calendars.calendar_calendar_events_past),
    member("/calendars/<id:calendar>/calendar_events/<id:event>",
           calendars.calendar_calendar_event),
], converters={"id": IdConverter, "tag": TagConverter})
