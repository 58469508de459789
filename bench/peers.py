"""The peers we measure ourselves against, configured the way a user of each would.

- ``dlt_source(api, ...)``: dlt's ``rest_api`` source walking containers. Projects are the
  root resource; every other resource is a child bound to its parent's rows with dlt's
  ``resolve`` params (one request per parent row, then paging). BC4 pages with the
  ``header_link`` paginator (``Link: rel="next"``); BC2 with the ``page_number`` paginator,
  stopping after an empty page, except ``/projects.json`` and ``/people.json``, which the docs
  say are not paged (``single_page``).
- ``sdk_walk(...)``: the official ``basecamp-sdk`` (BC4 only), plain listing loops over the
  account: projects of both statuses, each dock tool's listings, comments where
  ``comments_count > 0``.

Both are imported only inside a job subprocess (see ``bench.jobs``), so the bench itself runs
without them installed and a missing peer becomes an error in the results.

Peer tables are mapped to the truth tables they cover with ``DLT_COVERS`` / ``SDK_COVERS``
(several peer tables may add up to one truth table: pending and completed to-dos).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

IGNORE_404 = [{"status_code": 404, "action": "ignore"}]
# Counts a listing's rows under a table and hands the rows back.
Keep = Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]


def _resolve(resource: str, field: str) -> dict[str, str]:
    return {"type": "resolve", "resource": resource, "field": field}


def _child(name: str, path: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    endpoint: dict[str, Any] = {"path": path, "params": params, "response_actions": IGNORE_404}
    endpoint.update(extra.pop("endpoint", {}))
    return {"name": name, "endpoint": endpoint, **extra}


# ---------------------------------------------------------------------------- BC4 (dlt)
def _dock(tool: str) -> dict[str, str]:
    """The first dock entry of kind ``tool`` in a project row (jsonpath filter)."""
    return _resolve("projects", f"dock[?name=='{tool}'].id")


def bc4_dlt_config(base_url: str, token: str, user_agent: str) -> dict[str, Any]:
    """Projects -> dock tools -> their listings -> comments, every hop a dlt resolve."""
    comments_of = ("todos", "completed_todos", "messages", "documents", "uploads", "cards")
    resources: list[dict[str, Any]] = [
        {"name": "projects", "endpoint": {"path": "projects.json"}},
        {"name": "people", "endpoint": {"path": "people.json"}},
        _child("todolists", "todosets/{todoset_id}/todolists.json",
               {"todoset_id": _dock("todoset")}),
        _child("todos", "todolists/{todolist_id}/todos.json",
               {"todolist_id": _resolve("todolists", "id")}),
        _child("completed_todos", "todolists/{todolist_id}/todos.json",
               {"todolist_id": _resolve("todolists", "id"), "completed": "true"}),
        _child("messages", "message_boards/{board_id}/messages.json",
               {"board_id": _dock("message_board")}),
        _child("documents", "vaults/{vault_id}/documents.json", {"vault_id": _dock("vault")}),
        _child("uploads", "vaults/{vault_id}/uploads.json", {"vault_id": _dock("vault")}),
        _child("schedule_entries", "schedules/{schedule_id}/entries.json",
               {"schedule_id": _dock("schedule")}),
        _child("campfire_lines", "chats/{chat_id}/lines.json", {"chat_id": _dock("chat")}),
        _child("questions", "questionnaires/{questionnaire_id}/questions.json",
               {"questionnaire_id": _dock("questionnaire")}),
        _child("question_answers", "questions/{question_id}/answers.json",
               {"question_id": _resolve("questions", "id")}),
        _child("inbox_forwards", "inboxes/{inbox_id}/inbox_forwards.json",
               {"inbox_id": _dock("inbox")}),
        _child("card_columns", "card_tables/{card_table_id}.json",
               {"card_table_id": _dock("kanban_board")},
               endpoint={"data_selector": "lists", "paginator": "single_page"}),
        _child("cards", "card_tables/lists/{column_id}/cards.json",
               {"column_id": _resolve("card_columns", "id")}),
    ]
    resources += [
        _child(f"{parent}__comments", "recordings/{recording_id}/comments.json",
               {"recording_id": _resolve(parent, "id")})
        for parent in comments_of
    ]
    return {
        "client": {
            "base_url": base_url.rstrip("/") + "/",
            "auth": {"type": "bearer", "token": token},
            "headers": {"User-Agent": user_agent},
            "paginator": {"type": "header_link"},
        },
        "resource_defaults": {"write_disposition": "replace"},
        "resources": resources,
    }


# ---------------------------------------------------------------------------- BC2 (dlt)
def bc2_dlt_config(base_url: str, username: str, password: str,
                   user_agent: str) -> dict[str, Any]:
    """Projects -> project listings -> to-dos per list and each topic's item (with comments)."""
    project = {"project_id": _resolve("projects", "id")}
    resources: list[dict[str, Any]] = [
        {"name": "projects", "endpoint": {"path": "projects.json", "paginator": "single_page"}},
        {"name": "people", "endpoint": {"path": "people.json", "paginator": "single_page"}},
        _child("accesses", "projects/{project_id}/accesses.json", project),
        _child("topics", "projects/{project_id}/topics.json", project),
        # Each topic points at its item (message, to-do list, document, upload, event); the
        # item's member response embeds its comments, which dlt nests as <table>__comments.
        _child("topic_items", "{item_url}", {"item_url": _resolve("topics", "topicable.url")},
               endpoint={"paginator": "single_page"}),
        _child("todolists", "projects/{project_id}/todolists.json", project,
               include_from_parent=["id"]),
        _child("completed_todolists", "projects/{project_id}/todolists/completed.json",
               project, include_from_parent=["id"]),
        _child("todos", "projects/{project_id}/todolists/{todolist_id}/todos.json",
               {"project_id": _resolve("todolists", "_projects_id"),
                "todolist_id": _resolve("todolists", "id")}),
        _child("documents", "projects/{project_id}/documents.json", project),
        _child("attachments", "projects/{project_id}/attachments.json", project),
        _child("calendar_events", "projects/{project_id}/calendar_events.json", project),
        _child("forwards", "projects/{project_id}/forwards.json", project),
    ]
    return {
        "client": {
            "base_url": base_url.rstrip("/") + "/",
            "auth": {"type": "http_basic", "username": username, "password": password},
            "headers": {"User-Agent": user_agent},
            "paginator": {"type": "page_number", "base_page": 1, "page_param": "page",
                          "total_path": None, "stop_after_empty_page": True},
        },
        "resource_defaults": {"write_disposition": "replace"},
        "resources": resources,
    }


