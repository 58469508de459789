"""A Backpack crawl replayed from a cassette, with the token scrubbed from body, path and headers.

Backpack's token is not in an Authorization header: ws reads carry it in the XML body, some REST
reads in the path, the rest in ``X-BP-Token``. ``before_record_request`` runs on every request
both when recording and before matching on replay, so the scrubbed cassette still matches.
Re-record: ``pytest tests/test_backpack_cassettes.py --record-mode=rewrite``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.config import ExportConfig
from extract.export import run_export
from extract.http import Credentials, HttpSettings, HttpStats, build_session
from sandbox import Credentials as SandboxCredentials

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
RECORDING = SandboxCredentials(username="u", password="p", token=TOKEN)
REPLAY_BASE = "http://127.0.0.1:9"
SLOT = "TOKEN-SCRUBBED"


def scrub(request):
    """Remove the token wherever Backpack puts it; vcrpy also applies this before matching."""
    request.uri = request.uri.replace(TOKEN, SLOT)
    if request.body:
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        request.body = body.replace(TOKEN.encode(), SLOT.encode())
    return request


@pytest.fixture(scope="module")
def vcr_config():
    return {
        "filter_headers": [("authorization", "REDACTED"), ("x-bp-token", "REDACTED")],
        "before_record_request": scrub,
        "match_on": ["method", "path", "query"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def target(record_mode):
    if record_mode == "none":
        yield None
        return
    from sandbox import Sandbox

    with Sandbox(api="backpack", size="tiny", rate_limit=None, calendar_rate_limit=None,
                 credentials=RECORDING) as box:
        yield box


@pytest.mark.vcr
def test_crawl__backpack_replays_from_a_scrubbed_cassette(tmp_path, target, vcr):
    """With the recorded tiny Backpack account, expect every table and all interactions used."""
    settings = HttpSettings(user_agent="basecamp-extract cassettes (tests@example.com)",
                            credentials=Credentials(token=TOKEN), bucket="backpack:sandbox",
                            retries=0, session_auth=False,
                            retry_methods=frozenset({"GET", "POST"}))
    config = ExportConfig(account_id="sandbox", api="backpack",
                          base_url=target.base_url if target else REPLAY_BASE,
                          user_agent=settings.user_agent, credentials=Credentials(token=TOKEN),
                          output=tmp_path, workers=1, cache=False)
    result = run_export(config, session=build_session(settings, HttpStats()))
    assert result.ok, result.manifest["failures"]
    for name in ("pages", "notes", "list_items", "separators", "journal_entries",
                 "calendar_events", "reminders"):
        assert result.manifest["tables"][name]["rows"] > 0, name
    assert vcr.all_played or target is not None


def test_cassette__holds_no_backpack_token():
    """With the recorded cassette, expect the token nowhere: not in bodies, paths or headers."""
    files = list((CASSETTES / "test_backpack_cassettes").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text()
        assert TOKEN not in text and SLOT in text
