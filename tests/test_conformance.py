"""The official basecamp-sdk conformance cases, GET only, through OUR HTTP stack.

Each case of ``../shared/reference/bc4/conformance/`` (pagination, retry, security,
integer-precision, status-codes, error-mapping) is served by a loopback server that answers
from the case's ``mockResponses`` in order (the last repeats once they run out, per the
README there) and is read with ``build_session`` + ``pagination.fetch`` / ``iter_link_pages``,
exactly as an export reads. Assertions are checked in our terms (error classes rather than the
SDK's error-code names). Cases that concern an SDK, not a read-only extractor, are not run
(``test_conformance__every_case_is_run_or_named_as_sdk_only`` keeps that list exact);
deliberate deviations are asserted as what we do instead.

| Case (SDK-only, not run) | Why it does not apply to basecamp-extract |
|---|---|
| every POST / PUT / DELETE case | write operations: a read-only extractor sends none |
| maxItems caps results across pages | `maxItems` is an SDK option; an export reads all |
| maxItems landing exactly on the final item ... | same (`maxItems`) |
| A positive page selects exactly that page | page pinning is an SDK option |
| A pinned final page is not truncated | same (page pinning) |
| A pinned page still honours the item cap | same (page pinning, `maxItems`) |
| SDK error-code names (`auth_required` ...) | checked as our error classes instead |
| `errorMessage` of 400/422 field maps | SDK formatting of write validation errors |
| SDK User-Agent | the extractor sends the user's own `--user-agent` |

| Deviation (asserted as we behave) | What we do, and why |
|---|---|
| GET 500 is not retried | retried like 502-504: BC4 docs §6 allow 500-504 |
| Missing X-Total-Count returns zero | `total` is None: absent is unknown, not zero |
| List ... first page with Link header (count 1) | we follow `Link`; page 1 checked via `fetch` |
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from extract.http import Credentials, HttpSettings, HttpStats, build_session, require_safe_base_url
from extract.pagination import fetch, iter_link_pages
from tests.conftest import SHARED
from tests.scripted_server import UA, scripted
from transforms.errors import (
    AuthError,
    BasecampExtractError,
    ConfigError,
    RemoteError,
    SkippedResource,
)

FILES = ("pagination", "retry", "security", "integer-precision", "status-codes", "error-mapping")
FOLDER = SHARED / "reference" / "bc4" / "conformance"

SDK_ONLY = {
    "maxItems caps results across pages": "maxItems is an SDK option",
    "maxItems landing exactly on the final item is not truncated": "maxItems is an SDK option",
    "A positive page selects exactly that page": "page pinning is an SDK option",
    "A pinned final page is not truncated": "page pinning is an SDK option",
    "A pinned page still honours the item cap": "page pinning / maxItems are SDK options",
}
DEVIATIONS = {
    "GET 500 is not retried": "500 is retried (BC4 docs §6 allow 500-504)",
    "Missing X-Total-Count returns zero": "absent X-Total-Count is None, not 0",
}
FIRST_PAGE_ONLY = "link-header"  # tag: a count only a non-following SDK call can meet

ERRORS: dict[int, type[BasecampExtractError]] = {
    400: ConfigError, 401: AuthError, 403: SkippedResource, 404: SkippedResource,
    429: RemoteError, 500: RemoteError, 502: RemoteError, 503: RemoteError, 504: RemoteError,
}
ERROR_CODES: dict[str, type[BasecampExtractError]] = {
    "auth_required": AuthError, "forbidden": SkippedResource, "not_found": SkippedResource,
    "validation": ConfigError, "rate_limit": RemoteError, "api_error": RemoteError,
}


def _all_cases() -> list[tuple[str, dict[str, Any]]]:
    return [(name, case) for name in FILES
            for case in json.loads((FOLDER / f"{name}.json").read_text())]


def _applies(case: dict[str, Any]) -> bool:
    """A GET a read-only extractor makes, not an SDK option (see the table above)."""
    return case.get("method", "GET") == "GET" and case["name"] not in SDK_ONLY


def _cases() -> list[Any]:
    if not FOLDER.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"conformance folder {FOLDER} is absent (clone outside the workspace)"))]
    return [pytest.param(case, id=f"{name}: {case['name']}")
            for name, case in _all_cases() if _applies(case)]


def test_conformance__every_case_is_run_or_named_as_sdk_only(shared: Path) -> None:
    """With the official files read, expect each case either run below or a write operation
    or named in SDK_ONLY, and every SDK_ONLY name to exist: a new upstream case cannot be
    left out silently, and a stale exclusion fails."""
    cases = [case for _, case in _all_cases()]
    names = {case["name"] for case in cases}
    assert set(SDK_ONLY) <= names, set(SDK_ONLY) - names
    run = [case for case in cases if _applies(case)]
    writes = [case for case in cases if case.get("method", "GET") != "GET"]
    assert len(run) + len(writes) + len(SDK_ONLY) == len(cases)
    assert len(run) >= 40


def _failing(case: dict[str, Any]) -> bool:
    last = case["mockResponses"][-1] if case["mockResponses"] else {}
    return bool(last.get("networkError")) or last.get("status", 200) >= 400


def _settings(case: dict[str, Any]) -> HttpSettings:
    """The documented policy when a case times retries; a faster one when it only fails."""
    overrides = case.get("configOverrides", {})
    timed = any(a["type"] == "delayBetweenRequests" for a in case["assertions"])
    fast = _failing(case) and not timed
    return HttpSettings(user_agent=UA, credentials=Credentials(token="t"), bucket="conformance",
                        retries=overrides.get("maxRetries"),
                        backoff_factor=0.05 if fast else 1.0,
                        retry_for=0.5 if fast else 30.0)


def _path(case: dict[str, Any]) -> str:
    path = case["path"]
    for name, value in case.get("pathParams", {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path


@pytest.mark.parametrize("case", _cases())
def test_conformance(case: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """With the case's answers served in order, expect its assertions to hold for our stack."""
    overrides = case.get("configOverrides", {})
    if "baseUrl" in overrides:
        with pytest.raises(ConfigError, match="HTTPS is required"):
            require_safe_base_url(overrides["baseUrl"])
        assert {"type": "requestCount", "expected": 0} in case["assertions"]
        return
    with scripted(case["mockResponses"]) as server:
        session = build_session(_settings(case), HttpStats())
        url = server.origin + _path(case)
        warnings: list[str] = []
        pages, error = [], None
        try:
            if case["operation"].startswith("List") and FIRST_PAGE_ONLY not in case["tags"]:
                pages = list(iter_link_pages(session, url, max_pages=overrides.get(
                    "maxPages", 50), warn=warnings.append))
            else:
                pages = [fetch(session, url)]
        except BasecampExtractError as exc:
            error = exc
    for assertion in case["assertions"]:
        _check(case, assertion, server, pages, error,
               warnings + [r.message for r in caplog.records])


