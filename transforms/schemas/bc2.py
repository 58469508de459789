"""Basecamp 2 tables. Column names and types follow ``shared/reference/bc2/examples``.

Primary keys are the source ids; ``stars`` has none and is keyed by ``project_id`` (trap 18);
``accesses`` is a membership of a person in a project or calendar; child tables are keyed by
their parent key plus ``ordinal`` (position in the source list).
"""

from __future__ import annotations

import pyarrow as pa

from transforms.report_spec import Activity, Completion, FamilyReport, Series
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

STUB = {"id": ID, "name": STR}
PERSON_STUB = {**STUB, "avatar_url": STR, "fullsize_avatar_url": STR}
LINK = {"id": ID, "type": STR, "url": STR, "app_url": STR}
BUCKET = {"id": ID, "name": STR, "type": STR, "color": STR, "url": STR, "app_url": STR}
COUNTER = {"count": INT, "updated_at": TS, "url": STR, "app_url": STR}
PERSON = {
    **cols("id identity_id", ID),
    **cols("name email_address avatar_url fullsize_avatar_url url app_url", STR),
    **cols("admin trashed", BOOL),
    **cols("created_at updated_at", TS),
}
ATTACHMENT = {
    "id": ID,
    **cols("key name content_type url app_url thumbnail_url", STR),
    **cols("linked_source linked_type link_url", STR),
    "byte_size": INT,
    **cols("created_at updated_at", TS),
    **cols("private trashed", BOOL),
    **nested("creator", PERSON_STUB),
}
RECORD_FLAGS = cols("private trashed", BOOL)
STAMPS = cols("created_at updated_at", TS)
URLS = cols("url app_url", STR)


def child_list(parent: str, field: str, parent_key: str, columns: dict[str, pa.DataType],
               partition: tuple[str, ...]) -> Table:
    """A child table ``<parent>__<field>`` keyed by the parent id and the list position."""
    return Table(
        f"{parent}__{field}", key=(parent_key, ORDINAL), partition=partition,
        columns={parent_key: ID, ORDINAL: INT, **columns}, child_of=parent,
        doc=f"`{field}` of {parent}, one row per list element.",
    )


def scalar_list(parent: str, field: str, parent_key: str, partition: tuple[str, ...]) -> Table:
    return Table(
        f"{parent}__{field}", key=(parent_key, ORDINAL), partition=partition,
        columns={parent_key: ID, ORDINAL: INT, "value": STR}, child_of=parent,
        scalar_values=True, doc=f"`{field}` of {parent}: one row per value.",
    )


def subscribers(parent: str, key: str, partition: tuple[str, ...]) -> tuple[Child, Table]:
    return (Child(f"{parent}__subscribers", {key: "id"}),
            child_list(parent, "subscribers", key, dict(STUB), partition))


def attachments(parent: str, key: str, partition: tuple[str, ...]) -> tuple[Child, Table]:
    return (Child(f"{parent}__attachments", {key: "id"}),
            child_list(parent, "attachments", key, dict(ATTACHMENT), partition))


def comments_of(kind: str) -> Child:
    """Comments are first-class: they land in ``comments`` with what they belong to."""
    return Child("comments", {"commentable_id": "id"}, {"commentable_type": kind})


PROJECT_COUNTERS = {
    **nested("accesses", COUNTER),
    **nested("attachments", COUNTER),
    **nested("calendar_events", COUNTER),
    **nested("documents", COUNTER),
    **nested("topics", COUNTER),
    **nested("todolists", {"remaining_count": INT, "completed_count": INT, "updated_at": TS,
                           "url": STR, "app_url": STR}),
}
PROJECT_COLUMNS = {
    "id": ID,
    **cols("name description color url app_url", STR),
    **cols("archived template starred trashed draft is_client_project", BOOL),
    **STAMPS,
    **nested("creator", PERSON_STUB),
    **PROJECT_COUNTERS,
}

msg_subs, msg_subs_table = subscribers("messages", "message_id", PROJECT)
list_subs, list_subs_table = subscribers("todolists", "todolist_id", PROJECT)
todo_subs, todo_subs_table = subscribers("todos", "todo_id", PROJECT)
todo_files, todo_files_table = attachments("todos", "todo_id", PROJECT)
doc_subs, doc_subs_table = subscribers("documents", "document_id", PROJECT)
fwd_subs, fwd_subs_table = subscribers("forwards", "forward_id", PROJECT)
fwd_files, fwd_files_table = attachments("forwards", "forward_id", PROJECT)
upl_subs, upl_subs_table = subscribers("uploads", "upload_id", PROJECT)
upl_files, upl_files_table = attachments("uploads", "upload_id", PROJECT)
evt_subs, evt_subs_table = subscribers("calendar_events", "calendar_event_id", ACCOUNT)
cmt_files, cmt_files_table = attachments("comments", "comment_id", ACCOUNT)
event_files, event_files_table = attachments("events", "event_id", ACCOUNT)

