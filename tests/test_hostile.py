"""Issue 12 end to end: the console script against sandboxes behind a misbehaving proxy.

Each test is one case of the issue's list, asserted as the cross-helper contract states it
(exit code, one line and no traceback on stderr, stored rows unchanged or healed, nothing
fetched from or stored for another origin). Tests that need a first full export copy one
calm export made once per module; tests that change the served account start their own.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.foreign import FOREIGN_ID, ForeignServer
from sandbox.hostile import (
    PAST_DATE,
    HostileProxy,
    delay,
    edit,
    empty,
    explicit_default_port,
    fail,
    html,
    link,
    malformed,
    redirect,
    strip_validators,
    truncate,
)
from tests.hostile_cases import (
    SUBSCRIBER_TABLES,
    Target,
    assert_no_traceback,
    assert_one_line_error,
    cli,
    copy_output,
    counts,
    drop_first_comment_id,
    errors,
    guard_violations,
    holds_value,
    manifest,
    message_with_comments,
    rejects,
    stored_subscribers,
    subscriber_truth,
    tables,
    wait_for,
    warnings,
)

RETRY_FOR = ("--retry-for", "2")  # contract 4: the retry budget in seconds (tests: small)
PEOPLE = r"/people\.json$"


# ---------------------------------------------------------------------- shared accounts
@pytest.fixture(scope="module")
def bc2_target():
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        yield Target(box, proxy)


@pytest.fixture(scope="module")
def bc4_target():
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        yield Target(box, proxy)


@pytest.fixture
def bc2(bc2_target):
    bc2_target.proxy.reset()
    return bc2_target


@pytest.fixture
def bc4(bc4_target):
    bc4_target.proxy.reset()
    return bc4_target


def _calm(target: Target, output: Path) -> Path:
    target.proxy.reset()
    proc = target.export(output)
    assert proc.returncode == 0, proc.stderr
    return output


@pytest.fixture(scope="module")
def bc2_calm_dir(bc2_target, tmp_path_factory) -> Path:
    """A calm first full export of the shared BC2 account, through the (idle) proxy."""
    return _calm(bc2_target, tmp_path_factory.mktemp("bc2-calm"))


@pytest.fixture(scope="module")
def bc4_calm_dir(bc4_target, tmp_path_factory) -> Path:
    return _calm(bc4_target, tmp_path_factory.mktemp("bc4-calm"))


@pytest.fixture(scope="module")
def bc2_calm(bc2_calm_dir):
    """The calm export's tables: what every healed or refused run must still hold."""
    return tables(bc2_calm_dir, "bc2")


@pytest.fixture(scope="module")
def bc4_calm(bc4_calm_dir):
    return tables(bc4_calm_dir, "bc4")


@pytest.fixture
def seeded(bc2_calm_dir, tmp_path) -> Path:
    """A private copy of the calm BC2 export (state, manifests and HTTP cache included)."""
    return copy_output(bc2_calm_dir, tmp_path / "out")


@pytest.fixture
def foreign():
    with ForeignServer() as server:
        yield server


def test_proxy__an_idle_proxy_changes_nothing(bc2, bc2_calm, tmp_path):
    """With no rule, expect the export through the proxy to equal one made directly: the
    harness itself adds no difference the other tests could mistake for a bug."""
    output = tmp_path / "direct"
    proc = bc2.export(output, base_url=bc2.box.base_url)
    assert proc.returncode == 0, proc.stderr
    assert bc2.proxy.seen == []
    assert tables(output, "bc2") == bc2_calm


# ---------------------------------------------------------------------- 1. silent wipe
def test_wipe__bc2_empty_todos_listing_of_one_project_is_refused(bc2, seeded, bc2_calm):
    """With one project's todos.json answering [] on a --full run after a full one, expect
    exit 7, the todos rows kept, and the refusal named in the manifest and on stderr."""
    projects = [row["project_id"] for row in bc2_calm["todos"]]
    busiest = max(set(projects), key=projects.count)
    bc2.proxy.use(empty(rf"/projects/{busiest}/todos\.json$"))
    proc = bc2.export(seeded, "--full")
    after = tables(seeded, "bc2")
    assert len(after["todos"]) == len(bc2_calm["todos"]), "todos shrank"
    assert after["todos"] == bc2_calm["todos"]
    assert guard_violations(bc2_calm, after, "bc2") == []
    _assert_refused(proc, seeded, "bc2", "todos")


