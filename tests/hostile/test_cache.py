"""Case 3, stale cache: answers without validators are not reused."""

from __future__ import annotations

from sandbox import Sandbox
from sandbox.hostile import HostileProxy, strip_validators
from tests.hostile.cases import Target, tables


def test_cache__answers_without_validators_are_not_reused(tmp_path):
    """With a server sending neither ETag nor Last-Modified and growing between runs, expect
    the second --full run to store the new rows (issue: 133 to-dos stored of 153)."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        target, output = Target(box, proxy), tmp_path / "out"
        proxy.use(strip_validators())
        assert target.export(output).returncode == 0
        before = tables(output, "bc2")
        changed = box.mutate(2, seed=1)  # a new to-do and a new comment, nothing removed
        proc = target.export(output, "--full")
        assert proc.returncode == 0, proc.stderr
        after = tables(output, "bc2")
    new_todos = set(changed["todo_created"])
    assert new_todos <= {row["id"] for row in after["todos"]}
    assert len(after["todos"]) == len(before["todos"]) + len(new_todos)
    assert set(changed["commented"]) <= {row["id"] for row in after["comments"]}
