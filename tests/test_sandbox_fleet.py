"""The sandbox fleet: many accounts at once, Basecamp 4 limited per client address across them,
Basecamp 2 per account; the log says who asked; the accounts file names every account."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from sandbox.fleet import FleetAccount, SandboxFleet, busiest_window

TOKEN = "fleet-token"
LIMIT = (5, 60.0)  # a long window: nothing expires while a test runs
UA = "fleet tests (tests@example.com)"


def client(address: str) -> urllib3.PoolManager:
    """Connections leaving from ``address`` (any 127.x.y.z is this machine's loopback)."""
    return urllib3.PoolManager(source_address=(address, 0), retries=False)


def get(pool: urllib3.PoolManager, url: str) -> int:
    headers = {"Authorization": f"Bearer {TOKEN}", "User-Agent": UA}
    return pool.request("GET", url, headers=headers).status


@pytest.fixture
def bc4_fleet() -> Iterator[SandboxFleet]:
    accounts = [FleetAccount("bc4", seed=1), FleetAccount("bc4", seed=2)]
    with SandboxFleet(accounts, token=TOKEN, limits={"bc4": LIMIT}) as fleet:
        yield fleet


def projects(fleet: SandboxFleet, name: str) -> str:
    return fleet.boxes[name].base_url + "/projects.json"


def test_bc4_one_address_shares_one_budget_across_accounts(bc4_fleet: SandboxFleet) -> None:
    pool = client("127.0.0.2")
    first = [get(pool, projects(bc4_fleet, "bc4-1")) for _ in range(3)]
    second = [get(pool, projects(bc4_fleet, "bc4-2")) for _ in range(3)]
    assert first == [200] * 3
    assert second == [200, 200, 429]  # the sixth request of the address, whatever the account


def test_bc4_each_address_gets_its_own_budget(bc4_fleet: SandboxFleet) -> None:
    two, three = client("127.0.0.2"), client("127.0.0.3")
    assert [get(two, projects(bc4_fleet, "bc4-1")) for _ in range(5)] == [200] * 5
    assert [get(three, projects(bc4_fleet, "bc4-1")) for _ in range(5)] == [200] * 5
    assert get(two, projects(bc4_fleet, "bc4-2")) == 429
    assert get(three, projects(bc4_fleet, "bc4-2")) == 429
    seen = busiest_window([e for e in bc4_fleet.requests if e["status"] == 200], LIMIT[1])
    assert seen == {"127.0.0.2": 5, "127.0.0.3": 5}


def test_bc2_limits_per_account_not_per_address() -> None:
    accounts = [FleetAccount("bc2", seed=1), FleetAccount("bc2", seed=2)]
    with SandboxFleet(accounts, token=TOKEN, limits={"bc2": LIMIT}) as fleet:
        pool = client("127.0.0.2")
        one = [get(pool, projects(fleet, "bc2-1")) for _ in range(6)]
        other = [get(pool, projects(fleet, "bc2-2")) for _ in range(5)]
    assert one == [200] * 5 + [429]
    assert other == [200] * 5  # its own account, its own window


def test_log_merges_accounts_with_client_and_name(bc4_fleet: SandboxFleet) -> None:
    get(client("127.0.0.3"), projects(bc4_fleet, "bc4-2"))
    get(client("127.0.0.2"), projects(bc4_fleet, "bc4-1"))
    seen = [(e["name"], e["api"], e["client"], e["status"]) for e in bc4_fleet.requests]
    assert seen == [("bc4-2", "bc4", "127.0.0.3", 200), ("bc4-1", "bc4", "127.0.0.2", 200)]


def test_accounts_file_names_every_account_and_no_secret(bc4_fleet: SandboxFleet) -> None:
    text = bc4_fleet.accounts_toml(user_agent=UA, token_env="FLEET_TOKEN")
    assert TOKEN not in text
    accounts = tomllib.loads(text)["accounts"]
    assert [(a["name"], a["family"], a["token_env"]) for a in accounts] == [
        ("bc4-1", "bc4", "FLEET_TOKEN"), ("bc4-2", "bc4", "FLEET_TOKEN")]
    box = bc4_fleet.boxes["bc4-2"]
    assert accounts[1]["account"] == box.account and accounts[1]["base_url"] == box.base_url


def test_busiest_window_counts_the_densest_half_open_window() -> None:
    entries = [{"t": t, "client": c, "account": 1} for t, c in
               [(0.0, "a"), (0.5, "a"), (0.9, "a"), (1.0, "a"), (1.95, "a"), (0.2, "b")]]
    entries.append({"t": 0.6, "client": "a", "account": None})  # Launchpad: not limited
    assert busiest_window(entries, 1.0) == {"a": 3, "b": 1}


def test_fleet_refuses_two_accounts_of_one_name() -> None:
    with pytest.raises(ValueError, match="differ"):
        SandboxFleet([FleetAccount("bc2", 1), FleetAccount("bc2", 1)])


def test_accounts_of_one_family_are_numbered_apart() -> None:
    accounts = [FleetAccount(api, seed) for api in ("bc2", "bc4", "backpack") for seed in (0, 3)]
    with SandboxFleet(accounts, token=TOKEN) as fleet:
        text = fleet.accounts_toml(user_agent=UA, token_env="FLEET_TOKEN")
        found = {(a["family"], a["account"]) for a in tomllib.loads(text)["accounts"]}
        served = get(client("127.0.0.2"), projects(fleet, "bc2-3"))
    assert found == {("bc2", "900000000"), ("bc2", "900000003"), ("bc4", "900000000"),
                     ("bc4", "900000003"), ("backpack", "sandbox900000000"),
                     ("backpack", "sandbox900000003")}
    assert served == 200


def test_command_line_serves_until_terminated(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.toml"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.fleet", "--bc2", "1", "--bc4", "2",
                             "--accounts", str(accounts)], env=env, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith("serving 3 accounts")  # the file is written
        token = proc.stderr.readline().split("=", 1)[1].strip()
        found = tomllib.loads(accounts.read_text())["accounts"]
        pool = urllib3.PoolManager(retries=False)
        status = pool.request("GET", found[1]["base_url"] + "/projects.json", headers={
            "Authorization": f"Bearer {token}", "User-Agent": UA}).status
    finally:
        proc.terminate()
    assert proc.wait(timeout=30) == 0
    assert [a["name"] for a in found] == ["bc2-0", "bc4-0", "bc4-1"] and status == 200