def test_wipe__bc2_empty_people_listing_is_refused(bc2, seeded, bc2_calm):
    """With people.json answering [] on a --full run, expect exit 7 and every person kept."""
    bc2.proxy.use(empty(PEOPLE))
    proc = bc2.export(seeded, "--full")
    after = tables(seeded, "bc2")
    assert len(after["people"]) == len(bc2_calm["people"]), "people shrank"
    assert guard_violations(bc2_calm, after, "bc2") == []
    _assert_refused(proc, seeded, "bc2", "people")


def test_wipe__bc4_empty_recordings_listing_is_refused(bc4, bc4_calm_dir, bc4_calm, tmp_path):
    """With /projects/recordings.json answering [] (X-Total-Count still saying otherwise) on a
    --full run, expect exit 7 and the export's stored rows all kept (issue: 757 -> 711)."""
    output = copy_output(bc4_calm_dir, tmp_path / "out")
    bc4.proxy.use(empty(r"/projects/recordings\.json$"))
    proc = bc4.export(output, "--full")
    after = tables(output, "bc4")
    assert sum(counts(after).values()) == sum(counts(bc4_calm).values())
    assert after["todos"] == bc4_calm["todos"]
    assert guard_violations(bc4_calm, after, "bc4") == []
    _assert_refused(proc, output, "bc4", "todos")


def test_wipe__allow_shrink_accepts_a_real_mass_deletion(bc2, seeded, bc2_calm):
    """With the same empty people.json and --allow-shrink=people, expect the deletion applied
    (exit 0, nothing refused): the remedy the refusal names works."""
    bc2.proxy.use(empty(PEOPLE))
    proc = bc2.export(seeded, "--full", "--allow-shrink=people")
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(tables(seeded, "bc2")["people"]) < len(bc2_calm["people"])
    assert manifest(seeded, "bc2").get("shrink_refused", []) == []


