"""Column notes of the data dictionary, derived from the table declarations alone.

One source for the warehouse's ``COMMENT ON`` and, through ``extract.dictionary``, for
``basecamp-extract tables --json`` and ``docs/tables.md``. Notes come only from what a
declaration states (keys, partitions, parent keys, flattened nesting, text twins); a column
the declaration says nothing special about gets no note rather than a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from transforms.schemas import LINEAGE, ORDINAL, Table
from transforms.tables import TableSet

LINEAGE_NOTES: dict[str, str] = {
    "_run_id": "The export run that wrote this row.",
    "_extracted_at": "When the export run that wrote this row extracted it.",
    "_unparsed": "Source values that did not fit their column's declared type, verbatim as "
                 "JSON (null when every value fit).",
}
assert set(LINEAGE_NOTES) == set(LINEAGE)


def parent_keys(fam: TableSet, spec: Table) -> dict[str, str]:
    """Child-table column -> the parent field it copies, from the parent's ``Child`` specs."""
    if spec.child_of is None or spec.child_of not in fam.registry:
        return {}
    out: dict[str, str] = {}
    for child in fam.registry[spec.child_of].all_children():
        if child.table == spec.name:
            out.update(child.parent_key)
    return out


@dataclass(frozen=True)
class _Facts:
    """What the rules read about one table: its declaration and the maps derived from it."""

    spec: Table
    parents: dict[str, str]
    twins: dict[str, str]
    labels: dict[str, str]
    dates: dict[str, str]

    @classmethod
    def of(cls, fam: TableSet, spec: Table) -> _Facts:
        return cls(
            spec=spec,
            parents=parent_keys(fam, spec),
            twins={text: html for html, text in spec.text_companions.items()},
            labels={label: id_column for id_column, label in spec.system_labels.items()},
            dates={date: stamp for stamp, date in spec.date_or_time.items()},
        )


Rule = tuple[Callable[[_Facts, str], bool], Callable[[_Facts, str], str]]

# (applies to the column?, its note), in the order the notes are joined.
RULES: tuple[Rule, ...] = (
    (lambda f, c: f.spec.key == (c,), lambda f, c: "Primary key."),
    (lambda f, c: c in f.spec.key and f.spec.key != (c,),
     lambda f, c: "Part of the primary key."),
    (lambda f, c: c in f.spec.partition,
     lambda f, c: "Partition column (a folder level of the export)."),
    (lambda f, c: c in f.spec.context and c not in f.spec.partition,
     lambda f, c: "Taken from the request path."),
    (lambda f, c: c in f.parents,
     lambda f, c: f"`{f.parents[c]}` of the parent `{f.spec.child_of}` row."),
    (lambda f, c: c == ORDINAL and bool(f.spec.child_of),
     lambda f, c: "Position of the element in the source list."),
    (lambda f, c: c == "value" and f.spec.scalar_values, lambda f, c: "The list element."),
    (lambda f, c: c in f.twins, lambda f, c: f"Plain text of `{f.twins[c]}` (HTML converted)."),
    (lambda f, c: c in f.labels,
     lambda f, c: f"The string the source gave as `{f.labels[c]}` (a system actor, "
                  "not a person id)."),
    (lambda f, c: c in f.spec.date_or_time,
     lambda f, c: f"Date-only source values go to `{f.spec.date_or_time[c]}`."),
    (lambda f, c: c in f.dates, lambda f, c: f"Date-only source values of `{f.dates[c]}`."),
    (lambda f, c: c in LINEAGE_NOTES, lambda f, c: LINEAGE_NOTES[c]),
)


def _flattened(facts: _Facts, column: str) -> str | None:
    """The fallback note for a nested field no rule explains (lineage names hold no ``__``)."""
    if "__" in column and column not in facts.parents:
        return f"Source field `{'.'.join(column.split('__'))}`, flattened."
    return None


def column_notes(fam: TableSet, spec: Table) -> dict[str, str]:
    """Column -> a plain description, for the columns the declaration says something about."""
    facts = _Facts.of(fam, spec)
    notes: dict[str, str] = {}
    for column in spec.declared():
        parts = [note(facts, column) for applies, note in RULES if applies(facts, column)]
        if not parts and (flat := _flattened(facts, column)):
            parts.append(flat)
        if parts:
            notes[column] = " ".join(parts)
    return notes
