"""Draft BC4 column lists from openapi.json, and check ``transforms/schemas/bc4/`` against them.

``transforms/schemas/bc4/`` is hand-kept declarative Python (split by subject); this script is
how it was drafted and how to see what changed when openapi.json is refreshed, without parsing
openapi at runtime:

    python tools/gen_bc4_schemas.py Todo Card          # flattened columns + lists, as Python
    python tools/gen_bc4_schemas.py --check            # declared tables vs their schemas

Rules: ``$ref`` objects flatten into ``parent__child`` (shared shapes such as Person are named
rather than expanded), arrays are child tables, ``time.Time`` strings are TS, ``types.Date``
strings (and ``*_on``, ``*_date``, ``date``) are DATE, int64 ids are ID.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OPENAPI = Path(__file__).resolve().parents[2] / "shared/reference/bc4/openapi.json"
# Shapes that bc4/shapes.py declares once and reuses by name.
SHARED = {"Person": "PERSON", "TodoBucket": "BUCKET", "RecordingBucket": "BUCKET",
          "TodoParent": "PARENT", "RecordingParent": "PARENT",
          "RichTextAttachment": "ATTACHMENT"}
# Which component schema each declared table was drafted from (for --check).
SOURCES = {
    "projects": "Project", "templates": "Template", "people": "Person",
    "project_people": "Person", "projects__dock": "DockItem", "todosets": "Todoset",
    "todolists": "Todolist", "todos": "Todo", "message_boards": "MessageBoard",
    "messages": "Message", "message_types": "MessageType", "documents": "Document",
    "uploads": "Upload", "vaults": "Vault", "schedules": "Schedule",
    "schedule_entries": "ScheduleEntry", "campfires": "Campfire",
    "campfire_lines": "CampfireLine", "questionnaires": "Questionnaire",
    "questions": "Question", "question_answers": "QuestionAnswer", "inboxes": "Inbox",
    "inbox_forwards": "Forward", "inbox_replies": "ForwardReply", "card_tables": "CardTable",
    "card_columns": "CardColumn", "cards": "Card", "card_steps": "CardStep",
    "comments": "Comment", "events": "Event", "client_approvals": "ClientApproval",
    "client_correspondences": "ClientCorrespondence", "client_replies": "ClientReply",
    "recordings": "Recording", "boosts": "Boost", "webhooks": "Webhook",
    "upload_versions": "UploadVersion", "chatbots": "Chatbot", "gauge_needles": "GaugeNeedle",
    "timesheet_entries": "TimesheetEntry", "lineup_markers": "LineupMarker",
    "subscriptions": "Subscription", "card_tables__wormholes": "Wormhole",
}


def load() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text())["components"]["schemas"]


def ref_name(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def kind_of(name: str, prop: dict[str, Any]) -> str:
    """The type constant (``transforms.schemas``) for one scalar property."""
    kind = prop.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    go_type = prop.get("x-go-type", "")
    if kind == "integer":
        return "ID" if name == "id" or name.endswith("_id") else "INT"
    if kind == "number":
        return "FLOAT"
    if kind == "boolean":
        return "BOOL"
    if go_type == "time.Time" or name.endswith("_at"):
        return "TS"
    if go_type == "types.Date" or name.endswith(("_on", "_date")) or name == "date":
        return "DATE"
    return "STR"


def flatten(schemas: dict[str, Any], name: str, prefix: str = "",
            expand_shared: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """(columns -> constant or ``nested(SHARED)``, lists -> item schema) of one schema."""
    columns: dict[str, str] = {}
    lists: dict[str, str] = {}
    for prop_name, prop in schemas[name].get("properties", {}).items():
        full = prefix + prop_name
        target = ref_name(prop)
        if target and target in SHARED and not expand_shared:
            columns[full] = f"nested({SHARED[target]})"
        elif target:
            sub_cols, sub_lists = flatten(schemas, target, full + "__", expand_shared)
            columns.update(sub_cols)
            lists.update(sub_lists)
        elif prop.get("type") == "array":
            items = prop.get("items", {})
            lists[full] = ref_name(items) or items.get("type", "?")
        elif prop.get("type") == "object":
            columns[full] = "STR  # free-form object"
        else:
            columns[full] = kind_of(prop_name, prop)
    return columns, lists


def draft(schemas: dict[str, Any], name: str) -> str:
    columns, lists = flatten(schemas, name)
    lines = [f"# {name}"]
    lines += [f"    {col!r}: {kind}," for col, kind in columns.items()]
    lines += [f"    # list {col!r} -> {item}" for col, item in lists.items()]
    return "\n".join(lines)


def check(schemas: dict[str, Any]) -> int:
    """Print, per declared table, openapi columns it lacks (scalar columns only)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    # Imported here: run as a script, the project root is on sys.path only from the line above.
    from transforms.schemas.bc4 import TABLES

    missing = 0
    for table, source in sorted(SOURCES.items()):
        if table not in TABLES:
            print(f"{table}: not declared")
            continue
        columns, lists = flatten(schemas, source, expand_shared=True)
        declared = TABLES[table]
        known = set(declared.declared()) | set(declared.drop) | set(declared.rename)
        known |= set(declared.children)
        lacking = sorted(c for c in [*columns, *lists]
                         if c not in known and not any(c.startswith(d + "__")
                                                       for d in declared.drop))
        if lacking:
            missing += len(lacking)
            print(f"{table} ({source}): {', '.join(lacking)}")
    return 1 if missing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schemas", nargs="*", help="component schema names to draft")
    parser.add_argument("--check", action="store_true", help="compare the bc4 tables with openapi")
    args = parser.parse_args()
    schemas = load()
    if args.check:
        return check(schemas)
    for name in args.schemas or sorted(set(SOURCES.values())):
        print(draft(schemas, name), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
