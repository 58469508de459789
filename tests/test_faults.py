"""A hostile network does not change the result: 10% faults of every kind, same output.

The sandbox draws a fault for about one request in ten: 500/502/503/504, 429 with
Retry-After, connection resets, slow answers past the read timeout, truncated JSON and HTML
error pages. Retries, re-fetches of malformed bodies and backoff must absorb all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.config import ExportConfig
from extract.export import run_export
from extract.families.bc4.grant import Grant
from extract.families.bc4.oauth import Tokens
from extract.http import Credentials
from sandbox import Sandbox
from sandbox.faults import FAULT_KINDS
from tests.conftest import stored_tables

UA = "basecamp-extract tests (tests@example.com)"


def export(box: Sandbox, api: str, output: Path):
    c = box.credentials
    auth = ({"grant": Grant(Tokens(c.token)), "credentials": Credentials()} if api == "bc4"
            else {"credentials": Credentials(username=c.username, password=c.password)})
    return run_export(ExportConfig(
        account_id=box.account_id, base_url=box.base_url, user_agent=UA, output=output,
        api=api, workers=4, backoff_factor=0.01, retries=8, cache=False,
        **auth))




@pytest.mark.parametrize("api", ["bc2", "bc4"])
def test_faults__ten_percent_of_every_kind_leave_the_output_unchanged(api, tmp_path):
    """With 10% of requests faulted, expect a complete export equal to a fault-free one."""
    with Sandbox(api=api, size="tiny", seed=0, rate_limit=None) as calm:
        expected = export(calm, api, tmp_path / "calm")
        port = int(calm.origin.rsplit(":", 1)[1])  # the same port again: URLs are in the data
    with Sandbox(api=api, size="tiny", seed=0, rate_limit=None, faults=0.10, fault_seed=3,
                 slow_seconds=0.5, port=port) as hostile:
        for kind in FAULT_KINDS:  # every kind at least once, on top of the random 10%
            hostile.inject(kind, "/(projects|todos|comments|recordings)", times=1)
        got = export(hostile, api, tmp_path / "hostile")
        faults = [r["fault"] for r in hostile.requests if r["fault"]]
    assert got.ok, got.manifest["failures"]
    assert set(faults) == set(FAULT_KINDS), set(faults)
    assert stored_tables(tmp_path / "hostile", api) == stored_tables(tmp_path / "calm", api)
    assert expected.manifest["tables"].keys() == got.manifest["tables"].keys()
