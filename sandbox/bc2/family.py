"""Basecamp 2 as the harness sees it: Basic or Bearer auth, 500 requests per 10 s."""

from __future__ import annotations

from sandbox.bc2.app import Bc2App
from sandbox.bc2.data import generate_account
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.mutate import mutate
from sandbox.credentials import Credentials
from sandbox.family import SandboxFamily, ServeOptions, plain_credentials
from sandbox.jsonapi import JsonFront
from sandbox.pipeline import Front


def _front(truth: Bc2Account, credentials: Credentials, options: ServeOptions) -> JsonFront:
    return JsonFront(Bc2App(truth), credentials)


def _mutate(front: Front, truth: Bc2Account, n: int, seed: int) -> dict[str, list[int]]:
    return mutate(truth, n, seed)


FAMILY = SandboxFamily(
    api="bc2",
    generate=generate_account,
    credentials=plain_credentials(Credentials),
    front=_front,
    rate_limit=(500, 10.0),
    base_url=lambda origin, truth: f"{origin}/{truth.account_id}/api/v1",
    mutate=_mutate,
)
