"""Basecamp 4 generator: what each dock tool holds (to-dos, messages, docs and files, schedule,
campfire lines, check-ins, forwards, card tables) and the clientside board."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.bc4 import words as words
from sandbox.bc4.data_base import SYSTEM_PERSON_ID, BuilderBase
from sandbox.bc4.model import ACTIVE, Project, Recording


class ToolBuilder(BuilderBase):
    """Fills a project's enabled tools; ``_fill_<tool name>`` per dock entry."""

    def _fill_todoset(self, project: Project, root: Recording, showcase: bool) -> None:
        lists = self.n(self.spec.todolists) + (1 if showcase else 0)
        for li in range(lists):
            status = ACTIVE if showcase and li < 2 else self.status()
            todolist = self.record("Todolist", project, root, self.phrase(), status=status,
                                   position=li + 1, content=self.html(self.phrase()),
                                   color=self.rng.choice(words.COLORS))
            todos = self.n(self.spec.todos)
            if showcase and li == 0 and root.title == "To-dos":
                todos = 120
            self._todos(project, todolist, todos, status, big=showcase and li == 0)
            if (showcase and li == 1) or self.rng.random() < 0.25:
                group = self.record("Todolist", project, todolist, f"Phase {li + 1}",
                                    status=status, position=1, content="", color=None,
                                    group=True)
                self._todos(project, group, self.n(self.spec.todos), status)

    def _todos(self, project: Project, parent: Recording, count: int, list_status: str,
               big: bool = False) -> None:
        for ti in range(count):
            status = list_status if list_status != ACTIVE else self.status()
            completed = self.rng.random() < 0.35
            created = self.moment(project.created_at)
            due = (created + timedelta(days=self.rng.randint(1, 60))).date().isoformat()
            todo = self.record(
                "Todo", project, parent, self.phrase(), created=created, status=status,
                big=big and ti in (1, 4), position=ti + 1,
                content=self.html(self.phrase(), rich=ti % 5 == 0),
                completed=completed, due_on=due if self.rng.random() < 0.6 else None,
                starts_on=None, assignees=self.rng.sample(self._people, k=self.rng.randint(0, 2)),
            )
            if completed:
                self._event(todo, "completed", {"notified_recipient_ids": []}, todo.updated_at)
            if todo.extra["assignees"] and self.rng.random() < 0.3:
                details = {"added_person_ids": todo.extra["assignees"], "removed_person_ids": []}
                self._event(todo, "assignment_changed", details, todo.updated_at)
            self._comments(project, todo)
        return None

    def _fill_message_board(self, project: Project, root: Recording, showcase: bool) -> None:
        for mi in range(self.n(self.spec.messages)):
            subject = self.rng.choice(words.TOPICS)
            message = self.record(
                "Message", project, root, subject, status=self.status() if mi else ACTIVE,
                big=showcase and mi == 0, content=self.html(subject, rich=True),
                category=self.rng.choice([None, *project.category_ids]),
            )
            self._comments(project, message, force=2 if showcase and mi == 0 else 0)

    def _fill_vault(self, project: Project, root: Recording, showcase: bool,
                    depth: int = 0) -> None:
        for di in range(self.n(self.spec.documents)):
            doc = self.record("Document", project, root, self.rng.choice(words.TOPICS),
                              status=self.status() if di else ACTIVE, position=di + 1,
                              content=self.html(self.phrase(), rich=True))
            self._comments(project, doc)
        for ui in range(self.n(self.spec.uploads)):
            filename = f"{self.phrase().lower().replace(' ', '-').replace('#', '')}.png"
            upload = self.record("Upload", project, root, filename, status=self.status(),
                                 position=ui + 1, content=self.html("Uploaded file"),
                                 filename=filename, byte_size=self.rng.randint(1_000, 9_000_000),
                                 width=1024.0, height=768.0)
            self._comments(project, upload)
        if depth == 0 and (showcase or self.rng.random() < 0.4):
            nested = self.record("Vault", project, root, "Design Assets", position=1)
            self._fill_vault(project, nested, showcase, depth + 1)

    def _fill_schedule(self, project: Project, root: Recording, showcase: bool) -> None:
        for ei in range(self.n(self.spec.entries)):
            starts = self.moment(project.created_at)
            all_day = ei % 4 == 3
            entry = self.record("Schedule::Entry", project, root, self.rng.choice(words.TOPICS),
                                status=self.status() if ei else ACTIVE,
                                content=self.html(self.phrase()), starts_at=starts,
                                ends_at=starts + timedelta(hours=1), all_day=all_day,
                                participants=self.rng.sample(self._people, k=2))
            self._comments(project, entry)

    def _fill_chat(self, project: Project, root: Recording, showcase: bool) -> None:
        for li in range(self.n(self.spec.lines)):
            text = self.rng.choice(words.LINE_TEXTS)
            line = self.record("Chat::Lines::Text", project, root, text, content=text)
            if li % 5 == 1:
                line.creator_id = SYSTEM_PERSON_ID

    def _fill_questionnaire(self, project: Project, root: Recording, showcase: bool) -> None:
        for qi, text in enumerate(words.QUESTIONS[: 2 if showcase else 1]):
            question = self.record("Question", project, root, text, paused=qi == 1,
                                   frequency="every_day" if qi == 0 else "every_week")
            for _ in range(self.n(self.spec.answers)):
                answer = self.record("Question::Answer", project, question, text,
                                     status=self.status(), content=self.html(self.phrase()))
                self._comments(project, answer)

    def _fill_inbox(self, project: Project, root: Recording, showcase: bool) -> None:
        for _ in range(self.n(self.spec.forwards)):
            subject = f"Fwd: {self.rng.choice(words.TOPICS)}"
            forward = self.record("Inbox::Forward", project, root, subject,
                                  content=self.html("Forwarded message"),
                                  sender=f"client{self.rng.randint(1, 9)}@example.com")
            for _ in range(self.rng.randint(0, 2)):
                self.record("Inbox::Forward::Reply", project, forward, f"Re: {subject}",
                            content=self.html("Thanks, on it."))

    def _fill_kanban_board(self, project: Project, root: Recording, showcase: bool) -> None:
        for ci, title in enumerate(words.COLUMN_TITLES):
            kind = ("Kanban::Triage" if ci == 0 else "Kanban::DoneColumn" if ci == 3
                    else "Kanban::NotNowColumn" if ci == 4 else "Kanban::Column")
            column = self.record(kind, project, root, title, position=ci + 1,
                                 color=self.rng.choice(words.COLORS))
            if showcase and ci == 1:
                column.extra["on_hold_id"] = self.new_id()
            for ki in range(self.n(self.spec.cards)):
                card = self.record("Kanban::Card", project, column, self.phrase(),
                                   status=self.status(), position=ki + 1,
                                   content=self.html(self.phrase()), completed=ci == 3,
                                   due_on=self._due(column.created_at),
                                   assignees=self.rng.sample(self._people, k=1),
                                   on_hold="on_hold_id" in column.extra and ki == 0)
                for si in range(self.rng.randint(0, 3)):
                    self.record("Kanban::Step", project, card, self.phrase(), position=si + 1,
                                status=card.status, completed=si == 0,
                                due_on=self._due(card.created_at),
                                assignees=[])
                self._comments(project, card)

    def _due(self, after: datetime) -> str:
        return (after + timedelta(days=self.rng.randint(1, 60))).date().isoformat()

    def _fill_client(self, project: Project) -> None:
        board = Recording(self.new_id(), "Client::Board", project.id, None, ACTIVE,
                          project.created_at, project.created_at, "The Clientside",
                          self.person())
        self.acct.add(board)
        project.client_board_id = board.id
        for kind in ("Client::Approval", "Client::Correspondence"):
            for _ in range(2):
                subject = self.rng.choice(words.TOPICS)
                item = self.record(kind, project, board, subject, subject=subject,
                                   content=self.html(subject), approver=self.person(),
                                   approval_status=self.rng.choice(["pending", "approved"]))
                for _ in range(self.rng.randint(0, 2)):
                    self.record("Client::Reply", project, item, f"Re: {subject}",
                                content=self.html("Looks good to me."))
