"""``--output`` as a local path or a URI: parsed once, refused early and in one line.

What was measured on main before issue 14: ``export -o s3://bucket/prefix`` wrote a local folder
``./s3:/bucket/prefix``, printed ok and exited 0.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from transforms.errors import ConfigError, OutputError
from transforms.store import location
from transforms.store.location import Location, parse_location

# (given, scheme, path in its filesystem, what messages show)
PARSED = [
    ("output", "file", "output", "output"),
    ("/data/out", "file", "/data/out", "/data/out"),
    ("file:///data/my%20out", "file", "/data/my out", "/data/my out"),
    ("file://localhost/data/out", "file", "/data/out", "/data/out"),
    ("s3://lake/basecamp/", "s3", "lake/basecamp", "s3://lake/basecamp"),
    ("S3://lake", "s3", "lake", "s3://lake"),
    ("gs://lake/x", "gs", "lake/x", "gs://lake/x"),
    ("abfs://box@acct.dfs.core.windows.net/x", "abfs", "box/x",
     "abfs://box@acct.dfs.core.windows.net/x"),
]
# (given, a piece of the one-line message); none of these may ever show a secret.
REFUSED = [
    ("ftp://host/out", "ftp:// is not supported"),
    ("foo://a/b", "foo:// is not supported"),
    ("hdfs://nn/out", "hdfs:// is not supported"),
    ("s3:/lake/out", "missing a slash"),
    ("s3:lake", "missing a slash"),
    ("s3://KEYID:s3cr3t-value@lake/out", "no credentials or options"),
    ("s3://KEYID@lake/out", "no credentials or options"),
    ("s3://lake/out?secret_key=s3cr3t-value", "no credentials or options"),
    ("abfs://box:s3cr3t-value@acct.dfs.core.windows.net/x", "no credentials or options"),
    ("s3:///out", "need a bucket"),
    ("file://elsewhere/out", "on this machine"),
]


@pytest.mark.parametrize(("given", "scheme", "path", "shown"), PARSED)
def test_parse__local_paths_and_uris(given, scheme, path, shown):
    """Expect each form to become its scheme, its filesystem path and a secret-free display."""
    assert parse_location(given) == Location(scheme, path, shown)


@pytest.mark.parametrize(("given", "piece"), REFUSED)
def test_parse__refused_in_one_line_without_the_secret(given, piece):
    """An unsupported scheme, a near-URI, credentials or options in the URI: expect a
    ConfigError (exit 2) whose one line says why and never repeats a password."""
    with pytest.raises(ConfigError) as caught:
        parse_location(given)
    line = caught.value.one_line()
    assert caught.value.exit_code == 2
    assert piece in line
    assert "s3cr3t-value" not in line and "KEYID" not in line


def test_local_folder__a_local_path_is_returned_as_given(tmp_path: Path):
    """Expect a plain local path to come back unchanged (relative stays relative): local
    outputs behave exactly as before."""
    assert parse_location("out/here").path == "out/here"
    assert not parse_location("out/here").remote
    assert Path(parse_location(f"file://{tmp_path}").path) == tmp_path


class _Unreachable:
    """Stands in for pyarrow.fs.FileSystem when resolving the URI itself needs the network
    (S3 asks AWS for the bucket's region) and the network is down."""

    @staticmethod
    def from_uri(uri: str):
        raise OSError(f"When resolving region for bucket 'lake': could not resolve host "
                      f"(key {os.environ['AWS_SECRET_ACCESS_KEY']})")


def test_filesystem__unresolvable_store_is_exit_5_with_the_key_masked(monkeypatch):
    """Expect an OSError while pyarrow resolves the URI to be an OutputError (exit 5) naming
    the bucket, with a credential the library echoed masked."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-key")
    monkeypatch.setattr(location, "pafs", SimpleNamespace(FileSystem=_Unreachable))
    with pytest.raises(OutputError) as caught:
        parse_location("s3://lake/out").filesystem()
    line = caught.value.one_line()
    assert caught.value.exit_code == 5
    assert "output bucket 'lake' (s3://) cannot be reached" in line
    assert "very-secret-key" not in line and "***" in line
