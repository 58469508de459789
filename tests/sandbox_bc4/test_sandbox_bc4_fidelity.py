"""Basecamp 4 sandbox against the reference: served payloads validate against openapi.json
(``jsonschema``) and match the official fixtures' keys and types; skipped only when
``/work/shared`` is absent.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from tests.sandbox_walks import EVERYTHING_CARDS, EVERYTHING_TODOS, Client

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "bc4"


def _need_reference() -> None:
    if not REFERENCE.exists():
        pytest.skip(f"reference material not found at {REFERENCE}")


@cache
def _openapi() -> dict[str, Any]:
    return json.loads((REFERENCE / "openapi.json").read_text())


def _openapi_schema(schema: Any) -> Any:
    """OpenAPI 3.0-isms to JSON Schema: ``nullable`` and Go's string-or-int person ids."""
    if isinstance(schema, list):
        return [_openapi_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _openapi_schema(v) for k, v in schema.items()}
    kind = out.get("type")
    if out.get("x-go-type") == "types.FlexibleInt64" and kind == "integer":
        out["type"] = kind = ["integer", "string"]
    if out.pop("nullable", False) and isinstance(kind, str):
        out["type"] = [kind, "null"]
    return out


def _fixture_null_keys() -> set[str]:
    """Property names the official fixtures show as null somewhere.

    openapi.json marks few fields nullable, yet the fixtures carry null in e.g. a disabled
    tool's ``position``, a person's ``bio`` or an approval's ``due_on``: the fixtures (real
    responses) win, so those names may be null wherever openapi.json types them.
    """
    names: set[str] = set()
    stack: list[Any] = [json.loads(f.read_text()) for f in (REFERENCE / "fixtures").rglob("*.json")]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            names.update(k for k, v in value.items() if v is None)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return names


def _allow_fixture_nulls(components: dict[str, Any], names: set[str]) -> None:
    for schema in components["schemas"].values():
        for name, prop in schema.get("properties", {}).items():
            kind = prop.get("type")
            if name in names and isinstance(kind, str):
                prop["type"] = [kind, "null"]


def _schema_for(url: str) -> tuple[str, dict[str, Any]] | None:
    """The 200 response schema of the openapi GET matching ``url`` (flat or bucket form)."""
    path = urlsplit(url).path
    rest = path.lstrip("/").partition("/")[2]
    candidates = [rest]
    bucket = re.match(r"^buckets/\d+/(.+)$", rest)
    if bucket:
        candidates.append(bucket.group(1))
    # Fewest placeholders first, so ``todos/open.json`` never matches ``todos/{todoId}``.
    for template, ops in sorted(_openapi()["paths"].items(), key=lambda kv: kv[0].count("{")):
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template.removeprefix(
            "/{accountId}/")))
        pattern = "^" + pattern.removesuffix(r"\.json") + r"(\.json)?$"
        if "get" in ops and any(re.match(pattern, c) for c in candidates):
            content = ops["get"]["responses"]["200"]["content"]
            return template, next(iter(content.values()))["schema"]
    return None


def test_fidelity__openapi_schemas(walked: Client) -> None:
    """With every collection page served during a full walk, expect openapi.json to accept it."""
    _need_reference()
    components = _openapi_schema(copy.deepcopy(_openapi()["components"]))
    _allow_fixture_nulls(components, _fixture_null_keys())
    unmatched, checked, errors = set(), set(), []
    for url, page in walked.collections + walked.members:
        found = _schema_for(url)
        if found is None:
            unmatched.add(urlsplit(url).path)
            continue
        template, schema = found
        validator = jsonschema.Draft202012Validator({**_openapi_schema(schema),
                                                     "components": components})
        errors += [(template, e.message, list(e.absolute_path)[1:])
                   for e in validator.iter_errors(page)]
        checked.add(template)
    assert not errors, sorted({(t, m, str(p)) for t, m, p in errors})[:10]
    assert not unmatched
    assert len(checked) >= 20
    assert {"/{accountId}" + p for p in EVERYTHING_TODOS + EVERYTHING_CARDS} <= checked
    assert {"/{accountId}" + p for p in EXTRA_TEMPLATES} <= checked, (
        {"/{accountId}" + p for p in EXTRA_TEMPLATES} - checked)


