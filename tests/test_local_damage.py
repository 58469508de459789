"""Damaged local files heal or say one line: output paths that are files, a damaged state file
or bookmark, garbage in the resume journal. No case may end in a traceback; the stored data is
unchanged or healed (equal to a calm export)."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import cli
from extract.journal import JOURNAL, SIGNATURE, pending, run_dir
from sandbox import Sandbox
from tests.conftest import cli_env, export_command, sandbox_config, stored_tables
from transforms import parquet
from transforms.errors import ConfigError, OutputError
from transforms.store.state import state_path
from transforms.tree import open_tree

TODOS_OF_LISTS = r"/todolists/\d+/todos\.json"


def command(box: Sandbox, output: Path, *extra: str) -> list[str]:
    return export_command(box, output, *extra, workers=2)


def cli_run(box: Sandbox, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(box, output, *extra), env=cli_env(), capture_output=True,
                          text=True, timeout=300)


def one_line_error(done: subprocess.CompletedProcess[str], code: int) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def calm(tmp_path_factory):
    """A sandbox of its own (tests inject faults into it) and a calm export of it."""
    out = tmp_path_factory.mktemp("calm")
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        from extract.export import run_export

        assert run_export(sandbox_config(box, out)).ok
        yield box, out, stored_tables(out, "bc2")


def _state_file(box: Sandbox, out: Path) -> Path:
    return state_path(out, "bc2", "account_id", box.account_id)


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


# -- output path components that are files -------------------------------------------------


@pytest.mark.parametrize("blocker", ["", "bc2", "bc2/_state", "bc2/_runs", "bc2/_manifests",
                                     "bc2/_locks", "bc2/todos", ".cache"])
def test_output__a_path_component_that_is_a_file_is_named(calm, tmp_path, blocker):
    """With a file where the export needs a folder, expect OutputError (exit 5) naming it and
    no request made."""
    from extract.export import run_export

    box = calm[0]
    out = tmp_path / "out"
    path = out / blocker if blocker else out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not a folder")
    box.reset_log()
    with pytest.raises(OutputError) as failed:
        run_export(sandbox_config(box, out))
    assert failed.value.exit_code == 5
    assert f"{path} is a file, not a directory" in failed.value.one_line()
    assert box.requests == []
    assert path.read_text() == "not a folder"


def test_output__bc2_a_file_is_one_line_through_the_cli(calm, tmp_path):
    """With OUTPUT/bc2 a file, expect exit 5 and one line naming it (was a traceback, exit 1)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "bc2").write_text("x")
    line = one_line_error(cli_run(calm[0], out), 5)
    assert str(out / "bc2") in line


def test_output__output_a_file_is_exit_5(calm, tmp_path):
    out = tmp_path / "out"
    out.write_text("x")
    assert str(out) in one_line_error(cli_run(calm[0], out), 5)


# -- state file and bookmarks ----------------------------------------------------------------


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", '{"bookmarks": "x"}',
                                    '{"last_run": 5}', "\udcff"])
def test_state__a_damaged_state_file_is_one_line_naming_it(calm, tmp_path, damage):
    """With an unparseable state file, expect ConfigError (exit 2) naming the file and
    suggesting --full; nothing requested, nothing stored changes."""
    from extract.export import run_export

    box, base, expected = calm
    out = _copy(base, tmp_path / "out")
    state = _state_file(box, out)
    state.write_bytes(damage.encode("utf-8", "surrogateescape"))
    box.reset_log()
    with pytest.raises(ConfigError) as failed:
        run_export(sandbox_config(box, out))
    line = failed.value.one_line()
    assert failed.value.exit_code == 2 and str(state) in line and "--full" in line
    assert box.requests == []
    assert stored_tables(out, "bc2") == expected


def test_state__full_is_not_blocked_by_a_damaged_state_file(calm, tmp_path):
    """With a damaged state file and --full, expect a full run that writes a fresh state."""
    box, base, expected = calm
    out = _copy(base, tmp_path / "out")
    state = _state_file(box, out)
    state.write_text("{not json")
    one_line = one_line_error(cli_run(box, out), 2)
    assert str(state) in one_line and "--full" in one_line
    done = cli_run(box, out, "--full")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(state.read_text())["bookmarks"]["events"]["since"]
    assert stored_tables(out, "bc2") == expected


@pytest.mark.parametrize("bookmark", ["garbage", {"since": "yesterday-ish"}, {"since": 5},
                                      {"since": "2024-01-01T00:00:00+00:00", "seen": "x"},
                                      {"since": "2024-01-01T00:00:00+00:00", "seen": [{}]}])
def test_state__a_bad_bookmark_warns_and_runs_in_full(calm, tmp_path, bookmark, caplog):
    """With an unusable bookmark, expect a warning naming the file and a full run (was: the
    bad ``since`` sent to the server, '400 ... is the User-Agent set?')."""
    from extract.export import run_export

    box, base, expected = calm
    out = _copy(base, tmp_path / "out")
    state = _state_file(box, out)
    data = json.loads(state.read_text())
    data["bookmarks"]["events"] = bookmark
    state.write_text(json.dumps(data))
    result = run_export(sandbox_config(box, out))
    assert result.ok and result.manifest["mode"] == "full"
    assert any(str(state) in r.getMessage() and "full export" in r.getMessage()
               for r in caplog.records)
    assert stored_tables(out, "bc2") == expected
    again = run_export(sandbox_config(box, out))
    assert again.manifest["mode"] == "incremental"  # the full run wrote a good bookmark