# peer table -> truth table it (partly) covers
DLT_COVERS: dict[str, dict[str, str]] = {
    "bc4": {
        "projects": "projects", "people": "people", "todolists": "todolists",
        "todos": "todos", "completed_todos": "todos", "messages": "messages",
        "documents": "documents", "uploads": "uploads", "schedule_entries": "schedule_entries",
        "campfire_lines": "campfire_lines", "questions": "questions",
        "question_answers": "question_answers", "inbox_forwards": "inbox_forwards",
        "card_columns": "card_columns", "cards": "cards",
        **{f"{p}__comments": "comments" for p in
           ("todos", "completed_todos", "messages", "documents", "uploads", "cards")},
    },
    "bc2": {
        "projects": "projects", "people": "people", "accesses": "accesses",
        "topics": "topics", "todolists": "todolists", "completed_todolists": "todolists",
        "todos": "todos", "documents": "documents", "attachments": "attachments",
        "calendar_events": "calendar_events", "forwards": "forwards",
        "topic_items__comments": "comments",
    },
}


# family -> its dlt configuration, from a peer job's spec
DLT_CONFIGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "bc4": lambda spec: bc4_dlt_config(spec["base_url"], spec["token"], spec["user_agent"]),
    "bc2": lambda spec: bc2_dlt_config(spec["base_url"], spec["username"], spec["password"],
                                       spec["user_agent"]),
}


def dlt_config(api: str, spec: dict[str, Any]) -> dict[str, Any]:
    build = DLT_CONFIGS.get(api)
    if build is None:
        raise ValueError(f"no dlt configuration for {api}")
    return build(spec)


