"""Basecamp 3/4/5 endpoint catalog: every collection GET in the reference, as data.

Facts come from ``shared/reference/bc4`` (``endpoints.yaml`` names are kept as entry ids; an
entry asked several ways adds ``__<variant>``). Entries with ``crawl=False`` say in ``note``
which crawled entry already delivers their rows, or why they are left out.

The strategy, in one paragraph: projects of every status, people, templates and campfires are
account-wide listings. The content of every project (to-dos, lists, messages, documents,
uploads, folders, schedule entries, check-in answers, cards, card steps, comments) comes from
the account-wide ``/projects/recordings.json``, one listing per (type, status), newest change
first, with every live project named in ``bucket=`` so archived projects are not skipped
(trap 2). That projection is thin, so it is topped up where users need more, at a cost of a
few requests: the BC5 "everything" lists give whole to-dos and cards (completion, assignees,
due dates, steps) for active projects, grouped five projects a page; the rest (trashed and
archived ones, and those of archived projects) are read one by one, opt-in (``details``),
as only then are their child lists (assignees, steps, ...) whole. What the listing cannot
reach is walked through each project's dock: campfire lines, inbox forwards and their replies
(only where ``replies_count > 0``), check-in questions, card table columns; plus each project's
people, message types and client approvals/correspondences (only where clients are enabled).
Chatbots are account-wide though only listed under a campfire: one request, any campfire.
Per-recording change history costs one request per recording and is opt-in (``events``).
"""

from __future__ import annotations

from extract.catalog import Catalog, Endpoint, Record

BASE_URL = "https://3.basecampapi.com/{account_id}"
PAGE_SIZE = 50
STATUSES = ("active", "archived", "trashed")
BUCKET = {"project_id": "bucket.id"}

# Types /projects/recordings.json accepts, and the table each one's rows belong in.
LISTED_TYPES: dict[str, str] = {
    "Comment": "comments",
    "Document": "documents",
    "Door": "recordings",
    "Kanban::Card": "cards",
    "Kanban::Step": "card_steps",
    "Message": "messages",
    "Question::Answer": "question_answers",
    "Schedule::Entry": "schedule_entries",
    "Todo": "todos",
    "Todolist": "todolists",
    "Upload": "uploads",
    "Vault": "vaults",
}
# The generic projection names every rich text ``content``; where the type's own shape calls
# it ``description`` (or has none), rename it so the two sources of a row agree.
AS_DESCRIPTION = {"content": "description", "content_attachments": "description_attachments"}
NO_CONTENT = {"content": None, "content_attachments": None}
GENERIC_FIELDS: dict[str, dict[str, str | None]] = {
    "Todo": {"content_attachments": "description_attachments"},
    "Todolist": AS_DESCRIPTION,
    "Upload": AS_DESCRIPTION,
    "Schedule::Entry": AS_DESCRIPTION,
    "Vault": NO_CONTENT,
    "Kanban::Step": NO_CONTENT,
}
LIVE_PROJECTS = ("projects", "projects__archived")
ALL_PROJECTS = ("projects", "projects__archived", "projects__trashed")
RECORDINGS = "the recordings listing (every status) delivers these rows"
DISCOVERY = "single object; its fields arrive in the parent's listing or the dock"
USER_SCOPED = "describes the token's user, not the account"


def live(row: Record) -> bool:
    """Trashed projects answer 404 below their own row."""
    return row.get("status") != "trashed"


def has_replies(row: Record) -> bool:
    return (row.get("replies_count") or 0) > 0


def has_boosts(row: Record) -> bool:
    return (row.get("boosts_count") or 0) > 0


def clients_enabled(row: Record) -> bool:
    return bool(row.get("clients_enabled")) and live(row)


def docked(name: str):
    """An enabled dock entry of one tool kind (a project may hold several of a kind)."""

    def accept(tool: Record) -> bool:
        return tool.get("name") == name and tool.get("enabled") is not False

    accept.__name__ = f"docked_{name}"
    return accept


def _slug(kind: str) -> str:
    return kind.lower().replace("::", "_")


def _listing(id_: str, path: str, table: str, **kw) -> Endpoint:
    return Endpoint(id_, path, table, paging="link", **kw)


