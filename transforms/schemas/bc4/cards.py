"""Card tables: columns, cards, steps and their people."""

from __future__ import annotations

from transforms.schemas import (
    BOOL,
    DATE,
    ID,
    INT,
    PROJECT,
    STR,
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
    RECORDING,
    STAMPS,
    TOOL,
    attachments,
    listed,
    people_list,
    rich,
)

CARD_COLUMN_COLUMNS = {
    **RECORDING,
    "position": INT,
    **cols("color cards_url", STR),
    **rich("description"),
    **cols("cards_count comments_count comment_count", INT),
    **nested("on_hold", {"id": ID, "status": STR, "inherits_status": BOOL, "title": STR,
                         **STAMPS, "cards_count": INT, "cards_url": STR}),
}

board_subs, board_subs_table = people_list("card_tables", "subscribers", "card_table_id")
wormholes, wormholes_table = listed(
    "card_tables", "wormholes", "card_table_id",
    {**RECORDING, "color": STR, "linked": BOOL, "destination_url": STR})
column_subs, column_subs_table = people_list("card_columns", "subscribers", "card_column_id")
card_files, card_files_table = attachments("cards", "description_attachments", "card_id")
card_assignees, card_assignees_table = people_list("cards", "assignees", "card_id")
card_notify, card_notify_table = people_list("cards", "completion_subscribers", "card_id")
step_assignees, step_assignees_table = people_list("card_steps", "assignees", "card_step_id")

TABLES: list[Table] = [
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
]
