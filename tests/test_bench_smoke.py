"""The benchmark machinery end to end on the tiny sandbox, peers off: the result JSON's shape.

Timings are never asserted here (a loaded CI machine must not fail the suite); the bench
reports its targets, it does not enforce them.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench.cli import main
from bench.files import file_stats
from bench.profiles import PROFILES
from bench.report import render
from bench.scan import QUERIES, scan_layouts
from bench.targets import lake_targets

RUN_KEYS = {"requests", "minimum_requests", "requests_vs_minimum", "seconds", "floor_s",
            "efficiency_pct", "throttled_429", "unavailable_503", "retries", "peak_rss_mb",
            "rows", "tables"}
RERUN_KEYS = {"requests", "not_modified", "requests_pct_of_full", "seconds", "what_it_is"}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "result.json"
    assert main(["--api", "bc2,bc4,backpack", "--size", "tiny", "--no-peers",
                 "--time-scale", "20", "--cpu-runs", "2", "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_bench__result_has_settings_and_every_api(result):
    """With three APIs asked for, expect settings, environment and one entry per API."""
    assert {"schema_version", "settings", "environment", "apis", "seconds"} <= set(result)
    assert result["settings"]["time_scale"] == 20 and result["settings"]["peers"] is False
    assert set(result["apis"]) == {"bc2", "bc4", "backpack"}


@pytest.mark.parametrize("api", ["bc2", "bc4", "backpack"])
def test_bench__each_api_has_its_measurements(result, api):
    """With one API's section, expect our run, re-run, CPU path, coverage and targets."""
    section = result["apis"][api]
    assert {"sandbox", "truth", "ours", "rerun", "cpu_path", "peers", "coverage",
            "targets"} <= set(section)
    assert set(section["ours"]) >= RUN_KEYS, section["ours"].get("error")
    assert set(section["rerun"]) >= RERUN_KEYS, section["rerun"].get("error")
    assert "records_per_s" in section["cpu_path"] or "error" in section["cpu_path"]
    assert "peak_rss_mb" in section["cpu_path"]
    assert section["peers"] == {}
    for target in section["targets"].values():
        assert {"value", "target", "met", "what"} <= set(target)


def test_bench__family_facts_come_from_the_profiles(result):
    """With the three families, expect each judged and limited as ``bench.profiles`` says:
    efficiency for bc2 and bc4, the peer-walk ratio for bc4 only, a calendar limit for
    Backpack only."""
    targets = {api: set(section["targets"]) for api, section in result["apis"].items()}
    assert {api for api, names in targets.items() if "efficiency_pct" in names} == {"bc2", "bc4"}
    assert {api for api, names in targets.items() if "walk_over_ours" in names} == {"bc4"}
    limited = {api for api, section in result["apis"].items()
               if "calendar_rate_limit" in section["sandbox"]}
    assert limited == {"backpack"}
    assert result["apis"]["backpack"]["sandbox"]["calendar_rate_limit"] == [10, 0.25]


@pytest.mark.parametrize("api", ["bc2", "bc4", "backpack"])
def test_bench__each_api_has_the_lake_figures(result, api):
    """With one API's section, expect the CPU path in both layouts (every run's seconds) and
    its speed-up, one CPU path per core at once (each over the whole spool), the files of
    our export holding its rows in no more files than the old layout, and DuckDB answering
    the same over the files as over one file, in both layouts."""
    section = result["apis"][api]
    for key, layout in (("cpu_path", "table"), ("cpu_path_project", "project")):
        assert "records_per_s" in section[key], section[key].get("error")
        assert section[key]["partition_by"] == layout
        assert len(section[key]["runs_s"]) == 2
        assert section[key]["rows"] == section["ours"]["rows"]
    assert section["cpu_path_speedup"] > 0 and section["cpu_path_speedup_cpu_time"] > 0
    ceiling = section["cpu_ceiling"]
    assert ceiling["records_per_s"] > 0 and len(ceiling["runs_s"]) == 2, ceiling.get("error")
    assert ceiling["records"] > 0 and section["cpu_path_of_ceiling"] > 0
    cores = section.get("cpu_per_core")
    if (os.cpu_count() or 1) == 1:
        assert cores is None  # nothing to run side by side
    else:
        assert cores["jobs"] == os.cpu_count() and len(cores["runs_s"]) == 2, cores
        assert cores["rows"] == cores["jobs"] * section["ours"]["rows"]
        assert len(cores["each_records_per_s"]) == cores["jobs"] and cores["records_per_s"] > 0
        assert cores["peak_rss_mb"] <= cores["peak_rss_mb_all"]
    files = section["files"]
    assert files["table"]["rows"] == files["project"]["rows"] == section["ours"]["rows"]
    assert 0 < files["table"]["files"] <= files["project"]["files"]
    layouts = section["duckdb"].get("layouts", {})
    for layout in ("table", "project"):
        for table in PROFILES[api].scans:
            found = layouts[layout][table]
            assert found.get("rows") == section["ours"]["tables"][table], found
            assert all(found[q]["same_answer"] for q in QUERIES), found