def _per_status(id_: str, path: str, table: str, **kw) -> tuple[Endpoint, ...]:
    """One entry per status: lists return only active rows unless asked (trap 1)."""
    return tuple(
        _listing(id_ if status == "active" else f"{id_}__{status}", path, table,
                 params={"status": status}, **kw)
        for status in STATUSES)


def _in_project(id_: str, path: str, table: str, **kw) -> Endpoint:
    kw.setdefault("where", live)
    return _listing(id_, path, table, parents=ALL_PROJECTS,
                    bind={"project_id": "id", **kw.pop("bind", {})}, **kw)


def _on_dock(id_: str, path: str, table: str, tool: str, name: str, **kw) -> Endpoint:
    """A listing under a dock tool: ``tool`` binds the tool id, ``project_id`` its project."""
    return Endpoint(id_, path, table, parents=LIVE_PROJECTS, each="dock", where=docked(name),
                    bind={tool: "id", "project_id": "^id"}, paging=kw.pop("paging", "link"),
                    **kw)


def _recordings() -> tuple[Endpoint, ...]:
    """``/projects/recordings.json`` per (type, status), every live project in ``bucket=``."""
    return tuple(
        _listing(f"recordings_by_type__{_slug(kind)}__{status}", "/projects/recordings.json",
                 table, parents=ALL_PROJECTS, where=live, bind={"buckets": "id"}, gather=True,
                 params={"type": kind, "status": status, "bucket": "{buckets}",
                         "sort": "updated_at", "direction": "desc"},
                 row_ctx=BUCKET, thin=True, reshape=GENERIC_FIELDS.get(kind, {}))
        for kind, table in LISTED_TYPES.items() for status in STATUSES)


def _everything(id_: str, path: str, table: str, field: str, **kw) -> Endpoint:
    """BC5 lists grouped by project, five projects a page: whole to-dos or cards."""
    return _listing(id_, path, table, unwrap=field, row_ctx=BUCKET, **kw)


def _uncrawled(id_: str, path: str, table: str, note: str, **kw) -> Endpoint:
    kw.setdefault("paging", "link")
    return Endpoint(id_, path, table, crawl=False, note=note, **kw)


RECORDING_EVENT_PARENTS = tuple(
    f"recordings_by_type__{_slug(kind)}__{status}"
    for kind in LISTED_TYPES if kind != "Comment" for status in STATUSES)
COMMENT_PARENTS = tuple(f"recordings_by_type__comment__{status}" for status in STATUSES)
WHOLE_TODOS = ("everything_todos_open", "everything_todos_completed")
WHOLE_CARDS = ("everything_cards_open", "everything_cards_completed", "everything_cards_not_now")
DETAILS = "details"


def _details(id_: str, path: str, table: str, kind: str, whole: tuple[str, ...],
             **kw) -> Endpoint:
    """A member read of every record of ``kind`` that the ``whole`` lists did not return
    (trashed and archived ones, those of archived projects): opt-in, one request each."""
    return Endpoint(id_, path, table, kind="member", paging="none",
                    parents=tuple(f"recordings_by_type__{_slug(kind)}__{s}" for s in STATUSES),
                    unless_in=whole, changed_since="since", opt_in=DETAILS, **kw)

