"""No silently partial table: BC2 subscriber lists (and a to-do's attachments) exist only in
member responses, which the default crawl reads only for records with comments. Those tables
are opt-in (``--with subscribers``), complete when chosen and not written otherwise; the
manifest and ``basecamp-extract tables`` say which."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from extract.cli import cli
from extract.export import run_export
from extract.families import family
from sandbox import Sandbox
from tests.conftest import sandbox_config
from transforms.read import dataset

OPT_IN = ["calendar_events__subscribers", "todolists__subscribers", "todos__attachments",
          "todos__subscribers"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The same tiny sandbox exported without and with --with subscribers."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        plain_out = tmp_path_factory.mktemp("plain")
        plain = run_export(sandbox_config(box, plain_out))
        box.reset_log()
        full_out = tmp_path_factory.mktemp("subscribers")
        chosen = run_export(sandbox_config(box, full_out, options=("subscribers",)))
        yield {"box": box, "plain": plain, "plain_out": plain_out, "with": chosen,
               "with_out": full_out}


def _rows(out: Any, table: str, columns: list[str]) -> set[tuple[Any, ...]]:
    data = dataset(out, "bc2", table).to_table(columns=columns)
    return {tuple(r[c] for c in columns) for r in data.to_pylist()}


def _truth(box: Sandbox) -> dict[str, set[tuple[Any, ...]]]:
    """The sandbox's own subscriber lists and to-do attachments, for reachable records."""
    truth = box.truth
    live = {p.id for p in truth.projects.values() if p.state in ("active", "archived", "draft")}

    def subscribed(records: Any, reachable: Any) -> set[tuple[int, int, int]]:
        return {(r.id, n, person) for r in records.values() if reachable(r)
                for n, person in enumerate(r.subscriber_ids)}

    return {
        "todos__subscribers": subscribed(truth.todos, lambda t: t.project_id in live),
        "todolists__subscribers": subscribed(truth.todolists, lambda t: t.project_id in live),
        "calendar_events__subscribers": subscribed(
            truth.calendar_events, lambda e: e.bucket_type != "Project" or e.bucket_id in live),
        "todos__attachments": {(a.attachable_id, a.id) for a in truth.attachments.values()
                               if a.attachable_type == "Todo" and not a.trashed
                               and a.project_id in live},
    }


def test_subscribers__with_the_option_every_table_equals_the_truth(exports):
    """With --with subscribers, expect each opt-in table to hold exactly the sandbox's rows
    (was: only the records with comments, e.g. 451 of 1,421 to-do subscribers)."""
    truth = _truth(exports["box"])
    out = exports["with_out"]
    for table in ("todos__subscribers", "todolists__subscribers",
                  "calendar_events__subscribers"):
        parent = family("bc2").registry[table].key[0]
        got = _rows(out, table, [parent, "ordinal", "id"])
        assert got == truth[table], table
        assert truth[table], table
    todo_files = _rows(out, "todos__attachments", ["todo_id", "key"])
    attachments = exports["box"].truth.attachments
    assert todo_files == {(t, attachments[a].key) for t, a in truth["todos__attachments"]}
    assert exports["with"].manifest["not_written"] == []


def test_subscribers__without_the_option_the_tables_are_not_written(exports):
    """Without the option, expect no opt-in table on disk, the manifest listing them under
    ``not_written``, and every other table the same as with the option."""
    out = exports["plain_out"]
    assert exports["plain"].manifest["not_written"] == OPT_IN
    for table in OPT_IN:
        assert not (out / "bc2" / table).exists(), table
        assert table not in exports["plain"].manifest["tables"]
    plain = exports["plain"].manifest["tables"]
    full = exports["with"].manifest["tables"]
    assert {t: v["rows"] for t, v in plain.items()} == \
        {t: v["rows"] for t, v in full.items() if t not in OPT_IN}


def test_subscribers__the_option_costs_one_read_per_record_and_nothing_by_default(exports):
    """With the option, expect one more member read per to-do, to-do list and calendar event
    that the default crawl does not read; without it, the default crawl's requests."""
    box = exports["box"]
    truth = box.truth
    live = {p.id for p in truth.projects.values() if p.state in ("active", "archived", "draft")}
    plain = exports["plain"].manifest["http"]["requests"]
    extra = exports["with"].manifest["http"]["requests"] - plain
    todos = sum(1 for t in truth.todos.values() if t.project_id in live)
    lists = sum(1 for t in truth.todolists.values() if t.project_id in live)
    assert 0 < extra <= todos + lists + len(truth.calendar_events)
    assert exports["with"].manifest["tables"]["todos__subscribers"]["rows"] > \
        sum(1 for t in truth.todos.values() if t.project_id in live)


def test_subscribers__tables_command_marks_the_opt_in_tables():
    """`basecamp-extract tables` marks each opt-in table with its option (BC2 and BC4)."""
    done = CliRunner().invoke(cli, ["tables"])
    assert done.exit_code == 0
    marked = {line.split()[0] for line in done.output.splitlines()
              if "[opt-in: --with subscribers]" in line}
    assert marked == set(OPT_IN)
    bc4 = CliRunner().invoke(cli, ["tables", "--api", "bc4"]).output
    assert any(line.startswith("subscriptions ") and "[opt-in: --with subscriptions]" in line
               for line in bc4.splitlines())


def test_subscribers__an_unknown_option_names_the_known_ones():
    from transforms.errors import ConfigError

    with pytest.raises(ConfigError) as failed:
        family("bc2").with_options(["subscriber"])
    assert "known: subscribers" in failed.value.one_line()


def test_subscribers__adding_the_option_to_an_incremental_run_makes_it_full(tmp_path):
    """With a default export stored, expect a later --with subscribers run to be full (the
    tables it adds would otherwise hold only the changed records' rows)."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        assert run_export(sandbox_config(box, tmp_path)).ok
        chosen = run_export(sandbox_config(box, tmp_path, options=("subscribers",)))
        assert chosen.manifest["mode"] == "full"
        again = run_export(sandbox_config(box, tmp_path, options=("subscribers",)))
        assert again.manifest["mode"] == "incremental"
        truth = _truth(box)["todos__subscribers"]
        assert _rows(tmp_path, "todos__subscribers", ["todo_id", "ordinal", "id"]) == truth


def test_audit__bc4_tables_only_the_everything_lists_fill_are_opt_in(tmp_path):
    """BC4: assignees (and other child lists) of to-dos and cards come whole only from the BC5
    everything lists (active rows of active projects) or a member read. Expect a default
    export to write none of them and say so (was: written with that share, marked partial);
    tests/test_bc4_details.py checks them complete with --with details."""
    from tests.test_bc4_export import config

    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        result = run_export(config(box, tmp_path))
    assert {"todos__assignees", "cards__assignees"} <= set(result.manifest["not_written"])
    assert "partial" not in result.manifest
    assert not (tmp_path / "bc4" / "todos__assignees").exists()
    listed = CliRunner().invoke(cli, ["tables", "--api", "bc4"]).output
    assert any(line.startswith("todos__assignees ") and "[opt-in: --with details]" in line
               for line in listed.splitlines())
