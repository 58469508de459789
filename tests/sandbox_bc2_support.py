"""What the Basecamp 2 sandbox tests share: credentials, a small client and the showcase.

Everything runs against tiny accounts on loopback (port 0) with plain ``requests``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from sandbox import Credentials, Sandbox
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.records import ACTIVE, Project

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "bc2"
EXAMPLES = REFERENCE / "examples"
UA = "sandbox-tests (tests@example.com)"
CREDS = Credentials(username="tester@example.com", password="pw-Zx81-secret", token="tok-9f2c")
SINCE_EVER = "2000-01-01T00:00:00-05:00"


class Api:
    """Small authenticated client for one sandbox."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.session.auth = (sb.credentials.username, sb.credentials.password)
        self.session.headers["User-Agent"] = UA

    def get(self, path: str, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else self.sb.base_url + path
        return self.session.get(url, params=params or None, timeout=10)

    def json(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
        return response.json()

    def all(self, path: str, **params: Any) -> list[Any]:
        rows: list[Any] = []
        for page in range(1, 100):
            batch = self.json(path, page=page, **params)
            rows += batch
            if len(batch) < 50:
                return rows
        raise AssertionError(f"{path} never ended")


def showcase(truth: Bc2Account) -> Project:
    """The first active project: the one the generator fills to exercise paging."""
    return next(p for p in truth.projects.values() if p.state == ACTIVE)


def long_list_id(truth: Bc2Account) -> int:
    project = showcase(truth)
    lists = [t for t in truth.todolists.values() if t.project_id == project.id]
    sizes = {t.id: sum(1 for x in truth.todos.values() if x.todolist_id == t.id) for t in lists}
    return max(sizes, key=lambda list_id: sizes[list_id])
