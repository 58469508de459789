"""Basecamp 4's GET routes as a werkzeug routing table; each endpoint names its handler.

Paths are matched below ``/{account}`` without the ``.json`` suffix and, in the legacy
``/buckets/{project}/...`` form, without that prefix (the bucket is passed to the handler).
Ids are digits. Mode: ``member``, ``paged`` (by the app's gear), ``whole`` (never paged) or
``grouped`` (paged by ``GROUPED_GEAR``); a few routes exist only in the bucket form (message
types, client approvals/correspondences/replies, webhooks list, chatbots).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from werkzeug.routing import BaseConverter, Rule, ValidationError

from sandbox.bc4.handlers import account, everything, recordings, tools
from sandbox.bc4.handlers.common import typed_member
from sandbox.bc4.model import COLUMN_TYPES
from sandbox.router import Router

MEMBER = "member"
PAGED = "paged"
WHOLE = "whole"
GROUPED = "grouped"


class IdConverter(BaseConverter):
    """A recording id: a segment of digits (``str.isdigit``, as BC4 ids are checked)."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> int:
        if not value.isdigit():
            raise ValidationError()
        return int(value)


@dataclass(frozen=True)
class Endpoint:
    """A route's handler, how its answer is served, and whether it needs the bucket form."""

    handler: Callable[..., Any]
    mode: str
    bucket_only: bool = False


def typed(types: tuple[str, ...]) -> Callable[..., Any]:
    """The handler of a member route that is one recording of ``types``."""
    return partial(typed_member, types=types)


def _rule(mode: str, bucket_only: bool) -> Callable[[str, Callable[..., Any]], Rule]:
    def rule(path: str, handler: Callable[..., Any]) -> Rule:
        return Rule(path, endpoint=Endpoint(handler, mode, bucket_only))

    return rule


member, paged, whole, grouped = (_rule(mode, False) for mode in (MEMBER, PAGED, WHOLE, GROUPED))
member_in_bucket, paged_in_bucket, whole_in_bucket = (
    _rule(mode, True) for mode in (MEMBER, PAGED, WHOLE))

ROUTER = Router([
    paged("/projects", account.projects),
    paged("/projects/recordings", account.recordings),
    member("/projects/<id:id>", account.project),
    paged("/projects/<id:id>/people", account.project_people),
    paged("/templates", account.templates),
    member("/templates/<id:id>", account.template),
    paged("/people", account.people),
    member("/people/<id:id>", account.person),
    member("/my/profile", account.my_profile),
    paged("/chats", account.chats),
    member("/todosets/<id:id>", tools.tool),
    paged("/todosets/<id:id>/todolists", tools.todolists),
    member("/todolists/<id:id>", typed(("Todolist",))),
    paged("/todolists/<id:id>/groups", tools.groups),
    paged("/todolists/<id:id>/todos", tools.todos),
    member("/todos/<id:id>", typed(("Todo",))),
    grouped("/todos/open", everything.open_todos),
    grouped("/todos/completed", everything.completed_todos),
    grouped("/cards/open", everything.open_cards),
    grouped("/cards/completed", everything.completed_cards),
    grouped("/cards/not_now", everything.not_now_cards),
    member("/message_boards/<id:id>", tools.tool),
    paged("/message_boards/<id:id>/messages", tools.messages),
    member("/messages/<id:id>", typed(("Message",))),
    whole_in_bucket("/categories", tools.categories),
    member("/vaults/<id:id>", tools.tool),
    paged("/vaults/<id:id>/documents", tools.documents),
    paged("/vaults/<id:id>/uploads", tools.uploads),
    paged("/vaults/<id:id>/vaults", tools.vaults),
    member("/documents/<id:id>", typed(("Document",))),
    member("/uploads/<id:id>", typed(("Upload",))),
    member("/schedules/<id:id>", tools.tool),
    paged("/schedules/<id:id>/entries", tools.entries),
    member("/schedule_entries/<id:id>", typed(("Schedule::Entry",))),
    member("/chats/<id:id>", tools.tool),
    paged("/chats/<id:id>/lines", tools.lines),
    paged("/chats/<id:id>/uploads", tools.chat_uploads),
    member("/chats/<id:chat>/lines/<id:id>", typed(("Chat::Lines::Text",))),
    member("/questionnaires/<id:id>", tools.tool),
    paged("/questionnaires/<id:id>/questions", tools.questions),
    member("/questions/<id:id>", typed(("Question",))),
    paged("/questions/<id:id>/answers", tools.answers),
    member("/question_answers/<id:id>", typed(("Question::Answer",))),
    member("/inboxes/<id:id>", tools.tool),
    paged("/inboxes/<id:id>/inbox_forwards", tools.forwards),
    member("/inbox_forwards/<id:id>", typed(("Inbox::Forward",))),
    paged("/inbox_forwards/<id:id>/replies", tools.forward_replies),
    member("/inbox_forwards/<id:forward>/replies/<id:id>", typed(("Inbox::Forward::Reply",))),
    member("/card_tables/<id:id>", tools.tool),
    member("/card_tables/columns/<id:id>", typed(COLUMN_TYPES)),
    paged("/card_tables/lists/<id:id>/cards", tools.cards),
    member("/card_tables/cards/<id:id>", typed(("Kanban::Card",))),
    member("/card_tables/steps/<id:id>", typed(("Kanban::Step",))),
    member("/recordings/<id:id>", recordings.any_recording),
    paged("/recordings/<id:id>/comments", recordings.comments),
    paged("/recordings/<id:id>/events", recordings.events),
    member("/comments/<id:id>", typed(("Comment",))),
    paged_in_bucket("/client/approvals", recordings.approvals),
    member_in_bucket("/client/approvals/<id:id>", typed(("Client::Approval",))),
    paged_in_bucket("/client/correspondences", recordings.correspondences),
    member_in_bucket("/client/correspondences/<id:id>", typed(("Client::Correspondence",))),
    paged_in_bucket("/client/recordings/<id:id>/replies", recordings.client_replies),
    member_in_bucket("/client/recordings/<id:parent>/replies/<id:id>", typed(("Client::Reply",))),
    paged("/reports/gauges", everything.gauges),
    member("/projects/<id:id>/gauge", everything.gauge),
    paged("/projects/<id:id>/gauge/needles", everything.needles),
    member("/projects/<id:project>/gauge/needles/<id:id>", everything.project_needle),
    member("/gauge_needles/<id:id>", typed(("Gauge::Needle",))),
    whole("/lineup/markers", account.markers),
    whole("/reports/timesheet", recordings.report_timesheet),
    whole_in_bucket("/webhooks", account.webhooks),
    member("/webhooks/<id:id>", account.webhook),
    whole_in_bucket("/chats/<id:id>/integrations", account.chatbots),
    member_in_bucket("/chats/<id:chat>/integrations/<id:id>", account.chatbot),
    paged("/projects/<id:id>/timesheet", recordings.project_timesheet),
    paged("/recordings/<id:id>/timesheet", recordings.recording_timesheet),
    member("/timesheet_entries/<id:id>", typed(("Timesheet::Entry",))),
    member("/timesheet/entries/<id:id>", typed(("Timesheet::Entry",))),
    whole("/uploads/<id:id>/versions", recordings.versions),
    paged("/recordings/<id:id>/boosts", recordings.boosts),
    paged("/recordings/<id:id>/events/<id:event>/boosts", recordings.event_boosts),
    member("/boosts/<id:id>", recordings.boost),
    member("/recordings/<id:id>/subscription", recordings.subscription),
], converters={"id": IdConverter})
