"""Case 5, a partial first run: what succeeded is stored, the rerun fetches only the rest."""

from __future__ import annotations

import re

import pytest

from sandbox.hostile import fail
from tests.hostile.cases import (
    PEOPLE,
    RETRY_FOR,
    assert_no_traceback,
    assert_one_line_error,
    copy_output,
    manifest,
    message_with_comments,
    tables,
)


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