def test_wipe__deletions_the_api_states_go_through(tmp_path):
    """With documents trashed, to-dos completed and messages edited on the server (the
    events feed says so), expect an incremental run and a --full run each to end ok and
    refuse nothing: the guard stops silent wipes, not the account's own history."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        target, output = Target(box, proxy), tmp_path / "out"
        assert target.export(output).returncode == 0
        for seed, mode in ((1, ()), (2, ("--full",))):
            trashed = box.mutate(5, seed=seed)["document_trashed"]
            proc = target.export(output, *mode)
            assert_no_traceback(proc)
            assert proc.returncode == 0, f"{mode or 'incremental'}: {proc.stderr[-3000:]}"
            assert manifest(output, "bc2").get("shrink_refused", []) == []
            documents = {row["id"]: row for row in tables(output, "bc2")["documents"]}
            assert all(d not in documents or documents[d]["trashed"] for d in trashed)


def _assert_refused(proc, output: Path, api: str, table: str) -> None:
    """Contract 1: exit 7, a warning naming the table, manifest shrink_refused with remedy."""
    assert_no_traceback(proc)
    assert proc.returncode == 7, proc.stderr[-3000:]
    assert any(table in line for line in warnings(proc)), proc.stderr[-3000:]
    assert "shrink refused" in proc.stdout
    refused = manifest(output, api).get("shrink_refused", [])
    named = [entry for entry in refused if entry["table"] == table]
    assert named, refused
    assert all(e["before"] > e["after"] and "--allow-shrink" in e["remedy"] for e in named)


# ---------------------------------------------------------------------- 2. foreign data
@pytest.mark.parametrize("where", ["another port", "another host"])
def test_foreign__bc2_redirect_to_another_origin_is_refused(bc2, foreign, bc2_calm, tmp_path,
                                                            where):
    """With people.json answering 302 to another origin, expect no request there, the unit
    failed with one line naming it (exit 7), nothing foreign stored; a later calm --full
    run stores the honest people and nothing foreign, in the output or the HTTP cache."""
    to = foreign.origin if where == "another port" else \
        foreign.origin.replace("127.0.0.1", "localhost")
    output = tmp_path / "out"
    bc2.proxy.use(redirect(PEOPLE, to))
    proc = bc2.export(output, "--steps", "people")
    assert foreign.received == [], "a request reached the other origin"
    assert_one_line_error(proc, 7, "refused a redirect to another origin", to)
    assert holds_value(tables(output, "bc2"), FOREIGN_ID) == []
    bc2.proxy.reset()
    proc = bc2.export(output, "--steps", "people", "--full")
    assert proc.returncode == 0, proc.stderr
    stored = tables(output, "bc2")
    assert holds_value(stored, FOREIGN_ID) == []
    assert stored["people"] == bc2_calm["people"]
    assert not [p for p in output.rglob("*") if p.is_file()
                and b"foreign@evil.example" in p.read_bytes()], "foreign body kept on disk"


def test_foreign__bc4_redirect_to_another_origin_is_refused(bc4, foreign, tmp_path):
    """With BC4 people.json answering 302 to another origin, expect no request there, exit 7
    with one line naming it, and no foreign person stored."""
    output = tmp_path / "out"
    bc4.proxy.use(redirect(PEOPLE, foreign.origin))
    proc = bc4.export(output, "--steps", "people")
    assert foreign.received == [], "a request reached the other origin"
    assert_one_line_error(proc, 7, "refused a redirect to another origin", foreign.origin)
    assert holds_value(tables(output, "bc4"), FOREIGN_ID) == []


# ---------------------------------------------------------------------- 3. stale cache
def test_cache__answers_without_validators_are_not_reused(tmp_path):
    """With a server sending neither ETag nor Last-Modified and growing between runs, expect
    the second --full run to store the new rows (issue: 133 to-dos stored of 153)."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        target, output = Target(box, proxy), tmp_path / "out"
        proxy.use(strip_validators())
        assert target.export(output).returncode == 0
        before = tables(output, "bc2")
        changed = box.mutate(2, seed=1)  # a new to-do and a new comment, nothing removed
        proc = target.export(output, "--full")
        assert proc.returncode == 0, proc.stderr
        after = tables(output, "bc2")
    new_todos = set(changed["todo_created"])
    assert new_todos <= {row["id"] for row in after["todos"]}
    assert len(after["todos"]) == len(before["todos"]) + len(new_todos)
    assert set(changed["commented"]) <= {row["id"] for row in after["comments"]}


# ---------------------------------------------------------------------- 4. retries
@pytest.mark.parametrize("status,retry_after", [
    (503, None), (429, None), (429, "0"), (503, PAST_DATE), (429, "-5"), (503, "120junk"),
], ids=["503", "429", "429-ra-0", "503-ra-past", "429-ra-negative", "503-ra-junk"])
def test_retry__first_retry_waits_at_least_a_second(bc2, bc2_calm, tmp_path, status,
                                                    retry_after):
    """With one 429/503 (Retry-After absent, zero, past, negative or junk) before a 200,
    expect the run to end ok, the retry sent >= 1 s after the failure, and counted."""
    output = tmp_path / "out"
    bc2.proxy.use(fail(PEOPLE, status, times=1, retry_after=retry_after))
    proc = bc2.export(output, "--steps", "people")
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, second = bc2.proxy.requests_to(PEOPLE)[:2]
    assert (first.status, second.status) == (status, 200)
    assert second.at - first.at >= 1.0, f"retried after {second.at - first.at:.3f} s"
    assert manifest(output, "bc2")["http"]["retries"] >= 1
    assert tables(output, "bc2")["people"] == bc2_calm["people"]


def test_retry__a_storm_is_outlasted_within_the_time_budget(bc2, bc2_calm, tmp_path):
    """With a 502 then six 429s (Retry-After: 1) on one listing, more failures than the old
    six retries, expect the unit to keep trying and the run to end ok."""
    output = tmp_path / "out"
    bc2.proxy.use(fail(PEOPLE, 502, times=1), fail(PEOPLE, 429, times=6, retry_after="1"))
    proc = bc2.export(output, "--steps", "people")
    assert proc.returncode == 0, proc.stderr[-3000:]
    statuses = [seen.status for seen in bc2.proxy.requests_to(PEOPLE)]
    assert statuses[:8] == [502, *[429] * 6, 200]
    assert manifest(output, "bc2")["http"]["retries"] >= 7
    assert tables(output, "bc2")["people"] == bc2_calm["people"]


