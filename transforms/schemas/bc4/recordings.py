"""What any recording carries (comments, events, boosts, subscriptions), client
approvals and correspondence, timesheets, gauges, webhooks and the all-type
``recordings`` listing.
"""

from __future__ import annotations

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
    COMMENTABLE,
    CONTAINER,
    EVENT_COLUMNS,
    PARENT,
    PERSON,
    RECORDING,
    STAMPS,
    attachments,
    detail_lists,
    detail_tables,
    listed,
    rich,
    scalar_list,
)

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



TABLES: list[Table] = [
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
]
