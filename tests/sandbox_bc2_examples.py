"""The Basecamp 2 reference as test data: catalog parameters drawn from the ground truth, and
sandbox responses grouped by the official example they should resemble.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from sandbox import Sandbox
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.records import TEMPLATE, TRASHED, Project
from tests.sandbox_bc2_support import EXAMPLES, SINCE_EVER, Api


def load_yaml(path: Path) -> Any:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text())


Parameters = Iterator[dict[str, Any]]


def _tags(truth: Bc2Account) -> Parameters:
    return ({"tag_name": quote(t, safe="")}
            for t in sorted({t for a in truth.attachments.values() for t in a.tags}))


# Parameter names of a path template -> where their values come from in the ground truth.
PARAMETER_SOURCES: dict[frozenset[str], Callable[[Bc2Account, list[Project]], Parameters]] = {
    frozenset({"project_id"}): lambda truth, served: ({"project_id": p.id} for p in served),
    frozenset({"person_id"}): lambda truth, served: (
        {"person_id": pid} for pid in (truth.me_id, *truth.people)),
    frozenset({"calendar_id"}): lambda truth, served: (
        {"calendar_id": cid} for cid in truth.calendars),
    frozenset({"group_id"}): lambda truth, served: (
        {"group_id": g.id} for g in truth.groups.values() if g.parent_id is None),
    frozenset({"group_id", "subgroup_id"}): lambda truth, served: (
        {"group_id": g.parent_id, "subgroup_id": g.id}
        for g in truth.groups.values() if g.parent_id is not None),
    frozenset({"tag_name"}): lambda truth, served: _tags(truth),
    frozenset({"project_id", "tag_name"}): lambda truth, served: (
        {"project_id": a.project_id, "tag_name": quote(t, safe="")}
        for a in truth.attachments.values() for t in a.tags),
    frozenset({"project_id", "calendar_event_id"}): lambda truth, served: (
        {"project_id": e.bucket_id, "calendar_event_id": e.id}
        for e in truth.calendar_events.values() if e.bucket_type == "Project"),
    frozenset({"calendar_id", "calendar_event_id"}): lambda truth, served: (
        {"calendar_id": e.bucket_id, "calendar_event_id": e.id}
        for e in truth.calendar_events.values() if e.bucket_type == "Calendar"),
}
# A project's child named by the second path parameter -> the table holding it.
CHILD_TABLES = {
    "todolist_id": "todolists", "todo_id": "todos", "message_id": "messages",
    "document_id": "documents", "forward_id": "forwards", "attachment_id": "attachments",
    "upload_id": "uploads",
}


def candidates(truth: Bc2Account, template: str) -> Parameters:
    """Path parameters for ``template`` drawn from the ground truth (served parents only)."""
    served = [p for p in truth.projects.values() if p.state != TRASHED]
    names = frozenset(re.findall(r"{(\w+)}", template))
    if names in PARAMETER_SOURCES:
        yield from PARAMETER_SOURCES[names](truth, served)
    elif len(names) == 2 and "project_id" in names:
        (child,) = names - {"project_id"}
        rows = getattr(truth, CHILD_TABLES[child]).values()
        yield from ({"project_id": r.project_id, child: r.id} for r in rows
                    if r.project_id in {p.id for p in served})
    elif not names:
        yield {}


def unserved(sandbox: Sandbox, catalog: dict[str, Any]) -> list[str]:
    """Ids of catalog endpoints with no parent giving 2xx (and rows, for collections)."""
    api = Api(sandbox)
    query = {"since": SINCE_EVER, "start_date": sandbox.truth.now.date().isoformat()}
    problems = []
    for endpoint in catalog["endpoints"]:
        params = {k: query[k] for k in endpoint.get("query_required") or {}}
        for values in candidates(sandbox.truth, endpoint["path"]):
            response = api.get(endpoint["path"].format(**values), **params)
            if response.status_code // 100 == 2 and (
                endpoint["kind"] == "member" or response.json()
            ):
                break
        else:
            problems.append(endpoint["id"])
    return problems


def _tag(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


def shape_problems(example: Any, actual: Any, where: str = "$") -> list[str]:
    """Differences in key sets and JSON types; null or {} on either side is compatible."""
    if example is None or actual is None or example == {} or actual == {}:
        return []
    if _tag(example) != _tag(actual):
        return [f"{where}: {_tag(example)} in example, {_tag(actual)} in sandbox"]
    if isinstance(example, dict):
        if set(example) != set(actual):
            return [f"{where}: missing {sorted(set(example) - set(actual))}, "
                    f"extra {sorted(set(actual) - set(example))}"]
        return [p for k in example for p in shape_problems(example[k], actual[k], f"{where}.{k}")]
    if isinstance(example, list) and example and actual:
        problems = []
        for i, item in enumerate(example):
            tries = [shape_problems(item, candidate, f"{where}[{i}]") for candidate in actual]
            if all(tries):
                problems.append(min(tries, key=len)[0])
        return problems
    return []


def subset_problems(example: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Like shape_problems, but the sandbox may carry keys the (fragmentary) example lacks."""
    missing = sorted(set(example) - set(actual))
    if missing:
        return [f"$: missing {missing}"]
    return shape_problems(example, {k: actual[k] for k in example})


