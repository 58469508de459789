"""How the Basecamp 4 sandbox tests read an account: a bearer client that follows ``Link``
headers, and the walks (every container, the recordings listing, the extras) whose request
counts the oracle tests compare.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests

from sandbox import Sandbox
from sandbox.bc4.model import LISTABLE_TYPES, STATUSES

UA = "sandbox-tests (tests@example.com)"
COMMENTABLE_KEYS = "comments_count"
EVERYTHING_TODOS = ("/todos/open.json", "/todos/completed.json")
EVERYTHING_CARDS = ("/cards/open.json", "/cards/completed.json", "/cards/not_now.json")


class Client:
    """Small bearer-token client that follows ``Link`` headers and records collections."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.collections: list[tuple[str, Any]] = []
        self.members: list[tuple[str, Any]] = []

    def headers(self) -> dict[str, str]:
        return {"User-Agent": UA, "Authorization": f"Bearer {self.sb.credentials.token}"}

    def get(self, url: str, **params: str) -> requests.Response:
        if not url.startswith("http"):
            url = self.sb.base_url + url
        return self.session.get(url, params=params or None, headers=self.headers(), timeout=10)

    def member(self, url: str, keep: bool = False) -> Any:
        """One object; ``keep`` records it for the openapi and fixture checks."""
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if keep:
            self.members.append((response.url, response.json()))
        return response.json()

    def walk(self, url: str, **params: str) -> list[Any]:
        """Every row of a collection, following ``rel="next"``."""
        rows: list[Any] = []
        response = self.get(url, **params)
        while True:
            assert response.status_code == 200, (response.url, response.status_code)
            page = response.json()
            self.collections.append((response.url, page))
            rows += page
            link = response.headers.get("Link", "")
            found = re.search(r'<([^>]+)>;\s*rel="next"', link)
            if not found:
                return rows
            response = self.get(found.group(1))


def page_sizes(client: Client, url: str) -> tuple[list[int], int]:
    """Rows per page following absolute same-origin Links, and the constant X-Total-Count."""
    response = client.get(url)
    total = int(response.headers["X-Total-Count"])
    sizes: list[int] = []
    while True:
        assert response.headers["X-Total-Count"] == str(total)
        sizes.append(len(response.json()))
        link = response.headers.get("Link")
        if not link:
            return sizes, total
        found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
        assert found and found.group(1).startswith(client.sb.origin + "/"), link
        response = client.get(found.group(1))


ACCOUNT_LISTS = ("/people.json", "/templates.json", "/reports/gauges.json", "/lineup/markers.json")
PROJECT_LISTS = ("/projects/{pid}/people.json", "/buckets/{pid}/categories.json",
                 "/buckets/{pid}/webhooks.json", "/projects/{pid}/timesheet.json",
                 "/projects/{pid}/gauge/needles.json")


def container_walk(client: Client) -> int:
    """Read the account the slow way (every container, every status); returns rows seen."""
    projects = []
    for status in STATUSES:
        projects += client.walk("/projects.json", status=status)
    seen = sum(len(client.walk(path)) for path in ACCOUNT_LISTS)
    seen += _chats_walk(client)
    commentable: list[dict[str, Any]] = []
    for project in projects:
        if project["status"] != "trashed":
            seen += _project_walk(client, project, commentable)
    for item in commentable:
        if item.get(COMMENTABLE_KEYS):
            seen += len(client.walk(item["comments_url"]))
    return seen + len(commentable)


def _chats_walk(client: Client) -> int:
    chats = client.walk("/chats.json")
    seen = len(chats)
    if chats:  # chatbots are account-wide: any campfire lists them all
        first = chats[0]
        seen += len(client.walk(
            f"/buckets/{first['bucket']['id']}/chats/{first['id']}/integrations.json"))
    return seen


def _project_walk(client: Client, project: dict[str, Any],
                  commentable: list[dict[str, Any]]) -> int:
    """One live project's lists and client items; its tools' rows go to ``commentable``."""
    pid = project["id"]
    seen = sum(len(client.walk(path.format(pid=pid))) for path in PROJECT_LISTS)
    if project["clients_enabled"]:
        for kind in ("approvals", "correspondences"):
            for item in client.walk(f"/buckets/{pid}/client/{kind}.json"):
                seen += 1 + len(client.walk(item["replies_url"]))
    for tool in project["dock"]:
        if tool["enabled"]:
            commentable += walk_tool(client, tool)
    return seen


Rows = list[dict[str, Any]]


def walk_tool(client: Client, tool: dict[str, Any]) -> Rows:
    """The rows below one dock tool (what ``TOOL_WALKS`` reads for its kind)."""
    root = client.member(tool["url"])
    walk = TOOL_WALKS.get(tool["name"])
    return walk(client, root) if walk else []


def _todoset_walk(client: Client, root: dict[str, Any]) -> Rows:
    lists: Rows = []
    for status in STATUSES:
        lists += client.walk(root["todolists_url"], status=status)
    for todolist in list(lists):
        for status in STATUSES:
            lists += client.walk(todolist["groups_url"], status=status)
    rows: Rows = []
    for todolist in lists:
        rows += client.walk(todolist["todos_url"])
        rows += client.walk(todolist["todos_url"], completed="true")
        for status in STATUSES[1:]:
            rows += client.walk(todolist["todos_url"], status=status)
    return rows + lists


def _vault_walk(client: Client, root: dict[str, Any]) -> Rows:
    rows: Rows = []
    vaults = [root]
    while vaults:
        vault = vaults.pop()
        rows += client.walk(vault["documents_url"]) + client.walk(vault["uploads_url"])
        vaults += client.walk(vault["vaults_url"])
    return rows


