"""The data dictionary document: every table of a family with its columns and their notes.

One source for ``basecamp-extract tables --json`` and the generated ``docs/tables.md``
(``python -m extract.dictionary`` rewrites it; a test checks it is current). It lives on the
fetch side because a table's opt-in option is a fact of the catalog, not of the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from extract.families import FAMILIES, Family, family
from transforms.dictionary import column_notes
from transforms.schemas import Table

VERSION = 1
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "tables.md"


def describe_table(fam: Family, spec: Table) -> dict[str, Any]:
    notes = column_notes(fam.tables, spec)
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
             "Generated from the declared schemas by `python -m extract.dictionary`; do not "
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
