"""Incremental sync: a nightly run costs what changed, and lands where a full export would.

Each test exports a small sandbox in full, lets the sandbox change (``sandbox.bc2.mutate``),
runs the same export again (incremental, from the stored bookmarks) and compares it row for
row, lineage columns aside, with a fresh full export of the changed sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.export import run_export
from sandbox import Sandbox
from sandbox.bc2.mutate import KINDS, mutate
from tests.conftest import sandbox_config, stored_tables
from transforms.store.state import load_state, state_path


def test_bc2__nothing_changed_costs_at_most_five_requests(tmp_path):
    """With a full export stored, expect the next run incremental and ≤ 5 requests."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        full = run_export(sandbox_config(box, tmp_path))
        box.reset_log()
        again = run_export(sandbox_config(box, tmp_path))
    assert full.manifest["mode"] == "full" and again.manifest["mode"] == "incremental"
    assert again.manifest["http"]["requests"] <= 5
    assert again.ok


def test_bc2__after_changes_equals_a_fresh_full_export(tmp_path):
    """With every kind of change made, expect the incremental output to equal a full one."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        run_export(sandbox_config(box, tmp_path / "nightly"))
        changed = mutate(box.truth, 12, seed=5)
        assert set(changed) == set(KINDS)
        box.reset_log()
        nightly = run_export(sandbox_config(box, tmp_path / "nightly"))
        incremental_requests = nightly.manifest["http"]["requests"]
        box.reset_log()
        fresh = run_export(sandbox_config(box, tmp_path / "fresh", cache=False))
    assert nightly.manifest["mode"] == "incremental" and nightly.ok
    assert incremental_requests < fresh.manifest["http"]["requests"]
    got, want = stored_tables(tmp_path / "nightly", "bc2"), stored_tables(tmp_path / "fresh", "bc2")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name


def test_bc2__full_flag_and_state_file(tmp_path):
    """With --full, expect a full run even when a bookmark exists, and the state updated."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        run_export(sandbox_config(box, tmp_path))
        forced = run_export(sandbox_config(box, tmp_path, full=True))
        state = load_state(state_path(tmp_path, "bc2", "account_id", box.account_id))
    assert forced.manifest["mode"] == "full"
    assert state is not None and state.last_run["mode"] == "full"
    assert state.bookmarks["events"]["since"]


def test_status__says_what_the_next_run_does(tmp_path):
    """With a full export stored, expect `status` to show the bookmark and an incremental next."""
    import subprocess
    import sys

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        run_export(sandbox_config(box, tmp_path))
    exe = Path(sys.executable).with_name("basecamp-extract")
    shown = subprocess.run([str(exe), "status", "-o", str(tmp_path)], capture_output=True,
                           text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "bookmark:   events since" in shown.stdout
    assert "next run:   incremental" in shown.stdout


def bc4_config(box: Sandbox, output: Path, **overrides):
    from extract.config import ExportConfig
    from extract.families.bc4.grant import Grant
    from extract.families.bc4.oauth import Tokens
    from extract.http import Credentials

    values = {"account_id": box.account_id, "base_url": box.base_url, "api": "bc4",
              "user_agent": "basecamp-extract tests (tests@example.com)", "output": output,
              "credentials": Credentials(), "grant": Grant(Tokens(box.credentials.token)),
              "workers": 4}
    values.update(overrides)
    return ExportConfig(**values)


def test_bc4__nothing_changed_costs_at_most_forty_requests(tmp_path):
    """With a full export stored, expect the next run incremental and ≤ 40 requests."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        run_export(bc4_config(box, tmp_path))
        box.reset_log()
        again = run_export(bc4_config(box, tmp_path))
    assert again.manifest["mode"] == "incremental" and again.ok
    assert again.manifest["http"]["requests"] <= 40
    assert again.manifest["count_mismatches"] == []


def test_bc4__after_changes_equals_a_fresh_full_export(tmp_path):
    """With creates, updates, status changes and hard deletes, expect the incremental
    output to equal a full export of the changed account, row for row."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        run_export(bc4_config(box, tmp_path / "nightly"))
        changed = box.mutate(16, seed=2)
        assert {"created", "updated", "deleted"} <= set(changed)
        box.reset_log()
        nightly = run_export(bc4_config(box, tmp_path / "nightly"))
        fresh = run_export(bc4_config(box, tmp_path / "fresh", cache=False))
    assert nightly.manifest["mode"] == "incremental" and nightly.ok
    assert nightly.manifest["http"]["requests"] < fresh.manifest["http"]["requests"]
    got, want = stored_tables(tmp_path / "nightly", "bc4"), stored_tables(tmp_path / "fresh", "bc4")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name


@pytest.mark.parametrize("api", ["bc2", "bc4"])
def test_nothing_changed__leaves_every_table_as_it_was(api, tmp_path):
    """With nothing changed, expect the incremental run to leave the output row for row as
    the full export wrote it (an identity check's thin row must not replace a stored one)."""
    config = bc4_config if api == "bc4" else sandbox_config
    with Sandbox(api=api, size="tiny", rate_limit=None) as box:
        run_export(config(box, tmp_path))
        before = stored_tables(tmp_path, api)
        again = run_export(config(box, tmp_path))
    assert again.manifest["mode"] == "incremental"
    assert stored_tables(tmp_path, api) == before