def test_bench__report_shows_the_lake_figures(result):
    """With the result rendered, expect the old layout's CPU path and the files and DuckDB
    tables."""
    text = render(result)
    assert "cpu (project)" in text and "x this rec/s" in text
    assert "cpu ceiling" in text and "cpu path = " in text
    assert (f"cpu x{os.cpu_count()} at once" in text) == ((os.cpu_count() or 1) > 1)
    assert "files and rows per file" in text and "DuckDB read_parquet" in text
    assert "group_by" in text

def _write(folder: Path, name: str, rows: int, project: int = 1) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "id": pa.array(range(rows), pa.int64()),
        "project_id": pa.array([project + i % 2 for i in range(rows)], pa.int64()),
        "updated_at": pa.array([datetime(2026, 1, 1 + i % 28, tzinfo=UTC) for i in range(rows)],
                               pa.timestamp("us", tz="UTC")),
    }), folder / name)


def test_file_stats__counts_files_rows_and_the_worst_big_tables(tmp_path):
    """With todos in three files (600, 600, 10 rows) and comments in one of 5 rows, expect 4
    files, the medians over all files and over the big table only, and todos listed worst;
    the export's own folders and unknown folders are not tables."""
    for n, rows in enumerate((600, 600, 10)):
        _write(tmp_path / "bc4" / "todos", f"account_id-5-{n:03d}.parquet", rows)
    _write(tmp_path / "bc4" / "comments", "account_id-5-000.parquet", 5)
    _write(tmp_path / "bc4" / "_runs", "x.parquet", 3)
    _write(tmp_path / "bc4" / "not_a_table", "x.parquet", 3)
    stats = file_stats(tmp_path, "bc4")
    assert (stats["files"], stats["rows"], stats["tables"]) == (4, 1215, 2)
    assert stats["median_rows_per_file"] == 305  # of 5, 10, 600, 600
    assert stats["files_under_10_rows_pct"] == 25.0
    assert (stats["big_tables"], stats["median_rows_per_file_big_tables"]) == (1, 600)
    assert stats["worst_big_table_median"] == 600
    assert stats["worst"] == [{"table": "todos", "files": 3, "rows": 1210,
                               "median_rows_per_file": 600}]
    assert stats["per_table"]["comments"] == {"files": 1, "rows": 5, "median_rows_per_file": 5}


def test_scan__files_and_one_file_give_the_same_answers(tmp_path):
    """With todos in two files, expect both queries timed over the files and over one compacted
    file of the same rows, with equal answers and a ratio."""
    _write(tmp_path / "bc4" / "todos", "account_id-5-000.parquet", 30, project=1)
    _write(tmp_path / "bc4" / "todos", "account_id-5-001.parquet", 20, project=3)
    spec = {"api": "bc4", "repeat": 2, "scans": {"todos": ["project_id", "updated_at"]},
            "outputs": {"table": {"path": str(tmp_path), "hive": False}}}
    work = tmp_path / "work"
    work.mkdir()
    found = scan_layouts(spec, work)["table"]["todos"]
    assert (found["files"], found["rows"]) == (2, 50)
    for query in QUERIES:
        assert found[query]["same_answer"] is True
        assert found[query]["ratio"] > 0
    assert pq.read_metadata(work / "table-todos.parquet").num_rows == 50


LAKE = {"files": {"table": {"big_tables": 2, "worst_big_table_median": 800}},
        "duckdb": {"layouts": {"table": {"todos": {"files": 3, "count": {"ratio": 1.2},
                                                   "group_by": {"ratio": 1.7}}}}},
        "cpu_path_speedup": 3.4}


def test_lake_targets__judged_where_the_issue_asks():
    """With a worst big table at 800 rows a file, a worst DuckDB ratio of 1.7 and a 3.4x CPU
    path, expect at size large: rows per file and DuckDB missed, the speed-up not judged (size
    default only); at size default: the speed-up met for bc4 and not asked of bc2."""
    large = lake_targets("bc4", "large", LAKE)
    assert (large["rows_per_file"]["value"], large["rows_per_file"]["met"]) == (800, False)
    assert (large["duckdb_ratio"]["value"], large["duckdb_ratio"]["met"]) == (1.7, False)
    assert large["cpu_speedup"]["met"] is None
    assert lake_targets("bc4", "default", LAKE)["cpu_speedup"]["met"] is True
    assert lake_targets("bc4", "default", LAKE)["duckdb_ratio"]["met"] is None
    assert "cpu_speedup" not in lake_targets("bc2", "default", LAKE)
    assert "duckdb_ratio" not in lake_targets("backpack", "large", LAKE)