def _schedule_walk(client: Client, root: dict[str, Any]) -> Rows:
    rows: Rows = []
    for status in STATUSES:
        rows += client.walk(root["entries_url"], status=status)
    return rows


def _chat_walk(client: Client, root: dict[str, Any]) -> Rows:
    client.walk(root["lines_url"])
    return []


def _questionnaire_walk(client: Client, root: dict[str, Any]) -> Rows:
    rows: Rows = []
    for question in client.walk(root["questions_url"]):
        rows += client.walk(question["answers_url"])
    return rows


def _inbox_walk(client: Client, root: dict[str, Any]) -> Rows:
    for forward in client.walk(root["forwards_url"]):
        client.walk(forward["replies_url"])
    return []


def _kanban_walk(client: Client, root: dict[str, Any]) -> Rows:
    rows: Rows = []
    for column in root["lists"]:
        rows += client.walk(column["cards_url"])
        if "on_hold" in column:
            rows += client.walk(column["on_hold"]["cards_url"])
    return rows


TOOL_WALKS: dict[str, Callable[[Client, dict[str, Any]], Rows]] = {
    "todoset": _todoset_walk,
    "message_board": lambda client, root: client.walk(root["messages_url"]),
    "vault": _vault_walk,
    "schedule": _schedule_walk,
    "chat": _chat_walk,
    "questionnaire": _questionnaire_walk,
    "inbox": _inbox_walk,
    "kanban_board": _kanban_walk,
}


def recordings_strategy(client: Client) -> int:
    """Read the account the cheap way: projects, people and the recordings listing."""
    projects = []
    for status in STATUSES:
        projects += client.walk("/projects.json", status=status)
    client.walk("/people.json")
    archived = ",".join(str(p["id"]) for p in projects if p["status"] == "archived")
    seen = 0
    for kind in LISTABLE_TYPES:
        for status in STATUSES:
            seen += len(client.walk("/projects/recordings.json", type=kind, status=status,
                                    sort="updated_at", direction="desc"))
            if archived:
                seen += len(client.walk("/projects/recordings.json", type=kind, status=status,
                                        bucket=archived))
    return seen


BOOSTED_TYPES = ("Comment", "Document", "Kanban::Card", "Message", "Question::Answer",
                 "Schedule::Entry", "Todo", "Todolist", "Upload")


def extras_walk(client: Client) -> None:
    """Read every extra collection once (no resource twice), keeping one member of each kind."""
    projects = client.walk("/projects.json") + client.walk("/projects.json", status="archived")
    client.walk("/lineup/markers.json")
    for gauge in client.walk("/reports/gauges.json"):
        assert gauge["type"] == "Gauge"
    for project in projects:
        _project_extras(client, project)
    _boost_extras(client)


def _project_extras(client: Client, project: dict[str, Any]) -> None:
    """A project's needles, webhooks, timesheet (and its parents') and campfire chatbots."""
    pid = project["id"]
    for needle in client.walk(f"/projects/{pid}/gauge/needles.json")[:1]:
        client.member(f"/gauge_needles/{needle['id']}.json", keep=True)
    for hook in client.walk(f"/buckets/{pid}/webhooks.json")[:1]:
        client.member(f"/webhooks/{hook['id']}.json", keep=True)
    entries = client.walk(f"/projects/{pid}/timesheet.json")
    for entry in entries[:1]:
        client.member(f"/timesheet_entries/{entry['id']}.json", keep=True)
    for parent in sorted({e["parent"]["id"] for e in entries
                          if e["parent"]["type"] != "Project"})[:3]:
        client.walk(f"/recordings/{parent}/timesheet.json")
    for tool in project["dock"]:
        if tool["name"] == "chat" and tool["enabled"]:
            for bot in client.walk(f"/buckets/{pid}/chats/{tool['id']}/integrations.json"):
                client.member(bot["url"], keep=True)


def _boost_extras(client: Client) -> None:
    """Per boostable type: a subscription, upload versions' boosts, then one boost each."""
    boosted = []
    for kind in BOOSTED_TYPES:
        rows = client.walk("/projects/recordings.json", type=kind)
        boosted += [r for r in rows if r["boosts_count"]]
        for row in rows[:1]:
            whole = client.member(row["url"])
            if "subscription_url" in whole:
                client.member(whole["subscription_url"], keep=True)
        if kind == "Upload":
            for upload in rows:
                for version in client.walk(f"/uploads/{upload['id']}/versions.json")[:1]:
                    client.walk(version["boosts_url"])
    for row in boosted:
        for boost in client.walk(row["boosts_url"])[:1]:
            client.member(f"/boosts/{boost['id']}.json", keep=True)


def walk_everything(client: Client) -> Client:
    """Every collection the sandbox serves, once: the walk, the listings, the extras."""
    container_walk(client)
    recordings_strategy(client)
    for path in EVERYTHING_TODOS + EVERYTHING_CARDS:
        client.walk(path)
    extras_walk(client)
    return client


def showcase_list(sb: Sandbox, client: Client) -> str:
    """``todos_url`` of the 120-to-do list in the showcase project."""
    project = next(p for p in client.walk("/projects.json") if p["clients_enabled"])
    todoset = client.member(next(t["url"] for t in project["dock"] if t["name"] == "todoset"))
    todolist = client.walk(todoset["todolists_url"])[0]
    return todolist["todos_url"]


def live_recordings(sb: Sandbox, kind: str) -> dict[int, Any]:
    """Truth: active recordings of ``kind`` in active, non-template projects, by id."""
    live = {p.id for p in sb.truth.projects.values() if p.status == "active" and not p.template}
    return {r.id: r for r in sb.truth.recordings.values()
            if r.type == kind and r.status == "active" and r.bucket_id in live}


def instant(stamp: str) -> datetime:
    """An API timestamp (``Z`` or an offset) as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