@dataclass(frozen=True)
class Outcome:
    """What one case's run left to check: its answers, the requests made, any error."""

    case: dict[str, Any]
    assertion: dict[str, Any]
    server: Any
    pages: list[Any]
    error: BasecampExtractError | None
    warnings: list[str]

    @property
    def expected(self) -> Any:
        return self.assertion.get("expected")

    @property
    def hits(self) -> list[Any]:
        return self.server.hits

    @property
    def records(self) -> list[dict[str, Any]]:
        return [r for p in self.pages for r in p.records]


def _check(case: dict[str, Any], assertion: dict[str, Any], server: Any, pages: list[Any],
           error: BasecampExtractError | None, warnings: list[str]) -> None:
    kind = assertion["type"]
    check = CHECKS.get((kind, assertion.get("path"))) or CHECKS.get((kind, None))
    if check is None:
        raise AssertionError(f"assertion {assertion} is not driven; add it or skip the case")
    check(Outcome(case, assertion, server, pages, error, warnings))


def _request_count(o: Outcome) -> None:
    if o.case["name"] == "GET 500 is not retried":
        assert len(o.hits) > 1, DEVIATIONS[o.case["name"]]
    elif FIRST_PAGE_ONLY in o.case["tags"]:
        assert o.pages and o.pages[0].next_url, "first page read, next link exposed"
    else:
        assert len(o.hits) == o.expected, [h.path for h in o.hits]


