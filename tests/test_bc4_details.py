"""No silently partial table, Basecamp 4: a to-do's or card's child lists (assignees,
completion subscribers, steps, card attachments) come whole only with the record itself. The
BC5 everything lists carry them for active rows of active projects; every other to-do and card
is only in the thin recordings projection. Those eight tables are opt-in (``--with details``
reads each record the everything lists leave out), complete when chosen and not written
otherwise; the manifest and ``basecamp-extract tables`` say which."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest
from click.testing import CliRunner

from extract.cli import cli
from extract.export import run_export
from extract.families.bc4.catalog import OPT_IN_TABLES
from sandbox import Sandbox
from sandbox.bc4.model import ACTIVE
from tests.conftest import stored_tables
from tests.test_bc4_export import config
from transforms.read import dataset

DETAILS = sorted(OPT_IN_TABLES)
LISTS = {"todos__assignees": ("Todo", "assignees"),
         "todos__completion_subscribers": ("Todo", "completion_subscribers"),
         "cards__assignees": ("Kanban::Card", "assignees"),
         "cards__completion_subscribers": ("Kanban::Card", "completion_subscribers")}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The tiny sandbox exported without and with --with details (no HTTP cache)."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        plain_out = tmp_path_factory.mktemp("plain")
        plain = run_export(config(box, plain_out, cache=False))
        plain_minimum = box.minimum_requests()
        box.reset_log()
        with_out = tmp_path_factory.mktemp("details")
        chosen = run_export(config(box, with_out, options=("details",), cache=False))
        yield {"box": box, "plain": plain, "plain_out": plain_out, "with": chosen,
               "with_out": with_out, "plain_minimum": plain_minimum,
               "with_minimum": box.minimum_requests(), "paths": [r["path"] for r in
                                                                   box.requests]}


def _rows(out: Any, table: str, columns: Iterable[str]) -> set[tuple[Any, ...]]:
    data = dataset(out, "bc4", table).to_table(columns=list(columns))
    return {tuple(r.values()) for r in data.to_pylist()}


def _live(box: Sandbox, kind: str) -> list[Any]:
    """Recordings of a type the export can reach (projects neither trashed nor templates)."""
    projects = box.truth.projects
    return [r for r in box.truth.recordings.values() if r.type == kind
            and projects[r.bucket_id].status != "trashed" and not projects[r.bucket_id].template]


def _thin(box: Sandbox, kind: str) -> list[Any]:
    """What the everything lists leave out: rows not active, or in a project not active."""
    projects = box.truth.projects
    return [r for r in _live(box, kind)
            if r.status != ACTIVE or projects[r.bucket_id].status != ACTIVE]


def _truth(box: Sandbox) -> dict[str, set[tuple[Any, ...]]]:
    """Each opt-in table as the sandbox holds it, for every reachable to-do and card.

    The sandbox renders completion subscribers, card attachments and step assignees empty and
    gives to-dos no steps, so those tables are whole when empty."""
    recordings = box.truth.recordings
    out: dict[str, set[tuple[Any, ...]]] = {}
    for table, (kind, field) in LISTS.items():
        out[table] = {(r.id, n, person) for r in _live(box, kind)
                      for n, person in enumerate(r.extra.get(field, ()))}
    out["card_steps__assignees"] = {
        (s.id, n, person) for card in _live(box, "Kanban::Card")
        for s in recordings.values() if s.type == "Kanban::Step" and s.parent_id == card.id
        and s.status == card.status for n, person in enumerate(s.extra["assignees"])}
    for table in ("todos__steps", "todos__steps__assignees", "cards__description_attachments"):
        out[table] = set()
    return out


def test_details__by_default_the_eight_tables_are_not_written(exports):
    """Without the option, expect none of the eight tables on disk, each listed under the
    manifest's ``not_written``, no ``partial`` key left, and every other table as with it
    (was: written with the everything lists' share, e.g. to-do assignees of active to-dos
    of active projects only, marked partial)."""
    manifest = exports["plain"].manifest
    assert exports["plain"].ok
    assert manifest["not_written"] == DETAILS
    assert "partial" not in manifest
    for table in DETAILS:
        assert not (exports["plain_out"] / "bc4" / table).exists(), table
        assert table not in manifest["tables"], table
    full = exports["with"].manifest["tables"]
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == \
        {t: v["rows"] for t, v in full.items() if t not in DETAILS}


def test_details__with_the_option_every_table_equals_the_truth(exports):
    """With --with details, expect each of the eight tables written and equal to the sandbox's
    lists for every reachable to-do and card, thin ones included."""
    box, out = exports["box"], exports["with_out"]
    manifest = exports["with"].manifest
    assert exports["with"].ok and manifest["not_written"] == []
    truth = _truth(box)
    assert set(truth) == set(DETAILS)
    for table in DETAILS:
        assert table in manifest["tables"], table
        if not truth[table]:
            assert manifest["tables"][table]["rows"] == 0, table
            continue
        key = "todo_id" if table.startswith("todos") else "card_id"
        assert _rows(out, table, [key, "ordinal", "id"]) == truth[table], table
    thin = {r.id for r in _thin(box, "Todo")}
    assert {t for t, _, _ in truth["todos__assignees"]} & thin  # the thin ones count


def test_details__thin_rows_are_whole_after_the_member_read(exports):
    """With --with details, expect every to-do and card row whole (``completed`` as the
    sandbox holds it), where by default the thin ones have none."""
    box = exports["box"]
    for table, kind in (("todos", "Todo"), ("cards", "Kanban::Card")):
        truth = {r.id: r.extra["completed"] for r in _live(box, kind)}
        got = {r["id"]: r["completed"] for r in
               dataset(exports["with_out"], "bc4", table).to_table().to_pylist()}
        assert got == truth, table
        plain = {r["id"]: r["completed"] for r in
                 dataset(exports["plain_out"], "bc4", table).to_table().to_pylist()}
        assert {i for i, done in plain.items() if done is None} == \
            {r.id for r in _thin(box, kind)}, table


def test_details__costs_one_read_per_thin_record_and_nothing_by_default(exports):
    """With the option, expect one member read per to-do and card the everything lists leave
    out, none for the others, and the run as cheap as the oracle; without it, no member read
    of a to-do or card at all."""
    box = exports["box"]
    thin = len(_thin(box, "Todo")) + len(_thin(box, "Kanban::Card"))
    plain = exports["plain"].manifest["http"]["requests"]
    chosen = exports["with"].manifest["http"]["requests"]
    assert thin > 0 and chosen - plain == thin
    assert plain == exports["plain_minimum"] and chosen == exports["with_minimum"]
    members = [p for p in exports["paths"]
               if re.fullmatch(r".*/(todos|card_tables/cards)/\d+\.json", p)]
    assert len(members) == len(set(members)) == thin


def test_details__tables_command_marks_the_opt_in_tables():
    """`basecamp-extract tables --api bc4` marks exactly the eight tables with --with details
    and says no table is partial."""
    done = CliRunner().invoke(cli, ["tables", "--api", "bc4"])
    assert done.exit_code == 0
    marked = {line.split()[0] for line in done.output.splitlines()
              if "[opt-in: --with details]" in line}
    assert marked == set(DETAILS)
    assert "[partial" not in done.output


def test_details__adding_the_option_makes_the_next_run_full_then_incremental(tmp_path):
    """With a default export stored, expect a --with details run to be full (the tables it
    adds would otherwise hold only the changed records' rows), the next one incremental."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        assert run_export(config(box, tmp_path)).ok
        chosen = run_export(config(box, tmp_path, options=("details",)))
        assert chosen.manifest["mode"] == "full"
        again = run_export(config(box, tmp_path, options=("details",)))
        assert again.manifest["mode"] == "incremental" and again.ok
        truth = _truth(box)["todos__assignees"]
    assert _rows(tmp_path, "todos__assignees", ["todo_id", "ordinal", "id"]) == truth


def test_details__incremental_after_changes_equals_a_fresh_full_export(tmp_path):
    """With --with details and creates, updates, trashing, archiving and deletes since the
    last run, expect the incremental output to equal a fresh full export row for row: a to-do
    or card that turned thin is read as a member again (its lists are not wiped by its thin
    row); members read are changed records, or thin ones of a listing a hard delete made the
    run read again whole (it replaces their stored rows), each once."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        assert run_export(config(box, tmp_path / "nightly", options=("details",))).ok
        changed = box.mutate(24, seed=5)
        assert changed["trashed"] or changed["archived"]
        box.reset_log()
        nightly = run_export(config(box, tmp_path / "nightly", options=("details",)))
        members = [r["path"] for r in box.requests
                   if re.fullmatch(r".*/(todos|card_tables/cards)/\d+\.json", r["path"])]
        fresh = run_export(config(box, tmp_path / "fresh", options=("details",), cache=False))
        touched = {i for ids in changed.values() for i in ids}
        thin = {r.id for r in _thin(box, "Todo") + _thin(box, "Kanban::Card")}
    assert nightly.manifest["mode"] == "incremental" and nightly.ok
    assert nightly.manifest["http"]["requests"] < fresh.manifest["http"]["requests"]
    read = [int(p.rsplit("/", 1)[-1].removesuffix(".json")) for p in members]
    assert read and len(read) == len(set(read)) and set(read) <= touched | thin
    got, want = stored_tables(tmp_path / "nightly", "bc4"), stored_tables(tmp_path / "fresh", "bc4")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name


def test_details__nothing_changed_reads_no_member(tmp_path):
    """With --with details and nothing changed, expect the incremental run to read no to-do
    or card member and leave every table as it was."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        assert run_export(config(box, tmp_path, options=("details",))).ok
        before = stored_tables(tmp_path, "bc4")
        box.reset_log()
        again = run_export(config(box, tmp_path, options=("details",)))
        members = [r["path"] for r in box.requests
                   if re.fullmatch(r".*/(todos|card_tables/cards)/\d+\.json", r["path"])]
    assert again.manifest["mode"] == "incremental" and again.ok
    assert members == []
    assert stored_tables(tmp_path, "bc4") == before


def _toy_crawl(stop: Any = None, since: str | None = None) -> tuple[list[Any], list[str]]:
    """A catalog of three entries over a fake page source: ``all`` lists records 1-5 (thin),
    ``whole`` returns 1 and 2 whole (slowly), ``get`` reads members unless ``whole`` did."""
    import threading
    from datetime import UTC, datetime

    from extract.catalog import Catalog, Endpoint
    from extract.crawl import Crawl
    from extract.page import Page

    catalog = Catalog("toy", "http://toy", 50, (
        Endpoint("all", "/all.json", "t"),
        Endpoint("whole", "/whole.json", "t"),
        Endpoint("get", "/t/{t_id}.json", "t", kind="member", paging="none", parents=("all",),
                 bind={"t_id": "id"}, unless_in=("whole",), changed_since="since"),
    ))
    asked: list[Any] = []
    order: list[str] = []
    lock = threading.Lock()
    listed = threading.Event()
    stamps = {i: f"2026-01-0{i}T00:00:00+00:00" for i in range(1, 6)}

    def pages(unit: Any) -> list[Page]:
        eid = unit.endpoint.id
        if eid == "whole":
            listed.wait(10)  # answers after ``all`` did: the member reads must wait for it
            records = [{"id": 1}, {"id": 2}]
        elif eid == "all":
            records = [{"id": i, "updated_at": stamps[i]} for i in stamps]
        else:
            records = [{"id": unit.ctx["t_id"]}]
            with lock:
                asked.append(unit.ctx["t_id"])
        with lock:
            order.append(eid)
        return [Page(1, unit.url, records, b"", 200, False, datetime.now(UTC))]

    Crawl(None, catalog, "http://toy", {"since": since} if since else {},  # type: ignore[arg-type]
          endpoints={"all", "whole", "get"}, pages=pages,
          sink=lambda unit, page: listed.set() if unit.endpoint.id == "all" else None,
          stop=stop).run()
    return asked, order


def test_crawl__unless_in_waits_for_the_whole_listing_and_reads_only_what_it_left_out():
    """With a member entry ``unless_in`` a listing, expect its reads to start only once that
    listing is done, and only for the records it did not return."""
    asked, order = _toy_crawl()
    assert sorted(asked) == [3, 4, 5]
    assert order.index("whole") < order.index("get")


def test_crawl__changed_since_applies_to_a_feed_read_only():
    """With ``since`` in the context, expect a feed read (a crawl given ``stop``) to read the
    members of records changed since only, and a whole read to read them all."""
    never = lambda unit, page: False  # noqa: E731
    assert sorted(_toy_crawl(never, "2026-01-04T00:00:00+00:00")[0]) == [4, 5]
    assert sorted(_toy_crawl(None, "2026-01-04T00:00:00+00:00")[0]) == [3, 4, 5]


def test_crawl__a_unit_found_after_a_fatal_stop_is_dropped_quietly():
    """With the pool already shut down by a fatal error elsewhere (a 401 in another worker),
    expect a child found late to be dropped with the pending count restored, not a
    'cannot schedule new futures' error logged as a bug."""
    from concurrent.futures import ThreadPoolExecutor

    from extract.catalog import Catalog, Endpoint
    from extract.crawl import Crawl

    catalog = Catalog("toy", "http://toy", 50, (Endpoint("all", "/all.json", "t"),))
    crawl = Crawl(None, catalog, "http://toy", {}, endpoints={"all"},  # type: ignore[arg-type]
                  sink=lambda unit, page: None)
    crawl._pool = ThreadPoolExecutor(1)
    crawl._pool.shutdown()
    crawl._submit(crawl._unit(catalog["all"], {}))
    assert crawl._pending == 0 and crawl._running["all"] == 0
