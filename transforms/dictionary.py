"""The data dictionary: every declared table and column, described from the declarations.

One source for ``basecamp-extract tables --json``, the warehouse's ``COMMENT ON`` and the
generated ``docs/tables.md`` (``python -m transforms.dictionary`` rewrites it; a test checks
it is current). Column notes are derived only from what a declaration states (keys,
partitions, parent keys, flattened nesting, text twins); a column the declaration says
nothing special about gets no note rather than a guess.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from extract.families import FAMILIES, Family, family
from transforms.schemas import LINEAGE, ORDINAL, Table

VERSION = 1
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "tables.md"

LINEAGE_NOTES: dict[str, str] = {
    "_run_id": "The export run that wrote this row.",
    "_extracted_at": "When the export run that wrote this row extracted it.",
    "_unparsed": "Source values that did not fit their column's declared type, verbatim as "
                 "JSON (null when every value fit).",
}
assert set(LINEAGE_NOTES) == set(LINEAGE)


def parent_keys(fam: Family, spec: Table) -> dict[str, str]:
    """Child-table column -> the parent field it copies, from the parent's ``Child`` specs."""
    if spec.child_of is None or spec.child_of not in fam.registry:
        return {}
    out: dict[str, str] = {}
    for child in fam.registry[spec.child_of].all_children():
        if child.table == spec.name:
            out.update(child.parent_key)
    return out


def column_notes(fam: Family, spec: Table) -> dict[str, str]:
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


def describe_table(fam: Family, spec: Table) -> dict[str, Any]:
    notes = column_notes(fam, spec)
    return {
        "name": spec.name,
        "doc": spec.doc,
        "key": list(spec.key),
        "partition": list(spec.partition),
        "opt_in": fam.opt_in(spec.name),
        "child_of": spec.child_of,
        "columns": [{"name": f.name, "type": str(f.type), "note": notes.get(f.name, "")}
                    for f in spec.arrow_schema()],
    }


def describe(api: str) -> dict[str, Any]:
    """One family's tables as a JSON-ready document (``tables --json``), shape ``VERSION``."""
    fam = family(api)
    return {"version": VERSION, "api": api,
            "tables": [describe_table(fam, spec) for spec in fam.registry.values()]}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """``docs/tables.md``: all three families, one section per table."""
    lines = ["# Output tables", "",
             "Generated from the declared schemas by `python -m transforms.dictionary`; do not "
             "edit by hand. The same content is printed by `basecamp-extract tables --api API "
             "--json` and loaded into the warehouse as table and column comments.", ""]
    for api in FAMILIES:
        doc = describe(api)
        lines += [f"## {api}", "", f"{len(doc['tables'])} tables.", ""]
        for table in doc["tables"]:
            lines += [f"### {api}.{table['name']}", ""]
            if table["doc"]:
                lines += [table["doc"], ""]
            facts = [f"key ({', '.join(table['key'])})",
                     f"partition ({', '.join(table['partition'])})"]
            if table["child_of"]:
                facts.append(f"child of `{table['child_of']}`")
            if table["opt_in"]:
                facts.append(f"opt-in: written only with `--with {table['opt_in']}`")
            lines += ["; ".join(facts) + ".", "", "| column | type | note |", "|---|---|---|"]
            lines += [f"| `{c['name']}` | {c['type']} | {_cell(c['note'])} |"
                      for c in table["columns"]]
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