def test_retry__truncated_body_is_retried(bc2, bc2_calm, tmp_path):
    """With people.json cut off before its Content-Length once, expect a re-send and ok."""
    output = tmp_path / "out"
    bc2.proxy.use(truncate(PEOPLE, times=1))
    proc = bc2.export(output, "--steps", "people")
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(bc2.proxy.requests_to(PEOPLE)) >= 2
    assert manifest(output, "bc2")["http"]["retries"] >= 1
    assert tables(output, "bc2")["people"] == bc2_calm["people"]


@pytest.mark.parametrize("rule", [html, malformed], ids=["html-in-200", "malformed-json"])
def test_retry__refetched_bad_bodies_count_as_retries(bc2, bc2_calm, tmp_path, rule):
    """With one bad body (HTML in a 200, or JSON cut short) on people.json, expect the re-fetch
    counted as one retry in the manifest and the summary line."""
    output = tmp_path / "out"
    bc2.proxy.use(rule(PEOPLE, times=1))
    proc = bc2.export(output, "--steps", "people")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert manifest(output, "bc2")["http"]["retries"] == 1
    assert ", 1 retries," in proc.stdout, proc.stdout
    assert tables(output, "bc2")["people"] == bc2_calm["people"]


def test_retry__failure_line_quotes_the_request_id(bc2, tmp_path):
    """With people.json answering 503 + X-Request-Id until the budget ends, expect exit 7 and
    the one error line quoting the server's request id."""
    bc2.proxy.use(fail(PEOPLE, 503, request_id="req-hostile-503"))
    proc = bc2.export(tmp_path / "out", "--steps", "people", *RETRY_FOR)
    assert_one_line_error(proc, 7, "people.json", "request id req-hostile-503")


RECORDINGS = r"/projects/recordings\.json$"


def test_link__closing_bracket_before_the_link_does_not_hide_it(bc4, bc4_calm, tmp_path):
    """With every next link written `>x<…>; rel="next"` (the official conformance case: the
    target lies between the first `<` and the first `>` after it), expect every page followed,
    no path made up from the junk (issue: `/999/x%3C/projects.json`), the export calm."""
    output = tmp_path / "out"
    bc4.proxy.use(link(RECORDINGS, lambda value: ">x" + value))
    proc = bc4.export(output)
    assert_no_traceback(proc)
    assert [s.path for s in bc4.proxy.seen if "x%3C" in s.path or "x<" in s.path] == []
    assert [s.path for s in bc4.proxy.seen if s.status == 404] == []
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [s for s in bc4.proxy.requests_to(RECORDINGS) if "page=2" in s.query]
    assert tables(output, "bc4") == bc4_calm


@pytest.mark.parametrize("value", ['<>; rel="next"', '<; rel="next"'],
                         ids=["empty-target", "unterminated"])
def test_link__malformed_next_link_is_ignored_with_a_warning(bc4, tmp_path, value):
    """With next links that hold no URL (`<>`, or a `<` never closed), expect a warning about
    the Link header, no further page: no request repeated, none made up (a page cap of 5
    bounds today's loop on `<>`)."""
    bc4.proxy.use(link(RECORDINGS, lambda _: value))
    proc = bc4.export(tmp_path / "out", "--max-pages", "5")
    assert_no_traceback(proc)
    listings = [s.query for s in bc4.proxy.requests_to(RECORDINGS)]
    assert len(listings) == len(set(listings)), "a page was requested again"
    assert [s.path for s in bc4.proxy.seen if s.status == 404] == []
    assert any("link" in line.lower() for line in warnings(proc)), proc.stderr[-3000:]
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_link__same_origin_with_explicit_default_port_is_followed(bc4, bc4_calm, tmp_path):
    """With next links written with the default port spelt out (http://localhost:80/… for a
    base URL of http://localhost/…, the loopback twin of https://h:443/), expect every page
    followed and the export equal to a calm one. The client reaches `localhost:80` through
    the proxy as its HTTP_PROXY, so no privileged port is bound."""
    output = tmp_path / "out"
    bc4.proxy.use(link(RECORDINGS, explicit_default_port))
    base_url = f"http://localhost/{bc4.box.account_id}"
    proc = bc4.export(output, base_url=base_url,
                      environ={"HTTP_PROXY": bc4.proxy.origin, "http_proxy": bc4.proxy.origin,
                               "NO_PROXY": "", "no_proxy": ""})
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [s for s in bc4.proxy.requests_to(RECORDINGS) if "page=2" in s.query]
    assert tables(output, "bc4") == bc4_calm


