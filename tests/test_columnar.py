"""The Shaper's columnar walk gives what the row-by-row walk gives, batch by batch.

Each case shapes the same pages twice: as shipped, and with the columnar walk switched off
(``Walker.walk`` answering "cannot", which is what the Shaper does for a record past the
layout cap or a batch with a null key), then compares every table, drift and rejects.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from transforms.columns import Walker
from transforms.plans import MAX_PLANS
from transforms.schemas import BOOL, ID, INT, ORDINAL, STR, TS, Child, Registry, Table
from transforms.shape import Shaper

AT = datetime(2026, 1, 1, tzinfo=UTC)
THINGS = Registry("test", [
    Table("things", key=("id",), columns={"id": ID, "name": STR, "count": INT, "done": BOOL,
                                          "due_at": TS, "creator__id": ID,
                                          "creator__system_label": STR},
          children={"tags": Child("things__tags", {"thing_id": "id"}),
                    "steps": (Child("things__steps", {"thing_id": "id"},
                                    where={"kind": "step"}),)}),
    Table("things__tags", key=("thing_id", ORDINAL), child_of="things", scalar_values=True,
          columns={"thing_id": ID, ORDINAL: INT, "value": STR}),
    Table("things__steps", key=("thing_id", ORDINAL), child_of="things",
          columns={"thing_id": ID, ORDINAL: INT, "title": STR}),
])


def shaped(pages: list[tuple[list[dict], dict]], monkeypatch=None, *, columnar: bool
           ) -> dict[str, object]:
    shaper = Shaper(THINGS, {"things", "things__tags", "things__steps"}, "run", batch_rows=7)
    with pytest.MonkeyPatch.context() as patch:
        if not columnar:
            patch.setattr(Walker, "walk", lambda *args, **kwargs: False)
        for number, (records, constants) in enumerate(pages):
            shaper.add("things", records, {"account_id": 1}, constants, member=number % 2 == 0,
                       fetched_at=AT, source=f"page-{number}")
        out = {name: [p.data.to_pylist() for p in shaper.partitions(name)]
               for name in shaper.table_names()}
    out["_drift"] = shaper.drift.as_dict()
    out["_rejects"] = shaper.rejects().to_pylist()
    return out


def same_both_ways(pages: list[tuple[list[dict], dict]]) -> dict[str, object]:
    columnar = shaped(pages, columnar=True)
    assert columnar == shaped(pages, columnar=False)
    return columnar


def test_many_layouts__each_record_flattens_as_the_row_walk_flattens_it():
    records = [{"id": i, "name": f"t{i}", f"extra_{i}": i, "creator": {"id": i}}
               for i in range(MAX_PLANS - 2)]
    out = same_both_ways([(records[:30], {}), (records[30:], {})])
    assert len(out["things"][0]) == MAX_PLANS - 2
    assert len(out["_drift"]["new_columns"]["things"]) == MAX_PLANS - 2


def test_more_layouts_than_the_cap__the_batch_walks_row_by_row_with_the_same_result():
    records = [{"id": i, f"extra_{i}": True} for i in range(MAX_PLANS + 5)]
    out = same_both_ways([(records, {})])
    assert len(out["things"][0]) == MAX_PLANS + 5


def test_a_key_twice_in_one_page__the_first_arrival_wins_as_in_the_row_walk():
    page = [{"id": 1, "name": "first"}, {"id": 1, "name": "second", "count": 3},
            {"id": 2, "name": None, "creator": {"id": "basecamp"}}, {"id": 2, "name": "late"}]
    out = same_both_ways([(page, {})])
    assert [(r["id"], r["name"], r["count"]) for r in out["things"][0]] == \
        [(1, "first", 3), (2, "late", None)]


def test_polymorphic_values__misfits_land_in_unparsed_the_same_way():
    """Text numbers, flags and times take their type; what cannot (a fraction, a number past
    64 bits, a word for a time) lands in ``_unparsed``, never in a traceback."""
    page = [{"id": 1, "count": "12", "done": "true", "due_at": False},
            {"id": 2, "count": 1.5, "done": 1, "due_at": "2026-01-02T03:04:05Z"},
            {"id": 3, "count": True, "done": None, "due_at": "soon", "name": 7},
            {"id": 4, "creator": None}, {"id": 5, "creator": {"id": 9}},
            {"id": 6, "count": 2**70}, {"id": 7, "count": "99999999999999999999"}]
    out = same_both_ways([(page, {})])
    assert [r["id"] for r in out["things"][0] if r["_unparsed"]] == [2, 3, 6, 7]


def test_constants_on_some_pages__only_their_rows_take_them():
    out = same_both_ways([([{"id": 1, "name": "a"}], {"name": "fixed"}),
                          ([{"id": 2, "name": "b"}], {})])
    assert [r["name"] for r in out["things"][0]] == ["fixed", "b"]


def test_child_lists__objects_scalars_and_filtered_items_match():
    page = [{"id": 1, "tags": ["a", 2, None], "steps": [{"kind": "step", "title": "x"},
                                                        {"kind": "note", "title": "y"}, "z"]},
            {"id": 2, "tags": [], "steps": [{"kind": "step", "title": "w", "more": {"k": 1}}]},
            {"id": 3, "labels": [{"x": 1}]}]
    out = same_both_ways([(page, {})])
    assert [r["value"] for r in out["things__tags"][0]] == ["a", "2", None]
    assert [r["title"] for r in out["things__steps"][0]] == ["x", "w"]
    assert "things__labels" in out["_drift"]["new_tables"]


def test_null_keys__are_set_aside_with_their_raw_record_as_before():
    out = same_both_ways([([{"id": None, "name": "lost"}, {"id": 4, "name": "kept"}], {})])
    assert [r["id"] for r in out["things"][0]] == [4]
    assert [r["reason"] for r in out["_rejects"]] == ["null key: id"]
