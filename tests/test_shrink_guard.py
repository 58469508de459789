"""The shrink guard: a listing that answers empty, or a table that would lose most of its rows,
never replaces what an earlier run stored unless --allow-shrink says the deletion is real.

Empty answers come from a response hook on the export's own session (``empty_answers``): the
server is honest, the body the client sees is ``[]``, headers as sent. The HTTP cache is off
so a faked body never outlives its test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import extract.export as export
import transforms.store.fold as fold
from extract.run import storage_of
from sandbox import Sandbox
from tests.conftest import sandbox_config, stored_tables
from tests.stored import data_files, rows_of_project
from tests.test_backpack_export import config as backpack_config
from tests.test_bc4_export import config as bc4_config
from transforms.errors import PartialExportError
from transforms.read import dataset
from transforms.store.guard import RULE, Answers, StoreNotes, emptied, lost
from transforms.store.target import Target
from transforms.tree import Tree

TODOS = r"/projects/\d+/todos\.json$"


@pytest.fixture
def empty_answers(monkeypatch) -> Callable[[str], None]:
    """``empty_answers(regex)``: every 200 answer whose path matches reads as ``[]``."""
    real = export.build_session

    def install(pattern: str) -> None:
        def build(settings, stats):
            session = real(settings, stats)

            def hook(response, *args, **kwargs):
                if response.status_code == 200 and re.search(pattern,
                                                             urlsplit(response.url).path):
                    response._content = b"[]"
                    response.headers.pop("Link", None)
                return response

            session.hooks["response"].append(hook)
            return session

        monkeypatch.setattr(export, "build_session", build)

    return install


def files(output: Path, api: str, table: str) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in data_files(output, api, table)}


def rows_of(output: Path, api: str, table: str) -> int:
    return sum(pq.read_metadata(p).num_rows for p in data_files(output, api, table))


def test_full__empty_todo_listings_keep_the_stored_todos(tmp_path, empty_answers):
    """With every project's todos.json answering [], expect todos kept as stored (68 rows, not
    5), the refusal in the manifest with before/after and remedy, the rest stored normally."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        assert export.run_export(sandbox_config(box, tmp_path, cache=False)).ok
        before = stored_tables(tmp_path, "bc2")
        stored = files(tmp_path, "bc2", "todos")
        empty_answers(TODOS)
        result = export.run_export(sandbox_config(box, tmp_path, cache=False, full=True))
    assert not result.ok
    refused = result.manifest["shrink_refused"]
    assert refused == [{"table": "todos", "before": len(before["todos"]), "after": 5,
                        "partition": None,
                        "remedy": "re-run with --allow-shrink=todos if the deletion is real"}]
    assert files(tmp_path, "bc2", "todos") == stored
    after = stored_tables(tmp_path, "bc2")
    assert after["todos"] == before["todos"]
    assert result.manifest["tables"]["people"]["rows"] == len(before["people"])
    assert result.manifest["tables"]["todos"]["shrink_refused"] is True


def test_full__allow_shrink_accepts_the_loss_for_the_tables_named(tmp_path, empty_answers):
    """With --allow-shrink=todos, expect the same run applied: todos shrink, no refusal."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        export.run_export(sandbox_config(box, tmp_path, cache=False))
        empty_answers(TODOS)
        result = export.run_export(sandbox_config(box, tmp_path, cache=False, full=True,
                                                  allow_shrink=frozenset({"todos"})))
    assert result.ok and result.manifest["shrink_refused"] == []
    assert rows_of(tmp_path, "bc2", "todos") == 5


def test_full__empty_people_listing_keeps_the_stored_people(tmp_path, empty_answers):
    """With people.json answering [], expect 54 people kept (not 3) and exit-7 material."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        export.run_export(sandbox_config(box, tmp_path, cache=False))
        people = stored_tables(tmp_path, "bc2")["people"]
        empty_answers(r"/people\.json$")
        result = export.run_export(sandbox_config(box, tmp_path, cache=False, full=True))
    assert [r["table"] for r in result.manifest["shrink_refused"]] == ["people"]
    assert stored_tables(tmp_path, "bc2")["people"] == people


