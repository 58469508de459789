"""The CLI asks the family, never its name: sign-in, account discovery and sandbox reach.

A made-up family (bc2's catalog with a stub ``Login``) stands in for a fourth family, so these
show that a family with those facts gets the behaviour without any change to the CLI.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from extract.cli import cli, export_cmd, targets
from extract.cli.options import ExportOptions
from extract.families import FAMILIES
from extract.families.family import Target
from transforms.errors import ConfigError

UA = "basecamp-extract tests (tests@example.com)"


class StubLogin:
    """A family that signs in with a grant and reaches two accounts."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, str, str]] = []

    def stored(self, token_file: Path | None) -> bool:
        return token_file is not None

    def grant(self, options: Any, target: Target) -> tuple[Any, str]:
        return "the-grant", options.launchpad or "https://launchpad.test"

    def accounts(self, grant: Any, launchpad: str, user_agent: str,
                 target: Target) -> list[Target]:
        self.asked.append((grant, launchpad, user_agent))
        return [dataclasses.replace(target, account=n, base_url=f"https://x.test/{n}")
                for n in (1, 2)]


def options(**given: Any) -> ExportOptions:
    """ExportOptions as click builds them for ``export`` with ``given``."""
    seen: list[ExportOptions] = []
    args = ["export", "--user-agent", UA]
    for name, value in given.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export_cmd, "run", lambda steps, opts, command: seen.append(opts))
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return seen[0]


@pytest.fixture
def fourth(monkeypatch: pytest.MonkeyPatch) -> StubLogin:
    login = StubLogin()
    fam = dataclasses.replace(FAMILIES["bc2"], api="fourth", login=login, sandbox_target=None)
    monkeypatch.setattr(targets, "family", lambda api: fam)
    return login


def test_options__arrive_as_one_frozen_typed_object():
    opts = options(**{"with": "events,boosts", "allow_shrink": "todos, people"})
    assert opts.fan_outs == ("boosts", "events")
    assert opts.shrink_allowance == frozenset({"todos", "people"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.api = "bc4"  # type: ignore[misc]


def test_a_family_with_a_login_exports_every_account_it_reaches(fourth: StubLogin):
    opts = options(launchpad="https://lp.test")
    found = targets.accounts(opts, Target())
    assert [(t.account, t.base_url) for t in found] == [(1, "https://x.test/1"),
                                                        (2, "https://x.test/2")]
    assert fourth.asked == [("the-grant", "https://lp.test", UA)]


def test_a_named_account_asks_the_login_nothing(fourth: StubLogin):
    target = Target(account=7)
    assert targets.accounts(options(), target) == [target]
    assert fourth.asked == []


def test_a_stored_grant_counts_as_credentials_and_no_sandbox_starts(fourth: StubLogin,
                                                                    tmp_path: Path):
    with targets.sandbox_if_needed(options(token_file=tmp_path / "grant.json")) as target:
        assert target == Target()


def test_a_family_without_a_sandbox_says_so_instead_of_guessing(fourth: StubLogin):
    with pytest.raises(ConfigError, match="fourth has no built-in sandbox"), \
            targets.sandbox_if_needed(options()):
        pass


def test_every_registered_family_reaches_the_built_in_sandbox():
    assert {api: f.sandbox_target is not None for api, f in FAMILIES.items()} == \
        dict.fromkeys(FAMILIES, True)
