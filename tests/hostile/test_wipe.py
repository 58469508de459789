"""Case 1, silent wipe: an empty listing must not empty a stored table."""

from __future__ import annotations

from pathlib import Path

from sandbox import Sandbox
from sandbox.hostile import HostileProxy, empty
from tests.hostile.cases import (
    PEOPLE,
    Target,
    assert_no_traceback,
    copy_output,
    counts,
    guard_violations,
    manifest,
    tables,
    warnings,
)


def test_wipe__bc2_empty_todos_listing_of_one_project_is_refused(bc2, seeded, bc2_calm):
    """With one project's todos.json answering [] on a --full run after a full one, expect
    exit 7, the todos rows kept, and the refusal named in the manifest and on stderr."""
    projects = [row["project_id"] for row in bc2_calm["todos"]]
    busiest = max(set(projects), key=projects.count)
    bc2.proxy.use(empty(rf"/projects/{busiest}/todos\.json$"))
    proc = bc2.export(seeded, "--full")
    after = tables(seeded, "bc2")
    assert len(after["todos"]) == len(bc2_calm["todos"]), "todos shrank"
    assert after["todos"] == bc2_calm["todos"]
    assert guard_violations(bc2_calm, after, "bc2") == []
    _assert_refused(proc, seeded, "bc2", "todos")


def test_wipe__bc2_empty_people_listing_is_refused(bc2, seeded, bc2_calm):
    """With people.json answering [] on a --full run, expect exit 7 and every person kept."""
    bc2.proxy.use(empty(PEOPLE))
    proc = bc2.export(seeded, "--full")
    after = tables(seeded, "bc2")
    assert len(after["people"]) == len(bc2_calm["people"]), "people shrank"
    assert guard_violations(bc2_calm, after, "bc2") == []
    _assert_refused(proc, seeded, "bc2", "people")


def test_wipe__bc4_empty_recordings_listing_is_refused(bc4, bc4_calm_dir, bc4_calm, tmp_path):
    """With /projects/recordings.json answering [] (X-Total-Count still saying otherwise) on a
    --full run, expect exit 7 and the export's stored rows all kept (issue: 757 -> 711)."""
    output = copy_output(bc4_calm_dir, tmp_path / "out")
    bc4.proxy.use(empty(r"/projects/recordings\.json$"))
    proc = bc4.export(output, "--full")
    after = tables(output, "bc4")
    assert sum(counts(after).values()) == sum(counts(bc4_calm).values())
    assert after["todos"] == bc4_calm["todos"]
    assert guard_violations(bc4_calm, after, "bc4") == []
    _assert_refused(proc, output, "bc4", "todos")


def test_wipe__allow_shrink_accepts_a_real_mass_deletion(bc2, seeded, bc2_calm):
    """With the same empty people.json and --allow-shrink=people, expect the deletion applied
    (exit 0, nothing refused): the remedy the refusal names works."""
    bc2.proxy.use(empty(PEOPLE))
    proc = bc2.export(seeded, "--full", "--allow-shrink=people")
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(tables(seeded, "bc2")["people"]) < len(bc2_calm["people"])
    assert manifest(seeded, "bc2").get("shrink_refused", []) == []


def test_wipe__deletions_the_api_states_go_through(tmp_path):
    """With documents trashed, to-dos completed and messages edited on the server (the
    events feed says so), expect an incremental run and a --full run each to end ok and
    refuse nothing: the guard stops silent wipes, not the account's own history."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        target, output = Target(box, proxy), tmp_path / "out"
        assert target.export(output).returncode == 0
        for seed, mode in ((1, ()), (2, ("--full",))):
            trashed = box.mutate(5, seed=seed)["document_trashed"]
            proc = target.export(output, *mode)
            assert_no_traceback(proc)
            assert proc.returncode == 0, f"{mode or 'incremental'}: {proc.stderr[-3000:]}"
            assert manifest(output, "bc2").get("shrink_refused", []) == []
            documents = {row["id"]: row for row in tables(output, "bc2")["documents"]}
            assert all(d not in documents or documents[d]["trashed"] for d in trashed)


def _assert_refused(proc, output: Path, api: str, table: str) -> None:
    """Contract 1: exit 7, a warning naming the table, manifest shrink_refused with remedy."""
    assert_no_traceback(proc)
    assert proc.returncode == 7, proc.stderr[-3000:]
    assert any(table in line for line in warnings(proc)), proc.stderr[-3000:]
    assert "shrink refused" in proc.stdout
    refused = manifest(output, api).get("shrink_refused", [])
    named = [entry for entry in refused if entry["table"] == table]
    assert named, refused
    assert all(e["before"] > e["after"] and "--allow-shrink" in e["remedy"] for e in named)
