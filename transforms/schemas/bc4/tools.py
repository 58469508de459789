"""The dock tools and what they hold: to-dos, messages, Docs & Files, schedules,
campfires and chatbots, check-ins, e-mail forwards.
"""

from __future__ import annotations

from dataclasses import replace

from transforms.schemas import (
    BOOL,
    DATE,
    ID,
    INT,
    PROJECT,
    STR,
    TS,
    Child,
    Table,
    cols,
    nested,
)
from transforms.schemas.bc4.shapes import (
    BOOSTABLE,
    CARD_STEP,
    COMMENTABLE,
    COMPLETABLE,
    EVENT_COLUMNS,
    RECORDING,
    STAMPS,
    TOOL,
    attachments,
    detail_lists,
    detail_tables,
    listed,
    people_list,
    rich,
    scalar_list,
)

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

TABLES: list[Table] = [
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
]
