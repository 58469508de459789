"""Fixtures of the lake tests: one loopback S3 server per session, a fresh bucket per test.

- ``s3_endpoint``: the moto server (``tests/s3_server.py``), started once.
- ``s3``: this test's AWS_* variables set (dummy keys, ``AWS_ENDPOINT_URL``, region) and an
  empty bucket created; ``s3.bucket`` names it, ``s3.keys()`` lists what it holds and
  ``s3.objects()`` gives each object's bytes.
- ``s3_module``: the same for a whole module, for exports that several tests only read.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.s3_server import S3Server, s3_server

# Bucket names are unique per process: a remote output's default work dir (journal, lock, HTTP
# cache) is named for its URI only, so parallel workers (each with its own S3 server) or
# concurrent runs must never export to the same s3://bucket/prefix.
_BUCKETS = itertools.count(1)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


@dataclass(frozen=True)
class Bucket:
    server: S3Server
    bucket: str
    env: dict[str, str]

    def uri(self, prefix: str = "") -> str:
        return f"s3://{self.bucket}/{prefix}".rstrip("/")

    def keys(self) -> list[str]:
        return self.server.keys(self.bucket)

    def objects(self) -> Iterator[tuple[str, bytes]]:
        """Every object's key and bytes (one client: making one costs tens of ms)."""
        client = self.server.client()
        for key in self.keys():
            yield key, client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def fresh_bucket(server: S3Server, patch: pytest.MonkeyPatch, home: Path) -> Bucket:
    """AWS_* variables set through ``patch`` and a new empty bucket on ``server``."""
    env = server.env(home)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        patch.delenv(name, raising=False)
    for name, value in env.items():
        patch.setenv(name, value)
    name = f"lake-{os.getpid()}-{next(_BUCKETS)}"
    server.client().create_bucket(Bucket=name)
    return Bucket(server, name, env)


@pytest.fixture
def s3(s3_endpoint: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> Bucket:
    return fresh_bucket(s3_endpoint, monkeypatch, tmp_path_factory.mktemp("aws-home"))


@pytest.fixture(scope="module")
def s3_module(s3_endpoint: S3Server, tmp_path_factory) -> Iterator[Bucket]:
    with pytest.MonkeyPatch.context() as patch:
        yield fresh_bucket(s3_endpoint, patch, tmp_path_factory.mktemp("aws-home"))
