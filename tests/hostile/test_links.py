"""Case 4, pagination links: odd but valid next links followed, malformed ones ignored."""

from __future__ import annotations

import pytest

from sandbox.hostile import explicit_default_port, link
from tests.hostile.cases import assert_no_traceback, tables, warnings

RECORDINGS = r"/projects/recordings\.json$"


def test_link__closing_bracket_before_the_link_does_not_hide_it(bc4, bc4_calm, tmp_path):
    """With every next link written `>x<…>; rel="next"` (the official conformance case: the
    target lies between the first `<` and the first `>` after it), expect every page followed,
    no path made up from the junk (issue: `/999/x%3C/projects.json`), the export calm."""
    output = tmp_path / "out"
    bc4.proxy.use(link(RECORDINGS, lambda value: ">x" + value))
    proc = bc4.export(output)
    assert_no_traceback(proc)
    assert [s.path for s in bc4.proxy.seen if "x%3C" in s.path or "x<" in s.path] == []
    assert [s.path for s in bc4.proxy.seen if s.status == 404] == []
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [s for s in bc4.proxy.requests_to(RECORDINGS) if "page=2" in s.query]
    assert tables(output, "bc4") == bc4_calm


@pytest.mark.parametrize("value", ['<>; rel="next"', '<; rel="next"'],
                         ids=["empty-target", "unterminated"])
def test_link__malformed_next_link_is_ignored_with_a_warning(bc4, tmp_path, value):
    """With next links that hold no URL (`<>`, or a `<` never closed), expect a warning about
    the Link header, no further page: no request repeated, none made up (a page cap of 5
    bounds today's loop on `<>`)."""
    bc4.proxy.use(link(RECORDINGS, lambda _: value))
    proc = bc4.export(tmp_path / "out", "--max-pages", "5")
    assert_no_traceback(proc)
    listings = [s.query for s in bc4.proxy.requests_to(RECORDINGS)]
    assert len(listings) == len(set(listings)), "a page was requested again"
    assert [s.path for s in bc4.proxy.seen if s.status == 404] == []
    assert any("link" in line.lower() for line in warnings(proc)), proc.stderr[-3000:]
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_link__same_origin_with_explicit_default_port_is_followed(bc4, bc4_calm, tmp_path):
    """With next links written with the default port spelt out (http://localhost:80/… for a
    base URL of http://localhost/…, the loopback twin of https://h:443/), expect every page
    followed and the export equal to a calm one. The client reaches `localhost:80` through
    the proxy as its HTTP_PROXY, so no privileged port is bound."""
    output = tmp_path / "out"
    bc4.proxy.use(link(RECORDINGS, explicit_default_port))
    base_url = f"http://localhost/{bc4.box.account_id}"
    proc = bc4.export(output, base_url=base_url,
                      environ={"HTTP_PROXY": bc4.proxy.origin, "http_proxy": bc4.proxy.origin,
                               "NO_PROXY": "", "no_proxy": ""})
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [s for s in bc4.proxy.requests_to(RECORDINGS) if "page=2" in s.query]
    assert tables(output, "bc4") == bc4_calm
