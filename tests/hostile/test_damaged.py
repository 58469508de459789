"""Case 6, damaged local files: cache, partitions, output folder and state."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.hostile.cases import (
    assert_no_traceback,
    assert_one_line_error,
    errors,
    manifest,
    tables,
    warnings,
)
from tests.stored import data_files


def test_damaged__corrupt_http_cache_is_moved_aside(bc2, seeded, bc2_calm):
    """With the HTTP cache file overwritten by garbage, expect a --full run to warn, move the
    file aside (*.corrupt-<ts>), rebuild it and end ok with the same tables."""
    caches = sorted((seeded / ".cache").glob("*.sqlite"))
    assert caches
    for cache in caches:
        cache.write_bytes(b"this is not a sqlite database" * 100)
    proc = bc2.export(seeded, "--full")
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert any("cache" in line.lower() for line in warnings(proc)), proc.stderr[-3000:]
    assert list((seeded / ".cache").glob("*.corrupt-*"))
    for cache in caches:
        sqlite3.connect(cache).execute("select count(*) from sqlite_master").fetchone()
    assert tables(seeded, "bc2") == bc2_calm


def test_damaged__corrupt_parquet_partition_before_an_incremental_run(bc2, seeded,
                                                                      bc2_calm):
    """With one todos partition overwritten by garbage, expect the incremental run to rebuild
    the table (exit 0, todos healed) or say one line naming the file and --full (exit 5)."""
    part = data_files(seeded, "bc2", "todos")[0]
    part.write_bytes(b"garbage, not parquet")
    proc = bc2.export(seeded)
    assert_no_traceback(proc)
    if proc.returncode == 5:
        assert_one_line_error(proc, 5, part.name, "--full")
        assert part.parent.name in errors(proc)[0]
    else:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert tables(seeded, "bc2")["todos"] == bc2_calm["todos"]


def test_damaged__output_api_folder_is_a_file(bc2, tmp_path):
    """With OUTPUT/bc2 being a file, expect exit 5 and one line naming it; the file kept."""
    output = tmp_path / "out"
    output.mkdir()
    (output / "bc2").write_text("keep me")
    proc = bc2.export(output)
    assert_one_line_error(proc, 5, str(output / "bc2"))
    assert (output / "bc2").read_text() == "keep me"


def _state_file(output: Path) -> Path:
    return next((output / "bc2" / "_state").glob("*.json"))


def test_damaged__unparseable_bookmark(bc2, seeded, bc2_calm):
    """With the events bookmark unparseable, expect no 400 and no traceback: either one line
    naming the state file and --full (exit 2), or a warning naming it and a full run."""
    state = _state_file(seeded)
    data = json.loads(state.read_text())
    data["bookmarks"]["events"]["since"] = "the day before yesterday"
    state.write_text(json.dumps(data))
    proc = bc2.export(seeded)
    _assert_state_handled(proc, state, seeded, bc2_calm)


def test_damaged__unreadable_state_file(bc2, seeded):
    """With the state file not JSON at all, expect exit 2 and one line naming it and --full
    (today it is silently taken for "no state")."""
    state = _state_file(seeded)
    state.write_bytes(b"{\x00 not json")
    proc = bc2.export(seeded)
    assert_one_line_error(proc, 2, state.name, "--full")


def _assert_state_handled(proc, state: Path, output: Path, truth) -> None:
    assert_no_traceback(proc)
    assert "(400)" not in proc.stderr
    if proc.returncode == 2:
        assert_one_line_error(proc, 2, state.name, "--full")
    else:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert any(state.name in line for line in warnings(proc)), proc.stderr[-3000:]
        assert manifest(output, "bc2")["mode"] == "full"
        assert tables(output, "bc2") == truth
