"""Basecamp 2 ("BCX") endpoint catalog: every GET in the official docs, as data.

Facts come from ``shared/reference/bc2`` (endpoints.yaml ids are kept as entry ids). Entries
marked ``crawl=False`` are in the catalog for completeness; their ``note`` says which crawled
entry already delivers the same records more cheaply or more reliably.

The crawl strategy, in one paragraph: account-level listings (people, projects in every state,
templates, stars, groups, calendars, the account-wide event feed) run first; every live project
then gets its project-scoped listings, so ``project_id`` always comes from the request path and
archived and draft projects are covered; members are fetched only where the listing lacks what
users need: content (messages, documents, forwards, uploads) or comments (to-do lists that have
a topic, to-dos and calendar events with ``comments_count > 0``).
"""

from __future__ import annotations

from extract.catalog import Catalog, Endpoint, Record, dig

BASE_URL = "https://basecamp.com/{account_id}/api/v1"
PAGE_SIZE = 50
EPOCH = "1970-01-01T00:00:00+00:00"

PROJECT_SOURCES = ("projects_active", "projects_drafts", "projects_archived", "person_projects")
PROJECT_CTX = {"bucket_type": "Project"}
CALENDAR_CTX = {"bucket_type": "Calendar"}


def live_project(row: Record) -> bool:
    """Trashed projects answer 404 below their own row; templates are exported separately."""
    return not row.get("trashed") and not row.get("template")


def has_comments(row: Record) -> bool:
    return (row.get("comments_count") or 0) > 0


def topic_of(kind: str):
    """Topics exist only for commentables with a comment (messages always): fetch those."""

    def accept(row: Record) -> bool:
        return dig(row, "topicable.type") == kind

    accept.__name__ = f"topic_of_{kind.lower()}"
    return accept


def topic_or_trashed(kind: str):
    """A topic of ``kind``, or a trashed row: listings hide the topics of trashed things."""
    topic = topic_of(kind)

    def accept(row: Record) -> bool:
        return topic(row) or row.get("trashed") is True

    accept.__name__ = f"topic_or_trashed_{kind.lower()}"
    return accept


def attachable_upload(row: Record) -> bool:
    return dig(row, "attachable.type") == "Upload"


def _project_child(id_: str, path: str, table: str, **kw) -> Endpoint:
    return Endpoint(
        id_, path, table, parents=PROJECT_SOURCES, where=live_project,
        bind={"project_id": "id", "bucket_id": "id"}, context=PROJECT_CTX, **kw,
    )


def _calendar_child(id_: str, path: str, table: str, **kw) -> Endpoint:
    return Endpoint(
        id_, path, table, parents=("calendars",), bind={"calendar_id": "id", "bucket_id": "id"},
        context=CALENDAR_CTX, **kw,
    )


CROSS_PROJECT = "account-wide view of the project-scoped entry; project ids would come from bodies"

