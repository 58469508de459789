"""Case 9, rows without a key: they go to ``_rejects`` and ``load`` still succeeds."""

from __future__ import annotations

import re

from sandbox.hostile import edit
from tests.hostile.cases import (
    cli,
    drop_first_comment_id,
    manifest,
    message_with_comments,
    rejects,
    tables,
)


def test_rejects__comment_without_id_goes_to_rejects_and_load_succeeds(bc2, bc2_calm,
                                                                       tmp_path):
    """With one comment served without its id, expect it in _rejects (counted in the manifest),
    no null key in comments, and `load` to exit 0."""
    path, _ = message_with_comments(bc2_calm)
    output = tmp_path / "out"
    bc2.proxy.use(edit(re.escape(path) + "$", drop_first_comment_id))
    proc = bc2.export(output)
    assert proc.returncode == 0, proc.stderr[-3000:]
    comments = tables(output, "bc2")["comments"]
    assert all(row["id"] is not None for row in comments)
    assert len(comments) == len(bc2_calm["comments"]) - 1
    rejected = [row for row in rejects(output, "bc2") if row["table"] == "comments"]
    assert len(rejected) == 1, rejected
    assert manifest(output, "bc2")["rejects"]["comments"] == 1
    loaded = cli("load", "-o", str(output), "--api", "bc2", "--to", str(tmp_path / "w.duckdb"))
    assert loaded.returncode == 0, loaded.stderr[-3000:]
