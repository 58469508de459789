"""Case 4, retries: waits, storms, truncated and bad bodies, the failure line."""

from __future__ import annotations

import pytest

from sandbox.hostile import PAST_DATE, fail, html, malformed, truncate
from tests.hostile.cases import (
    PEOPLE,
    RETRY_FOR,
    assert_no_traceback,
    assert_one_line_error,
    manifest,
    tables,
)


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