# ---------------------------------------------------------------------- 5. partial first run
@pytest.fixture(scope="module")
def failed(bc2_target, bc2_calm, tmp_path_factory):
    """A first run where one message (a comments source) answers 500 for good."""
    path, comment_ids = message_with_comments(bc2_calm)
    output = tmp_path_factory.mktemp("failed") / "out"
    bc2_target.proxy.reset()
    bc2_target.proxy.use(fail(re.escape(path) + "$", 500))
    proc = bc2_target.export(output, *RETRY_FOR)
    bc2_target.proxy.reset()
    return proc, output, path, comment_ids


class TestFailedUnit:
    """The failed first run, its rerun, and a rerun over a damaged journal page."""

    def test_first_run_stores_what_succeeded(self, failed, bc2_calm):
        """Expect exit 7, every other table written, comments holding all but the failed
        message's, and the manifest marking comments incomplete with the missing unit."""
        proc, output, path, comment_ids = failed
        assert_one_line_error(proc, 7)
        stored = tables(output, "bc2")
        for name in ("people", "projects", "todos", "calendar_events"):
            assert stored[name] == bc2_calm[name], name
        kept = {row["id"] for row in stored.get("comments", [])}
        assert kept == {row["id"] for row in bc2_calm["comments"]} - set(comment_ids)
        missing = manifest(output, "bc2")["incomplete"]["comments"]
        assert [m for m in missing if path in m["url"]], missing

    def test_rerun_fetches_only_the_failed_unit_and_ends_calm(self, bc2, failed, bc2_calm,
                                                              tmp_path):
        """Rerun with the server healed: expect exit 0, the failed message fetched, few other
        requests, and every table equal to a calm export."""
        first_run, first, path, _ = failed
        assert first.is_dir(), f"the first run wrote nothing: {first_run.stderr[-500:]}"
        output = copy_output(first, tmp_path / "out")
        proc = bc2.export(output, *RETRY_FOR)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert bc2.proxy.requests_to(re.escape(path) + "$")
        assert len(bc2.proxy.seen) < 10, [s.path for s in bc2.proxy.seen]
        assert tables(output, "bc2") == bc2_calm

    def test_garbage_journal_page_is_discarded_and_refetched(self, bc2, failed, bc2_calm,
                                                             tmp_path):
        """With the journal page of a completed unit (people.json) overwritten with garbage,
        expect the rerun to fetch that unit again, exit 0, and every table calm."""
        first_run, first, _, _ = failed
        assert first.is_dir(), f"the first run wrote nothing: {first_run.stderr[-500:]}"
        output = copy_output(first, tmp_path / "out")
        pages = sorted((output / "bc2" / "_runs").glob("*/pages/*-people.json"))
        assert pages, "the failed run left no journal page for people.json"
        pages[0].write_bytes(b"\x00garbage{not json")
        proc = bc2.export(output, *RETRY_FOR)
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert bc2.proxy.requests_to(PEOPLE), "the garbage page was replayed, not refetched"
        assert tables(output, "bc2") == bc2_calm


# ---------------------------------------------------------------------- 6. damaged local files
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
    part = sorted((seeded / "bc2" / "todos").rglob("part-0.parquet"))[0]
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


# ---------------------------------------------------------------------- 7. one writer
def _slow_first_export(bc2: Target, output: Path):
    """An export that is inside its lock (it has sent a request) and held there for 3 s."""
    bc2.proxy.use(delay(".*", 3.0, times=1))
    first = bc2.start_export(output)
    wait_for(lambda: bc2.proxy.arrived >= 1)
    return first


