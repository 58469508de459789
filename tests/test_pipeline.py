"""The pipeline's seams: one page format on disk, one reader of an endpoint's rows, a typed
manifest that names what the pipeline writes, storage that takes a small target."""

from __future__ import annotations

import ast
import inspect
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import get_type_hints

from extract.catalog import Endpoint
from extract.crawl import Outcome, Unit
from extract.export import run_export
from extract.families import family
from extract.journal import PageSpool, RunJournal, read_page, spooled
from extract.lineage import feeding, tainted_partitions
from extract.page import Page
from extract.rows import record_ctx, row_groups, unwrapped
from extract.run import storage_of
from sandbox import Sandbox
from tests.conftest import sandbox_config
from transforms.store import fold, partitions, state
from transforms.store.manifest import Manifest, latest_manifests
from transforms.store.target import WHOLE_TABLE, Storage, Target
from transforms.tree import Tree

ROOT = Path(__file__).resolve().parent.parent
ROW_FIELDS = {"unwrap", "reshape", "row_ctx"}


def test_rows__only_extract_rows_reads_unwrap_reshape_and_row_ctx() -> None:
    """Expect the endpoint fields that turn answers into rows read in one module only (the
    crawl, live shaping and replay all go through ``extract.rows``)."""
    readers = set()
    for path in sorted((ROOT / "extract").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ROW_FIELDS \
                    and isinstance(node.ctx, ast.Load):
                readers.add(path.relative_to(ROOT).as_posix())
    assert readers == {"extract/rows.py"}


def test_rows__grouped_pages_unwrap_and_take_context_per_record() -> None:
    """Expect grouped records opened, renamed fields renamed, and rows grouped by the
    project each record names."""
    endpoint = Endpoint("all_todos", "/todos.json", "todos", unwrap="todos",
                        row_ctx={"project_id": "bucket.id"}, reshape={"content": "title"})
    page = [{"todos": [{"id": 1, "content": "a", "bucket": {"id": 7}},
                       {"id": 2, "content": "b", "bucket": {"id": 8}}]},
            {"todos": [{"id": 3, "content": "c", "bucket": {"id": 7}}]}]
    records = unwrapped(endpoint, page)
    groups = row_groups(endpoint, {"account_id": 1}, records)
    assert [[r["id"] for r in rows] for _, rows in groups] == [[1, 3], [2]]
    assert [dict(ctx) for ctx, _ in groups] == [{"account_id": 1, "project_id": 7},
                                                {"account_id": 1, "project_id": 8}]
    assert groups[0][1][0]["title"] == "a" and "content" not in groups[0][1][0]


def test_rows__a_record_without_its_own_context_groups_as_record_ctx_binds_it() -> None:
    """Expect each group's context to be what ``record_ctx`` gives its records: a record
    whose bucket is missing, null or not an object keeps the page's project, and groups
    with the records that name that same project; a rename to None drops the field."""
    endpoint = Endpoint("all_todos", "/todos.json", "todos",
                        row_ctx={"project_id": "bucket.id"}, reshape={"secret": None})
    records = [{"id": 1, "bucket": {"id": 7}}, {"id": 2}, {"id": 3, "bucket": None},
               {"id": 4, "bucket": [7]}, {"id": 5, "bucket": {"id": 9}, "secret": "s"},
               {"id": 6, "bucket": {"id": 5}}]
    ctx = {"account_id": 1, "project_id": 5}
    groups = row_groups(endpoint, ctx, records)
    assert [[r["id"] for r in rows] for _, rows in groups] == [[1], [2, 3, 4, 6], [5]]
    for group_ctx, rows in groups:
        assert all(record_ctx(endpoint, ctx, r) == group_ctx for r in rows)
    assert "secret" not in groups[2][1][0]
    assert row_groups(endpoint, {"account_id": 1}, [{"id": 8}]) == [({"account_id": 1},
                                                                     [{"id": 8}])]


def test_spool__keep_raw_pages_are_journal_pages_naming_their_unit(tmp_path) -> None:
    """Expect a --keep-raw page to be read by the journal's own page reader, its header
    naming the unit's endpoint and context, its records as shaped."""
    endpoint = Endpoint("projects", "/projects.json", "projects")
    unit = Unit(endpoint, {"account_id": 5}, "http://x/projects.json")
    page = Page(number=1, url=unit.url, records=[{"id": 1}], body=b"", status=200,
                from_cache=False, fetched_at=datetime(2024, 1, 2, tzinfo=UTC), total=1)
    spool = PageSpool(tmp_path / "raw")
    spool.write(unit.endpoint.id, unit.ctx, page)
    (path,) = sorted((tmp_path / "raw").glob("*.json"))
    header, again = read_page(path)
    assert header["endpoint"] == "projects" and header["ctx"] == {"account_id": 5}
    assert again.records == [{"id": 1}] and again.fetched_at == page.fetched_at
    assert [(e, c, p.records) for e, c, p in spooled(tmp_path / "raw")] == \
        [("projects", {"account_id": 5}, [{"id": 1}])]
    journal = RunJournal(tmp_path / "run", {"api": "t"})
    list(journal.pages("projects /projects.json", "projects", lambda: [page]))
    (saved,) = sorted((tmp_path / "run" / "pages").glob("*.json"))
    assert read_page(saved)[1].records == again.records


def test_manifest__the_typed_manifest_names_every_key_the_pipeline_writes(tmp_path) -> None:
    """Expect a sandbox export's manifest to carry exactly the keys ``Manifest`` declares
    (the optional sandbox figure aside), and the readers to get it back."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        result = run_export(sandbox_config(box, tmp_path, cache=False))
    declared = set(get_type_hints(Manifest)) - {"sandbox_minimum_requests"}
    assert set(result.manifest) == declared
    assert latest_manifests(tmp_path, "bc2", "account_id") == [
        json.loads(result.manifest_path.read_text())]


def test_storage__takes_a_small_target_not_the_export_configuration() -> None:
    """Expect the storing entry points to take a Storage (output, api, account and the
    family's tables as plain data), never the export's configuration."""
    for function in (partitions.store, fold.store_incremental):
        first = next(iter(inspect.signature(function).parameters.values()))
        assert first.annotation in ("Storage", Storage)
    fam = family("bc2")
    target = Target(Tree.local("/out"), "bc2", fam.account_column, 7)
    assert target.own("_manifests") == ("bc2", "_manifests", "account_id=7")
    assert str(state.state_file(target)) == "/out/bc2/_state/account_id=7.json"


def test_lineage__a_failed_unit_taints_its_bucket_or_the_whole_table() -> None:
    """Expect a failed project listing to keep that project's partitions of every table it
    (and what it would have reached) feeds, a failed account-wide unit the whole table, and
    the guard told which endpoints fill each table."""
    fam = family("bc2")
    in_project = Outcome("todos_project", "/projects/7/todos.json", {"project_id": 7}, "boom")
    tainted = tainted_partitions(fam, [in_project])
    assert {("todos", 7), ("todos__attachments", 7)} <= tainted
    assert all(bucket == (7 if fam.bucket_column in fam.registry[table].partition
                          else WHOLE_TABLE) for table, bucket in tainted)
    account_wide = Outcome("people", "/people.json", {}, "boom")
    assert ("people", WHOLE_TABLE) in tainted_partitions(fam, [account_wide])
    assert "todos_project" in feeding(fam)["todos"]
    assert storage_of(fam, Target(Tree.local("/o"), "bc2", "account_id", 1),
                      frozenset()).bucket == fam.bucket_column
