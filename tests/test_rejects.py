"""Rows without a key never reach their keyed table: they go to ``_rejects`` (raw record,
endpoint, reason), the manifest counts them, and ``load`` takes the export as it is.

The official BC2 docs' document example has a comment without an ``id``; the test serves the
sandbox's documents that way through a response hook on the export's own session.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pyarrow.parquet as pq

import extract.export as export
from sandbox import Sandbox
from tests.conftest import sandbox_config, stored_tables
from transforms.schemas import bc2 as bc2_schemas
from transforms.shape import Shaper
from transforms.warehouse import load_export

DOCUMENT = r"/projects/\d+/documents/\d+\.json$"


def comment_without_id(monkeypatch) -> None:
    """Every document member reads with its first comment's ``id`` removed."""
    real = export.build_session

    def build(settings, stats):
        session = real(settings, stats)

        def hook(response, *args, **kwargs):
            if response.status_code == 200 and re.search(DOCUMENT, urlsplit(response.url).path):
                body = json.loads(response.content)
                if body.get("comments"):
                    del body["comments"][0]["id"]
                    response._content = json.dumps(body).encode()
            return response

        session.hooks["response"].append(hook)
        return session

    monkeypatch.setattr(export, "build_session", build)


def test_export__a_comment_without_id_goes_to_rejects_and_load_succeeds(tmp_path,
                                                                         monkeypatch):
    """Expect no null key in comments, the keyless comments in _rejects with their raw record,
    endpoint and reason, the manifest counting them, and a DuckDB load that succeeds."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        comment_without_id(monkeypatch)
        result = export.run_export(sandbox_config(box, tmp_path, cache=False))
    rejects = result.manifest["rejects"]
    assert set(rejects) <= {"comments", "comments__attachments"} and rejects["comments"] >= 1
    comments = stored_tables(tmp_path, "bc2")["comments"]
    assert comments and all(row["id"] is not None for row in comments)
    part = tmp_path / "bc2" / "_rejects" / f"account_id-{box.account_id}-000.parquet"
    rows = pq.read_table(part).to_pylist()
    assert len(rows) == sum(rejects.values())
    rows = [r for r in rows if r["table"] == "comments"]
    first = rows[0]
    assert first["table"] == "comments" and first["reason"] == "null key: id"
    assert first["endpoint"].startswith("document")
    raw = json.loads(first["raw"])
    assert "comments" in raw and "id" not in raw["comments"][0]
    loaded = load_export(tmp_path, tmp_path / "w.duckdb")
    assert any(t.table == "comments" for t in loaded.tables)


def test_export__a_calm_run_has_no_rejects_table(tmp_path, export_to, tiny_sandbox):
    """Expect no _rejects partition and an empty count when every key is present."""
    result = export_to(tiny_sandbox, tmp_path)
    assert result.manifest["rejects"] == {}
    assert not (tmp_path / "bc2" / "_rejects").exists()


def test_shaper__child_rows_of_a_keyless_record_go_with_it():
    """Expect a to-do without an id set aside with its assignee rows, once per table, and its
    siblings shaped as usual."""
    shaper = Shaper(bc2_schemas.TABLES, {"todos", "todos__assignees"}, "run")
    records = [{"id": 1, "content": "a", "assignees": [{"id": 5, "type": "Person"}]},
               {"content": "b", "assignees": [{"id": 6, "type": "Person"}]}]
    shaper.add("todos", records, {"account_id": 1, "project_id": 2}, {}, member=False,
               fetched_at=datetime.now(UTC), source="todos_project")
    kept = [p.data for p in shaper.partitions("todos")]
    assert [t["id"].to_pylist() for t in kept] == [[1]]
    rejected = shaper.rejects().to_pylist()
    assert {r["table"] for r in rejected} <= {"todos", "todos__assignees"}
    assert "todos" in {r["table"] for r in rejected}
    assert all(r["endpoint"] == "todos_project" for r in rejected)
    assert all(json.loads(r["raw"])["content"] == "b" for r in rejected)


def test_rejects__raw_record_leaves_out_the_fields_its_table_drops():
    """With a keyless Backpack calendar carrying its webcal token, expect the reject's raw
    JSON without the token: a dropped credential must not come back through _rejects."""
    from transforms.schemas import backpack as backpack_schemas

    shaper = Shaper(backpack_schemas.TABLES, {"calendars"}, "run")
    shaper.add("calendars", [{"name": "Team", "token": "webcal-secret-123"}],
               {"account": "acme"}, {}, member=False, fetched_at=datetime.now(UTC),
               source="calendars")
    (reject,) = shaper.rejects().to_pylist()
    assert json.loads(reject["raw"]) == {"name": "Team"}
    assert "webcal-secret-123" not in reject["raw"]
