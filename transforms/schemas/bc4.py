"""Basecamp 3/4/5 tables. Drafted from ``shared/reference/bc4/openapi.json`` component schemas
with ``tools/gen_bc4_schemas.py`` (``--check`` diffs this file against openapi), then adjusted
to the SDK fixtures, which carry a few fields openapi lacks (``comment_count``,
``billable_status``).

Partitions: account-level tables (people, projects, templates, lineup markers) by
``account_id``; everything inside a project by ``(account_id, project_id)``. The project id is
the recording's ``bucket.id``: the crawl fills ``project_id`` from the project it walks, and
for account-wide lists (``/chats.json``, ``/projects/recordings.json``, gauges) it must take it
from each item's ``bucket.id``; ``bucket__id`` is declared too, so the two can be cross-checked.
The normalizer does not derive ``project_id`` from ``bucket__id`` itself.

Conventions:

- Ids are int64; timestamps UTC microseconds; date-only fields (``due_on``, ``starts_on``,
  ``start_date``, ``group_on``, ``date``) are dates. Schedule entries keep all-day values as
  dates in ``starts_on``/``ends_on`` (``date_or_time``, as for BC2 calendar events).
- Every content item is a recording with ``status`` (active/archived/trashed), ``parent__*``,
  ``bucket__*`` and the full embedded ``creator__*`` person as seen at extraction time.
- Rich text: HTML is kept verbatim in ``content``/``description`` and each has a declared
  plain-text companion ``content_text``/``description_text``, which the normalizer fills
  (``transforms.richtext``); ``*_attachments`` arrays are child tables
  ``<table>__content_attachments``/``<table>__description_attachments``.
- Person ids: openapi types them int64, but system actors (``personable_type``
  ``LocalPerson``) have string ids such as ``"campfire"`` or ``"basecamp"``. Rule: every person
  id column (``id`` in people tables, ``creator__id``, ``completer__id``, ...) stays int64 and
  a string id belongs in the sibling ``system_label`` column (``creator__system_label``) with
  the id null (numeric strings are just ids). The normalizer applies this to every id column
  that has a ``…system_label`` sibling.
- To-do list groups are rows of ``todolists``: a group's ``parent__type`` is ``Todolist`` and
  it has ``group_position_url`` (a list has ``groups_url`` and a Todoset parent). ``is_group``
  is set by the crawl through row constants (``Normalizer.rows(..., constants=...)``).
- Child tables are keyed by their parent key plus ``ordinal`` (position in the source list);
  embedded lists of first-class things (card table columns, card steps) land in their own table.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa

from transforms.schemas import (
    ACCOUNT,
    BOOL,
    DATE,
    ID,
    INT,
    ORDINAL,
    PROJECT,
    STR,
    TS,
    Child,
    Registry,
    Table,
    cols,
    nested,
)

STAMPS = cols("created_at updated_at", TS)
PERSON = {
    "id": ID,
    "system_label": STR,
    **cols("attachable_sgid name email_address personable_type title bio tagline location "
           "time_zone avatar_url", STR),
    **STAMPS,
    **cols("admin owner client employee can_manage_projects can_manage_people can_ping "
           "can_access_timesheet can_access_hill_charts", BOOL),
    **nested("company", {"id": ID, "name": STR}),
}
BUCKET = {"id": ID, **cols("name type", STR)}
# openapi lets a parent carry its bucket (absent from every fixture so far).
PARENT = {"id": ID, **cols("title type url app_url", STR), **nested("bucket", BUCKET)}
ATTACHMENT = {
    "id": ID,
    **cols("sgid filename content_type download_url preview_url thumbnail_url", STR),
    **cols("byte_size width height", INT),
    "previewable": BOOL,
}
DOCK_ITEM = {"id": ID, **cols("title name url app_url", STR), "enabled": BOOL, "position": INT}
# What every recording carries, containers (no parent) and content items (with one).
CONTAINER = {
    "id": ID,
    "status": STR,
    "visible_to_clients": BOOL,
    **STAMPS,
    "title": STR,
    "inherits_status": BOOL,
    "type": STR,
    **cols("url app_url bookmark_url", STR),
    **nested("bucket", BUCKET),
    **nested("creator", PERSON),
}
RECORDING = {**CONTAINER, **nested("parent", PARENT)}
# A dock tool: its own GET has the CONTAINER fields; its dock entry adds name/enabled/position.
TOOL = {**CONTAINER, **cols("name", STR), "enabled": BOOL, "position": INT}
COMMENTABLE = {**cols("subscription_url comments_url", STR), "comments_count": INT}
BOOSTABLE = {"boosts_count": INT, "boosts_url": STR}
COMPLETABLE = {"completed": BOOL, "completed_at": TS, "completion_url": STR,
               **nested("completer", PERSON)}


def rich(*fields: str) -> dict[str, pa.DataType]:
    """HTML fields plus their declared plain-text companions (the normalizer fills them)."""
    out: dict[str, pa.DataType] = {}
    for name in fields:
        out.update({name: STR, f"{name}_text": STR})
    return out


def child_list(parent: str, field: str, parent_key: str, columns: dict[str, pa.DataType],
               partition: tuple[str, ...] = PROJECT) -> Table:
    """A child table ``<parent>__<field>`` keyed by the parent id and the list position."""
    return Table(
        f"{parent}__{field}", key=(parent_key, ORDINAL), partition=partition,
        columns={parent_key: ID, ORDINAL: INT, **columns}, child_of=parent,
        doc=f"`{field}` of {parent}, one row per list element.",
    )


def scalar_list(parent: str, field: str, parent_key: str, kind: pa.DataType,
                partition: tuple[str, ...] = PROJECT) -> Table:
    """A list of plain values (ids, type names): one ``value`` row per element."""
    return Table(
        f"{parent}__{field}", key=(parent_key, ORDINAL), partition=partition,
        columns={parent_key: ID, ORDINAL: INT, "value": kind}, child_of=parent,
        scalar_values=True, doc=f"`{field}` of {parent}: one row per value.",
    )


def listed(parent: str, field: str, key: str, columns: dict[str, pa.DataType],
           partition: tuple[str, ...] = PROJECT) -> tuple[Child, Table]:
    """The routing entry and the child table of one nested list, declared together."""
    return (Child(f"{parent}__{field}", {key: "id"}),
            child_list(parent, field, key, columns, partition))


def people_list(parent: str, field: str, key: str,
                partition: tuple[str, ...] = PROJECT) -> tuple[Child, Table]:
    return listed(parent, field, key, dict(PERSON), partition)


def attachments(parent: str, field: str, key: str) -> tuple[Child, Table]:
    return listed(parent, field, key, dict(ATTACHMENT))


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
CARD_STEP = {
    **RECORDING,
    "position": INT,
    "due_on": DATE,
    **COMPLETABLE,
}
CARD_COLUMN_COLUMNS = {
    **RECORDING,
    "position": INT,
    **cols("color cards_url", STR),
    **rich("description"),
    **cols("cards_count comments_count comment_count", INT),
    **nested("on_hold", {"id": ID, "status": STR, "inherits_status": BOOL, "title": STR,
                         **STAMPS, "cards_count": INT, "cards_url": STR}),
}
EVENT_COLUMNS = {
    **cols("id recording_id", ID),
    "action": STR,
    "created_at": TS,
    **nested("creator", PERSON),
    **BOOSTABLE,
}
EVENT_DETAIL_LISTS = ("added_person_ids", "removed_person_ids", "notified_recipient_ids")

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
list_files, list_files_table = attachments("todolists", "description_attachments",
                                           "todolist_id")
todo_files, todo_files_table = attachments("todos", "description_attachments", "todo_id")
todo_assignees, todo_assignees_table = people_list("todos", "assignees", "todo_id")
todo_notify, todo_notify_table = people_list("todos", "completion_subscribers", "todo_id")
todo_steps, todo_steps_table = listed("todos", "steps", "todo_id", dict(CARD_STEP))
todo_step_people, todo_step_people_table = people_list("todos__steps", "assignees", "step_id")
todo_steps_table = replace(todo_steps_table, children={"assignees": todo_step_people},
                           doc="Steps (checklist items) of a to-do, where Basecamp offers them.")
msg_files, msg_files_table = attachments("messages", "content_attachments", "message_id")
doc_files, doc_files_table = attachments("documents", "content_attachments", "document_id")
upl_files, upl_files_table = attachments("uploads", "description_attachments", "upload_id")
entry_files, entry_files_table = attachments("schedule_entries", "description_attachments",
                                             "schedule_entry_id")
entry_people, entry_people_table = people_list("schedule_entries", "participants",
                                               "schedule_entry_id")
line_files, line_files_table = listed(
    "campfire_lines", "attachments", "campfire_line_id",
    {**cols("title url filename content_type download_url", STR), "byte_size": INT})
answer_files, answer_files_table = attachments("question_answers", "content_attachments",
                                               "question_answer_id")
fwd_files, fwd_files_table = attachments("inbox_forwards", "content_attachments",
                                         "inbox_forward_id")
reply_files, reply_files_table = attachments("inbox_replies", "content_attachments",
                                             "inbox_reply_id")
board_subs, board_subs_table = people_list("card_tables", "subscribers", "card_table_id")
wormholes, wormholes_table = listed(
    "card_tables", "wormholes", "card_table_id",
    {**RECORDING, "color": STR, "linked": BOOL, "destination_url": STR})
column_subs, column_subs_table = people_list("card_columns", "subscribers", "card_column_id")
card_files, card_files_table = attachments("cards", "description_attachments", "card_id")
card_assignees, card_assignees_table = people_list("cards", "assignees", "card_id")
card_notify, card_notify_table = people_list("cards", "completion_subscribers", "card_id")
step_assignees, step_assignees_table = people_list("card_steps", "assignees", "card_step_id")
cmt_files, cmt_files_table = attachments("comments", "content_attachments", "comment_id")
appr_files, appr_files_table = attachments("client_approvals", "content_attachments",
                                           "client_approval_id")
appr_answers, appr_answers_table = listed(
    "client_approvals", "responses", "client_approval_id",
    {**{k: v for k, v in RECORDING.items() if k != "url"}, **rich("content"),
     "approved": BOOL})
corr_files, corr_files_table = attachments("client_correspondences", "content_attachments",
                                           "client_correspondence_id")
crep_files, crep_files_table = attachments("client_replies", "content_attachments",
                                           "client_reply_id")
rec_content, rec_content_table = attachments("recordings", "content_attachments",
                                             "recording_id")
rec_desc, rec_desc_table = attachments("recordings", "description_attachments", "recording_id")
gauge_files, gauge_files_table = attachments("gauges", "description_attachments", "gauge_id")
needle_files, needle_files_table = attachments("gauge_needles", "description_attachments",
                                               "gauge_needle_id")
subscribers, subscribers_table = listed("subscriptions", "subscribers", "recording_id",
                                        dict(PERSON))


def detail_lists(parent: str, key: str) -> dict[str, Child]:
    """Routing of an event's ``details`` id lists (who was added, removed or notified)."""
    return {f"details__{name}": Child(f"{parent}__details__{name}", {key: "id"})
            for name in EVENT_DETAIL_LISTS}


