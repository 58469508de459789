"""BC4 SDK fixtures become typed rows of their declared tables, with no drift."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from tests.shaping import shape_both
from transforms.richtext import html_to_text
from transforms.schemas import PROJECT
from transforms.schemas.bc4 import TABLES

CTX = {"account_id": 999, "project_id": 2085958499}
LINEAGE = {"_run_id": "run-1", "_extracted_at": datetime(2026, 1, 1, tzinfo=UTC)}
BIG = 2**53 + 1
# Endpoint name (endpoints.yaml) or operationId (other_get_operations) -> declared table.
TABLE_OF = {
    "projects": "projects", "project": "projects", "people": "people",
    "pingable_people": "people", "GetPerson": "people", "campfires": "campfires",
    "campfire": "campfires", "templates": "templates", "template": "templates",
    "gauges": "gauges", "GetGaugeNeedle": "gauge_needles", "lineup_markers": "lineup_markers",
    "todoset": "todosets", "todolist": "todolists", "todolists": "todolists",
    "todolist_groups": "todolists", "todos": "todos", "GetTodo": "todos",
    "message_board": "message_boards", "messages": "messages", "GetMessage": "messages",
    "message_types": "message_types", "GetMessageType": "message_types",
    "vault": "vaults", "vaults": "vaults", "documents": "documents",
    "GetDocument": "documents", "uploads": "uploads", "GetUpload": "uploads",
    "upload_versions": "upload_versions", "schedule": "schedules",
    "schedule_entries": "schedule_entries", "GetScheduleEntry": "schedule_entries",
    "questionnaire": "questionnaires", "questions": "questions", "GetQuestion": "questions",
    "question_answers": "question_answers", "question_answers_by_person": "question_answers",
    "GetAnswer": "question_answers", "inbox": "inboxes", "inbox_forwards": "inbox_forwards",
    "GetForward": "inbox_forwards", "inbox_forward_replies": "inbox_replies",
    "GetForwardReply": "inbox_replies", "card_table": "card_tables",
    "card_column": "card_columns", "cards": "cards", "GetCard": "cards",
    "GetCardStep": "card_steps", "campfire_lines": "campfire_lines",
    "campfire_uploads": "campfire_lines", "GetCampfireLine": "campfire_lines",
    "chatbots": "chatbots", "GetChatbot": "chatbots", "client_approvals": "client_approvals",
    "GetClientApproval": "client_approvals",
    "client_correspondences": "client_correspondences",
    "GetClientCorrespondence": "client_correspondences", "client_replies": "client_replies",
    "GetClientReply": "client_replies", "comments": "comments", "GetComment": "comments",
    "events": "events", "boosts": "boosts", "GetBoost": "boosts",
    "subscriptions": "subscriptions", "timesheet_project": "timesheet_entries",
    "timesheet_recording": "timesheet_entries", "report_timesheet": "timesheet_entries",
    "GetTimesheetEntry": "timesheet_entries", "webhooks": "webhooks",
    "GetWebhook": "webhooks", "recordings_by_type": "recordings", "dock_tool": "recordings",
}
# Read responses with no table (yet), and why.
UNMAPPED = {
    "GetCloudFile": "single GET of a CloudFile recording; reached through recordings",
    "GetGoogleDocument": "single GET of a GoogleDocument recording; reached through recordings",
    "GetMyNote": "user-scoped (/my/notes.json), not account data",
    "GetOutOfOffice": "per-person out-of-office setting; not crawled",
    "GetProjectConstruction": "status of a write (project from template)",
    "hill_chart": "todoset hill chart, a report view; not crawled",
    "search_metadata": "search filter metadata, not data",
    "search": "search results duplicate crawled recordings",
    "report_upcoming_schedule": "report view of schedule entries already crawled",
}
# Fixtures in the SDK folder that answer no read endpoint (write bodies/responses, payloads).
NOT_READS = {
    "attachments/create.json", "comments/create.json", "documents/create-request.json",
    "documents/update-request.json", "hill_charts/update-settings-request.json",
    "hill_charts/update-settings.json", "people/update-access-request.json",
    "people/update-access-response.json", "projects/create-request.json",
    "projects/error-limit.json", "projects/update-request.json",
    "recordings/client_visibility.json", "subscriptions/subscribe.json",
    "subscriptions/update-request.json", "subscriptions/update.json",
    "templates/create-request.json", "templates/project_construction.json",
    "templates/update-request.json", "timesheet/create-request.json",
    "timesheet/create-response.json", "timesheet/update-request.json",
    "timesheet/update-response.json", "todolist_groups/create-request.json",
    "todolists/create-request.json", "todolists/update-request.json",
    "todos/create-request.json", "todos/create-response.json", "todos/update-request.json",
    "uploads/update-request.json", "vaults/create-request.json", "vaults/update-request.json",
    "webhooks/create-request.json", "webhooks/event-message-copied.json",
    "webhooks/event-todo-created.json", "webhooks/event-unknown-future.json",
    "webhooks/update-request.json", "tools/create.json", "tools/update.json",
}
# Read responses the fixture field does not name, mapped by hand: other GET variants (non-admin
# chatbot, upload line, group, disabled/nested tool) and a wormhole, an element of a card
# table's `wormholes` (its child table; parent key and ordinal stay null here).
EXTRA = {
    "campfires/chatbot_get_nonadmin.json": "chatbots",
    "campfires/upload_line_get.json": "campfire_lines",
    "recordings/get.json": "recordings",
    "todolist_groups/get.json": "todolists",
    "cards/wormhole.json": "card_tables__wormholes",
    "tools/disabled.json": "recordings",
    "tools/nested_vault.json": "vaults",
}


def shape(table: str, records, constants=None):
    return shape_both(TABLES, table, records, CTX, LINEAGE, constants)


def fixture_tables(shared: Path) -> dict[str, str]:
    """Fixture path (relative to fixtures/) -> table, from endpoints.yaml plus EXTRA."""
    spec = yaml.safe_load((shared / "reference/bc4/endpoints.yaml").read_text())
    out: dict[str, str] = {}
    for entry in [*spec["endpoints"], *spec["other_get_operations"]]:
        fixture = (entry.get("fixture") or "").split(" ")[0]
        name = entry.get("name") or entry["operationId"]
        if fixture and name not in UNMAPPED:
            assert name in TABLE_OF, f"{name} ({fixture}) is not mapped to a table"
            out[fixture.removeprefix("fixtures/")] = TABLE_OF[name]
    return {**out, **EXTRA}


def empty_drift() -> dict:
    return {"new_columns": {}, "new_tables": [], "unparsed_values": {}}


def test_fixtures__every_read_fixture_normalizes_with_declared_types(shared):
    """With each read-endpoint fixture, expect rows in declared tables, exact types, no drift."""
    folder = shared / "reference/bc4/fixtures"
    mapping = fixture_tables(shared)
    assert len(mapping) >= 70
    for relative, table in sorted(mapping.items()):
        data = json.loads((folder / relative).read_text())
        records = data if isinstance(data, list) else [data]
        constants = {"recording_id": 1} if table == "subscriptions" else {}
        tables, drift = shape(table, records, constants)
        assert tables.get(table) is not None and tables[table].num_rows == len(records), relative
        for name, arrow in tables.items():
            assert arrow.schema.equals(TABLES[name].arrow_schema()), (relative, name)
        assert drift.as_dict() == empty_drift(), relative


def test_fixtures__every_fixture_is_mapped_or_listed(shared):
    """With the fixtures folder, expect each file mapped, a write/payload, or a listed gap."""
    folder = shared / "reference/bc4/fixtures"
    names = {str(p.relative_to(folder)) for p in folder.rglob("*.json")}
    mapped = set(fixture_tables(shared))
    spec = yaml.safe_load((shared / "reference/bc4/endpoints.yaml").read_text())
    gaps = {(e.get("fixture") or "").split(" ")[0].removeprefix("fixtures/")
            for e in [*spec["endpoints"], *spec["other_get_operations"]]
            if (e.get("name") or e["operationId"]) in UNMAPPED}
    assert names - mapped - NOT_READS - gaps == set()
    assert mapped <= names


def test_fixtures__groups_and_steps_land_in_their_tables(shared):
    """With a group list and a card, expect todolists rows and card_steps keyed by parent."""
    folder = shared / "reference/bc4/fixtures"
    groups = json.loads((folder / "todolist_groups/list.json").read_text())
    tables, _ = shape("todolists", groups, {"is_group": True})
    rows = tables["todolists"].to_pylist()
    assert {r["parent__type"] for r in rows} == {"Todolist"}
    assert all(r["is_group"] for r in rows)
    card = json.loads((folder / "cards/get.json").read_text())
    tables, _ = shape("cards", [card])
    step = tables["card_steps"].to_pylist()[0]
    assert step["parent__id"] == card["id"] and step["completed"] is True


def test_fixtures__card_table_lists_become_columns(shared):
    """With a card table, expect its lists as card_columns rows pointing at the board."""
    board = json.loads((shared / "reference/bc4/fixtures/cards/card_table.json").read_text())
    tables, drift = shape("card_tables", [board])
    columns = tables["card_columns"].to_pylist()
    assert len(columns) == len(board["lists"])
    assert {c["parent__id"] for c in columns} == {board["id"]}
    assert drift.as_dict() == empty_drift()


def test_ids__above_2_53_stay_exact_int64(shared):
    """With timesheet fixtures (ids 9007199254741001…), expect the exact ids back."""
    folder = shared / "reference/bc4/fixtures"
    data = json.loads((folder / "timesheet/report.json").read_text())
    tables, _ = shape("timesheet_entries", data)
    assert tables["timesheet_entries"]["id"].to_pylist() == [e["id"] for e in data]
    assert tables["timesheet_entries"]["hours"].to_pylist()[0] == data[0]["hours"]


def test_ids__synthetic_big_ids_in_nested_and_child_columns():
    """With ids of 2^53+1 in a card, its creator and assignees, expect all exact."""
    card = {"id": BIG, "creator": {"id": BIG + 2}, "bucket": {"id": BIG + 4},
            "assignees": [{"id": BIG + 6}], "description_attachments": [{"id": BIG + 8}]}
    tables, drift = shape("cards", [card])
    row = tables["cards"].to_pylist()[0]
    assert (row["id"], row["creator__id"], row["bucket__id"]) == (BIG, BIG + 2, BIG + 4)
    assert tables["cards__assignees"].to_pylist()[0]["id"] == BIG + 6
    assert tables["cards__assignees"].to_pylist()[0]["card_id"] == BIG
    assert tables["cards__description_attachments"]["id"].to_pylist() == [BIG + 8]
    assert drift.as_dict() == empty_drift()


def test_people__string_system_person_id_becomes_a_system_label():
    """With creator id "campfire", expect a null creator__id and the word in its system_label."""
    line = {"id": 7, "content": "<div>hi</div>",
            "creator": {"id": "campfire", "name": "Campfire", "personable_type": "LocalPerson"}}
    tables, drift = shape("campfire_lines", [line])
    row = tables["campfire_lines"].to_pylist()[0]
    assert row["creator__id"] is None and row["creator__name"] == "Campfire"
    assert row["creator__system_label"] == "campfire"
    assert row["_unparsed"] is None
    assert drift.as_dict() == empty_drift()


def test_people__numeric_string_ids_stay_ids():
    """With creator id "42" (a numeric string), expect the id 42 and no system label."""
    tables, _ = shape("campfire_lines", [{"id": 8, "creator": {"id": "42", "name": "A"}}])
    row = tables["campfire_lines"].to_pylist()[0]
    assert (row["creator__id"], row["creator__system_label"]) == (42, None)


def test_rich_text__html_kept_and_plain_text_companion_filled(shared):
    """With a message, expect verbatim HTML in content and its words in content_text."""
    message = json.loads((shared / "reference/bc4/fixtures/messages/get.json").read_text())
    tables, _ = shape("messages", [message])
    row = tables["messages"].to_pylist()[0]
    assert row["content"] == message["content"]
    assert row["content_text"] and "<" not in row["content_text"]
    assert html_to_text("<div>Ship <strong>it</strong></div><ul><li>a &amp; b</li></ul>") == \
        "Ship it\na & b"


def test_schedule__all_day_entries_keep_dates_as_dates():
    """With an all-day entry and a timed one, expect dates in *_on and instants in *_at."""
    tables, _ = shape("schedule_entries", [
        {"id": 1, "all_day": True, "starts_at": "2024-03-01", "ends_at": "2024-03-02"},
        {"id": 2, "all_day": False, "starts_at": "2024-03-01T10:00:00.000-06:00"},
    ])
    rows = tables["schedule_entries"].to_pylist()
    assert rows[0]["starts_at"] is None and rows[0]["starts_on"] == date(2024, 3, 1)
    assert rows[1]["starts_at"] == datetime(2024, 3, 1, 16, 0, tzinfo=UTC)


def test_context__project_tables_carry_the_crawled_project_id(shared):
    """With a to-do fixture, expect project_id from the crawl context next to bucket__id."""
    todo = json.loads((shared / "reference/bc4/fixtures/todos/get.json").read_text())
    tables, _ = shape("todos", [todo])
    row = tables["todos"].to_pylist()[0]
    assert row["project_id"] == CTX["project_id"] and row["bucket__id"] == todo["bucket"]["id"]
    assert TABLES["todos"].partition == PROJECT


@pytest.mark.parametrize("table", sorted(TABLES))
def test_schemas__ids_int64_times_utc_dates_date32(table):
    """With any declared table, expect *_id int64, *_at UTC timestamps, *_on dates."""
    for field in TABLES[table].arrow_schema():
        name = field.name
        if name.startswith("_"):
            continue
        if name == "id" or name.endswith(("_id", "__id")):
            assert field.type == pa.int64(), (table, name)
        if name.endswith("_at"):
            assert field.type == pa.timestamp("us", tz="UTC"), (table, name)
        if name.endswith("_on"):
            assert field.type == pa.date32(), (table, name)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_schemas__recordings_have_status_and_html_has_text(table):
    """With any table holding recordings or HTML, expect `status` and `<field>_text` columns."""
    columns = TABLES[table].declared()
    if "inherits_status" in columns:
        assert "status" in columns, table
    for html in ("content", "description"):
        if f"{html}_text" in columns:
            assert columns[f"{html}_text"] == pa.string(), table
