"""A Basecamp 4 crawl replayed from a cassette: Link paging, gathered and grouped listings.

The cassette is recorded from a tiny sandbox on a fixed loopback port, so the absolute ``Link``
URLs inside it point at the address the replay uses (a next link elsewhere would be refused as
cross-origin). The bearer token is filtered out of the recorded headers.
Re-record: ``pytest tests/test_bc4_cassettes.py --record-mode=rewrite``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.config import ExportConfig
from extract.export import run_export
from extract.families import family
from extract.families.bc4.grant import Grant
from extract.families.bc4.oauth import Tokens
from extract.http import Credentials

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
PORT = 8799
REPLAY_BASE = f"http://127.0.0.1:{PORT}/999999999"
TOKEN = "bc4-cassette-token-3f9e0c1d2b4a"


@pytest.fixture(scope="module")
def vcr_config():
    return {"filter_headers": [("authorization", "REDACTED")],
            "match_on": ["method", "path", "query"], "decode_compressed_response": True}


@pytest.fixture
def target(record_mode):
    if record_mode == "none":
        yield None
        return
    from sandbox import Bc4Credentials, Sandbox

    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None, port=PORT,
                 credentials=Bc4Credentials(token=TOKEN)) as box:
        assert box.base_url == REPLAY_BASE
        yield box


@pytest.mark.vcr
def test_crawl__bc4_replays_every_table(tmp_path, target, vcr):
    """With the recorded tiny account, expect every step table filled and every
    interaction used, with no request more than the recording made."""
    config = ExportConfig(account_id=999999999, api="bc4", base_url=REPLAY_BASE,
                          user_agent="basecamp-extract cassettes (tests@example.com)",
                          credentials=Credentials(), grant=Grant(Tokens(TOKEN)),
                          output=tmp_path, workers=1, cache=False, retries=0)
    result = run_export(config)
    assert result.ok, result.manifest["failures"]
    tables = result.manifest["tables"]
    empty = [t for t in family("bc4").steps() if not tables[t]["rows"]]
    assert empty == ["recordings"]
    assert result.manifest["count_mismatches"] == []
    assert vcr.all_played or target is not None
    assert result.manifest["http"]["requests"] == len(vcr.data)


def test_cassette__holds_no_bc4_token():
    """With the recorded cassette, expect the bearer token nowhere in it."""
    files = list((CASSETTES / "test_bc4_cassettes").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text()
        assert TOKEN not in text and "Bearer" not in text