ENDPOINTS: tuple[Endpoint, ...] = (
    # -- people ---------------------------------------------------------------------------------
    Endpoint("people", "/people.json", "people", paging="ignores_page",
             examples=("people__list.json",)),
    Endpoint("people_trashed", "/people/trashed.json", "people",
             note="admins only; 403/404 is skipped and logged"),
    Endpoint("person_me", "/people/me.json", "people", kind="member", paging="none",
             note="the authenticated person; also the account preflight",
             examples=("people__get.json",)),
    Endpoint("person_get", "/people/{person_id}.json", "people", kind="member", paging="none",
             parents=("people",), bind={"person_id": "id"}, crawl=False,
             note="adds only two counters (events, assigned_todos) to the list row"),
    Endpoint("person_projects", "/people/{person_id}/projects.json", "projects",
             parents=("person_me",), bind={"person_id": "id"},
             note="the only listing with trashed projects; asked for the authenticated person",
             examples=("people__projects_of_person.json",)),
    Endpoint("events_person", "/people/{person_id}/events.json", "events", parents=("people",),
             bind={"person_id": "id"}, params={"since": EPOCH}, crawl=False,
             note="a filter of events_account"),
    Endpoint("person_assigned_todos", "/people/{person_id}/assigned_todos.json", "todolists",
             parents=("people",), bind={"person_id": "id"}, crawl=False,
             note="a per-assignee view of todolists and todos already exported",
             examples=("todolists__assigned_todos.json",)),
    # -- projects -------------------------------------------------------------------------------
    Endpoint("projects_active", "/projects.json", "projects", paging="ignores_page",
             examples=("projects__list.json",)),
    Endpoint("projects_drafts", "/projects/drafts.json", "projects"),
    Endpoint("projects_archived", "/projects/archived.json", "projects"),
    Endpoint("project_get", "/projects/{project_id}.json", "projects", kind="member",
             paging="none", parents=PROJECT_SOURCES, where=live_project,
             bind={"project_id": "id"}, examples=("projects__get.json",)),
    Endpoint("project_templates", "/project_templates.json", "project_templates",
             examples=("project_templates__list.json",)),
    Endpoint("project_template_get", "/projects/{project_id}.json", "project_templates",
             kind="member", paging="none", parents=("project_templates",),
             bind={"project_id": "id"}, examples=("project_templates__get.json",)),
    Endpoint("stars", "/stars.json", "stars", examples=("stars__list.json",)),
    _project_child("project_accesses", "/projects/{project_id}/accesses.json", "accesses",
                   examples=("accesses__list.json",)),
    # -- groups ---------------------------------------------------------------------------------
    Endpoint("groups", "/groups.json", "groups", examples=("groups__list.json",)),
    Endpoint("group_get", "/groups/{group_id}.json", "groups", kind="member", paging="none",
             parents=("groups",), bind={"group_id": "id"}, examples=("groups__get.json",)),
    Endpoint("subgroup_get", "/groups/{group_id}/subgroups/{subgroup_id}.json", "subgroups",
             kind="member", paging="none", parents=("groups",), each="subgroups",
             bind={"group_id": "^id", "subgroup_id": "id"},
             examples=("groups__get_subgroup.json",)),
    # -- events ---------------------------------------------------------------------------------
    Endpoint("events_account", "/events.json", "events", params={"since": "{since}"},
             note="one feed for every project and calendar", examples=("events__list.json",)),
    _project_child("events_project", "/projects/{project_id}/events.json", "events",
                   params={"since": EPOCH}, crawl=False, note="a filter of events_account"),
    # -- topics and messages --------------------------------------------------------------------
    Endpoint("topics_account", "/topics.json", "topics", crawl=False, note=CROSS_PROJECT),
    Endpoint("topics_account_archived", "/topics/archived.json", "topics", crawl=False,
             note=CROSS_PROJECT),
    _project_child("topics_project", "/projects/{project_id}/topics.json", "topics",
                   params={"sort": "oldest"}, constants={"status": "active"},
                   examples=("topics__list.json",)),
    _project_child("topics_project_archived", "/projects/{project_id}/topics/archived.json",
                   "topics", params={"sort": "oldest"}, constants={"status": "archived"}),
    Endpoint("message_get", "/projects/{project_id}/messages/{message_id}.json", "messages",
             kind="member", paging="none",
             parents=("topics_project", "topics_project_archived"),
             where=topic_of("Message"), bind={"message_id": "topicable.id"},
             note="messages have no index: topics are the only way to them",
             examples=("messages__get.json",)),
    # -- to-do lists and to-dos -----------------------------------------------------------------
    _project_child("todolists_project", "/projects/{project_id}/todolists.json", "todolists",
                   constants={"status": "active"}, examples=("todolists__list.json",)),
    _project_child("todolists_project_completed", "/projects/{project_id}/todolists/completed.json",
                   "todolists", constants={"status": "completed"}),
    _project_child("todolists_project_trashed", "/projects/{project_id}/todolists/trashed.json",
                   "todolists", constants={"status": "trashed"}),
    Endpoint("todolists_account", "/todolists.json", "todolists", crawl=False, note=CROSS_PROJECT),
    Endpoint("todolists_account_completed", "/todolists/completed.json", "todolists",
             crawl=False, note=CROSS_PROJECT),
    Endpoint("todolists_account_trashed", "/todolists/trashed.json", "todolists", crawl=False,
             note=CROSS_PROJECT),
    Endpoint("todolist_get", "/projects/{project_id}/todolists/{todolist_id}.json", "todolists",
             kind="member", paging="none",
             parents=("topics_project", "topics_project_archived", "todolists_project_trashed"),
             where=topic_or_trashed("Todolist"), bind={"todolist_id": ("topicable.id", "id")},
             params={"exclude_todos": "true"},
             note="lists with a topic can have comments, and trashed lists (their topics are "
                  "gone); embedded to-dos are excluded",
             examples=("todolists__get.json",)),
    _project_child("todos_project", "/projects/{project_id}/todos.json", "todos",
                   note="completed and remaining to-dos of a project in one paged listing",
                   examples=("todos__list.json",)),
    _project_child("todos_project_completed", "/projects/{project_id}/todos/completed.json",
                   "todos", crawl=False, note="a filter of todos_project"),
    _project_child("todos_project_remaining", "/projects/{project_id}/todos/remaining.json",
                   "todos", crawl=False, note="a filter of todos_project"),
    Endpoint("todos_todolist", "/projects/{project_id}/todolists/{todolist_id}/todos.json",
             "todos", parents=("todolists_project_trashed",), bind={"todolist_id": "id"},
             note="asked for trashed lists only: their to-dos are not in todos_project"),
    Endpoint("todos_todolist_completed",
             "/projects/{project_id}/todolists/{todolist_id}/todos/completed.json", "todos",
             parents=("todolists_project",), bind={"todolist_id": "id"}, crawl=False,
             note="per-list view of todos_project"),
    Endpoint("todos_todolist_remaining",
             "/projects/{project_id}/todolists/{todolist_id}/todos/remaining.json", "todos",
             parents=("todolists_project",), bind={"todolist_id": "id"}, crawl=False,
             note="per-list view of todos_project"),
    Endpoint("todos_todolist_trashed",
             "/projects/{project_id}/todolists/{todolist_id}/todos/trashed.json", "todos",
             parents=("todolists_project", "todolists_project_completed",
                      "todolists_project_trashed"),
             bind={"todolist_id": "id"},
             note="the only route to trashed to-dos, in every list (a trashed list's todos.json "
                  "leaves out its trashed to-dos)"),
    Endpoint("todo_get", "/projects/{project_id}/todos/{todo_id}.json", "todos", kind="member",
             paging="none", parents=("todos_project", "todos_todolist", "todos_todolist_trashed"),
             where=has_comments, bind={"todo_id": "id"},
             note="only for comments, subscribers and attachments", examples=("todos__get.json",)),
    # -- documents, forwards, attachments, uploads ----------------------------------------------
    _project_child("documents_project", "/projects/{project_id}/documents.json", "documents",
                   params={"sort": "oldest"}, examples=("documents__list.json",)),
    Endpoint("documents_account", "/documents.json", "documents", crawl=False,
             note=CROSS_PROJECT),
    Endpoint("document_get", "/projects/{project_id}/documents/{document_id}.json", "documents",
             kind="member", paging="none", parents=("documents_project",),
             bind={"document_id": "id"}, note="list rows have no content",
             examples=("documents__get.json",)),
    _project_child("forwards_project", "/projects/{project_id}/forwards.json", "forwards",
                   params={"sort": "oldest"}, examples=("forwards__list.json",)),
    Endpoint("forwards_account", "/forwards.json", "forwards", crawl=False, note=CROSS_PROJECT),
    Endpoint("forward_get", "/projects/{project_id}/forwards/{forward_id}.json", "forwards",
             kind="member", paging="none", parents=("forwards_project",),
             bind={"forward_id": "id"}, note="list rows have no content",
             examples=("forwards__get.json",)),
    _project_child("attachments_project", "/projects/{project_id}/attachments.json",
                   "attachments", params={"sort": "oldest"},
                   examples=("attachments__list.json",)),
    Endpoint("attachments_account", "/attachments.json", "attachments", crawl=False,
             note=CROSS_PROJECT),
    Endpoint("attachment_get", "/projects/{project_id}/attachments/{attachment_id}.json",
             "attachments", kind="member", paging="none", parents=("attachments_project",),
             bind={"attachment_id": "id"}, crawl=False, note="list rows are already complete",
             examples=("attachments__get.json", "attachments__get_linked_google_doc.json")),
    Endpoint("tag_attachments_project", "/projects/{project_id}/tags/{tag_name}/attachments.json",
             "attachments", crawl=False, note="a filter of attachments_project; tags are kept"),
    Endpoint("tag_attachments_account", "/tags/{tag_name}/attachments.json", "attachments",
             crawl=False, note="a filter of attachments_project; tags are kept"),
    Endpoint("upload_get", "/projects/{project_id}/uploads/{upload_id}.json", "uploads",
             kind="member", paging="none", parents=("attachments_project",),
             where=attachable_upload, bind={"upload_id": "attachable.id"},
             note="uploads have no index: attachments point at them",
             examples=("uploads__get.json",)),
    # -- calendars and calendar events ----------------------------------------------------------
    Endpoint("calendars", "/calendars.json", "calendars", examples=("calendars__list.json",)),
    Endpoint("calendar_get", "/calendars/{calendar_id}.json", "calendars", kind="member",
             paging="none", parents=("calendars",), bind={"calendar_id": "id"},
             examples=("calendars__get.json",)),
    _calendar_child("calendar_accesses", "/calendars/{calendar_id}/accesses.json", "accesses"),
    _project_child("calendar_events_project_upcoming",
                   "/projects/{project_id}/calendar_events.json",
                   "calendar_events", constants={"status": "upcoming"},
                   examples=("calendar_events__list_upcoming_or_past.json",
                             "calendar_events__sample_recurring_event.json")),
    _project_child("calendar_events_project_past",
                   "/projects/{project_id}/calendar_events/past.json", "calendar_events",
                   constants={"status": "past"}),
    _calendar_child("calendar_events_calendar_upcoming",
                    "/calendars/{calendar_id}/calendar_events.json", "calendar_events",
                    constants={"status": "upcoming"}),
    _calendar_child("calendar_events_calendar_past",
                    "/calendars/{calendar_id}/calendar_events/past.json", "calendar_events",
                    constants={"status": "past"}),
    Endpoint("calendar_event_project_get",
             "/projects/{project_id}/calendar_events/{calendar_event_id}.json", "calendar_events",
             kind="member", paging="none",
             parents=("calendar_events_project_upcoming", "calendar_events_project_past"),
             where=has_comments, bind={"calendar_event_id": "id"},
             examples=("calendar_events__get.json",)),
    Endpoint("calendar_event_calendar_get",
             "/calendars/{calendar_id}/calendar_events/{calendar_event_id}.json",
             "calendar_events", kind="member", paging="none",
             parents=("calendar_events_calendar_upcoming", "calendar_events_calendar_past"),
             where=has_comments, bind={"calendar_event_id": "id"}),
    Endpoint("calendar_events_account_window", "/calendar_events.json",
             "calendar_event_occurrences", params={"start_date": "{start_date}"}, crawl=False,
             note="recurrence expansion over a six-week window; the rules are in calendar_events",
             examples=("calendar_events__list_date_window_with_recurrences.json",
                       "calendar_events__sample_recurrence.json")),
    _project_child("calendar_events_project_window", "/projects/{project_id}/calendar_events.json",
                   "calendar_event_occurrences", params={"start_date": "{start_date}"},
                   crawl=False, note="recurrence expansion; see calendar_events_account_window"),
    _calendar_child("calendar_events_calendar_window",
                    "/calendars/{calendar_id}/calendar_events.json", "calendar_event_occurrences",
                    params={"start_date": "{start_date}"}, crawl=False,
                    note="recurrence expansion; see calendar_events_account_window"),
)

CATALOG = Catalog(api="bc2", base_url=BASE_URL, page_size=PAGE_SIZE, endpoints=ENDPOINTS)

# Subscriber lists (and a to-do's attachments) are only in member responses. The crawl above
# reads messages, documents, forwards and uploads whole, but to-dos, to-do lists and calendar
# events only where they have comments, so their subscriber tables would hold a share of the
# rows and look whole. They are opt-in: ``--with subscribers`` reads every member of those
# three (the docs put ``subscribers[]`` in every commentable's member response) and the tables
# are then complete; without it they are not written. Entry changes the option makes:
WIDEN: dict[str, dict[str, dict[str, object]]] = {
    "subscribers": {
        "todo_get": {"where": None},
        "todolist_get": {"where": None, "parents": ("todolists_project",
                                                    "todolists_project_completed",
                                                    "todolists_project_trashed")},
        "calendar_event_project_get": {"where": None},
        "calendar_event_calendar_get": {"where": None},
    },
}
# Tables filled only by the member reads above: written with the option, else not at all.
OPT_IN_TABLES = {"todos__subscribers": "subscribers", "todos__attachments": "subscribers",
                 "todolists__subscribers": "subscribers",
                 "calendar_events__subscribers": "subscribers"}
