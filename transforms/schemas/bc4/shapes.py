"""Column shapes every BC4 table reuses (person, bucket, recording...) and the helpers
that declare a nested list's routing and child table together.
"""

from __future__ import annotations

import pyarrow as pa

from transforms.schemas import (
    BOOL,
    DATE,
    ID,
    INT,
    ORDINAL,
    PROJECT,
    STR,
    TS,
    Child,
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


CARD_STEP = {
    **RECORDING,
    "position": INT,
    "due_on": DATE,
    **COMPLETABLE,
}
EVENT_COLUMNS = {
    **cols("id recording_id", ID),
    "action": STR,
    "created_at": TS,
    **nested("creator", PERSON),
    **BOOSTABLE,
}
EVENT_DETAIL_LISTS = ("added_person_ids", "removed_person_ids", "notified_recipient_ids")


def detail_lists(parent: str, key: str) -> dict[str, Child]:
    """Routing of an event's ``details`` id lists (who was added, removed or notified)."""
    return {f"details__{name}": Child(f"{parent}__details__{name}", {key: "id"})
            for name in EVENT_DETAIL_LISTS}


def detail_tables(parent: str, key: str) -> list[Table]:
    return [scalar_list(parent, f"details__{name}", key, ID) for name in EVENT_DETAIL_LISTS]

