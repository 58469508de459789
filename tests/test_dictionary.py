"""The data dictionary: `tables --json` and docs/tables.md, both from the declared schemas."""

from __future__ import annotations

import json

import pytest

from extract.dictionary import DOC_PATH, VERSION, describe, markdown
from extract.families import FAMILIES, family
from tests.test_cli import run_cli


def test_docs_tables_md_is_current():
    """With the declarations as they are, expect docs/tables.md to be exactly what they give."""
    assert DOC_PATH.read_text(encoding="utf-8") == markdown(), (
        "docs/tables.md is stale: run `python -m extract.dictionary`")


def test_docs_cover_every_table_of_every_family():
    """With all three families, expect a section per declared table, opt-in ones marked."""
    text = markdown()
    for api in FAMILIES:
        for name in family(api).registry:
            assert f"\n### {api}.{name}\n" in text
    assert "opt-in: written only with `--with details`" in text


@pytest.mark.parametrize("api", sorted(FAMILIES))
def test_tables_json_is_the_declarations(api):
    """With `tables --json`, expect one JSON document: every table, key, partition, columns."""
    proc = run_cli("tables", "--api", api, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["version"] == VERSION and doc["api"] == api
    fam = family(api)
    assert [t["name"] for t in doc["tables"]] == list(fam.registry)
    for table in doc["tables"]:
        spec = fam.registry[table["name"]]
        assert table["key"] == list(spec.key) and table["partition"] == list(spec.partition)
        assert table["doc"] == spec.doc and table["opt_in"] == fam.opt_in(spec.name)
        assert [(c["name"], c["type"]) for c in table["columns"]] \
            == [(f.name, str(f.type)) for f in spec.arrow_schema()]
    assert doc == json.loads(json.dumps(describe(api)))


def test_tables_json_before_the_command_too():
    """With the global --json before `tables`, expect the same document."""
    proc = run_cli("--json", "tables", "--api", "backpack")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(json.dumps(describe("backpack")))


def test_tables_json_marks_opt_in_and_notes_only_declared_facts():
    """With BC4, expect `todos__assignees` opt-in with details, its parent key described, and
    no note on a plain column (nothing is guessed)."""
    tables = {t["name"]: t for t in describe("bc4")["tables"]}
    assignees = tables["todos__assignees"]
    assert assignees["opt_in"] == "details" and assignees["child_of"] == "todos"
    notes = {c["name"]: c["note"] for c in assignees["columns"]}
    assert notes["todo_id"] == "Part of the primary key. `id` of the parent `todos` row."
    assert notes["ordinal"].endswith("Position of the element in the source list.")
    todos = {c["name"]: c["note"] for c in tables["todos"]["columns"]}
    assert todos["id"] == "Primary key." and todos["title"] == ""
    assert tables["todos"]["opt_in"] is None