def with_full_comments(value: Any, comments: list[Any]) -> Any:
    """Swap every abbreviated ``comments`` array of an example for the full comment shape."""
    if isinstance(value, dict):
        return {k: comments if k == "comments" and isinstance(v, list) else
                with_full_comments(v, comments) for k, v in value.items()}
    if isinstance(value, list):
        return [with_full_comments(v, comments) for v in value]
    return value


class Samples:
    """Sandbox responses grouped by the example they should resemble (fetched once)."""

    def __init__(self, sb: Sandbox, api: Api) -> None:
        self.sb, self.api, self.truth = sb, api, sb.truth
        self._cache: dict[str, list[Any]] = {}

    def get(self, name: str) -> list[Any]:
        if name not in self._cache:
            self._cache[name] = getattr(self, name)()
        return self._cache[name]

    def projects(self) -> list[Project]:
        return [p for p in self.truth.projects.values() if p.state not in (TRASHED, TEMPLATE)]

    def project_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{p.id}.json") for p in self.projects()]

    def template_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{p.id}.json") for p in self.truth.projects.values()
                if p.state == TEMPLATE]

    def attachment_rows(self) -> list[Any]:
        rows = self.api.all("/attachments.json")
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/attachments.json")
        return rows

    def attachment_members(self) -> list[Any]:
        rows = [r for r in self.get("attachment_rows") if "key" in r]
        return [self.api.json(f"/projects/{_project_of(r)}/attachments/{r['id']}.json")
                for r in rows[:60]]

    def linked_attachment_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{a.project_id}/attachments/{a.id}.json")
                for a in self.truth.attachments.values() if a.linked_source]

    def upload_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{u.project_id}/uploads/{u.id}.json")
                for u in self.truth.uploads.values()]

    def calendar_event_rows(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/calendar_events.json")
            rows += self.api.all(f"/projects/{p.id}/calendar_events/past.json")
        for c in self.truth.calendars:
            rows += self.api.all(f"/calendars/{c}/calendar_events.json")
            rows += self.api.all(f"/calendars/{c}/calendar_events/past.json")
        return rows

    def calendar_event_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("calendar_event_rows")]

    def recurring_members(self) -> list[Any]:
        return [m for m in self.get("calendar_event_members") if "recurring" in m]

    def window_rows(self) -> list[Any]:
        start = (self.truth.now - timedelta(days=14)).date().isoformat()
        rows = self.api.all("/calendar_events.json", start_date=start)
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/calendar_events.json", start_date=start)
        return rows

    def occurrence_rows(self) -> list[Any]:
        return [r for r in self.get("window_rows") if "recurrence" in r]

    def accesses(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/accesses.json")
        for c in self.truth.calendars:
            rows += self.api.all(f"/calendars/{c}/accesses.json")
        return rows

    def comments(self) -> list[Any]:
        members = (self.get("message_members") + self.get("document_members")
                   + self.get("forward_members") + self.get("upload_members")
                   + self.get("todolist_members") + self.get("todo_members")
                   + self.get("calendar_event_members"))
        return [c for m in members for c in m.get("comments", [])]

    def topic_rows(self) -> list[Any]:
        return self.api.all("/topics.json") + self.api.all("/topics/archived.json")

    def message_members(self) -> list[Any]:
        return [self.api.json(t["topicable"]["url"]) for t in self.get("topic_rows")
                if t["topicable"]["type"] == "Message"]

    def document_rows(self) -> list[Any]:
        return self.api.all("/documents.json")

    def document_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("document_rows")]

    def forward_rows(self) -> list[Any]:
        return self.api.all("/forwards.json")

    def forward_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("forward_rows")]

    def project_event_rows(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/events.json", since=SINCE_EVER)
        return rows

    def group_members(self) -> list[Any]:
        return [self.api.json(f"/groups/{g['id']}.json") for g in self.api.all("/groups.json")]

    def subgroup_members(self) -> list[Any]:
        return [self.api.json(f"/groups/{g.parent_id}/subgroups/{g.id}.json")
                for g in self.truth.groups.values() if g.parent_id is not None]

    def people_members(self) -> list[Any]:
        ids = [self.truth.me_id, *list(self.truth.people)[:8], *list(self.truth.people)[-2:]]
        return [self.api.json(f"/people/{pid}.json") for pid in ids]

    def assigned(self) -> list[Any]:
        rows = []
        for pid in list(self.truth.people)[:20]:
            rows += self.api.all(f"/people/{pid}/assigned_todos.json")
        return rows

    def todolist_rows(self) -> list[Any]:
        return (self.api.all("/todolists.json") + self.api.all("/todolists/completed.json")
                + self.api.all("/todolists/trashed.json"))

    def todolist_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("todolist_rows")]

    def todo_rows(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/todos.json")
        return rows

    def todo_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("todo_rows")]

    def launchpad(self) -> list[Any]:
        return [self.api.json(f"{self.sb.origin}/authorization.json")]


