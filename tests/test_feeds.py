"""Each family's change feed lives in its folder and answers everything ``Feed`` declares."""

from __future__ import annotations

import pytest

from extract.families import FAMILIES
from extract.incremental import Feed

WITH_FEED = sorted(api for api, fam in FAMILIES.items() if fam.feed is not None)
DECLARED = {name for name in vars(Feed) if not name.startswith("_")} | set(Feed.__annotations__)


def test_the_protocol_declares_what_the_export_calls():
    assert {"name", "endpoints", "stop", "check", "root_ctx", "observe", "keep", "note_total",
            "changes", "plan", "bookmark"} <= DECLARED


@pytest.mark.parametrize("api", WITH_FEED)
def test_a_feed_answers_every_member_of_the_protocol(api: str):
    feed = FAMILIES[api].feed()
    assert sorted(m for m in DECLARED if not hasattr(feed, m)) == []
    assert feed.endpoints <= {e.id for e in FAMILIES[api].catalog.endpoints}


@pytest.mark.parametrize("api", WITH_FEED)
def test_a_feed_lives_in_its_family_folder(api: str):
    assert FAMILIES[api].feed.__module__ == f"extract.families.{api}.feed"