def test_state__full_ignores_a_bad_bookmark_quietly(calm, tmp_path, caplog):
    """With an unusable bookmark and --full, expect a full run, no warning, a good bookmark."""
    from extract.export import run_export

    box, base, expected = calm
    out = _copy(base, tmp_path / "out")
    state = _state_file(box, out)
    data = json.loads(state.read_text())
    data["bookmarks"]["events"] = {"since": "not a time"}
    state.write_text(json.dumps(data))
    result = run_export(sandbox_config(box, out, full=True))
    assert result.ok and result.manifest["mode"] == "full"
    assert not [r for r in caplog.records if "bookmark" in r.getMessage()]
    assert json.loads(state.read_text())["bookmarks"]["events"]["since"] != "not a time"
    assert stored_tables(out, "bc2") == expected


def test_state__a_state_path_that_is_a_folder_says_delete_it(calm, tmp_path):
    """With the state file a folder, expect exit 2 naming it, with or without --full."""
    from extract.export import run_export

    box, base, _ = calm
    out = _copy(base, tmp_path / "out")
    state = _state_file(box, out)
    state.unlink()
    state.mkdir()
    for full in (False, True):
        with pytest.raises(ConfigError) as failed:
            run_export(sandbox_config(box, out, full=full))
        assert failed.value.exit_code == 2 and str(state) in failed.value.one_line()


def test_status__damaged_state_is_a_line_not_a_traceback(calm, tmp_path):
    """With a damaged state file, a bad bookmark or odd last-run values, expect `status` to
    say so in a line and exit 0."""
    box, base, _ = calm
    out = _copy(base, tmp_path / "out")
    state = _state_file(box, out)
    data = json.loads(state.read_text())
    data["bookmarks"]["events"] = "garbage"
    data["last_run"]["requests"] = "many"
    state.write_text(json.dumps(data))
    done = CliRunner().invoke(cli, ["status", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "cannot be used" in done.output and "next run:   full export" in done.output
    state.write_text("{not json")
    done = CliRunner().invoke(cli, ["status", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert f"state:      the state file {state} cannot be used" in done.output


# -- the resume journal ----------------------------------------------------------------------


def _failed_run(box: Sandbox, out: Path) -> Path:
    """A run whose to-do listings of trashed lists fail: its journal is kept."""
    box.inject("500", TODOS_OF_LISTS, times=1000)
    try:
        done = cli_run(box, out, "--retries", "0")
    finally:
        box._faults.clear()
    assert done.returncode == 7, done.stderr
    root = run_dir(out, "bc2", "account_id", box.account_id)
    assert pending(root) > 0
    return root


def _entries(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / JOURNAL).read_text().splitlines()]


def test_journal__a_garbage_page_is_discarded_and_its_unit_fetched_again(calm, tmp_path):
    """With garbage in a page file of a kept journal, expect a warning, the unit fetched
    again, output equal to a calm export, and the next run not replaying it (was: replayed on
    every rerun, 0 requests, the unit never recovered)."""
    box, _, expected = calm
    out = tmp_path / "out"
    root = _failed_run(box, out)
    victim = next(e for e in reversed(_entries(root)) if e["pages"]
                  and e["unit"].startswith("upload_get "))
    (root / "pages" / victim["pages"][0]).write_bytes(b"\x00garbage\n{{{")
    box.reset_log()
    done = cli_run(box, out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "fetching upload_get" in done.stderr
    unit_path = victim["unit"].split(" ", 1)[1]
    assert any(r["path"].endswith(unit_path) for r in box.requests), box.requests
    assert stored_tables(out, "bc2") == expected
    assert not root.exists()


def test_journal__lines_naming_missing_or_strange_pages_are_fetched_again(calm, tmp_path):
    """With journal lines naming a missing page, a path outside the journal, or not an
    object at all, expect those lines ignored with a warning and a calm output."""
    box, _, expected = calm
    out = tmp_path / "out"
    root = _failed_run(box, out)
    entries = _entries(root)
    victim = next(e for e in entries if e["pages"] and e["unit"].startswith("document_get "))
    (root / "pages" / victim["pages"][0]).unlink()
    with open(root / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"unit": "x", "pages": ["../../../../etc/passwd"]}) + "\n")
        fh.write("42\n" + json.dumps({"unit": 1, "pages": "p"}) + "\n")
    box.reset_log()
    done = cli_run(box, out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "fetched again" in done.stderr
    unit_path = victim["unit"].split(" ", 1)[1]
    assert any(r["path"].endswith(unit_path) for r in box.requests)
    assert stored_tables(out, "bc2") == expected


def test_journal__an_unreadable_signature_starts_afresh(calm, tmp_path):
    """With the journal's run.json garbage, expect the journal dropped (not merged into)."""
    box, _, expected = calm
    out = tmp_path / "out"
    root = _failed_run(box, out)
    (root / SIGNATURE).write_text("{{{")
    done = cli_run(box, out)
    assert done.returncode == 0, done.stderr
    assert "no readable run.json" in done.stderr and "Traceback" not in done.stderr
    assert stored_tables(out, "bc2") == expected


def test_writable_probe__exports_of_many_accounts_probe_one_folder_at_once(tmp_path):
    """A fleet starts several accounts' exports into one output together: expect each one's
    writability probe to leave the others' alone (they once shared one file name, and one
    export removed the probe another was about to remove: exit 7), and no probe left over."""
    tree = open_tree(tmp_path / "out")

    def probe(_: int) -> None:
        for _ in range(40):
            parquet.ensure_writable(tree)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(probe, range(8)))
    assert list((tmp_path / "out").iterdir()) == []
