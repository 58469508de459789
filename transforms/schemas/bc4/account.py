"""Account-level tables (people, projects and their dock, templates, lineup markers)
and the project's people and message types.
"""

from __future__ import annotations

from transforms.schemas import (
    ACCOUNT,
    BOOL,
    DATE,
    ID,
    PROJECT,
    STR,
    Child,
    Table,
    cols,
    nested,
)
from transforms.schemas.bc4.shapes import (
    DOCK_ITEM,
    PERSON,
    STAMPS,
    listed,
)

PROJECT_COLUMNS = {
    "id": ID,
    "status": STR,
    **STAMPS,
    **cols("name description purpose url app_url bookmark_url", STR),
    **cols("start_date end_date", DATE),
    **cols("clients_enabled bookmarked", BOOL),
    **nested("client_company", {"id": ID, "name": STR}),
    **nested("clientside", cols("url app_url", STR)),
}

dock, dock_table = listed("projects", "dock", "project_id", dict(DOCK_ITEM), ACCOUNT)
# Each dock entry is also a (thin) row of its tool's table, so every tool table is filled
# without one GET per tool; a tool's own GET, where the crawl makes one, completes the row.
# Folders (vaults) are recordings: the recordings listing has every one, the docked one too.
DOCK_TOOLS = {"todoset": "todosets", "message_board": "message_boards",
              "schedule": "schedules", "chat": "campfires", "questionnaire": "questionnaires",
              "inbox": "inboxes", "kanban_board": "card_tables"}
dock_routes = (dock, *(Child(table, {"project_id": "id"}, where={"name": name})
                       for name, table in DOCK_TOOLS.items()))
tpl_dock, tpl_dock_table = listed("templates", "dock", "template_id", dict(DOCK_ITEM), ACCOUNT)

TABLES: list[Table] = [
    # Account level.
    Table("people", key=("id",), columns=dict(PERSON),
          doc="Everyone the token can see; system actors have a `system_label`, no id."),
    Table("projects", key=("id",), columns=PROJECT_COLUMNS, children={"dock": dock_routes},
          doc="Projects (buckets) of every status; `status` active/archived/trashed."),
    dock_table,
    Table("templates", key=("id",),
          columns={k: v for k, v in PROJECT_COLUMNS.items()
                   if k in {"id", "status", "created_at", "updated_at", "name", "description",
                            "url", "app_url"}},
          children={"dock": tpl_dock},
          doc="Project templates with their own dock."),
    tpl_dock_table,
    Table("lineup_markers", key=("id",),
          columns={"id": ID, "name": STR, "date": DATE, **STAMPS},
          doc="Lineup markers (named dates on the account's timeline)."),
    # Project level: people and tools.
    Table("project_people", key=("project_id", "id"), partition=PROJECT, columns=dict(PERSON),
          doc="Who has access to a project: one person row per project."),
    Table("message_types", key=("project_id", "id"), partition=PROJECT,
          columns={"id": ID, **cols("name icon", STR), **STAMPS},
          doc="Message types (categories) of a project."),
]