def run_dlt(api: str, spec: dict[str, Any], workdir: str) -> dict[str, Any]:
    """Load the account into duckdb under ``workdir``; rows per table as dlt normalized them."""
    # Peers are imported only in their job's subprocess (see the module docstring).
    import dlt
    from dlt.sources.rest_api import rest_api_source

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{api}", pipelines_dir=f"{workdir}/pipelines",
        destination=dlt.destinations.duckdb(f"{workdir}/peer.duckdb"), dataset_name=api,
        progress="log" if spec.get("verbose") else None,
    )
    info = pipeline.run(rest_api_source(dlt_config(api, spec)))
    counts = dict(pipeline.last_trace.last_normalize_info.row_counts)
    tables = {name: n for name, n in counts.items() if not name.startswith("_dlt")}
    return {"tables": tables, "loads": len(info.loads_ids), "version": dlt.__version__}


# ---------------------------------------------------------------------------- BC4 (SDK)
SDK_COVERS: dict[str, str] = {
    "projects": "projects", "people": "people", "todolists": "todolists", "todos": "todos",
    "messages": "messages", "documents": "documents", "uploads": "uploads",
    "schedule_entries": "schedule_entries", "campfire_lines": "campfire_lines",
    "questions": "questions", "question_answers": "question_answers",
    "inbox_forwards": "inbox_forwards", "card_columns": "card_columns", "cards": "cards",
    "comments": "comments",
}


def sdk_client(origin: str, token: str, user_agent: str) -> Any:
    """A ``basecamp.Client`` aimed at the sandbox: ``Config(base_url=...)`` is public API and
    accepts plain http on loopback, so nothing is patched."""
    from basecamp import Client, Config  # only in the sdk job's subprocess, like dlt

    return Client(access_token=token, config=Config(base_url=origin), user_agent=user_agent)


def run_sdk(spec: dict[str, Any]) -> dict[str, Any]:
    """Walk the account with the SDK's listing methods; rows seen per table."""
    import basecamp  # only in the sdk job's subprocess, like dlt

    rows: Counter[str] = Counter()
    commented: list[int] = []

    def keep(table: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[table] += len(items)
        commented.extend(i["id"] for i in items if i.get("comments_count"))
        return items

    with sdk_client(spec["origin"], spec["token"], spec["user_agent"]) as client:
        account = client.for_account(spec["account_id"])
        projects = [p for status in ("active", "archived")
                    for p in account.projects.list(status=status)]
        rows["projects"] += len(projects)
        keep("people", account.people.list())
        for project in projects:
            for tool in project.get("dock", []):
                if tool.get("enabled"):
                    _sdk_tool(account, tool, keep)
        for recording_id in commented:
            keep("comments", account.comments.list(recording_id=recording_id))
    return {"tables": dict(rows), "version": basecamp.VERSION}


def _sdk_tool(account: Any, tool: dict[str, Any], keep: Keep) -> None:
    walk = SDK_TOOLS.get(tool["name"])
    if walk is not None:
        walk(account, tool["id"], keep)


def _todoset(account: Any, tid: int, keep: Keep) -> None:
    for todolist in keep("todolists", account.todolists.list(todoset_id=tid)):
        keep("todos", account.todos.list(todolist_id=todolist["id"]))
        keep("todos", account.todos.list(todolist_id=todolist["id"], completed=True))


def _vault(account: Any, tid: int, keep: Keep) -> None:
    keep("documents", account.documents.list(vault_id=tid))
    keep("uploads", account.uploads.list(vault_id=tid))


def _questionnaire(account: Any, tid: int, keep: Keep) -> None:
    for question in keep("questions", account.checkins.list_questions(questionnaire_id=tid)):
        keep("question_answers", account.checkins.list_answers(question_id=question["id"]))


def _kanban_board(account: Any, tid: int, keep: Keep) -> None:
    table = account.card_tables.get(card_table_id=tid)
    for column in keep("card_columns", table.get("lists", [])):
        keep("cards", account.cards.list(column_id=column["id"]))


# dock tool name -> the SDK listing loops a user would write for it
SDK_TOOLS: dict[str, Callable[[Any, int, Keep], None]] = {
    "todoset": _todoset,
    "message_board": lambda account, tid, keep: keep(
        "messages", account.messages.list(board_id=tid)),
    "vault": _vault,
    "schedule": lambda account, tid, keep: keep(
        "schedule_entries", account.schedules.list_entries(schedule_id=tid)),
    "chat": lambda account, tid, keep: keep(
        "campfire_lines", account.campfires.list_lines(campfire_id=tid)),
    "questionnaire": _questionnaire,
    "inbox": lambda account, tid, keep: keep(
        "inbox_forwards", account.forwards.list(inbox_id=tid)),
    "kanban_board": _kanban_board,
}