def test_full__one_project_answering_empty_holds_its_partition(tmp_path, empty_answers):
    """With one project's todos.json answering [] (fewer than 10 rows lost), expect that
    project's stored rows kept exactly (lineage of the first run included), refused by
    project, the other projects' rows rewritten by the second run."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        first = export.run_export(sandbox_config(box, tmp_path, cache=False))
        listed: dict[int, list[bool]] = {}  # open to-dos come from todos.json only
        for row in stored_tables(tmp_path, "bc2")["todos"]:
            listed.setdefault(row["project_id"], []).append(row["completed"])
        project = min((p for p, done in listed.items() if not any(done)),
                      key=lambda p: len(listed[p]))
        stored = rows_of_project(tmp_path, "bc2", "todos", project)
        empty_answers(rf"/projects/{project}/todos\.json$")
        result = export.run_export(sandbox_config(box, tmp_path, cache=False, full=True))
    refused = result.manifest["shrink_refused"]
    assert [(r["table"], r["partition"]["project_id"]) for r in refused][:1] == \
        [("todos", project)]
    assert refused[0]["after"] == 0
    held = rows_of_project(tmp_path, "bc2", "todos", project)
    assert held.num_rows and held.equals(stored)
    assert set(held["_run_id"].to_pylist()) == {first.manifest["run_id"]}
    runs = set(dataset(tmp_path, "bc2", "todos").to_table()["_run_id"].to_pylist())
    assert runs == {first.manifest["run_id"], result.manifest["run_id"]}


def test_full__bc4_empty_recordings_listing_keeps_every_row(tmp_path, empty_answers):
    """With projects/recordings.json answering [] on BC4, expect the export's row count
    unchanged (757, not 711) and the emptied tables refused."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        export.run_export(bc4_config(box, tmp_path, cache=False))
        before = stored_tables(tmp_path, "bc4")
        empty_answers(r"/projects/recordings\.json$")
        result = export.run_export(bc4_config(box, tmp_path, cache=False, full=True))
    assert not result.ok
    assert {"comments", "todolists", "documents"} <= {
        r["table"] for r in result.manifest["shrink_refused"]}
    assert stored_tables(tmp_path, "bc4") == before


