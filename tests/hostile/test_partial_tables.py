"""Case 8, partial tables: a subscriber table is complete or not written."""

from __future__ import annotations

import pytest

from tests.hostile.cases import (
    SUBSCRIBER_TABLES,
    cli,
    manifest,
    stored_subscribers,
    subscriber_truth,
    tables,
)


@pytest.mark.parametrize("parent", list(SUBSCRIBER_TABLES))
def test_subscribers__a_default_export_writes_no_partial_table(bc2, bc2_calm_dir, bc2_calm,
                                                               parent):
    """With a default export, expect each subscriber table either complete (every subscriber
    of every exported record) or not written, listed in the manifest's not_written and marked
    opt-in by `tables` (issue: todos__subscribers 451 of 1,421, todolists 71 of 175,
    calendar_events 114 of 238, silently)."""
    name = f"{parent}__subscribers"
    if (bc2_calm_dir / "bc2" / name).is_dir():
        stored, truth = stored_subscribers(bc2_calm, parent), subscriber_truth(bc2.box, bc2_calm,
                                                                               parent)
        assert stored == truth, f"{name} written with {len(stored)} of {len(truth)} rows"
        return
    assert name in manifest(bc2_calm_dir, "bc2").get("not_written", [])
    line = next(x for x in cli("tables").stdout.splitlines() if x.startswith(f"{name} "))
    assert "opt-in: --with subscribers" in line, line


def test_subscribers__with_subscribers_is_complete(bc2, tmp_path):
    """With --with subscribers, expect every subscriber table to hold exactly the sandbox's
    subscribers of every exported record (issue: todos__subscribers 451 of 1,421)."""
    output = tmp_path / "out"
    proc = bc2.export(output, "--with", "subscribers")
    assert proc.returncode == 0, proc.stderr[-3000:]
    stored = tables(output, "bc2")
    for parent in SUBSCRIBER_TABLES:
        truth = subscriber_truth(bc2.box, stored, parent)
        assert truth, parent
        assert stored_subscribers(stored, parent) == truth, parent
