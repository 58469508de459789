"""A real S3-compatible server on loopback for the lake tests: moto in server mode.

The server runs in this process on 127.0.0.1 and a free port; clients reach it through the AWS
standard chain only (``AWS_ENDPOINT_URL`` and dummy keys), the way a user points the tool at
MinIO, so the code under test never learns it is talking to a fake.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
KEY_ID = "basecamp-extract-test-key"
SECRET = "basecamp-extract-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def env(self, home: Path) -> dict[str, str]:
        """The AWS variables a client needs, with profiles and instance metadata shut off so
        nothing from the developer's machine leaks in."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(home / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        }

    def client(self):  # boto3's client type is generated at run time
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)

    def keys(self, bucket: str) -> list[str]:
        """Every object key in ``bucket``."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's ThreadedMotoServer on 127.0.0.1, port chosen by the OS, stopped on exit."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