EXTRA_TEMPLATES = (
    "/reports/gauges.json", "/projects/{projectId}/gauge/needles.json", "/gauge_needles/{needleId}",
    "/lineup/markers.json", "/buckets/{bucketId}/webhooks.json", "/webhooks/{webhookId}",
    "/buckets/{bucketId}/chats/{campfireId}/integrations.json",
    "/buckets/{bucketId}/chats/{campfireId}/integrations/{chatbotId}",
    "/projects/{projectId}/timesheet.json", "/recordings/{recordingId}/timesheet.json",
    "/timesheet_entries/{entryId}", "/uploads/{uploadId}/versions.json",
    "/recordings/{recordingId}/boosts.json",
    "/recordings/{recordingId}/events/{eventId}/boosts.json", "/boosts/{boostId}",
    "/recordings/{recordingId}/subscription.json",
)


_FIXTURES = {
    "projects/list.json": "/projects.json", "people/list.json": "/people.json",
    "todolists/list.json": "/todolists.json", "todolist_groups/list.json": "/groups.json",
    "todos/list.json": "/todos.json", "messages/list.json": "/messages.json",
    "message_types/list.json": "/categories.json", "documents/list.json": "/documents.json",
    "uploads/list.json": "/uploads.json", "vaults/list.json": "/vaults.json",
    "schedules/entries_list.json": "/entries.json", "campfires/list.json": "/chats.json",
    "campfires/lines_list.json": "/lines.json", "checkins/questions_list.json": "/questions.json",
    "checkins/answers_list.json": "/answers.json", "forwards/list.json": "/inbox_forwards.json",
    "forwards/replies_list.json": "/replies.json", "cards/list.json": "/cards.json",
    "comments/list.json": "/comments.json", "recordings/list.json": "/projects/recordings.json",
    "templates/list.json": "/templates.json",
    "client_approvals/list.json": "/client/approvals.json",
    "client_correspondences/list.json": "/client/correspondences.json",
    "gauges/get.json": "/reports/gauges.json", "gauges/needle_get.json": "/needles.json",
    "lineup/list.json": "/lineup/markers.json", "webhooks/list.json": "/webhooks.json",
    "campfires/chatbots_list.json": "/integrations.json",
    "timesheet/project_report.json": "/timesheet.json", "timesheet/get.json": "/timesheet.json",
    "uploads/versions.json": "/versions.json", "boosts/list.json": "/boosts.json",
    "subscriptions/get.json": "/subscription.json",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


@pytest.mark.parametrize("fixture", sorted(_FIXTURES))
def test_fidelity__fixture_keys_and_types(walked: Client, fixture: str) -> None:
    """With a served list matching an official fixture, expect its keys with the same types."""
    _need_reference()
    suffix = _FIXTURES[fixture]
    expected = json.loads((REFERENCE / "fixtures" / fixture).read_text())
    if isinstance(expected, dict):
        expected = [expected]
    rows = [row for url, page in walked.collections + walked.members
            if urlsplit(url).path.endswith(suffix) and (
                suffix != "/replies.json" or "inbox_forwards" in url)
            for row in (page if isinstance(page, list) else [page])]
    assert rows, f"no served rows for {suffix}"
    wanted: dict[str, set[str]] = {}
    for item in expected:
        for key, value in item.items():
            wanted.setdefault(key, set()).add(_json_type(value))
    for key, types in wanted.items():
        served = {_json_type(row[key]) for row in rows if key in row}
        assert served, f"{fixture}: no served row has {key!r}"
        if types == {"null"}:
            continue
        assert served - {"null"} <= types - {"null"} or served <= types | {"null"}, (
            fixture, key, served, types)
