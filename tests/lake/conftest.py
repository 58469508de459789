"""Fixtures of the lake tests: one loopback S3 server per session, a fresh bucket per test.

- ``s3_endpoint``: the moto server (``tests/s3_server.py``), started once.
- ``s3``: this test's AWS_* variables set (dummy keys, ``AWS_ENDPOINT_URL``, region) and an
  empty bucket created; ``s3.bucket`` names it, ``s3.keys()`` lists what it holds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.s3_server import S3Server, s3_server

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


@pytest.fixture
def s3(s3_endpoint: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> Bucket:
    env = s3_endpoint.env(tmp_path_factory.mktemp("aws-home"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    name = f"lake-{next(_BUCKETS)}"
    s3_endpoint.client().create_bucket(Bucket=name)
    return Bucket(s3_endpoint, name, env)
