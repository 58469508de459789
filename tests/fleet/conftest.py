"""The lake tests' loopback S3 server and buckets, for the fleet's S3 tests."""

from tests.lake.conftest import s3, s3_endpoint

__all__ = ["s3", "s3_endpoint"]
