"""Partial results: a run with failed units stores what succeeded, says what is missing, and the
rerun (the journal keeps the completed units) fetches only the failed ones.

Faults are injected into the in-process sandbox with ``times=100`` so every retry fails too; the
rerun clears them first.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds

from sandbox import Sandbox
from tests.conftest import stored_tables


def project_rows(output: Path, table: str, project: int) -> int:
    folder = output / "bc2" / table
    if not folder.is_dir():
        return 0
    data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    return sum(1 for p in data["bucket_id"].to_pylist() if p == project)


def mixed_project(output: Path) -> int:
    """A project with both upcoming and past calendar events, and comments on them."""
    events = stored_tables(output, "bc2")["calendar_events"]
    by_project: dict[int, set[str]] = {}
    for row in events:
        if row["bucket_type"] != "Project":
            continue
        by_project.setdefault(row["bucket_id"], set()).add(row["status"])
    return next(p for p, s in sorted(by_project.items()) if {"past", "upcoming"} <= s)


def test_first_run__a_failed_unit_stores_what_succeeded_and_the_rerun_completes_it(
        tmp_path, export_to):
    """With one project's past calendar events failing on a first run, expect that project's
    upcoming events and every other table stored, the tables marked incomplete with the unit,
    exit 7 material (not ok), and a rerun that fetches only the failed unit and ends equal to
    a calm export."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        calm = tmp_path / "calm"
        export_to(box, calm)
        totals = {t: len(rows) for t, rows in stored_tables(calm, "bc2").items()}
        project = mixed_project(calm)
        box.inject("503", rf"/projects/{project}/calendar_events/past\.json", times=100)
        out = tmp_path / "out"
        first = export_to(box, out, retries=0)
        assert not first.ok
        failed = [f["endpoint"] for f in first.manifest["failures"]]
        assert failed == ["calendar_events_project_past"]
        incomplete = first.manifest["incomplete"]
        assert "calendar_events" in incomplete
        assert incomplete["calendar_events"] == [
            {"endpoint": "calendar_events_project_past",
             "url": f"/{box.account_id}/api/v1/projects/{project}/calendar_events/past.json"}]
        assert "comments" in incomplete
        stored = stored_tables(out, "bc2")
        assert len(stored["calendar_events"]) > 0
        assert project_rows(out, "calendar_events", project) > 0  # the upcoming ones
        assert project_rows(out, "comments", project) > 0
        assert len(stored["todos"]) == totals["todos"]
        box._faults.clear()
        box.reset_log()
        rerun = export_to(box, out, retries=0)
        assert rerun.ok and not rerun.manifest["incomplete"]
        paths = [r["path"] for r in box.requests]
        assert any(p.endswith(f"/projects/{project}/calendar_events/past.json") for p in paths)
        assert not any(p.endswith("/people.json") or p.endswith("/todos.json") for p in paths)
        assert stored_tables(out, "bc2") == stored_tables(calm, "bc2")


def test_first_run__an_account_wide_failure_writes_the_rows_other_units_brought(
        tmp_path, export_to):
    """With people.json failing on a first run, expect the people the other units brought
    (me, the project accesses) stored and the table marked incomplete, not left empty."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("503", r"/people\.json$", times=100)
        result = export_to(box, tmp_path, retries=0)
        assert not result.ok
        assert "people" in result.manifest["incomplete"]
        assert result.manifest["tables"]["people"]["rows"] > 0
        assert len(stored_tables(tmp_path, "bc2")["people"]) > 0


def test_later_run__a_failed_unit_never_replaces_stored_rows_with_partial_ones(
        tmp_path, export_to):
    """With an earlier complete run stored, expect a failed unit's partitions kept byte for
    byte (not replaced by the part of them that did arrive)."""
    from tests.stored import data_files

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        assert export_to(box, tmp_path).ok
        project = mixed_project(tmp_path)
        before = {p: p.read_bytes() for p in data_files(tmp_path, "bc2", "calendar_events")}
        assert before
        box.inject("503", rf"/projects/{project}/calendar_events/past\.json", times=100)
        result = export_to(box, tmp_path, retries=0, full=True)
        assert not result.ok
        after = {p: p.read_bytes() for p in before}
        assert after == before


def test_incremental__a_damaged_stored_partition_is_one_line_and_full_heals_it(
        tmp_path, export_to):
    """With one stored to-do partition overwritten by garbage, expect the next incremental
    run to stop before any request with an OutputError (exit 5) naming the file and --full,
    every stored file unchanged; then --full rewrites it readable."""
    import pyarrow.parquet as pq
    import pytest

    from tests.stored import data_files
    from transforms.errors import OutputError

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        assert export_to(box, tmp_path).ok
        damaged = data_files(tmp_path, "bc2", "todos")[0]
        damaged.write_bytes(b"not parquet at all")
        before = {p: p.read_bytes() for p in (tmp_path / "bc2").rglob("*.parquet")}
        box.reset_log()
        with pytest.raises(OutputError) as stopped:
            export_to(box, tmp_path)
        assert str(damaged) in stopped.value.one_line() and "--full" in stopped.value.one_line()
        assert stopped.value.exit_code == 5
        assert box.requests == []
        assert {p: p.read_bytes() for p in before} == before
        healed = export_to(box, tmp_path, full=True)
        assert healed.ok
        assert pq.read_table(damaged).num_rows > 0
