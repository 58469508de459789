"""The accounts file: what it accepts, each mistake as one line (exit 2), secrets by name only."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from extract.cli.fleet.accounts import AccountEntry, load_accounts, parse_accounts
from extract.cli.fleet.engine import shippable
from extract.cli.fleet.secrets import resolve
from tests.fleet.helpers import fleet_options, run_cli, write_accounts
from transforms.errors import ConfigError

REAL = {"name": "acme", "family": "bc2", "account": "123", "user_agent": "A (a@a.test)",
        "username_env": "ACME_USER", "password_env": "ACME_PASS"}


def test_parse__real_and_sandbox_entries_with_their_defaults(tmp_path):
    """Expect a real entry as given, a sandbox entry with its family, seed, size and a
    default name, and a Backpack entry named <family>-<account>."""
    path = write_accounts(tmp_path / "a.toml", [
        REAL, {"sandbox": "bc4", "seed": 3, "size": "tiny"},
        {"family": "backpack", "account": "shop", "token_file": "~/bp-token"}])
    acme, box, pack = load_accounts(path)
    assert acme == AccountEntry(name="acme", family="bc2", account="123",
                                user_agent="A (a@a.test)", username_env="ACME_USER",
                                password_env="ACME_PASS")
    assert (box.name, box.family, box.sandbox, box.seed, box.size) == \
        ("bc4-sandbox-3", "bc4", True, 3, "tiny")
    assert (pack.name, pack.account, pack.token_file) == ("backpack-shop", "shop", "~/bp-token")
    assert load_accounts(write_accounts(tmp_path / "b.toml", [
        {"family": "bc2", "account": 123, "token_env": "T"}]))[0].account == "123"


BAD = [
    ({"family": "bc9", "account": "1", "token_env": "T"}, "unknown family 'bc9'"),
    ({"sandbox": "bc7"}, "unknown sandbox 'bc7'"),
    ({"family": "bc2", "token_env": "T"}, "account is required"),
    ({"account": "1", "token_env": "T"}, "family is required"),
    ({"family": "bc2", "account": "1", "token": "s3cr3t-token"},
     "a secret is never written in the accounts file: instead of 'token' use token_env"),
    ({"family": "bc2", "account": "1", "username_env": "U", "password": "hunter22"},
     "instead of 'password' use password_env"),
    ({"family": "bc2", "account": "1", "token_env": "abc123def456"},
     "token_env must be the NAME of an environment variable"),
    ({"family": "bc2", "account": "1"}, "say where the secret is"),
    ({"family": "bc2", "account": "1", "username_env": "U"},
     "username_env and password_env go together"),
    ({"family": "backpack", "account": "shop", "username_env": "U", "password_env": "P"},
     "backpack signs in with a token"),
    ({"family": "bc2", "account": "acme", "token_env": "T"},
     "account must be a numeric account id"),
    ({"family": "bc2", "account": "1", "token_env": "T", "colour": "red"},
     "unknown key 'colour'"),
    ({"sandbox": "bc2", "token_env": "T"}, "a sandbox entry takes no account or credentials"),
    ({"sandbox": "bc2", "family": "bc4"}, "family 'bc4' and sandbox 'bc2' differ"),
    ({"sandbox": "bc2", "size": "huge"}, "size must be one of tiny, default, large"),
    ({"sandbox": "bc2", "seed": -1}, "seed must be a whole number"),
    ({"sandbox": "bc2", "sandbox_rate_limit": "fast"}, "sandbox_rate_limit must look like"),
    ({"family": "bc2", "account": "1", "token_env": "T", "seed": 2},
     "seed is for sandbox entries only"),
]


@pytest.mark.parametrize(("entry", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_parse__a_bad_entry_is_one_line_naming_the_entry(entry, message):
    """Expect ConfigError (exit 2), one line, naming the entry's number and the problem."""
    with pytest.raises(ConfigError) as caught:
        parse_accounts({"accounts": [{"sandbox": "bc2"}, entry]}, "a.toml")
    line = caught.value.one_line()
    assert caught.value.exit_code == 2 and "\n" not in line
    assert line.startswith("a.toml: account 2") and message in line, line


