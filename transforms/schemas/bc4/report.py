"""What the report shows of Basecamp 4: recordings created per kind, to-do completion."""

from __future__ import annotations

from transforms.report_spec import Activity, Completion, FamilyReport, Series

# Recordings counted as activity, with the word a reader knows them by.
RECORDINGS = {
    "todos": "to-dos", "todolists": "to-do lists", "comments": "comments",
    "messages": "messages", "documents": "documents", "uploads": "uploads",
    "campfire_lines": "chat lines", "cards": "cards", "card_steps": "card steps",
    "schedule_entries": "schedule entries", "question_answers": "check-in answers",
    "inbox_forwards": "forwards", "inbox_replies": "forward replies",
    "client_correspondences": "client messages", "client_approvals": "client approvals",
    "client_replies": "client replies", "timesheet_entries": "timesheet entries",
    "gauge_needles": "gauge needles",
}

REPORT = FamilyReport(
    title="Basecamp 4",
    activity=Activity("recordings created", "kind of recording",
                      tuple(Series(table, f"'{word}'") for table, word in RECORDINGS.items())),
    completion=Completion(
        "SELECT coalesce(bucket__name, 'project ' || bucket__id) AS project, "
        "count(*) AS todos, count(*) FILTER (WHERE completed) AS completed "
        "FROM bc4.todos WHERE status = 'active' GROUP BY ALL ORDER BY todos DESC, project",
        ("todos",)),
)