CALENDAR_EVENT_COLUMNS = {
    "id": ID,
    **cols("summary description url app_url status", STR),
    **STAMPS,
    "all_day": BOOL,
    **cols("starts_at ends_at", TS),
    **cols("starts_on ends_on", DATE),
    "comments_count": INT,
    **RECORD_FLAGS,
    **nested("creator", PERSON_STUB),
    **nested("recurring", {"frequency": STR, "count": INT, "until": DATE}),
}

TABLES = Registry("bc2", [
    Table("people", key=("id",), columns={**PERSON, **nested("events", COUNTER),
                                          **nested("assigned_todos", COUNTER)},
          doc="Everyone on the account, trashed people included (admins only)."),
    Table("accesses", key=("bucket_type", "bucket_id", "id"), context=("bucket_type", "bucket_id"),
          columns={**PERSON, "is_client": BOOL},
          doc="Who can see a project or calendar (`bucket_type`, `bucket_id`): person records."),
    Table("projects", key=("id",), columns=PROJECT_COLUMNS,
          doc="Active, draft, archived and trashed projects; flags say which."),
    Table("project_templates", key=("id",),
          columns={k: v for k, v in PROJECT_COLUMNS.items() if k != "draft"},
          doc="Project templates (template ids are project ids)."),
    Table("stars", key=("project_id",), columns={"project_id": ID, "created_at": TS, **URLS},
          doc="Projects the authenticated person starred; stars have no id of their own."),
    Table("groups", key=("id",), columns={"id": ID, "name": STR, **STAMPS},
          children={"subgroups": Child("groups__subgroups", {"group_id": "id"}),
                    "memberships": Child("groups__memberships", {"group_id": "id"})},
          doc="Groups (companies); direct members in groups__memberships."),
    child_list("groups", "subgroups", "group_id", {"id": ID, "name": STR, **STAMPS}, ACCOUNT),
    child_list("groups", "memberships", "group_id", dict(PERSON), ACCOUNT),
    Table("subgroups", key=("id",), columns={"id": ID, "parent_id": ID, "name": STR, **STAMPS},
          children={"memberships": Child("subgroups__memberships", {"subgroup_id": "id"})},
          doc="Subgroups (departments) with their parent group."),
    child_list("subgroups", "memberships", "subgroup_id", dict(PERSON), ACCOUNT),
    Table("events", key=("id",),
          columns={"id": ID, **STAMPS, "private": BOOL,
                   **cols("action target excerpt raw_excerpt summary url html_url", STR),
                   **nested("eventable", LINK), **nested("creator", PERSON_STUB),
                   **nested("bucket", BUCKET)},
          children={"attachments": event_files},
          doc="The account's activity feed across projects and calendars."),
    event_files_table,
    Table("topics", key=("id",), partition=PROJECT, rename={"attachments": "attachments_count"},
          columns={"id": ID, **cols("title excerpt status", STR), **STAMPS,
                   "attachments_count": INT, **RECORD_FLAGS,
                   **nested("last_updater", STUB), **nested("topicable", LINK),
                   **nested("bucket", BUCKET)},
          doc="Index rows of commented things (every message has one); `status` active/archived."),
    Table("messages", key=("id",), partition=PROJECT,
          columns={"id": ID, **cols("subject content", STR), **STAMPS, **RECORD_FLAGS, **URLS,
                   **nested("creator", PERSON_STUB)},
          children={"comments": comments_of("Message"), "subscribers": msg_subs},
          doc="Messages (their full text and subscribers)."),
    msg_subs_table,
    Table("comments", key=("id",), context=("bucket_type", "bucket_id"),
          columns={"id": ID, "commentable_type": STR, "commentable_id": ID, "content": STR,
                   **STAMPS, **RECORD_FLAGS, "topic_url": STR,
                   **nested("creator", PERSON_STUB)},
          children={"attachments": cmt_files},
          doc="Comments of every commentable (`commentable_type`, `commentable_id`)."),
    cmt_files_table,
    Table("todolists", key=("id",), partition=PROJECT, drop=frozenset({"todos", "assigned_todos"}),
          columns={"id": ID, **cols("name description status", STR), **STAMPS, **URLS,
                   "completed": BOOL, "position": INT, **RECORD_FLAGS,
                   **cols("completed_count remaining_count", INT),
                   **nested("creator", PERSON_STUB), **nested("bucket", BUCKET)},
          children={"comments": comments_of("Todolist"), "subscribers": list_subs},
          doc="To-do lists, `status` active/completed/trashed. The embedded abbreviated to-dos "
              "are not kept: the to-dos table has the full rows."),
    list_subs_table,
    Table("todos", key=("id",), partition=PROJECT, drop=frozenset({"todolist"}),
          columns={"id": ID, "todolist_id": ID, "position": INT, "content": STR,
                   **cols("due_at due_on", DATE), **STAMPS, "completed_at": TS,
                   "comments_count": INT, **RECORD_FLAGS, "completed": BOOL, **URLS,
                   **nested("creator", PERSON_STUB),
                   **nested("assignee", {"id": ID, "type": STR, "name": STR}),
                   **nested("completer", STUB)},
          children={"comments": comments_of("Todo"), "subscribers": todo_subs,
                    "attachments": todo_files},
          doc="Remaining, completed and trashed to-dos. The API's copy of the to-do list can "
              "be out of date, so it is not kept: join on `todolist_id`."),
    todo_subs_table,
    todo_files_table,
    Table("documents", key=("id",), partition=PROJECT,
          columns={"id": ID, **cols("title content", STR), **STAMPS, **URLS, **RECORD_FLAGS,
                   **nested("last_updater", STUB), **nested("creator", PERSON_STUB),
                   **nested("bucket", BUCKET)},
          children={"comments": comments_of("Document"), "subscribers": doc_subs},
          doc="Text documents (latest version; `content` is HTML)."),
    doc_subs_table,
    Table("forwards", key=("id",), partition=PROJECT,
          columns={"id": ID, **cols("subject from content content_html", STR), **STAMPS,
                   **RECORD_FLAGS, **URLS, **nested("creator", PERSON_STUB),
                   **nested("bucket", BUCKET)},
          children={"comments": comments_of("Forward"), "subscribers": fwd_subs,
                    "attachments": fwd_files},
          doc="Forwarded e-mails."),
    fwd_subs_table,
    fwd_files_table,
    Table("attachments", key=("id",), partition=PROJECT,
          columns={**ATTACHMENT, **nested("attachable", LINK)},
          children={"tags": Child("attachments__tags", {"attachment_id": "id"})},
          doc="Files and linked documents of a project, with what they are attached to."),
    scalar_list("attachments", "tags", "attachment_id", PROJECT),
    Table("uploads", key=("id",), partition=PROJECT,
          columns={"id": ID, "content": STR, **STAMPS, **RECORD_FLAGS, **URLS,
                   **nested("creator", PERSON_STUB)},
          children={"comments": comments_of("Upload"), "subscribers": upl_subs,
                    "attachments": upl_files},
          doc="Uploads (the 'Files' of a project) with their subscribers."),
    upl_subs_table,
    upl_files_table,
    Table("calendars", key=("id",),
          columns={"id": ID, **cols("name color", STR), **STAMPS, **URLS,
                   **nested("creator", PERSON_STUB), **nested("accesses", COUNTER),
                   "calendar_events__count": INT, "calendar_events__updated_at": TS,
                   "calendar_events__urls__upcoming": STR, "calendar_events__urls__past": STR},
          doc="Standalone calendars."),
    Table("calendar_events", key=("id",), context=("bucket_type", "bucket_id"),
          columns=CALENDAR_EVENT_COLUMNS,
          date_or_time={"starts_at": "starts_on", "ends_at": "ends_on"},
          children={"comments": comments_of("CalendarEvent"), "subscribers": evt_subs,
                    "recurring__excluding": Child("calendar_events__recurring__excluding",
                                                  {"calendar_event_id": "id"})},
          doc="Events of project and standalone calendars, `status` upcoming/past. All-day "
              "events have `starts_on`/`ends_on` dates and null `starts_at`/`ends_at`."),
    evt_subs_table,
    scalar_list("calendar_events", "recurring__excluding", "calendar_event_id", ACCOUNT),
    Table("calendar_event_occurrences", key=("id", "recurrence__master__id", "recurrence__number"),
          context=("bucket_type", "bucket_id"),
          columns={**CALENDAR_EVENT_COLUMNS, "recurrence__number": INT,
                   **nested("recurrence__master", {"id": ID, "url": STR, "app_url": STR})},
          date_or_time={"starts_at": "starts_on", "ends_at": "ends_on"},
          drop=frozenset({"recurring__excluding"}),
          doc="Calendar events with repeats expanded into one row each (not exported by default)."),
])


REPORT = FamilyReport(
    title="Basecamp 2",
    activity=Activity("events", "project", (
        Series("events", "coalesce(bucket__name, 'project ' || bucket__id)",
               "bucket__type = 'Project'"),)),
    completion=Completion(
        "SELECT coalesce(p.name, 'project ' || t.project_id) AS project, count(*) AS todos, "
        "count(*) FILTER (WHERE t.completed) AS completed "
        "FROM bc2.todos t LEFT JOIN bc2.projects p ON p.id = t.project_id "
        "WHERE NOT coalesce(t.trashed, false) GROUP BY ALL ORDER BY todos DESC, project",
        ("todos", "projects")),
)
