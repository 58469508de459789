"""Test-only: each seed of a sandbox family serves its own account (id; Backpack: subdomain).

Today ``Sandbox(api, size, seed)`` serves the same account id whatever the seed, so two
sandbox entries of one family would export into one account's partitions. Until the sandbox
gives each seed its own account, the fleet tests ``patch()`` it in this process (and undo it
after), and Dask's workers load this module through ``distributed.worker.preload``, which calls
``dask_setup``: seed 0 keeps the default account, seed ``s`` gets id ``default - s`` and
Backpack's subdomain ``sandbox<s>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sandbox import registry


def _distinct(generate: Callable[[str, int], Any]) -> Callable[[str, int], Any]:
    def run(size: str, seed: int) -> Any:
        truth = generate(size, seed)
        if seed:
            truth.account_id -= seed
            if isinstance(getattr(truth, "account", None), str):
                truth.account = f"{truth.account}{seed}"
        return truth

    return run


ORIGINAL = dict(registry.FAMILIES)
PRELOAD = {"distributed.worker.preload": [__name__]}


def patch() -> None:
    for api, fam in ORIGINAL.items():
        registry.FAMILIES[api] = replace(fam, generate=_distinct(fam.generate))


def unpatch() -> None:
    registry.FAMILIES.update(ORIGINAL)


def dask_setup(worker: Any) -> None:
    """Dask's preload hook: a worker process serves distinct sandbox accounts."""
    patch()
