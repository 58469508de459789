"""Backpack XML: parsed safely, both dialects, into typed rows of the declared tables."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from extract.families.backpack.catalog import CATALOG
from tests.shaping import shape_both
from transforms.schemas.backpack import TABLES
from transforms.xml import UnsafeXml, records

CTX = {"account": "acme", "page_id": 1133}
LINEAGE = {"_run_id": "run-1", "_extracted_at": datetime(2026, 1, 1, tzinfo=UTC)}
EASTERN = ZoneInfo("America/New_York")
PLACEHOLDERS = ("...", "#{")
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<response success='true'><pages><page id='1' title='&lol2;'/></pages></response>"""


def shape(table, body, zone=EASTERN):
    found, _ = records(body, zone)
    return shape_both(TABLES, table, found, CTX, LINEAGE)


def read_examples(shared):
    """(file, table) for every example of a read endpoint, placeholders excluded."""
    folder = shared / "reference/backpack/examples"
    out = []
    for endpoint in CATALOG.endpoints:
        for name in endpoint.examples:
            text = (folder / name).read_text()
            if not any(p in text for p in PLACEHOLDERS):
                out.append((folder / name, endpoint.table))
    return out


def test_examples__every_read_example_normalizes_with_declared_types(shared):
    """With each concrete read example, expect rows, declared types and no drift."""
    examples = read_examples(shared)
    assert len(examples) >= 15
    for path, table in examples:
        tables, drift = shape(table, path.read_bytes())
        assert tables, path.name
        for name, data in tables.items():
            assert data.schema.equals(TABLES[name].arrow_schema()), (path.name, name)
        assert drift.as_dict() == {"new_columns": {}, "new_tables": [], "unparsed_values": {}}, \
            path.name


def test_examples__placeholder_examples_still_parse(shared):
    """With the examples that use `...` placeholders, expect well-formed XML all the same."""
    folder = shared / "reference/backpack/examples"
    for path in sorted(folder.glob("*__response.xml")):
        records(path.read_bytes())


def test_page_show__splits_into_notes_lists_items_tags_and_layout(shared):
    """With the data-reference page, expect each embedded list in its own table."""
    body = (shared / "reference/backpack/examples/data_reference__page.xml").read_bytes()
    tables, _ = shape("pages", body)
    counts = {name: data.num_rows for name, data in tables.items()}
    assert counts == {"pages": 1, "pages__belongings": 5, "notes": 2, "lists": 1,
                      "list_items": 3, "tags": 2, "pages__galleries": 1,
                      "pages__galleries__images": 1, "pages__attachments": 1}
    items = tables["list_items"].to_pylist()
    assert [(i["list_id"], i["completed"], i["content"]) for i in items][1] == (
        937, True, "Meet interesting people")
    assert tables["notes"]["body"].to_pylist()[0] == "With O'Reilly and Adaptive Path"


def test_separators__come_from_belongings():
    """With a page whose layout holds a Separator widget, expect a separators row."""
    body = (b"<response success='true'><page id='7' title='T'><belongings>"
            b"<belonging id='9'><position>2</position><widget type='Separator' id='44'/>"
            b"</belonging><belonging id='10'><position>3</position>"
            b"<widget type='Note' id='45'/></belonging></belongings></page></response>")
    tables, _ = shape("pages", body)
    assert tables["separators"].to_pylist()[0] | {"_extracted_at": None} == {
        "account": "acme", "id": 44, "page_id": 7, "belonging_id": 9, "position": 2,
        "name": None, "_run_id": "run-1", "_extracted_at": None, "_unparsed": None}
    assert tables["pages__belongings"].num_rows == 2


def test_timestamps__naive_ws_times_are_read_in_the_account_zone():
    """With `2007-07-03 19:15:55` in New York (EDT), expect 23:15:55 UTC."""
    tables, _ = shape("notes", b"<response success='true'><notes><note id='1' title='a' "
                               b"created_at='2007-07-03 19:15:55'>x</note></notes></response>")
    assert tables["notes"]["created_at"].to_pylist() == [datetime(2007, 7, 3, 23, 15, 55,
                                                                  tzinfo=UTC)]
    assert tables["notes"].schema.field("created_at").type == pa.timestamp("us", tz="UTC")


def test_timestamps__rest_utc_times_stay_utc():
    """With a REST `...Z` datetime, expect the same instant whatever the account zone."""
    tables, _ = shape("users", b"<user><id type='integer'>5</id>"
                               b"<created-at type='datetime'>2000-01-01T00:00:00Z</created-at>"
                               b"<identity-url nil='true'/><admin type='boolean'>true</admin>"
                               b"</user>")
    row = tables["users"].to_pylist()[0]
    assert row["created_at"] == datetime(2000, 1, 1, tzinfo=UTC)
    assert row["identity_url"] is None and row["admin"] is True


def test_calendars__sharing_token_is_not_kept(shared):
    """With a calendar carrying its webcal <token>, expect no token column in the output."""
    body = (shared / "reference/backpack/examples/data_reference__calendar.xml").read_bytes()
    tables, _ = shape("calendars", body)
    assert "token" not in tables["calendars"].column_names


def test_safety__billion_laughs_is_refused_quickly():
    """With an entity-expansion bomb, expect UnsafeXml, not expansion."""
    with pytest.raises(UnsafeXml):
        records(BILLION_LAUGHS)


def test_safety__external_entities_are_refused():
    """With an external entity (file read), expect UnsafeXml."""
    body = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<r>&x;</r>")
    with pytest.raises(UnsafeXml):
        records(body)


def test_envelope__error_is_reported_not_returned_as_rows(shared):
    """With the documented 404 envelope, expect no rows and the code."""
    body = (shared / "reference/backpack/examples/readme__error_404__response.xml").read_bytes()
    found, envelope = records(body)
    assert found == [] and envelope["success"] == "false" and envelope["code"] == "404"
