"""The harness itself: an idle proxy changes nothing the other cases could mistake for a bug."""

from __future__ import annotations

from tests.hostile.cases import tables


def test_proxy__an_idle_proxy_changes_nothing(bc2, bc2_calm, tmp_path):
    """With no rule, expect the export through the proxy to equal one made directly: the
    harness itself adds no difference the other tests could mistake for a bug."""
    output = tmp_path / "direct"
    proc = bc2.export(output, base_url=bc2.box.base_url)
    assert proc.returncode == 0, proc.stderr
    assert bc2.proxy.seen == []
    assert tables(output, "bc2") == bc2_calm
