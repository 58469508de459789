"""The notebook API (typed frames, DuckDB views) and the example notebook, run headless."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extract.export import run_export
from tests.conftest import sandbox_config
from transforms import open_export
from transforms.read import dataset

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "bc2_activity.ipynb"


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


def test_notebook__runs_headless_and_draws(exported, monkeypatch):
    """With the tiny export in BASECAMP_OUTPUT, expect every cell to run and 3 figures."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("BASECAMP_OUTPUT", str(exported))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= 3