def detail_tables(parent: str, key: str) -> list[Table]:
    return [scalar_list(parent, f"details__{name}", key, ID) for name in EVENT_DETAIL_LISTS]


TABLES = Registry("bc4", [
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
    Table("todosets", key=("id",), partition=PROJECT,
          columns={**TOOL, "position": INT, "name": STR, "completed": BOOL,
                   **cols("completed_ratio todolists_url app_todolists_url todos_url "
                          "app_todos_url", STR),
                   **cols("todolists_count todos_count completed_loose_todos_count", INT)},
          doc="To-do tools (dock `todoset`); `completed_ratio` is text such as `3/7`."),
    Table("todolists", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "position": INT,
                   **rich("description"), "completed": BOOL, "is_group": BOOL,
                   **cols("name completed_ratio color todos_url app_todos_url groups_url "
                          "group_position_url bubble_up_url comments_app_url", STR)},
          children={"description_attachments": list_files},
          doc="To-do lists and their groups. A group has `parent__type` Todolist and "
              "`group_position_url`; `is_group` is true for groups."),
    list_files_table,
    Table("todos", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "position": INT,
                   "content": STR, **rich("description"), **cols("starts_on due_on", DATE),
                   **COMPLETABLE},
          children={"description_attachments": todo_files, "assignees": todo_assignees,
                    "completion_subscribers": todo_notify, "steps": todo_steps},
          doc="To-dos, pending and completed; `content` is the plain title, `description` HTML."),
    todo_files_table,
    todo_assignees_table,
    todo_notify_table,
    todo_steps_table,
    todo_step_people_table,
    Table("message_boards", key=("id",), partition=PROJECT,
          columns={**TOOL, "position": INT, "messages_count": INT,
                   **cols("messages_url app_messages_url", STR)},
          doc="Message boards (dock `message_board`)."),
    Table("messages", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "subject": STR, **rich("content"),
                   **nested("category", {"id": ID, "name": STR, "icon": STR, **STAMPS})},
          children={"content_attachments": msg_files},
          doc="Messages; `category__*` is the message type."),
    msg_files_table,
    Table("vaults", key=("id",), partition=PROJECT,
          columns={**RECORDING, "position": INT,
                   **cols("documents_count uploads_count vaults_count", INT),
                   **cols("documents_url uploads_url vaults_url", STR)},
          doc="Docs & Files folders; the docked one has no parent, nested ones have a Vault."),
    Table("documents", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "position": INT,
                   **rich("content")},
          children={"content_attachments": doc_files},
          doc="Documents (latest version; `content` is HTML)."),
    doc_files_table,
    Table("uploads", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "position": INT,
                   **rich("description"),
                   **cols("content_type download_url app_download_url filename", STR),
                   **cols("byte_size width height", INT)},
          children={"description_attachments": upl_files},
          doc="Uploaded files (metadata; the bytes are downloaded separately)."),
    upl_files_table,
    Table("upload_versions", key=("id",), partition=PROJECT,
          columns={**EVENT_COLUMNS,
                   **nested("upload", {**cols("content_type filename download_url "
                                              "app_download_url", STR),
                                       "byte_size": INT, "current": BOOL})},
          children=detail_lists("upload_versions", "upload_version_id"),
          doc="Earlier and current file versions of an upload (events with the file)."),
    *detail_tables("upload_versions", "upload_version_id"),
    Table("schedules", key=("id",), partition=PROJECT,
          columns={**TOOL, "position": INT, "include_due_assignments": BOOL,
                   "entries_count": INT, "entries_url": STR},
          doc="Schedules (dock `schedule`)."),
    Table("schedule_entries", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "summary": STR,
                   **rich("description"), **cols("all_day highlighted", BOOL),
                   **cols("starts_at ends_at", TS), **cols("starts_on ends_on", DATE),
                   "join_url": STR},
          date_or_time={"starts_at": "starts_on", "ends_at": "ends_on"},
          children={"description_attachments": entry_files, "participants": entry_people},
          doc="Schedule entries. All-day values are dates in `starts_on`/`ends_on`, with null "
              "`starts_at`/`ends_at`."),
    entry_files_table,
    entry_people_table,
    Table("campfires", key=("id",), partition=PROJECT,
          columns={**TOOL, "subscription_url": STR, "position": INT,
                   **cols("topic lines_url files_url", STR)},
          doc="Campfires (chats); `project_id` is the project they belong to."),
    Table("campfire_lines", key=("id",), partition=PROJECT,
          columns={**RECORDING, **BOOSTABLE, **rich("content")},
          children={"attachments": line_files},
          doc="Chat lines, text and uploads (`type` Chat::Lines::Text|RichText|Upload)."),
    line_files_table,
    Table("chatbots", key=("id",),
          columns={"id": ID, **STAMPS, **cols("service_name command_url url app_url", STR)},
          drop=frozenset({"lines_url"}),
          doc="The account's chatbots (account-wide; `command_url` only shows to admins). "
              "`url` is as seen from one campfire; the keyed `lines_url` lets anyone post as "
              "the bot, so it is not kept."),
    Table("questionnaires", key=("id",), partition=PROJECT,
          columns={**TOOL, **cols("name questions_url", STR), "questions_count": INT},
          doc="Automatic check-in tools (dock `questionnaire`)."),
    Table("questions", key=("id",), partition=PROJECT,
          columns={**RECORDING, "subscription_url": STR, "paused": BOOL,
                   "answers_count": INT, "answers_url": STR,
                   **nested("schedule", {"frequency": STR,
                                         **cols("hour minute week_instance week_interval "
                                                "month_interval", INT),
                                         **cols("start_date end_date", DATE)})},
          children={"schedule__days": Child("questions__schedule__days",
                                            {"question_id": "id"})},
          doc="Check-in questions with their schedule; weekdays in questions__schedule__days."),
    scalar_list("questions", "schedule__days", "question_id", INT),
    Table("question_answers", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, **rich("content"),
                   "group_on": DATE},
          children={"content_attachments": answer_files},
          doc="Answers to check-in questions; `group_on` is the day answered for."),
    answer_files_table,
    Table("inboxes", key=("id",), partition=PROJECT,
          columns={**TOOL, "position": INT, "forwards_count": INT, "forwards_url": STR},
          doc="E-mail forward inboxes (dock `inbox`)."),
    Table("inbox_forwards", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, **rich("content"),
                   **cols("subject from replies_url", STR), "replies_count": INT},
          children={"content_attachments": fwd_files},
          doc="Forwarded e-mails."),
    fwd_files_table,
    Table("inbox_replies", key=("id",), partition=PROJECT,
          columns={**RECORDING, **BOOSTABLE, **rich("content")},
          children={"content_attachments": reply_files},
          doc="Replies to forwarded e-mails."),
    reply_files_table,
    Table("card_tables", key=("id",), partition=PROJECT,
          columns={**TOOL, "subscription_url": STR},
          children={"subscribers": board_subs, "lists": Child("card_columns", {}),
                    "wormholes": wormholes},
          doc="Card tables (dock `kanban_board`); their `lists` are card_columns rows."),
    board_subs_table,
    wormholes_table,
    Table("card_columns", key=("id",), partition=PROJECT, columns=CARD_COLUMN_COLUMNS,
          children={"subscribers": column_subs},
          doc="Card table columns (`type` Kanban::Triage|Column|DoneColumn|NotNowColumn); "
              "`on_hold__*` is a column's on-hold section, with its own cards_url."),
    column_subs_table,
    Table("cards", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "position": INT,
                   **rich("content", "description"), "due_on": DATE, "comment_count": INT,
                   **COMPLETABLE},
          children={"description_attachments": card_files, "assignees": card_assignees,
                    "completion_subscribers": card_notify,
                    "steps": Child("card_steps", {})},
          doc="Cards; their `steps` are card_steps rows (a step's parent is its card). "
              "`comment_count` is a legacy twin of `comments_count`."),
    card_files_table,
    card_assignees_table,
    card_notify_table,
    Table("card_steps", key=("id",), partition=PROJECT, columns=dict(CARD_STEP),
          children={"assignees": step_assignees},
          doc="Card steps (checklist items); `parent__id` is the card."),
    step_assignees_table,
    Table("comments", key=("id",), partition=PROJECT,
          columns={**RECORDING, **BOOSTABLE, **rich("content")},
          children={"content_attachments": cmt_files},
          doc="Comments of any recording; `parent__id`/`parent__type` is what they are on."),
    cmt_files_table,
    Table("events", key=("id",), partition=PROJECT, columns=dict(EVENT_COLUMNS),
          children=detail_lists("events", "event_id"),
          doc="Change history of a recording (`action` is an open set); the people "
              "added/removed/notified are in events__details__*."),
    *detail_tables("events", "event_id"),
    Table("boosts", key=("id",), partition=PROJECT,
          columns={"id": ID, "content": STR, "created_at": TS, **nested("booster", PERSON),
                   **nested("recording", PARENT)},
          doc="Boosts (short reactions) on a recording or event."),
    Table("subscriptions", key=("recording_id",), partition=PROJECT,
          context=("recording_id",),
          columns={"subscribed": BOOL, "count": INT, "url": STR},
          children={"subscribers": subscribers},
          doc="Who is notified about a recording. The response has no id: `recording_id` "
              "comes from the request path."),
    subscribers_table,
    Table("client_approvals", key=("id",), partition=PROJECT,
          columns={**RECORDING, "subscription_url": STR, **rich("content"),
                   **cols("subject approval_status replies_url", STR), "due_on": DATE,
                   "replies_count": INT, **nested("approver", PERSON)},
          children={"content_attachments": appr_files, "responses": appr_answers},
          doc="Client approvals with the client's responses."),
    appr_files_table,
    appr_answers_table,
    Table("client_correspondences", key=("id",), partition=PROJECT,
          columns={**RECORDING, "subscription_url": STR, **rich("content"),
                   **cols("subject replies_url", STR), "replies_count": INT},
          children={"content_attachments": corr_files},
          doc="Client correspondences (messages to clients)."),
    corr_files_table,
    Table("client_replies", key=("id",), partition=PROJECT,
          columns={**RECORDING, **rich("content")},
          children={"content_attachments": crep_files},
          doc="Replies to client approvals and correspondences."),
    crep_files_table,
    Table("timesheet_entries", key=("id",), partition=PROJECT,
          columns={**RECORDING, "date": DATE,
                   **cols("hours description billable_status", STR),
                   **nested("person", PERSON)},
          doc="Time entries. `hours` is kept as sent: decimal (`2.5`) or h:mm (`1:30`)."),
    Table("gauges", key=("id",), partition=PROJECT,
          columns={**CONTAINER, **rich("description"), "enabled": BOOL,
                   "last_needle_color": STR,
                   **cols("last_needle_position previous_needle_position", INT)},
          children={"description_attachments": gauge_files},
          doc="Project progress gauges; `project_id` is the project they measure."),
    gauge_files_table,
    Table("gauge_needles", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, **rich("description"),
                   "color": STR, "position": INT},
          children={"description_attachments": needle_files},
          doc="Gauge readings; `position` is the percentage."),
    needle_files_table,
    Table("webhooks", key=("id",), partition=PROJECT, drop=frozenset({"recent_deliveries"}),
          columns={"id": ID, "active": BOOL, **STAMPS, **cols("payload_url url app_url", STR)},
          children={"types": Child("webhooks__types", {"webhook_id": "id"})},
          doc="Webhooks of a project. `recent_deliveries` (a delivery log with free-form "
              "headers and whole payloads, single GET only) is not kept."),
    scalar_list("webhooks", "types", "webhook_id", STR),
    Table("recordings", key=("id",), partition=PROJECT,
          columns={**RECORDING, **COMMENTABLE, **BOOSTABLE, "position": INT,
                   **rich("content", "description"),
                   **cols("subject from replies_url bubble_up_url", STR), "replies_count": INT,
                   "group_on": DATE,
                   **nested("category", {"id": ID, "name": STR, "icon": STR}),
                   **nested("service", cols("name example_url code supporting_text", STR))},
          children={"content_attachments": rec_content, "description_attachments": rec_desc,
                    "service__valid_patterns": Child("recordings__service__valid_patterns",
                                                     {"recording_id": "id"})},
          doc="Every recording (message, to-do, document…) of every status in one table, "
              "with the fields all types share; `project_id` is its project."),
    rec_content_table,
    rec_desc_table,
    scalar_list("recordings", "service__valid_patterns", "recording_id", STR),
])