def _delay_between_requests(o: Outcome) -> None:
    delays = o.server.delays_ms()
    assert len(o.hits) > 1 and min(delays) >= o.assertion["min"], delays


def _no_error(o: Outcome) -> None:
    assert o.error is None, o.error.one_line()


def _error_raised(o: Outcome) -> None:
    assert o.error is not None


def _status_code(o: Outcome) -> None:
    if o.expected < 400:
        assert o.error is None and o.pages and o.pages[0].status == o.expected
    else:
        assert isinstance(o.error, ERRORS[o.expected]) and str(o.expected) in str(o.error), \
            o.error


def _error_code(o: Outcome) -> None:
    assert isinstance(o.error, ERROR_CODES[o.expected]), (o.expected, o.error)


def _error_http_status(o: Outcome) -> None:
    assert o.error is not None
    assert str(o.expected) in str(o.error)


def _error_retryable(o: Outcome) -> None:
    assert o.error is not None
    assert (len(o.hits) > 1) == o.expected, len(o.hits)


def _error_request_id(o: Outcome) -> None:
    assert o.error is not None
    assert o.error.request_id == o.expected \
        and f"(request id {o.expected})" in o.error.one_line()


def _url_origin(o: Outcome) -> None:
    assert o.expected == "rejected"
    assert isinstance(o.error, RemoteError) and "another origin" in str(o.error), o.error


def _total_count(o: Outcome) -> None:
    if o.case["name"] == "Missing X-Total-Count returns zero":
        assert o.pages[0].total is None, DEVIATIONS[o.case["name"]]
    else:
        assert o.pages[0].total == o.expected


def _truncated(o: Outcome) -> None:
    capped = any("page cap" in w for w in o.warnings)
    assert capped == o.expected, o.warnings


def _body_id(o: Outcome) -> None:
    assert o.records[0]["id"] == o.expected and type(o.records[0]["id"]) is int


def _project_count(o: Outcome) -> None:
    assert len([r for r in o.records if "id" in r]) == o.expected, o.records


def _last_project_id(o: Outcome) -> None:
    assert o.records[-1]["id"] == o.expected


def _request_path(o: Outcome) -> None:
    assert o.hits[o.assertion["index"]].path.split("?")[0] == o.expected


# (assertion type, its path or None for any path) -> the check, in our terms
CHECKS: dict[tuple[str, str | None], Callable[[Outcome], None]] = {
    ("requestCount", None): _request_count,
    ("delayBetweenRequests", None): _delay_between_requests,
    ("noError", None): _no_error,
    ("errorRaised", None): _error_raised,
    ("statusCode", None): _status_code,
    ("errorCode", None): _error_code,
    ("errorField", None): _error_raised,
    ("errorField", "httpStatus"): _error_http_status,
    ("errorField", "retryable"): _error_retryable,
    ("errorField", "requestId"): _error_request_id,
    ("urlOrigin", None): _url_origin,
    ("responseMeta", "totalCount"): _total_count,
    ("responseMeta", "truncated"): _truncated,
    ("responseBody", "id"): _body_id,
    ("responseBody", "project_count"): _project_count,
    ("responseBody", "last_project_id"): _last_project_id,
    ("requestPath", None): _request_path,
}


def test_conformance__folder_is_present_in_the_workspace(shared: Path) -> None:
    """With ../shared present, expect the six case files (so the cases above do not skip)."""
    assert all((FOLDER / f"{name}.json").is_file() for name in FILES)
