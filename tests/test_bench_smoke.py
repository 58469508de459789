"""The benchmark machinery end to end on the tiny sandbox, peers off: the result JSON's shape.

Timings are never asserted here (a loaded CI machine must not fail the suite); the bench
reports its targets, it does not enforce them.
"""

from __future__ import annotations

import json

import pytest

from bench.cli import main

RUN_KEYS = {"requests", "minimum_requests", "requests_vs_minimum", "seconds", "floor_s",
            "efficiency_pct", "throttled_429", "unavailable_503", "retries", "peak_rss_mb",
            "rows", "tables"}
RERUN_KEYS = {"requests", "not_modified", "requests_pct_of_full", "seconds", "what_it_is"}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "result.json"
    assert main(["--api", "bc2,bc4,backpack", "--size", "tiny", "--no-peers",
                 "--time-scale", "20", "--out", str(out)]) == 0
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
