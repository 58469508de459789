"""A whole Backpack export of the sandbox: every table, no 503s, minimal, safe with redirects."""

from __future__ import annotations

import base64
from pathlib import Path
from types import SimpleNamespace

import pytest

from extract.catalog import TOKEN_SLOT
from extract.config import ExportConfig
from extract.crawl import Unit
from extract.export import run_export
from extract.families import family
from extract.families.backpack.transport import XmlTransport
from extract.http import Credentials, HttpSettings, HttpStats, RateLimit, build_session
from sandbox import Sandbox
from transforms.errors import RemoteError, SkippedResource
from transforms.read import dataset

UA = "basecamp-extract tests (tests@example.com)"
REQUIRED = ["pages", "notes", "lists", "list_items", "separators", "tags", "emails",
            "reminders", "statuses", "journal_entries", "users", "bookmarks", "calendars",
            "calendar_events"]


def config(box: Sandbox, output: Path, **overrides) -> ExportConfig:
    values = {"account_id": box.account, "base_url": box.base_url, "user_agent": UA,
              "credentials": Credentials(token=box.credentials.token), "output": output,
              "api": "backpack", "workers": 4, "backoff_factor": 0.01}
    values.update(overrides)
    return ExportConfig(**values)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny account exported twice, client limiters on, server limits at the real values."""
    out = tmp_path_factory.mktemp("backpack")
    fam = family("backpack")
    with Sandbox(api="backpack", size="tiny") as box:
        first = run_export(config(box, out, rate_limit=fam.rate))
        minimum = box.minimum_requests()
        statuses = [r["status"] for r in box.requests]
        box.reset_log()
        second = run_export(config(box, out, rate_limit=fam.rate))
        yield {"out": out, "first": first, "second": second, "minimum": minimum,
               "statuses": statuses, "box": box}


def test_export__every_table_has_rows(exported):
    """With the tiny sandbox, expect rows in every table the issue lists."""
    tables = exported["second"].manifest["tables"]
    assert [t for t in REQUIRED if not tables.get(t, {}).get("rows")] == []
    assert exported["second"].ok


def test_export__no_duplicate_keys_after_two_runs(exported):
    """With two runs into one directory, expect unique primary keys in every table."""
    registry = family("backpack").registry
    for name in REQUIRED:
        key = list(registry[name].key)
        rows = dataset(exported["out"], "backpack", name).to_table().select(key).to_pylist()
        keys = [tuple(r.values()) for r in rows]
        assert len(keys) == len(set(keys)), name


def test_export__layout_is_partitioned_by_subdomain(exported):
    """With the export, expect output/backpack/<table>/account-<subdomain>-000.parquet."""
    account = exported["box"].account
    assert (exported["out"] / "backpack" / "pages" / f"account-{account}-000.parquet"
            ).is_file()


def test_export__no_503_and_requests_equal_the_minimum(exported):
    """With both limiters on at the real server limits, expect no 503 and no wasted request."""
    assert 503 not in exported["statuses"]
    assert exported["first"].manifest["http"]["requests"] == exported["minimum"]


def test_export__token_in_no_artefact(exported):
    """With the export done, expect the API token in no file and not in the manifest."""
    token = exported["box"].credentials.token.encode()
    for path in exported["out"].rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert token not in data and base64.b64encode(token) not in data, path


def transport(box: Sandbox, **kwargs) -> XmlTransport:
    settings = HttpSettings(user_agent=UA, credentials=Credentials(token=box.credentials.token),
                            bucket="backpack:t", session_auth=False, backoff_factor=0.01,
                            retry_methods=frozenset({"GET", "POST"}), **kwargs)
    return XmlTransport(build_session(settings, HttpStats()), box.credentials.token)


def unit(base: str, endpoint_id: str, **ctx) -> Unit:
    endpoint = family("backpack").catalog[endpoint_id]
    return Unit(endpoint, {"account": "x", **ctx}, base + endpoint.url_path(ctx))


def test_redirect__wrong_scheme_is_followed_with_the_body_on_the_same_host():
    """With the 302 origin, expect the POST re-sent with its token and later calls sent direct."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        client = transport(box)
        page = client.fetch(unit(box.wrong_scheme_url, "pages_all"), {})
        assert page.records
        again = client.fetch(unit(box.wrong_scheme_url, "pages_all"), {})
        assert again.records == page.records
        statuses = [r["status"] for r in box.requests]
        assert statuses == [302, 200, 200]
        assert {r["method"] for r in box.requests} == {"POST"}


