"""A table's files replaced as one set, when one account's rows span several files.

One file is replaced whole by ``Tree.publish``. A set of files cannot be swapped in one step on
a disk or an object store, so a table of several files is published in three moves:

1. every changed file is written complete under a hidden staged name
   (``.account_id-7-001.parquet.<id>.staged``);
2. an intent (``_account_id-7.publishing.json`` beside the files) names the new set and where
   each file of it is staged: from here on the set is decided;
3. each staged file takes its name, files the set no longer has are removed, and the intent
   goes.

Our readers (``transforms.read``) resolve an intent they meet: each file of the new set is read
from its staged name while it is still there, else from its own name, so ``open_export``,
``load`` and ``report`` read the old set or the new one, never a mix. A run killed before the
intent leaves the old set and stray staged files (swept); a run killed after it leaves the
decision, which the next run of the account carries out before anything else (``recover``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence

import pyarrow as pa

from transforms import parquet
from transforms.tree import STAGED_SUFFIX, Tree

INTENT_SUFFIX = ".publishing.json"
Unchanged = Callable[[str, pa.Table], bool]


def intent_name(stem: str) -> str:
    return f"_{stem}{INTENT_SUFFIX}"


def publish_set(tree: Tree, folder: tuple[str, ...], stem: str, chunks: Sequence[pa.Table],
                names: Sequence[str], before: Sequence[str], unchanged: Unchanged) -> int:
    """Replace the files ``before`` of one stem with ``chunks`` named ``names``, as one set;
    files ``unchanged`` says already hold their chunk are kept. The files written."""
    staged: dict[str, str] = {}
    for name, chunk in zip(names, chunks, strict=True):
        if name in before and unchanged(name, chunk):
            continue
        temp = f".{name}.{uuid.uuid4().hex}{STAGED_SUFFIX}"
        parquet.write_file(tree, (*folder, temp), chunk)
        staged[name] = temp
    intent = {"files": list(names), "staged": staged}
    tree.write_bytes((*folder, intent_name(stem)), json.dumps(intent).encode())
    _carry_out(tree, folder, stem, intent, before)
    return len(staged)


def _carry_out(tree: Tree, folder: tuple[str, ...], stem: str, intent: dict,
               before: Sequence[str]) -> None:
    for name, temp in intent["staged"].items():
        if tree.is_file(*folder, temp):
            tree.move((*folder, temp), (*folder, name))
    for name in before:
        if name not in intent["files"]:
            tree.remove(*folder, name)
    tree.remove(*folder, intent_name(stem))


def read_intent(tree: Tree, folder: tuple[str, ...], name: str) -> dict | None:
    """An intent file's content, or None when it is gone or unreadable (then never acted on:
    the files it would have named are still the old set)."""
    try:
        found = json.loads(tree.read_text(*folder, name))
    except (OSError, ValueError):
        return None
    ok = isinstance(found, dict) and isinstance(found.get("files"), list) \
        and isinstance(found.get("staged"), dict)
    return found if ok else None


def resolve(tree: Tree, folder: tuple[str, ...], intent: dict) -> list[str]:
    """The names (in ``folder``) to read for an intent's set: staged while it is staged."""
    return [intent["staged"][n] if n in intent["staged"]
            and tree.is_file(*folder, intent["staged"][n]) else n for n in intent["files"]]


def recover(tree: Tree, api: str, stem: str, current: Callable[[str], list[str]]) -> int:
    """Carry out the intents a killed run of this account left (``stem``: ``account_id-7``);
    ``current`` lists a table's files of the stem. How many sets were completed."""
    done = 0
    for table in tree.dirs(api):
        folder = (api, table)
        if not tree.is_file(*folder, intent_name(stem)):
            continue
        intent = read_intent(tree, folder, intent_name(stem))
        if intent is None:
            tree.remove(*folder, intent_name(stem))
            continue
        _carry_out(tree, folder, stem, intent, current(table))
        done += 1
    return done
