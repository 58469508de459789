"""Raw BC2 records become typed rows of their table, child tables and comments."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from extract.families.bc2.catalog import CATALOG
from tests.shaping import shape_both
from transforms.schemas.bc2 import TABLES

CTX = {"account_id": 999, "project_id": 605816632, "bucket_type": "Project",
       "bucket_id": 605816632, "calendar_id": None}
LINEAGE = {"_run_id": "run-1", "_extracted_at": datetime(2026, 1, 1, tzinfo=UTC)}
NOT_READ_RESPONSES = {
    "attachments__create_response.json": "an upload token from POST /attachments.json",
    "launchpad__authorization.json": "Launchpad, not the BC2 API (account discovery)",
}
FRAGMENTS = {
    "comments__embedded_in_commentable.json": "messages",
    "comments__create_response.json": "comments",
}


def shape(table: str, records, constants=None):
    return shape_both(TABLES, table, records, CTX, LINEAGE, constants)


def example_tables():
    by_example = {x: e.table for e in CATALOG.endpoints for x in e.examples}
    return {**by_example, **FRAGMENTS}


def test_examples__every_official_example_normalizes_with_declared_types(shared):
    """With each official BC2 example, expect rows in its table, declared types, no drift."""
    mapping = example_tables()
    for path in sorted((shared / "reference/bc2/examples").glob("*.json")):
        if path.name in NOT_READ_RESPONSES:
            continue
        assert path.name in mapping, f"{path.name} is not mapped to a table"
        data = json.loads(path.read_text())
        tables, drift = shape(mapping[path.name], data if isinstance(data, list) else [data])
        assert tables, path.name
        for name, table in tables.items():
            declared = TABLES[name].arrow_schema()
            assert table.schema.equals(declared), (path.name, name)
            assert table.num_rows > 0
        assert drift.as_dict() == {"new_columns": {}, "new_tables": [],
                                  "unparsed_values": {}}, path.name


def test_examples__unread_examples_are_listed(shared):
    """With the examples folder, expect only write responses and Launchpad to be left out."""
    names = {p.name for p in (shared / "reference/bc2/examples").glob("*.json")}
    assert set(NOT_READ_RESPONSES) <= names
    assert names - set(NOT_READ_RESPONSES) <= set(example_tables())


def test_coercion__completed_at_false_is_null():
    """With completed_at false on an open to-do, expect a null timestamp, not a parse error."""
    tables, drift = shape("todos", [{"id": 1, "completed_at": False},
                                    {"id": 2, "completed_at": "2012-03-24T09:59:35-05:00"}])
    assert tables["todos"]["completed_at"].to_pylist() == [
        None, datetime(2012, 3, 24, 14, 59, 35, tzinfo=UTC)]
    assert not drift.unparsed


def test_coercion__timestamps_are_utc_from_any_offset_and_precision():
    """With -05:00 and .000 forms, expect the same UTC instants at microsecond precision."""
    tables, _ = shape("events", [{"id": 1, "created_at": "2014-07-09T09:40:33.000-05:00",
                                  "updated_at": "2014-07-09T10:40:33-04:00"}])
    row = tables["events"].to_pylist()[0]
    assert row["created_at"] == row["updated_at"] == datetime(2014, 7, 9, 14, 40, 33, tzinfo=UTC)
    assert tables["events"].schema.field("created_at").type == pa.timestamp("us", tz="UTC")


def test_coercion__attachments_count_object_and_list_by_shape():
    """With `attachments` as a count, a summary object and a list, expect three shapes."""
    topics, _ = shape("topics", [{"id": 1, "attachments": 3}])
    assert topics["topics"]["attachments_count"].to_pylist() == [3]
    projects, _ = shape("projects", [{"id": 2, "attachments": {"count": 4, "updated_at": None}}])
    assert projects["projects"]["attachments__count"].to_pylist() == [4]
    forwards, _ = shape("forwards", [{"id": 3, "attachments": [{"name": "a.gif"},
                                                               {"name": "b.pdf"}]}])
    files = forwards["forwards__attachments"].to_pylist()
    assert [(f["forward_id"], f["ordinal"], f["name"]) for f in files] == [
        (3, 0, "a.gif"), (3, 1, "b.pdf")]


def test_coercion__all_day_events_keep_dates_as_dates():
    """With an all-day event and a timed one, expect dates in *_on and instants in *_at."""
    tables, _ = shape("calendar_events", [
        {"id": 1, "all_day": True, "starts_at": "2012-03-28", "ends_at": "2012-03-29"},
        {"id": 2, "all_day": False, "starts_at": "2012-03-28T07:00:00-05:00"},
    ])
    rows = tables["calendar_events"].to_pylist()
    assert rows[0]["starts_at"] is None and rows[0]["starts_on"] == date(2012, 3, 28)
    assert rows[0]["ends_on"] == date(2012, 3, 29)
    assert rows[1]["starts_at"] == datetime(2012, 3, 28, 12, 0, tzinfo=UTC)
    assert rows[1]["starts_on"] == date(2012, 3, 28)


def test_ids__large_ids_stay_exact_int64():
    """With an id above 2^53, expect it back exactly (never through float)."""
    big = 2**53 + 1
    tables, _ = shape("people", [{"id": big, "identity_id": big + 2}])
    assert tables["people"]["id"].to_pylist() == [big]
    assert tables["people"]["identity_id"].to_pylist() == [big + 2]


def test_drift__unknown_fields_are_kept_and_reported():
    """With a field and a list the schema does not know, expect both kept and reported."""
    tables, drift = shape("documents", [{"id": 7, "mood": "sunny", "stickers": ["a", "b"]}])
    assert tables["documents"]["mood"].to_pylist() == ["sunny"]
    assert tables["documents__stickers"].to_pylist()[1]["value"] == "b"
    assert drift.as_dict()["new_columns"] == {"documents": ["mood"]}
    assert drift.as_dict()["new_tables"] == ["documents__stickers"]


def test_drift__uncoercible_value_is_kept_verbatim():
    """With a word where an id belongs, expect null in the column and the value in _unparsed."""
    tables, drift = shape("todos", [{"id": 5, "todolist_id": "soon", "created_at": "yesterday"}])
    row = tables["todos"].to_pylist()[0]
    assert row["todolist_id"] is None and row["created_at"] is None
    assert json.loads(row["_unparsed"]) == {"todolist_id": "soon", "created_at": "yesterday"}
    assert drift.as_dict()["unparsed_values"] == {"todos": 1}


def test_comments__land_in_comments_with_their_commentable():
    """With a message member, expect its comments in `comments` keyed to the message."""
    tables, _ = shape("messages", [{"id": 11, "subject": "Hi",
                                    "comments": [{"id": 21, "content": "Yo",
                                                  "attachments": [{"name": "x.png"}]}],
                                    "subscribers": [{"id": 31, "name": "Ann"}]}])
    comment = tables["comments"].to_pylist()[0]
    assert (comment["id"], comment["commentable_type"], comment["commentable_id"]) == (
        21, "Message", 11)
    assert (comment["bucket_type"], comment["bucket_id"]) == ("Project", 605816632)
    assert tables["comments__attachments"].to_pylist()[0]["comment_id"] == 21
    assert tables["messages__subscribers"].to_pylist()[0]["message_id"] == 11


@pytest.mark.parametrize("table", sorted(TABLES))
def test_schemas__ids_are_int64_and_times_utc(table):
    """With any declared table, expect id columns int64 and timestamps UTC microseconds."""
    for field in TABLES[table].arrow_schema():
        if field.name.startswith("_"):
            continue
        if field.name == "id" or field.name.endswith("_id") or field.name.endswith("__id"):
            assert field.type == pa.int64(), (table, field.name)
        if field.name.endswith("_at") and field.name != "due_at":
            assert field.type == pa.timestamp("us", tz="UTC"), (table, field.name)