def test_lock__second_export_with_no_wait_exits_9(bc2, bc2_calm, tmp_path):
    """With an export running, expect a second one with --no-wait to exit 9 with one line,
    and the first to end ok with every table calm."""
    output = tmp_path / "out"
    first = _slow_first_export(bc2, output)
    second = bc2.export(output, "--no-wait")
    _, first_err = first.communicate(timeout=120)
    line = assert_one_line_error(second, 9)
    assert "another export" in line or ".lock" in line, line
    assert first.returncode == 0, first_err[-3000:]
    assert tables(output, "bc2") == bc2_calm


def test_lock__second_export_waits_then_both_end_ok(bc2, bc2_calm, tmp_path):
    """With an export running, expect a second one to say it waits for the lock, then both to
    end ok (neither touching the other's journal) with every table calm."""
    output = tmp_path / "out"
    first = _slow_first_export(bc2, output)
    second = bc2.start_export(output)
    _, first_err = first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)
    assert first.returncode == 0, first_err[-3000:]
    assert second.returncode == 0, second_err[-3000:]
    assert "waiting for another export" in second_err
    assert "Traceback" not in first_err + second_err
    assert tables(output, "bc2") == bc2_calm


# ---------------------------------------------------------------------- 8. partial tables
@pytest.mark.parametrize("parent", list(SUBSCRIBER_TABLES))
def test_subscribers__a_default_export_writes_no_partial_table(bc2, bc2_calm_dir, bc2_calm,
                                                               parent):
    """With a default export, expect each subscriber table either complete (every subscriber
    of every exported record) or not written, listed in the manifest's not_written and marked
    opt-in by `tables` (issue: todos__subscribers 451 of 1,421, todolists 71 of 175,
    calendar_events 114 of 238, silently)."""
    name = f"{parent}__subscribers"
    if (bc2_calm_dir / "bc2" / name).is_dir():
        stored, truth = stored_subscribers(bc2_calm, parent), subscriber_truth(bc2.box, bc2_calm,
                                                                               parent)
        assert stored == truth, f"{name} written with {len(stored)} of {len(truth)} rows"
        return
    assert name in manifest(bc2_calm_dir, "bc2").get("not_written", [])
    line = next(x for x in cli("tables").stdout.splitlines() if x.startswith(f"{name} "))
    assert "opt-in: --with subscribers" in line, line


def test_subscribers__with_subscribers_is_complete(bc2, tmp_path):
    """With --with subscribers, expect every subscriber table to hold exactly the sandbox's
    subscribers of every exported record (issue: todos__subscribers 451 of 1,421)."""
    output = tmp_path / "out"
    proc = bc2.export(output, "--with", "subscribers")
    assert proc.returncode == 0, proc.stderr[-3000:]
    stored = tables(output, "bc2")
    for parent in SUBSCRIBER_TABLES:
        truth = subscriber_truth(bc2.box, stored, parent)
        assert truth, parent
        assert stored_subscribers(stored, parent) == truth, parent


# ---------------------------------------------------------------------- 9. rows without a key
def test_rejects__comment_without_id_goes_to_rejects_and_load_succeeds(bc2, bc2_calm,
                                                                       tmp_path):
    """With one comment served without its id, expect it in _rejects (counted in the manifest),
    no null key in comments, and `load` to exit 0."""
    path, _ = message_with_comments(bc2_calm)
    output = tmp_path / "out"
    bc2.proxy.use(edit(re.escape(path) + "$", drop_first_comment_id))
    proc = bc2.export(output)
    assert proc.returncode == 0, proc.stderr[-3000:]
    comments = tables(output, "bc2")["comments"]
    assert all(row["id"] is not None for row in comments)
    assert len(comments) == len(bc2_calm["comments"]) - 1
    rejected = [row for row in rejects(output, "bc2") if row["table"] == "comments"]
    assert len(rejected) == 1, rejected
    assert manifest(output, "bc2")["rejects"]["comments"] == 1
    loaded = cli("load", "-o", str(output), "--api", "bc2", "--to", str(tmp_path / "w.duckdb"))
    assert loaded.returncode == 0, loaded.stderr[-3000:]