@pytest.mark.parametrize(("document", "message"), [
    ({"accounts": [REAL, {**REAL, "account": "456"}]}, "duplicate name 'acme'"),
    ({"accounts": [REAL, {**REAL, "name": "again"}]}, "repeats an earlier entry's account"),
    ({"accounts": [{"sandbox": "bc2", "seed": 1}, {"sandbox": "bc2", "seed": 1,
                                                   "name": "b"}]}, "repeats"),
    ({"accounts": []}, "no accounts"),
    ({"account": [REAL]}, "unknown top-level key(s) account"),
])
def test_parse__a_bad_file(document, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_accounts(document)


def test_load__not_toml_is_one_line(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text("[[accounts]]\nfamily = bc2\n")
    with pytest.raises(ConfigError, match=r"a.toml: not valid TOML: Invalid value \(at line 2"):
        load_accounts(path)


def test_resolve__secrets_from_the_environment_and_files_of_the_worker(tmp_path, monkeypatch):
    """Expect the variables' values and the token file's content (a family without a grant
    reads it; Basecamp 4 keeps it as the grant's file); a variable not set names itself and
    never a value."""
    monkeypatch.setenv("ACME_USER", "me@acme.test")
    monkeypatch.setenv("ACME_PASS", "pa55-word-acme")
    (tmp_path / "token").write_text("bp-token-123456\n")
    acme = parse_accounts({"accounts": [REAL]})[0]
    found = resolve(acme)
    assert (found.username, found.password, found.token) == ("me@acme.test", "pa55-word-acme",
                                                            None)
    assert "pa55" not in repr(found)
    pack, bc4 = parse_accounts({"accounts": [
        {"family": "backpack", "account": "shop", "token_file": str(tmp_path / "token")},
        {"family": "bc4", "account": "7", "token_file": str(tmp_path / "grant.json")}]})
    assert resolve(pack).token == "bp-token-123456"
    assert resolve(bc4).token is None and resolve(bc4).token_file == tmp_path / "grant.json"
    monkeypatch.delenv("ACME_PASS")
    with pytest.raises(ConfigError, match=r"environment variable ACME_PASS .password_env. is "
                                          r"not set on "):
        resolve(acme)


def test_shippable__task_options_carry_no_secret_and_no_account(tmp_path):
    """Expect the options a task is pickled with to hold none of the command line's secrets
    or account (each entry brings its own)."""
    opts = fleet_options(tmp_path, api="bc2", account="123", base_url="http://x/123/api/v1",
                         username="u-name", password="p-secret-999", token="t-secret-999",
                         token_file=tmp_path / "f", user_agent="A (a@a.test)", progress=True)
    shipped = pickle.dumps(shippable(opts))
    for secret in (b"p-secret-999", b"t-secret-999", b"u-name", b"123"):
        assert secret not in shipped


def test_cli__a_bad_accounts_file_or_mixed_options_exit_2_in_one_line(tmp_path):
    """Expect exit 2 and one line, no traceback, for: a secret written inline, a real account
    with no User-Agent, --account with --accounts, --processes without --accounts, both
    engines."""
    path = write_accounts(tmp_path / "a.toml", [{**REAL, "token": "inline-secret-1"}])
    good = write_accounts(tmp_path / "b.toml", [{"sandbox": "bc2"}])
    anonymous = {k: v for k, v in REAL.items() if k != "user_agent"}
    nameless = write_accounts(tmp_path / "c.toml", [anonymous])
    for args, said in (
            (["--accounts", str(path)], "instead of 'token' use token_env"),
            (["--accounts", str(nameless)], "account 'acme': a User-Agent is required"),
            (["--accounts", str(good), "--account", "5"], "--account does not go with"),
            (["--processes", "2"], "--processes needs --accounts"),
            (["--accounts", str(good), "--processes", "2", "--scheduler", "tcp://x:1"],
             "exclude each other")):
        proc = run_cli(["export", *args, "-o", str(tmp_path / "out")], tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert said in proc.stderr and "Traceback" not in proc.stderr
        assert "inline-secret-1" not in proc.stderr + proc.stdout
    assert not Path(tmp_path / "out").exists()
