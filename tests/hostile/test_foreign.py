"""Case 2, foreign data: nothing is fetched from or stored for another origin."""

from __future__ import annotations

import pytest

from sandbox.foreign import FOREIGN_ID
from sandbox.hostile import redirect
from tests.hostile.cases import PEOPLE, assert_one_line_error, holds_value, tables


@pytest.mark.parametrize("where", ["another port", "another host"])
def test_foreign__bc2_redirect_to_another_origin_is_refused(bc2, foreign, bc2_calm, tmp_path,
                                                            where):
    """With people.json answering 302 to another origin, expect no request there, the unit
    failed with one line naming it (exit 7), nothing foreign stored; a later calm --full
    run stores the honest people and nothing foreign, in the output or the HTTP cache."""
    to = foreign.origin if where == "another port" else \
        foreign.origin.replace("127.0.0.1", "localhost")
    output = tmp_path / "out"
    bc2.proxy.use(redirect(PEOPLE, to))
    proc = bc2.export(output, "--steps", "people")
    assert foreign.received == [], "a request reached the other origin"
    assert_one_line_error(proc, 7, "refused a redirect to another origin", to)
    assert holds_value(tables(output, "bc2"), FOREIGN_ID) == []
    bc2.proxy.reset()
    proc = bc2.export(output, "--steps", "people", "--full")
    assert proc.returncode == 0, proc.stderr
    stored = tables(output, "bc2")
    assert holds_value(stored, FOREIGN_ID) == []
    assert stored["people"] == bc2_calm["people"]
    assert not [p for p in output.rglob("*") if p.is_file()
                and b"foreign@evil.example" in p.read_bytes()], "foreign body kept on disk"


def test_foreign__bc4_redirect_to_another_origin_is_refused(bc4, foreign, tmp_path):
    """With BC4 people.json answering 302 to another origin, expect no request there, exit 7
    with one line naming it, and no foreign person stored."""
    output = tmp_path / "out"
    bc4.proxy.use(redirect(PEOPLE, foreign.origin))
    proc = bc4.export(output, "--steps", "people")
    assert foreign.received == [], "a request reached the other origin"
    assert_one_line_error(proc, 7, "refused a redirect to another origin", foreign.origin)
    assert holds_value(tables(output, "bc4"), FOREIGN_ID) == []