def _project_of(row: dict[str, Any]) -> str:
    return row["attachable"]["url"].split("/projects/")[1].split("/")[0]


# example file -> (sample name, how to compare, keys that may be present or absent)
FIDELITY: dict[str, tuple[Callable[[Samples], list[Any]], str, set[str]]] = {
    "accesses__list.json": (lambda s: s.get("accesses"), "exact", set()),
    "attachments__get.json": (lambda s: s.get("attachment_members"), "exact", set()),
    "attachments__get_linked_google_doc.json": (
        lambda s: s.get("linked_attachment_members"), "exact", set()),
    "attachments__list.json": (lambda s: s.get("attachment_rows"), "exact", set()),
    "calendar_events__get.json": (lambda s: s.get("calendar_event_members"), "exact",
                                  {"recurring"}),
    "calendar_events__list_date_window_with_recurrences.json": (
        lambda s: s.get("window_rows"), "exact", set()),
    "calendar_events__list_upcoming_or_past.json": (
        lambda s: s.get("calendar_event_rows"), "exact", set()),
    "calendar_events__sample_recurrence.json": (
        lambda s: s.get("occurrence_rows"), "exact", {"comments_count"}),
    "calendar_events__sample_recurring_event.json": (
        lambda s: s.get("recurring_members"), "subset", set()),
    "calendars__get.json": (
        lambda s: [s.api.json(f"/calendars/{c}.json") for c in s.truth.calendars], "exact",
        set()),
    "calendars__list.json": (lambda s: s.api.all("/calendars.json"), "exact", set()),
    "comments__embedded_in_commentable.json": (lambda s: s.get("comments"), "exact", set()),
    "documents__get.json": (lambda s: s.get("document_members"), "exact", set()),
    "documents__list.json": (lambda s: s.get("document_rows"), "exact", set()),
    "events__list.json": (lambda s: s.get("project_event_rows"), "exact", set()),
    "forwards__get.json": (lambda s: s.get("forward_members"), "exact", set()),
    "forwards__list.json": (lambda s: s.get("forward_rows"), "exact", set()),
    "groups__get.json": (lambda s: s.get("group_members"), "exact", {"subgroups"}),
    "groups__get_subgroup.json": (lambda s: s.get("subgroup_members"), "exact", set()),
    "groups__list.json": (lambda s: s.api.all("/groups.json"), "exact", set()),
    "launchpad__authorization.json": (lambda s: s.get("launchpad"), "exact", set()),
    "messages__get.json": (lambda s: s.get("message_members"), "exact", set()),
    "people__get.json": (lambda s: s.get("people_members"), "exact", set()),
    "people__list.json": (lambda s: s.api.json("/people.json"), "exact", set()),
    "people__projects_of_person.json": (
        lambda s: s.api.all(f"/people/{s.truth.me_id}/projects.json"), "exact", set()),
    "project_templates__get.json": (lambda s: s.get("template_members"), "exact", set()),
    "project_templates__list.json": (lambda s: s.api.all("/project_templates.json"), "exact",
                                     set()),
    "projects__get.json": (lambda s: s.get("project_members"), "exact", set()),
    "projects__list.json": (
        lambda s: s.api.json("/projects.json") + s.api.all("/projects/archived.json")
        + s.api.all("/projects/drafts.json"), "exact", set()),
    "stars__list.json": (lambda s: s.api.all("/stars.json"), "exact", set()),
    "todolists__assigned_todos.json": (lambda s: s.get("assigned"), "exact", set()),
    "todolists__get.json": (lambda s: s.get("todolist_members"), "exact", set()),
    "todolists__list.json": (lambda s: s.get("todolist_rows"), "exact", set()),
    "todos__get.json": (lambda s: s.get("todo_members"), "exact", {"completer", "comments"}),
    "todos__list.json": (lambda s: s.get("todo_rows"), "exact", {"completer"}),
    "topics__list.json": (lambda s: s.get("topic_rows"), "exact", set()),
    "uploads__get.json": (lambda s: s.get("upload_members"), "exact", set()),
}


WRITE_RESPONSES = {"attachments__create_response.json", "comments__create_response.json"}


# Row kinds a listing legitimately mixes in although its own example doesn't show them.
EXTRA_VARIANTS = {
    "attachments__list.json": ["attachments__get_linked_google_doc.json"],
    "calendar_events__list_date_window_with_recurrences.json": [
        "calendar_events__list_upcoming_or_past.json"],
}


def example_files() -> list[str]:
    if not EXAMPLES.exists():
        return ["<reference missing>"]
    return sorted(p.name for p in EXAMPLES.glob("*.json") if p.name not in WRITE_RESPONSES)


def example_items(name: str) -> list[Any]:
    data = json.loads((EXAMPLES / name).read_text())
    if name == "comments__embedded_in_commentable.json":
        return data["comments"]
    return data if isinstance(data, list) else [data]
