"""The notebook API (typed frames, DuckDB views) and the example notebooks, run headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from extract.export import run_export
from sandbox import Sandbox
from tests.conftest import sandbox_config
from tests.test_backpack_export import config as backpack_config
from tests.test_bc4_export import config as bc4_config
from transforms.notebook import open_export
from transforms.read import dataset

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK = NOTEBOOKS / "bc2_activity.ipynb"


@pytest.fixture(scope="module")
def exported(tmp_path_factory, tiny_sandbox) -> Path:
    out = tmp_path_factory.mktemp("export")
    assert run_export(sandbox_config(tiny_sandbox, out)).ok
    return out


def test_open_export__frames_have_declared_dtypes(exported):
    """With `df("bc2", "todos")`, expect int64 ids, UTC timestamps and no float ids."""
    ex = open_export(exported)
    assert "todos" in ex.tables("bc2") and "projects" in ex.tables("bc2")
    todos = ex.df("bc2", "todos")
    assert todos["id"].dtype == "int64" and todos["project_id"].dtype == "int64"
    assert str(todos["created_at"].dtype) == "datetime64[us, UTC]"
    assert str(todos["assignee__id"].dtype) in ("int64", "Int64")
    assert todos["completed"].dtype in ("bool", "boolean")
    assert isinstance(todos["due_on"].dtype, pd.ArrowDtype)
    assert len(todos) == dataset(exported, "bc2", "todos").count_rows()


def test_open_export__duckdb_has_a_view_per_table(exported):
    """With `duckdb()`, expect views named bc2.<table> that join like warehouse tables."""
    ex = open_export(exported)
    con = ex.duckdb()
    views = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = 'bc2'").fetchall()}
    assert views == set(ex.tables("bc2"))
    rows = con.execute("SELECT count(*) FROM bc2.todos t JOIN bc2.projects p "
                       "ON p.id = t.project_id").fetchall()
    assert rows == [(dataset(exported, "bc2", "todos").count_rows(),)]


def test_open_export__missing_folder_is_clear(tmp_path):
    """With a folder that does not exist, expect FileNotFoundError telling to export."""
    with pytest.raises(FileNotFoundError, match="basecamp-extract export"):
        open_export(tmp_path / "nope")


def run_notebook(path: Path, output: Path, monkeypatch) -> list[Any]:
    """Execute every cell with ``BASECAMP_OUTPUT=output``; return the code cells' outputs."""
    monkeypatch.setenv("BASECAMP_OUTPUT", str(output))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]


def figures(outputs: list[Any]) -> list[Any]:
    assert not [o for o in outputs if o.output_type == "error"]
    return [o for o in outputs if "image/png" in o.get("data", {})]


def printed(outputs: list[Any]) -> str:
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def test_notebook__runs_headless_and_draws(exported, monkeypatch):
    """With the tiny export in BASECAMP_OUTPUT, expect every cell to run and 3 figures."""
    assert len(figures(run_notebook(NOTEBOOK, exported, monkeypatch))) >= 3


def test_notebook__bc4_runs_headless_and_draws(tmp_path, monkeypatch):
    """With a tiny BC4 export (details and events), expect 3 figures, no fallback notes, no
    warnings: opened vs completed per week, open assigned to-dos per person, busiest projects."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        assert run_export(bc4_config(box, tmp_path, options=("details", "events"))).ok
    outputs = run_notebook(NOTEBOOKS / "bc4_activity.ipynb", tmp_path, monkeypatch)
    assert len(figures(outputs)) == 3
    text = printed(outputs)
    assert "open now:" in text and "no bc4." not in text and "Warning" not in text


def test_notebook__backpack_runs_headless_and_draws(tmp_path, monkeypatch):
    """With a tiny Backpack export, expect 2 figures: journal entries per person per month,
    pages with the most open list items."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        assert run_export(backpack_config(box, tmp_path)).ok
    outputs = run_notebook(NOTEBOOKS / "backpack_activity.ipynb", tmp_path, monkeypatch)
    assert len(figures(outputs)) == 2
    assert "Warning" not in printed(outputs)