def test_full__backpack_listing_emptied_on_the_server_is_refused(tmp_path):
    """With every journal entry gone from the Backpack server, expect the stored entries kept
    and the refusal named; --allow-shrink then applies it."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        assert export.run_export(backpack_config(box, tmp_path)).ok
        entries = stored_tables(tmp_path, "backpack")["journal_entries"]
        assert entries
        box.truth.journal.clear()
        box.truth.index()
        result = export.run_export(backpack_config(box, tmp_path))
        assert [r["table"] for r in result.manifest["shrink_refused"]] == ["journal_entries"]
        assert stored_tables(tmp_path, "backpack")["journal_entries"] == entries
        allowed = export.run_export(backpack_config(box, tmp_path,
                                                    allow_shrink=frozenset({"*"})))
    assert allowed.ok
    assert rows_of(tmp_path, "backpack", "journal_entries") == 0


def test_full__a_calm_rerun_refuses_nothing(tmp_path, export_to, tiny_sandbox):
    """Expect two calm full runs to store alike without any refusal."""
    export_to(tiny_sandbox, tmp_path)
    again = export_to(tiny_sandbox, tmp_path, full=True)
    assert again.ok and again.manifest["shrink_refused"] == []


def test_cli__refused_shrink_exits_7_with_one_line_and_allow_shrink_accepts(
        tmp_path, empty_answers, capsys):
    """Through the CLI: expect exit 7 naming the table, the numbers and the remedy; then
    `--allow-shrink=todos` exits 0."""
    from extract.cli import cli

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        args = ["export", "--base-url", box.base_url, "--username", box.credentials.username,
                "--password", box.credentials.password, "--user-agent", "t (t@example.com)",
                "-o", str(tmp_path), "--no-cache", "--no-rate-limit", "--no-progress"]
        cli.main(args, standalone_mode=False)
        empty_answers(TODOS)
        with pytest.raises(PartialExportError) as refused:
            cli.main([*args, "--full"], standalone_mode=False)
        assert refused.value.exit_code == 7
        line = refused.value.one_line()
        assert "todos would go from 68 to 5 rows" in line
        assert "--allow-shrink=todos" in line
        shown = capsys.readouterr()
        assert "1 shrink refused" in shown.out
        assert "todos: not replaced, it would go from 68 to 5 rows" in shown.err
        assert "Traceback" not in shown.err
        cli.main([*args, "--full", "--allow-shrink=todos"], standalone_mode=False)
        cli.main([*args, "--full", "--allow-shrink"], standalone_mode=False)
    assert rows_of(tmp_path, "bc2", "todos") == 5


def test_rule__half_and_at_least_ten_rows():
    """Expect the default rule to refuse only a loss of more than half AND >= 10 rows, and a
    stated table to shrink freely."""
    assert RULE.refuses(100, 51) and not RULE.refuses(100, 50)
    assert not RULE.refuses(12, 9) and RULE.refuses(12, 10)
    assert not RULE.refuses(100, 90, stated=True)


def test_rule__lost_rows_and_emptied_groups_by_key():
    """Expect rows that came back (trashed or not) not lost, and a status group whose every
    row vanished reported as emptied."""
    stored = pa.table({"id": [1, 2, 3, 4], "status": ["active", "active", "archived",
                                                      "archived"]})
    new = pa.table({"id": [1, 2, 3], "status": ["active", "active", "trashed"]})
    assert lost(stored, new, ["id"]) == 1
    assert emptied(stored, new, ["id"], ["status"]) == []
    gone = pa.table({"id": [1, 2], "status": ["active", "active"]})
    assert emptied(stored, gone, ["id"], ["status"]) == [({"status": "archived"}, 2)]


def test_rule__stated_only_when_every_count_agreed():
    """Expect a table stated by the API only when every endpoint feeding it sent
    X-Total-Count and none disagreed with the rows paged."""
    answers = Answers()
    for endpoint, total in (("todos", 5), ("todolists", None)):
        answers.heard(endpoint, 1, total)
        answers.asked_unit(endpoint, {"project_id": 1})
    assert answers.stated(["todos"], [])
    assert not answers.stated(["todos"], ["todos"])
    assert not answers.stated(["todos", "todolists"], [])
    assert not answers.stated(["comments"], [])


def test_fold__an_incremental_fold_that_empties_a_table_is_refused(tmp_path):
    """Expect a fold whose removals (reconcile, bucket replacement) would empty the stored
    table, or lose most of it, refused and the stored rows left as they were."""
    from extract.families import family

    fam = family("bc2")
    spec = fam.registry["todos"]
    storage = storage_of(fam, Target(Tree.local(tmp_path), "bc2", "account_id", 1), frozenset())
    stored = pa.table({"id": list(range(20)), "project_id": [1] * 20})
    notes = StoreNotes()
    everything = pa.array([True] * 20)
    empty = stored.slice(0, 0)
    assert fold._fold_refused(storage, spec, stored, empty, everything, empty, notes)
    most = pa.array([i < 15 for i in range(20)])
    assert fold._fold_refused(storage, spec, stored, empty, most, stored.slice(15),
                                notes)
    some = pa.array([i < 5 for i in range(20)])
    assert not fold._fold_refused(storage, spec, stored, empty, some, stored.slice(5),
                                    notes)
    replaced = stored.slice(0, 15)  # removed rows that came back are not lost
    assert not fold._fold_refused(storage, spec, stored, replaced, most, stored, notes)
    assert [r.table for r in notes.refused] == ["todos", "todos"]
    allowing = storage_of(fam, Target(Tree.local(tmp_path), "bc2", "account_id", 1),
                          frozenset({"todos"}))
    assert not fold._fold_refused(allowing, spec, stored, empty, everything, empty,
                                    notes)


def test_fold__a_recrawled_bucket_answering_empty_is_refused_unless_events_said_so(tmp_path):
    """Expect a fold that empties one re-crawled project (3 of 20 rows) refused, naming the
    project; and applied when the event feed said those records were deleted."""
    from extract.families import family

    fam = family("bc2")
    spec = fam.registry["todos"]
    storage = storage_of(fam, Target(Tree.local(tmp_path), "bc2", "account_id", 1), frozenset())
    stored = pa.table({"id": list(range(20)), "project_id": [1] * 3 + [2] * 17})
    mask = pa.array([i < 3 for i in range(20)])
    empty = stored.slice(0, 0)
    notes = StoreNotes()
    assert fold._fold_refused(storage, spec, stored, empty, mask, stored.slice(3), notes,
                                {"project_id": {1}})
    assert notes.refused[0].as_dict()["partition"] == {"account_id": 1, "project_id": 1}
    said = StoreNotes()
    said.answers.note_events([{"action": "deleted a to-do", "eventable": {"id": i}}
                              for i in range(3)])
    assert not fold._fold_refused(storage, spec, stored, empty, mask, stored.slice(3),
                                    said, {"project_id": {1}})


def test_fold__a_reconciled_status_list_answering_empty_is_refused_unless_counted(tmp_path):
    """Expect a fold whose reconciled ``status=archived`` list lost every stored archived row
    refused; and applied when the listing's X-Total-Count agreed (the API stated it)."""
    from extract.families import family

    fam = family("bc4")
    spec = fam.registry["todos"]
    storage = storage_of(fam, Target(Tree.local(tmp_path), "bc4", "account_id", 1), frozenset())
    stored = pa.table({"id": list(range(20)), "project_id": [1] * 20,
                       "status": ["archived"] * 2 + ["active"] * 18})
    mask = pa.array([i < 2 for i in range(20)])
    empty = stored.slice(0, 0)
    notes = StoreNotes()
    assert fold._fold_refused(storage, spec, stored, empty, mask, stored.slice(2), notes,
                                None, [{"status": "archived"}])
    assert notes.refused[0].partition == {"account_id": 1, "status": "archived"}
    counted = StoreNotes()
    for endpoint in fam.endpoints_into("todos"):
        counted.answers.heard(endpoint, 1, 3)
        counted.answers.asked_unit(endpoint, {})
    assert not fold._fold_refused(storage, spec, stored, empty, mask, stored.slice(2),
                                    counted, None, [{"status": "archived"}])


def test_incremental__bc4_recordings_answering_empty_keep_every_row(tmp_path, empty_answers):
    """With changes made and projects/recordings.json answering [] (X-Total-Count as sent),
    expect the incremental run to keep every stored row and refuse the folds it would drop:
    a listing that answers empty while its count says otherwise contradicts itself."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        export.run_export(bc4_config(box, tmp_path, cache=False))
        before = {t: len(rows) for t, rows in stored_tables(tmp_path, "bc4").items()}
        box.mutate(10, seed=3)
        empty_answers(r"/projects/recordings\.json$")
        result = export.run_export(bc4_config(box, tmp_path, cache=False))
    assert result.manifest["mode"] == "incremental" and not result.ok
    assert {"comments", "documents", "todos"} <= {
        r["table"] for r in result.manifest["shrink_refused"]}
    after = {t: len(rows) for t, rows in stored_tables(tmp_path, "bc4").items()}
    assert all(after[t] >= n for t, n in before.items()), after
