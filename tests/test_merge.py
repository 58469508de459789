"""Merging the rows one run gathered: one row per key, each column from its best source.

The vectorized merge is checked against the rule written out plainly in Python, on random
tables where keys repeat, values are missing and sources of every rank arrive in any order.
"""

from __future__ import annotations

import random
from itertools import groupby

import pyarrow as pa
import pytest

from transforms.merge import RANK, SEQ, merge_rows
from transforms.schemas import ORDINAL, Table

PARENT = Table("things", key=("id",), columns={"id": pa.int64(), "a": pa.string(),
                                               "b": pa.int64()})
CHILD = Table("things__tags", key=("thing_id", ORDINAL), child_of="things",
              columns={"thing_id": pa.int64(), ORDINAL: pa.int64(), "tag": pa.string()})


def random_rows(rng: random.Random, n: int, child: bool) -> list[dict]:
    rows = []
    for seq in range(n):
        row = {RANK: rng.randint(0, 2), SEQ: seq}
        if child:
            row.update(thing_id=rng.randint(1, 8), ordinal=rng.randint(0, 2),
                       tag=rng.choice([None, "x", "y", "z"]))
        else:
            row.update(id=rng.choice([None, *range(1, 12)]), a=rng.choice([None, "p", "q"]),
                       b=rng.choice([None, 1, 2, 3]))
        rows.append(row)
    rng.shuffle(rows)
    return rows


def as_table(rows: list[dict], spec: Table) -> pa.Table:
    schema = pa.schema([*spec.columns.items(), (RANK, pa.int8()), (SEQ, pa.int64())])
    return pa.Table.from_pylist(rows, schema=schema)


def expected(rows: list[dict], spec: Table) -> list[dict]:
    """The rule: per key, rows by (rank, newest first); each column its first non-null."""
    columns = list(spec.columns)
    keyed = [r for r in rows if all(r[k] is not None for k in spec.key)]
    keyless = [{c: r[c] for c in columns} for r in rows if r not in keyed]
    if spec.child_of:
        parent = [k for k in spec.key if k != ORDINAL]
        best = {}
        for r in keyed:
            p = tuple(r[k] for k in parent)
            best[p] = min(best.get(p, 9), r[RANK])
        keyed = [r for r in keyed if r[RANK] == best[tuple(r[k] for k in parent)]]
    out = []
    by_key = sorted(keyed, key=lambda r: (tuple(r[k] for k in spec.key), r[RANK], -r[SEQ]))
    for _, group in groupby(by_key, key=lambda r: tuple(r[k] for k in spec.key)):
        group = list(group)
        out.append({c: next((r[c] for r in group if r[c] is not None), None) for c in columns})
    return out + keyless


@pytest.mark.parametrize("spec", [PARENT, CHILD], ids=["table", "child table"])
@pytest.mark.parametrize("seed", range(25))
def test_merge__equals_the_rule_on_random_rows(spec, seed):
    """With repeated keys, gaps and mixed sources, expect exactly the rule's rows, key order."""
    rng = random.Random(seed)
    rows = random_rows(rng, rng.randint(0, 60), child=spec.child_of is not None)
    got = merge_rows(spec, as_table(rows, spec)).to_pylist()
    want = expected(rows, spec)

    def order(row):
        return tuple((row[k] is None, row[k] or 0) for k in spec.key)

    assert sorted(got, key=order) == sorted(want, key=order)
    keyed = [r for r in got if all(r[k] is not None for k in spec.key)]
    assert keyed == sorted(keyed, key=order)


def test_merge__member_fields_win_over_listing_and_listing_fills_gaps():
    """With a member row (rank 0) and a newer listing row (rank 1), expect the member's values
    where it has them and the listing's where it has none."""
    rows = [{"id": 1, "a": "member", "b": None, RANK: 0, SEQ: 1},
            {"id": 1, "a": "listing", "b": 7, RANK: 1, SEQ: 2}]
    assert merge_rows(PARENT, as_table(rows, PARENT)).to_pylist() == [
        {"id": 1, "a": "member", "b": 7}]
