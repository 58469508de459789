"""The BC2 catalog is complete, consistent and wired to declared tables."""

from __future__ import annotations

import re

from extract.families import family
from extract.families.bc2.catalog import CATALOG
from transforms.schemas.bc2 import TABLES


def test_catalog__covers_every_documented_get(shared):
    """With endpoints.yaml, expect every endpoint id in it to be a catalog entry."""
    text = (shared / "reference/bc2/endpoints.yaml").read_text()
    documented = set(re.findall(r"^- id: (\w+)", text, flags=re.M)) - {"launchpad_authorization"}
    assert documented == {e.id for e in CATALOG.endpoints}
    assert len(documented) == 64


def test_catalog__paths_match_reference(shared):
    """With endpoints.yaml, expect each entry's path to be the documented one."""
    text = (shared / "reference/bc2/endpoints.yaml").read_text()
    documented = dict(re.findall(r"^- id: (\w+)\n(?:  .*\n)*?  path: (\S+)", text, flags=re.M))
    for endpoint in CATALOG.endpoints:
        assert endpoint.path == documented[endpoint.id], endpoint.id


def test_catalog__crawled_entries_are_reachable():
    """With the crawled subset, expect every parent to be crawled and every path id bound."""
    crawled = {e.id for e in CATALOG.crawled}
    for endpoint in CATALOG.crawled:
        assert set(endpoint.parents) <= crawled, endpoint.id
        inherited = {"account_id", "project_id", "calendar_id"}
        unbound = set(endpoint.placeholders()) - set(endpoint.bind) - inherited
        assert not unbound, (endpoint.id, unbound)
        assert endpoint.path.endswith(".json")


def test_catalog__skipped_entries_say_why():
    """With an entry not crawled, expect a note naming what covers it instead."""
    for endpoint in CATALOG.endpoints:
        if not endpoint.crawl:
            assert endpoint.note, endpoint.id


def test_catalog__every_table_is_declared():
    """With every entry, expect its table to have a declared schema."""
    for endpoint in CATALOG.endpoints:
        assert endpoint.table in TABLES, endpoint.id


def test_steps__cover_the_required_tables():
    """With the issue's table list, expect a step (and so a crawl) for each."""
    required = {"projects", "project_templates", "stars", "people", "groups", "accesses",
                "events", "topics", "messages", "comments", "todolists", "todos", "documents",
                "forwards", "attachments", "uploads", "calendars", "calendar_events"}
    assert required <= set(family("bc2").steps())


def test_steps__select_ancestors_for_path_ids():
    """With only the comments step, expect topics and project listings to be crawled too."""
    fam = family("bc2")
    endpoints = fam.endpoints_for(fam.tables_for(["comments"]))
    assert {"message_get", "topics_project", "projects_active", "person_me"} <= endpoints
    assert "events_account" not in endpoints
    assert "documents_project" in endpoints and "project_accesses" not in endpoints


def test_steps__listings_do_not_count_as_sources_of_embedded_records():
    """With the comments step, expect only member endpoints named as its sources."""
    fam = family("bc2")
    sources = fam.endpoints_into("comments")
    assert sources and all(fam.catalog[e].is_member for e in sources)
