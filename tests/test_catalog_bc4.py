"""The Basecamp 4 catalog covers endpoints.yaml, is consistent, and wired to declared tables."""

from __future__ import annotations

import pytest
import yaml

from extract.families import family
from extract.families.bc4.catalog import CATALOG, LISTED_TYPES, STATUSES
from transforms.schemas.bc4 import TABLES


@pytest.fixture(scope="module")
def reference(shared):
    return yaml.safe_load((shared / "reference/bc4/endpoints.yaml").read_text())["endpoints"]


@pytest.fixture(scope="module")
def single_reads(shared):
    """endpoints.yaml's other single-object GETs (hydration reads), by documented path."""
    other = yaml.safe_load((shared / "reference/bc4/endpoints.yaml").read_text())
    return {documented_path(r): r for r in other["other_get_operations"]}


def documented_path(entry: dict) -> str:
    """endpoints.yaml path without the account, with ``.json`` as the prose docs write it."""
    path = entry["path"].removeprefix("/{accountId}")
    return path if path.endswith(".json") else path + ".json"


def test_catalog__every_reference_endpoint_is_an_entry(reference):
    """With endpoints.yaml, expect each name to be an entry id or the stem of its variants."""
    ids = {e.id for e in CATALOG.endpoints}
    missing = [r["name"] for r in reference
               if r["name"] not in ids and not any(i.startswith(r["name"] + "__") for i in ids)]
    assert missing == []
    assert len(reference) == 93  # 75 collections and 18 discovery reads


def shape(path: str) -> str:
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def test_catalog__paths_match_reference(reference, single_reads):
    """With endpoints.yaml, expect each entry's path to be the documented one (ids renamed);
    a member read that fills in thin rows is one of its other single-object GETs."""
    by_name = {r["name"]: shape(documented_path(r)) for r in reference}
    members = {shape(p) for p in single_reads}
    for endpoint in CATALOG.endpoints:
        stem = endpoint.id.split("__")[0]
        if endpoint.unless_in:
            assert endpoint.is_member and shape(endpoint.path) in members, endpoint.id
            continue
        assert shape(endpoint.path) == by_name[stem], endpoint.id


def test_catalog__recordings_listing_per_type_and_status():
    """With the listing's twelve types, expect one gathered entry per (type, status)."""
    listings = [e for e in CATALOG.crawled if e.path == "/projects/recordings.json"]
    assert len(listings) == len(LISTED_TYPES) * len(STATUSES)
    assert {(e.params["type"], e.params["status"]) for e in listings} == {
        (t, s) for t in LISTED_TYPES for s in STATUSES}
    assert all(e.gather and e.thin and e.row_ctx == {"project_id": "bucket.id"}
               for e in listings)


def test_catalog__crawled_entries_are_reachable():
    """With the crawled subset, expect parents crawled and every path id bound."""
    crawled = {e.id for e in CATALOG.crawled}
    for endpoint in CATALOG.crawled:
        assert set(endpoint.parents) <= crawled, endpoint.id
        unbound = set(endpoint.placeholders()) - set(endpoint.bind) - {"account_id",
                                                                          "project_id"}
        assert not unbound, (endpoint.id, unbound)
        assert endpoint.paging in ("link", "none"), endpoint.id


def test_catalog__uncrawled_entries_say_why_and_tables_are_declared():
    """With every entry, expect a declared table and, when not crawled, a reason."""
    for endpoint in CATALOG.endpoints:
        assert endpoint.table in TABLES, endpoint.id
        if not endpoint.crawl or endpoint.opt_in:
            assert endpoint.note, endpoint.id


def test_options__events_are_opt_in():
    """With no options, expect no events crawl; with events, one per listed recording."""
    fam = family("bc4")
    assert "events" not in fam.endpoints_for(fam.tables_for(None))
    with_events = fam.with_options(["events"])
    assert "events" in with_events.endpoints_for(with_events.tables_for(["events"]))


def test_options__details_reads_members_of_what_the_everything_lists_leave_out(single_reads):
    """With no options, expect no member read of to-dos or cards and their child lists not
    written; with details, one member read per to-do and card from every status's listing,
    after (and unless) the everything lists returned it, each a documented GET of the whole
    shape (assignees, completion subscribers, steps, description attachments)."""
    fam = family("bc4")
    details = ("todo_get", "card_get")
    assert not set(details) & fam.endpoints_for(fam.tables_for(None))
    assert "todos__assignees" in fam.not_written(None)
    chosen = fam.with_options(["details"])
    assert set(details) <= chosen.endpoints_for(chosen.tables_for(None))
    assert chosen.not_written(None) == []
    for endpoint_id, kind, whole in (("todo_get", "Todo", "everything_todos"),
                                     ("card_get", "Kanban::Card", "everything_cards")):
        endpoint = CATALOG[endpoint_id]
        assert {CATALOG[p].params["type"] for p in endpoint.parents} == {kind}
        assert {CATALOG[p].params["status"] for p in endpoint.parents} == set(STATUSES)
        assert endpoint.unless_in and all(u.startswith(whole) for u in endpoint.unless_in)
        assert set(endpoint.unless_in) == {e.id for e in CATALOG.crawled
                                           if e.id.startswith(whole)}
        read = single_reads[next(p for p in single_reads if shape(p) == shape(endpoint.path))]
        assert read["operationId"] in ("GetTodo", "GetCard")


def test_options__details_members_carry_every_opt_in_list(shared):
    """With openapi.json, expect the member read of a to-do and of a card to carry each child
    list the details option writes (so the tables are whole once it is read)."""
    import json

    from extract.families.bc4.catalog import OPT_IN_TABLES

    schemas = json.loads((shared / "reference/bc4/openapi.json").read_text())["components"][
        "schemas"]
    carried = {"todos": set(schemas["Todo"]["properties"]),
               "cards": set(schemas["Card"]["properties"]),
               "card_steps": set(schemas["CardStep"]["properties"]),
               "todos__steps": set(schemas["CardStep"]["properties"])}
    for table in OPT_IN_TABLES:
        parent, field = table.rsplit("__", 1)
        assert field in carried[parent], table
    assert "steps" in carried["cards"] and "steps" in carried["todos"]
