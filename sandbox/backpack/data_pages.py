"""Backpack generator: pages and what they hold (notes, lists, galleries, attachments,
separators, e-mails, tags), with the showcase page's guaranteed rows."""

from __future__ import annotations

import string
from datetime import datetime

from sandbox.backpack import words as words
from sandbox.backpack.data_base import GeneratorBase
from sandbox.backpack.model import (
    ASSET,
    GALLERY,
    LIST,
    NOTE,
    SEPARATOR,
    Attachment,
    Belonging,
    Email,
    Gallery,
    Image,
    Item,
    Note,
    Page,
    Separator,
    TodoList,
)
from sandbox.clock import REFERENCE_NOW
from sandbox.words import FIRST_NAMES


class PageGenerator(GeneratorBase):
    """My pages, friends' pages and hidden pages with their belongings."""

    def _pages(self) -> None:
        me = self.acct.me_id
        others = [u.id for u in self.acct.users[1:]]
        titles: set[str] = set()
        for index in range(self.spec.my_pages):
            shared = self.rng.sample(others, self.rng.randint(0, min(2, len(others))))
            self._page(me, shared, titles, showcase=index == 0, plain=index == 1)
        for _ in range(self.spec.friend_pages):
            owner = self.rng.choice(others)
            rest = [o for o in others if o != owner]
            extra = self.rng.sample(rest, self.rng.randint(0, min(1, len(rest))))
            self._page(owner, [me, *extra], titles)
        for _ in range(self.spec.hidden_pages):
            owner = self.rng.choice(others)
            rest = [o for o in others if o != owner]
            self._page(owner, self.rng.sample(rest, self.rng.randint(0, min(1, len(rest)))),
                       titles)
        self.acct.start_page_id = self.acct.pages[0].id

    def _title(self, titles: set[str]) -> str:
        title = self.rng.choice(words.PAGE_TITLES)
        number = 2
        unique = title
        while unique in titles:
            unique = f"{title} {number}"
            number += 1
        titles.add(unique)
        return unique

    def _page(
        self, owner: int, shared: list[int], titles: set[str], *,
        showcase: bool = False, plain: bool = False,
    ) -> None:
        spec = self.spec
        created = self._past()
        address = "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=6))
        page = Page(self._id("page"), self._title(titles), owner,
                    f"{address}@backpackit.com", created, shared)
        notes = 2 if showcase or plain else self._count(spec.notes)
        lists = 1 if showcase or plain else self._count(spec.lists)
        page.notes = [self._note(created) for _ in range(notes)]
        page.lists = [self._list(created, mixed=showcase or plain) for _ in range(lists)]
        if not plain:
            galleries = 1 if showcase else self._count(spec.galleries)
            page.galleries = [self._gallery() for _ in range(galleries)]
            assets = 1 if showcase else self._count(spec.attachments)
            page.attachments = [
                Attachment(self._id("asset"), self.rng.choice(words.ATTACHMENT_FILES))
                for _ in range(assets)
            ]
            separators = 1 if showcase else self._count(spec.separators)
            page.separators = [
                Separator(self._id("separator"), self.rng.choice(words.SEPARATOR_NAMES))
                for _ in range(separators)
            ]
        if showcase or plain:
            page.tags = [self.tags[0], *self.rng.sample(self.tags[1:], 1 if showcase else 0)]
        else:
            count = min(self._count(spec.tags_per_page), len(self.tags))
            page.tags = sorted(self.rng.sample(self.tags, count), key=lambda t: t.id)
        emails = 2 if showcase else self._count(spec.emails)
        page.emails = [self._email(created) for _ in range(emails)]
        widgets = (
            [(NOTE, n.id) for n in page.notes] + [(LIST, lst.id) for lst in page.lists]
            + [(GALLERY, g.id) for g in page.galleries]
            + [(ASSET, a.id) for a in page.attachments]
            + [(SEPARATOR, s.id) for s in page.separators]
        )
        self.rng.shuffle(widgets)
        page.belongings = [
            Belonging(self._id("belonging"), position, kind, widget_id)
            for position, (kind, widget_id) in enumerate(widgets, start=1)
        ]
        self.acct.pages.append(page)

    def _note(self, after: datetime) -> Note:
        return Note(self._id("note"), self.rng.choice(words.NOTE_TITLES),
                    self._lines(words.NOTE_LINES, 1, 3), self._between(after, REFERENCE_NOW))

    def _list(self, after: datetime, *, mixed: bool) -> TodoList:
        todo = TodoList(self._id("list"), self.rng.choice(words.LIST_NAMES))
        count = max(3, self._count(self.spec.items)) if mixed else self._count(self.spec.items)
        for position in range(1, count + 1):
            completed = position > 1 and ((position == 2 and mixed) or self.rng.random() < 0.35)
            todo.items.append(Item(
                self._id("item"), todo.id, self.rng.choice(words.ITEM_TEXTS), completed,
                position, self._between(after, REFERENCE_NOW),
            ))
        return todo

    def _gallery(self) -> Gallery:
        gallery = Gallery(self._id("gallery"), self.rng.choice(words.GALLERY_NAMES))
        gallery.images = [
            Image(self._id("image"), self.rng.choice(words.IMAGE_FILES), gallery.id,
                  self.rng.choice(words.IMAGE_DESCRIPTIONS))
            for _ in range(self._count(self.spec.images))
        ]
        return gallery

    def _email(self, after: datetime) -> Email:
        sender = self.rng.choice(FIRST_NAMES)
        body = f"Hi,\n\n{self._lines(words.NOTE_LINES, 1, 2)}\n\n-- \n{sender}"
        return Email(self._id("email"), self.rng.choice(words.EMAIL_SUBJECTS), body,
                     self._between(after, REFERENCE_NOW))