ENDPOINTS: tuple[Endpoint, ...] = (
    # -- account level --------------------------------------------------------------------------
    *_per_status("projects", "/projects.json", "projects"),
    _listing("people", "/people.json", "people"),
    *_per_status("templates", "/templates.json", "templates"),
    _listing("campfires", "/chats.json", "campfires", row_ctx=BUCKET,
             note="active projects' campfires in full; archived projects' come from the dock"),
    _listing("gauges", "/reports/gauges.json", "gauges", row_ctx=BUCKET,
             note="BC5: gauges of active projects; needles are read only where one exists"),
    Endpoint("lineup_markers", "/lineup/markers.json", "lineup_markers", paging="none"),
    _listing("chatbots", "/buckets/{bucket_id}/chats/{campfire_id}/integrations.json",
             "chatbots", parents=("campfires",), once=True,
             bind={"bucket_id": "bucket.id", "campfire_id": "id"},
             note="account-wide behind a campfire route: asked once, through the first "
                  "campfire (its keyed lines_url, a posting credential, is dropped)"),
    _uncrawled("pingable_people", "/circles/people.json", "people",
               note="a subset of people"),
    # -- every project's content, account-wide ---------------------------------------------------
    *_recordings(),
    _everything("everything_todos_open", "/todos/open.json", "todos", "todos"),
    _everything("everything_todos_completed", "/todos/completed.json", "todos", "todos"),
    _everything("everything_cards_open", "/cards/open.json", "cards", "cards"),
    _everything("everything_cards_completed", "/cards/completed.json", "cards", "cards"),
    _everything("everything_cards_not_now", "/cards/not_now.json", "cards", "cards"),
    *(_uncrawled(f"everything_todos_{name}", f"/todos/{name}.json", "todos",
                 "a subset of everything_todos_open", unwrap="todos", row_ctx=BUCKET)
      for name in ("no_due_date", "overdue", "unassigned")),
    *(_uncrawled(f"everything_cards_{name}", f"/cards/{name}.json", "cards",
                 "a subset of everything_cards_open", unwrap="cards", row_ctx=BUCKET)
      for name in ("no_due_date", "overdue", "unassigned")),
    _uncrawled("everything_messages", "/messages.json", "messages", RECORDINGS,
               row_ctx=BUCKET),
    _uncrawled("everything_comments", "/comments.json", "comments", RECORDINGS,
               row_ctx=BUCKET),
    _uncrawled("everything_checkins", "/checkins.json", "question_answers", RECORDINGS,
               row_ctx=BUCKET),
    _uncrawled("everything_files", "/files.json", "uploads", RECORDINGS, row_ctx=BUCKET),
    _uncrawled("everything_forwards", "/forwards.json", "inbox_forwards",
               "inbox_forwards (the dock walk) gives the same rows", row_ctx=BUCKET),
    _uncrawled("timeline_account", "/reports/progress.json", "events",
               "a BC5 activity feed (a change signal), not a collection of records"),
    _uncrawled("timeline_person", "/reports/users/progress/{person_id}.json", "events",
               "a BC5 activity feed per person, not a collection of records"),
    _uncrawled("timeline_project", "/projects/{project_id}/timeline.json", "events",
               "a BC5 activity feed per project, not a collection of records"),
    # -- per project ------------------------------------------------------------------------------
    _in_project("project_people", "/projects/{project_id}/people.json", "project_people"),
    _in_project("message_types", "/buckets/{project_id}/categories.json", "message_types"),
    _in_project("client_approvals", "/buckets/{project_id}/client/approvals.json",
                "client_approvals", where=clients_enabled),
    _in_project("client_correspondences", "/buckets/{project_id}/client/correspondences.json",
                "client_correspondences", where=clients_enabled),
    _listing("client_replies",
             "/buckets/{project_id}/client/recordings/{recording_id}/replies.json",
             "client_replies", parents=("client_approvals", "client_correspondences"),
             where=has_replies, bind={"recording_id": "id"}),
    _in_project("webhooks", "/buckets/{project_id}/webhooks.json", "webhooks",
                note="admins only: other tokens get 403, which skips the unit"),
    _listing("gauge_needles", "/projects/{project_id}/gauge/needles.json", "gauge_needles",
             parents=("gauges",), bind={"project_id": "bucket.id"}),
    _uncrawled("timesheet_project", "/projects/{project_id}/timesheet.json",
               "timesheet_entries", "report_timesheet has every project's entries at once"),
    # -- through the dock ---------------------------------------------------------------------
    _on_dock("campfire_lines", "/chats/{campfire_id}/lines.json", "campfire_lines",
             "campfire_id", "chat"),
    _on_dock("inbox_forwards", "/inboxes/{inbox_id}/inbox_forwards.json", "inbox_forwards",
             "inbox_id", "inbox"),
    _listing("inbox_forward_replies", "/inbox_forwards/{forward_id}/replies.json",
             "inbox_replies", parents=("inbox_forwards",), where=has_replies,
             bind={"forward_id": "id"}),
    _on_dock("questions", "/questionnaires/{questionnaire_id}/questions.json", "questions",
             "questionnaire_id", "questionnaire"),
    _on_dock("card_table", "/card_tables/{card_table_id}.json", "card_tables",
             "card_table_id", "kanban_board", kind="member", paging="none"),
    _uncrawled("campfire_uploads", "/chats/{campfire_id}/uploads.json", "campfire_lines",
               "upload lines are lines: campfire_lines has them"),
    _uncrawled("todolists", "/todosets/{todoset_id}/todolists.json", "todolists", RECORDINGS),
    _uncrawled("todolist_groups", "/todolists/{todolist_id}/groups.json", "todolists",
               RECORDINGS),
    _uncrawled("todos", "/todolists/{todolist_id}/todos.json", "todos",
               "recordings listing (every status) plus everything_todos_* (whole rows)"),
    _uncrawled("messages", "/message_boards/{board_id}/messages.json", "messages", RECORDINGS),
    _uncrawled("documents", "/vaults/{vault_id}/documents.json", "documents", RECORDINGS),
    _uncrawled("uploads", "/vaults/{vault_id}/uploads.json", "uploads", RECORDINGS),
    _uncrawled("vaults", "/vaults/{vault_id}/vaults.json", "vaults", RECORDINGS),
    _uncrawled("schedule_entries", "/schedules/{schedule_id}/entries.json",
               "schedule_entries", RECORDINGS),
    _uncrawled("question_answers", "/questions/{question_id}/answers.json",
               "question_answers", RECORDINGS),
    _uncrawled("question_answerers", "/questions/{question_id}/answers/by.json", "people",
               "people who answered: answers carry their creator"),
    _uncrawled("question_answers_by_person",
               "/questions/{question_id}/answers/by/{person_id}.json", "question_answers",
               RECORDINGS),
    _uncrawled("cards", "/card_tables/lists/{column_id}/cards.json", "cards",
               "recordings listing (every status) plus everything_cards_* (whole rows)"),
    _details("todo_get", "/todos/{todo_id}.json", "todos", "Todo", WHOLE_TODOS,
             bind={"todo_id": "id"},
             note="one request per to-do the everything lists leave out: --with details"),
    _details("card_get", "/card_tables/cards/{card_id}.json", "cards", "Kanban::Card",
             WHOLE_CARDS, bind={"card_id": "id"},
             note="one request per card the everything lists leave out: --with details"),
    # -- per recording ------------------------------------------------------------------------
    _uncrawled("comments", "/recordings/{recording_id}/comments.json", "comments",
               RECORDINGS + " (type=Comment), without one request per recording"),
    Endpoint("events", "/recordings/{recording_id}/events.json", "events",
             parents=RECORDING_EVENT_PARENTS, bind={"recording_id": "id"}, paging="link",
             opt_in="events",
             note="one request per recording: opt-in with --with-events"),
    Endpoint("boosts", "/recordings/{recording_id}/boosts.json", "boosts",
             parents=RECORDING_EVENT_PARENTS + COMMENT_PARENTS, where=has_boosts,
             bind={"recording_id": "id"}, paging="link", opt_in="boosts",
             note="one request per boosted recording (boosts_count > 0): --with boosts"),
    _uncrawled("event_boosts", "/recordings/{recording_id}/events/{event_id}/boosts.json",
               "boosts", "one request per event"),
    Endpoint("subscriptions", "/recordings/{recording_id}/subscription.json",
             "subscriptions", kind="member", paging="none",
             parents=RECORDING_EVENT_PARENTS, bind={"recording_id": "id"},
             opt_in="subscriptions",
             note="one request per recording: --with subscriptions"),
    _uncrawled("timesheet_recording", "/recordings/{recording_id}/timesheet.json",
               "timesheet_entries", "one request per recording; timesheet_project has them"),
    Endpoint("upload_versions", "/uploads/{upload_id}/versions.json", "upload_versions",
             parents=tuple(f"recordings_by_type__upload__{s}" for s in STATUSES),
             bind={"upload_id": "id"}, paging="link", opt_in="versions",
             note="one request per upload: --with versions"),
    # -- reports and the token user's views -------------------------------------------------------
    _uncrawled("assignable_people", "/reports/todos/assigned.json", "people",
               "a subset of people", paging="none"),
    _uncrawled("report_assigned_todos", "/reports/todos/assigned/{person_id}.json", "todos",
               "a view of todos", paging="none"),
    _uncrawled("report_overdue_todos", "/reports/todos/overdue.json", "todos",
               "a view of todos", paging="none"),
    Endpoint("report_timesheet", "/reports/timesheet.json", "timesheet_entries",
             paging="link", row_ctx=BUCKET, params={"from": "1970-01-01", "to": "9999-12-31"},
             note="every project's entries in one answer; the default window is only the "
                  "last month, so the whole range is asked for"),
    _uncrawled("report_upcoming_schedule", "/reports/schedules/upcoming.json",
               "schedule_entries", "a dated view of schedule entries", paging="none"),
    _uncrawled("folders", "/stacks.json", "projects", USER_SCOPED, paging="none"),
    _uncrawled("my_assignments", "/my/assignments.json", "todos", USER_SCOPED,
               paging="none"),
    _uncrawled("my_assignments_completed", "/my/assignments/completed.json", "todos",
               USER_SCOPED, paging="none"),
    _uncrawled("my_assignments_due", "/my/assignments/due.json", "todos", USER_SCOPED,
               paging="none"),
    _uncrawled("my_bookmarks", "/my/bookmarks.json", "recordings", USER_SCOPED),
    _uncrawled("my_bubble_ups", "/my/readings/bubble_ups.json", "recordings", USER_SCOPED),
    _uncrawled("my_drafts", "/my/drafts.json", "recordings", USER_SCOPED),
    _uncrawled("my_notifications", "/my/readings.json", "recordings", USER_SCOPED,
               paging="page_number"),
    _uncrawled("my_question_reminders", "/my/question_reminders.json", "questions",
               USER_SCOPED),
    _uncrawled("search", "/search.json", "recordings",
               "needs a query (q); the recordings listing is the complete form"),
    # -- single objects used to discover collections ---------------------------------------------
    *(_uncrawled(id_, path, table, DISCOVERY, kind="member", paging="none")
      for id_, path, table in (
          ("account", "/account.json", "projects"),
          ("project", "/projects/{project_id}.json", "projects"),
          ("todoset", "/todosets/{todoset_id}.json", "todosets"),
          ("todolist", "/todolists/{todolist_id}.json", "todolists"),
          ("message_board", "/message_boards/{board_id}.json", "message_boards"),
          ("vault", "/vaults/{vault_id}.json", "vaults"),
          ("schedule", "/schedules/{schedule_id}.json", "schedules"),
          ("questionnaire", "/questionnaires/{questionnaire_id}.json", "questionnaires"),
          ("inbox", "/inboxes/{inbox_id}.json", "inboxes"),
          ("campfire", "/chats/{campfire_id}.json", "campfires"),
          ("card_column", "/card_tables/columns/{column_id}.json", "card_columns"),
          ("dock_tool", "/dock/tools/{tool_id}.json", "projects__dock"),
          ("folder", "/stacks/{folder_id}.json", "projects"),
          ("hill_chart", "/todosets/{todoset_id}/hill.json", "todosets"),
          ("my_profile", "/my/profile.json", "people"),
          ("search_metadata", "/searches/metadata.json", "recordings"),
          ("template", "/templates/{template_id}.json", "templates"),
      )),
)

CATALOG = Catalog(api="bc4", base_url=BASE_URL, page_size=PAGE_SIZE, endpoints=ENDPOINTS)

# Child lists only whole to-dos and cards carry (the recordings projection is thin). The
# everything lists give them for active rows of active projects only, so by default these
# tables would hold a share of the rows and look whole. They are opt-in: ``--with details``
# reads every other to-do and card (``todo_get``, ``card_get``) and the tables are then
# complete; without it they are not written.
OPT_IN_TABLES = dict.fromkeys(
    ("todos__assignees", "todos__completion_subscribers", "todos__steps",
     "todos__steps__assignees", "cards__assignees",
     "cards__completion_subscribers", "cards__description_attachments", "card_steps__assignees"),
    DETAILS)
