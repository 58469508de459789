"""Column notes of the data dictionary, derived from the table declarations alone.

One source for the warehouse's ``COMMENT ON`` and, through ``extract.dictionary``, for
``basecamp-extract tables --json`` and ``docs/tables.md``. Notes come only from what a
declaration states (keys, partitions, parent keys, flattened nesting, text twins); a column
the declaration says nothing special about gets no note rather than a guess.
"""

from __future__ import annotations

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


def column_notes(fam: TableSet, spec: Table) -> dict[str, str]:
    """Column -> a plain description, for the columns the declaration says something about."""
    parents = parent_keys(fam, spec)
    twins = {text: html for html, text in spec.text_companions.items()}
    labels = {label: id_column for id_column, label in spec.system_labels.items()}
    dates = {date: stamp for stamp, date in spec.date_or_time.items()}
    notes: dict[str, str] = {}
    for column in spec.declared():
        parts: list[str] = []
        if spec.key == (column,):
            parts.append("Primary key.")
        elif column in spec.key:
            parts.append("Part of the primary key.")
        if column in spec.partition:
            parts.append("Partition column (a folder level of the export).")
        elif column in spec.context:
            parts.append("Taken from the request path.")
        if column in parents:
            parts.append(f"`{parents[column]}` of the parent `{spec.child_of}` row.")
        if column == ORDINAL and spec.child_of:
            parts.append("Position of the element in the source list.")
        if column == "value" and spec.scalar_values:
            parts.append("The list element.")
        if column in twins:
            parts.append(f"Plain text of `{twins[column]}` (HTML converted).")
        if column in labels:
            parts.append(f"The string the source gave as `{labels[column]}` (a system actor, "
                         "not a person id).")
        if column in spec.date_or_time:
            parts.append(f"Date-only source values go to `{spec.date_or_time[column]}`.")
        if column in dates:
            parts.append(f"Date-only source values of `{dates[column]}`.")
        if "__" in column and column not in parents and not parts:
            parts.append(f"Source field `{'.'.join(column.split('__'))}`, flattened.")
        if column in LINEAGE_NOTES:
            parts.append(LINEAGE_NOTES[column])
        if parts:
            notes[column] = " ".join(parts)
    return notes
