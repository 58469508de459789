"""Table docs and column notes of the data dictionary, as warehouse comments."""

from __future__ import annotations

import duckdb
import psycopg

from extract.families import family
from tests.warehouse.db import comments, is_postgres
from transforms import warehouse_sql
from transforms.dictionary import LINEAGE_NOTES
from transforms.warehouse import load_export


def test_load__tables_and_columns_carry_the_dictionary(export_dir, target):
    """With a load, expect table docs and column notes from the declarations as comments."""
    load_export(export_dir, target)
    registry = family("bc2").registry
    doc, columns = comments(target, "todos")
    assert doc == registry["todos"].doc and doc
    assert columns["_unparsed"] == LINEAGE_NOTES["_unparsed"]
    assert columns["id"] == "Primary key."
    assert columns["creator__id"] == "Source field `creator.id`, flattened."
    assert "Partition column" in columns["project_id"]
    assert not columns["content"]
    doc, columns = comments(target, "accesses")
    assert doc == registry["accesses"].doc
    assert columns["bucket_id"].startswith("Part of the primary key.")



def test_load__comments_are_written_only_when_they_differ(export_dir, target, monkeypatch):
    """With a reload, expect no COMMENT statement; with one comment edited by hand, expect
    exactly that one rewritten from the declarations."""
    load_export(export_dir, target)
    written: list[str] = []
    original = warehouse_sql.comment

    def spy(kind: str, on: str, text: str) -> str:
        written.append(on)
        return original(kind, on, text)

    monkeypatch.setattr(warehouse_sql, "comment", spy)
    load_export(export_dir, target)
    assert written == []
    stale = "COMMENT ON COLUMN bc2.todos._unparsed IS 'stale'"
    if is_postgres(target):
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(stale)
    else:
        with duckdb.connect(target) as con:
            con.execute(stale)
    load_export(export_dir, target)
    assert written == ['"bc2"."todos"."_unparsed"']
    assert comments(target, "todos")[1]["_unparsed"] == LINEAGE_NOTES["_unparsed"]
