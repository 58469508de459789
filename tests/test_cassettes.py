"""The crawl replayed from vcrpy cassettes recorded from the sandbox: no network, no server.

Replay is the default (pytest-recording's record mode "none"). To re-record against a fresh
tiny sandbox: ``pytest tests/test_cassettes.py --record-mode=rewrite``. Requests are matched on
method, path and query, so the sandbox's port at recording time does not matter; the
``Authorization`` header is replaced before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from extract.export import run_export
from extract.http import Credentials, HttpSettings, HttpStats, build_session
from sandbox import Credentials as SandboxCredentials
from tests.conftest import sandbox_config

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
RECORDING_CREDENTIALS = SandboxCredentials(
    username="cassette-user", password="cassette-pass-3b9e", token="cassette-token-77d1")
REPLAY_BASE = "http://127.0.0.1:9/999999999/api/v1"


@pytest.fixture(scope="module")
def vcr_config():
    return {
        "filter_headers": [("authorization", "REDACTED")],
        "match_on": ["method", "path", "query"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def target(record_mode):
    """The sandbox when recording; a dead loopback address when replaying."""
    if record_mode == "none":
        yield None
        return
    from sandbox import Sandbox

    with Sandbox(api="bc2", size="tiny", rate_limit=None,
                 credentials=RECORDING_CREDENTIALS) as box:
        yield box


def plain_session() -> requests.Session:
    """No HTTP cache: requests-cache and vcrpy do not cooperate (vcrpy #881)."""
    settings = HttpSettings(user_agent="basecamp-extract cassettes (tests@example.com)",
                            credentials=Credentials(username=RECORDING_CREDENTIALS.username,
                                                    password=RECORDING_CREDENTIALS.password),
                            bucket="bc2:999999999", retries=0)
    return build_session(settings, HttpStats())


def export(target, output: Path, **overrides):
    """Export the recording sandbox, or its replay, through a plain session, one worker."""
    class Box:
        base_url = target.base_url if target else REPLAY_BASE
        account_id = 999999999
        credentials = RECORDING_CREDENTIALS

    config = sandbox_config(Box, output, workers=1, cache=False, **overrides)
    return run_export(config, session=plain_session())


@pytest.mark.vcr
def test_crawl__replays_every_table_from_cassette(tmp_path, target, vcr):
    """With the recorded tiny account, expect a full export with rows in every main table."""
    result = export(target, tmp_path)
    assert result.ok, result.manifest["failures"]
    tables = result.manifest["tables"]
    for name in ("projects", "people", "todos", "comments", "messages", "calendar_events",
                 "uploads", "events", "groups__memberships"):
        assert tables[name]["rows"] > 0, name
    assert vcr.all_played or target is not None


@pytest.mark.vcr
def test_crawl__one_step_replays(tmp_path, target, vcr):
    """With only the stars step recorded, expect the stars table and nothing else."""
    result = export(target, tmp_path, steps=["stars"])
    assert set(result.manifest["tables"]) == {"stars"}
    assert result.manifest["tables"]["stars"]["rows"] > 0