def test_redirect__another_host_is_refused():
    """With a Location on a different host, expect a refusal, not a request there."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        client = transport(box)
        sent: list[str] = []

        def answer(method, url, **kwargs):
            sent.append(url)
            return SimpleNamespace(status_code=302,
                                   headers={"Location": "https://evil.example/ws/pages/all"})

        client.session.request = answer
        with pytest.raises(RemoteError, match="another host"):
            client.fetch(unit(box.base_url, "pages_all"), {})
        assert all(url.startswith(box.base_url) for url in sent)


def test_envelope__missing_page_is_skipped_not_failed():
    """With a page id the account lacks, expect SkippedResource from the 404 envelope."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box, \
            pytest.raises(SkippedResource, match="404"):
        transport(box).fetch(unit(box.base_url, "pages_show", page_id=1), {})


def test_envelope__error_500_is_retried_then_succeeds():
    """With one success='false' code 500 answer, expect a retry and the records."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        box.inject("envelope500", r"/ws/pages/all", times=1)
        assert transport(box).fetch(unit(box.base_url, "pages_all"), {}).records


def test_safety__bomb_from_the_server_is_a_clear_error():
    """With a billion-laughs body, expect a RemoteError naming unsafe XML, promptly."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        box.inject("bomb", r"/ws/pages/all", times=5)
        with pytest.raises(RemoteError, match="unsafe XML"):
            transport(box).fetch(unit(box.base_url, "pages_all"), {})


def test_throttle__503_with_retry_after_is_waited_out():
    """With a 3-per-5s calendar limit and no client limiter, expect 503s retried to success."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None, calendar_rate_limit=(3, 5.0)) \
            as box:
        client = transport(box)
        for _ in range(4):
            assert client.fetch(unit(box.base_url, "calendars_list"), {}).records
        assert 503 in [r["status"] for r in box.requests]


def test_throttle__calendar_limiter_keeps_under_its_own_limit():
    """With the calendar limiter at 3/2 s and the server at 4/2 s, expect no 503."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None, calendar_rate_limit=(4, 2.0)) \
            as box:
        fam = family("backpack")
        limits = {prefix: RateLimit(3, 2.0) for prefix in fam.prefix_limits(box.base_url)}
        client = transport(box, prefix_limits=limits)
        for _ in range(8):
            client.fetch(unit(box.base_url, "calendars_list"), {})
        assert 503 not in [r["status"] for r in box.requests]


def test_token__never_in_unit_urls():
    """With a path-token endpoint, expect the unit URL to hold the slot, not a token."""
    u = unit("http://127.0.0.1:9", "reminders_list")
    assert TOKEN_SLOT in u.url


def test_export__rows_match_the_sandbox_truth(exported):
    """With the sandbox's data, expect exactly the notes, lists and items of my pages."""
    truth = exported["box"].truth
    mine = truth.pages_of(truth.me_id)

    def ids(table):
        return set(dataset(exported["out"], "backpack", table).to_table()["id"].to_pylist())

    assert ids("pages") == {p.id for p in mine}
    assert ids("notes") == {n.id for p in mine for n in p.notes}
    assert ids("list_items") == {i.id for p in mine for lst in p.lists for i in lst.items}
    assert ids("separators") == {s.id for p in mine for s in p.separators}


def test_export__journal_is_paged_to_the_end(exported):
    """With more entries than one page of 100, expect every entry of the account."""
    truth = exported["box"].truth
    rows = dataset(exported["out"], "backpack", "journal_entries").to_table()
    assert len(truth.journal) > 100
    assert sorted(rows["id"].to_pylist()) == sorted(e.id for e in truth.journal)


def test_timezone__override_shifts_naive_times(tmp_path):
    """With --timezone UTC instead of the account's Eastern zone, expect notes 4-5 hours apart."""
    with Sandbox(api="backpack", size="tiny", rate_limit=None, calendar_rate_limit=None) as box:
        run_export(config(box, tmp_path / "local"))
        run_export(config(box, tmp_path / "utc", timezone="UTC"))

    def created(out):
        data = dataset(out, "backpack", "notes").to_table().sort_by("id")
        return data["created_at"].to_pylist()

    shifts = {(a - b).total_seconds() / 3600
              for a, b in zip(created(tmp_path / "local"), created(tmp_path / "utc"),
                              strict=True)}
    assert shifts and shifts <= {4.0, 5.0}


def test_raw__xml_pages_replay_to_the_same_rows(tmp_path):
    """With --keep-raw, expect shape_from_raw to read the XML spool (in the account zone the
    spool's me.xml names) and write exactly the live export's rows."""
    from extract.export import shape_from_raw
    from tests.conftest import stored_tables

    with Sandbox(api="backpack", size="tiny", rate_limit=None,
                 calendar_rate_limit=None) as box:
        live = run_export(config(box, tmp_path / "live", keep_raw=True))
    shape_from_raw(Path(live.manifest["raw"]), tmp_path / "replay", "backpack")
    assert stored_tables(tmp_path / "replay", "backpack") == \
        stored_tables(tmp_path / "live", "backpack")
