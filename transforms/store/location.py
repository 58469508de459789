"""Where an export lives: a local folder or an object-store URI, parsed once at the edge.

``--output s3://bucket/prefix`` used to become a local folder ``./s3:/bucket/prefix``; a URI is
now parsed into a ``Location`` before anything runs. Remote ones are resolved by
``pyarrow.fs.FileSystem.from_uri`` (native S3, GCS and Azure filesystems, no fsspec needed), so
credentials and endpoints come only from each cloud's standard chain (for S3: the AWS_*
variables, ``AWS_ENDPOINT_URL`` for S3-compatible stores, profiles), never from our flags or
from the URI itself: a URI carrying a password or options is refused without being echoed.

Reading and writing go through ``pyarrow.fs`` (``transforms.tree``), so export, open_export,
status, load and report work the same on a local folder and a bucket.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from transforms.errors import ConfigError, OutputError


@dataclass(frozen=True)
class Scheme:
    """A remote scheme pyarrow has a native filesystem for."""

    store: str
    user_is_container: bool = False  # abfs://container@account.dfs.core.windows.net/path


REMOTE: Mapping[str, Scheme] = {
    "s3": Scheme("S3"),
    "gs": Scheme("Google Cloud Storage"),
    "gcs": Scheme("Google Cloud Storage"),
    "abfs": Scheme("Azure", user_is_container=True),
    "abfss": Scheme("Azure", user_is_container=True),
}
LOCAL_SCHEMES = frozenset({"file"})
LOCAL_HOSTS = frozenset({"", "localhost"})
# Variables whose values must never reach a message, whatever a library puts in its errors.
CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                  "AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_CLIENT_SECRET")
CHAIN_HINT = ("credentials and endpoint come from the cloud's standard chain (for S3: "
              "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_PROFILE)")
URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# ``s3:/bucket`` or ``s3:bucket``: a URI missing a slash, which would become a local folder.
ALMOST_URI = re.compile(r"^(" + "|".join(sorted(REMOTE)) + r"):(?!//)", re.IGNORECASE)
SUPPORTED = ", ".join(f"{name}://" for name in ("s3", "gs", "abfs", "file"))


@dataclass(frozen=True)
class Location:
    """An output: a local folder (``scheme == "file"``) or ``bucket/prefix`` on a remote store.

    ``shown`` is what messages say: the local path, or ``scheme://bucket/prefix`` without any
    user part or query, so it never carries a secret.
    """

    scheme: str
    path: str
    shown: str

    @property
    def remote(self) -> bool:
        return self.scheme != "file"

    @property
    def bucket(self) -> str:
        """The bucket (S3, GCS) or container (Azure) the remote output lives in."""
        return self.path.split("/", 1)[0]

    def __str__(self) -> str:
        return self.shown

    def filesystem(self) -> pafs.FileSystem:
        """The store's filesystem, resolved by pyarrow from the URI (for S3 without
        ``AWS_ENDPOINT_URL``, one request: the bucket's region)."""
        if not self.remote:
            return pafs.LocalFileSystem()
        try:
            found, _ = pafs.FileSystem.from_uri(self.shown)
        except OSError as exc:  # S3 asks the bucket's region of the store
            raise OutputError(f"{self._where} cannot be reached: {reason(exc)}") from None
        except (pa.ArrowException, ValueError) as exc:
            raise ConfigError(f"output {self.shown}: {reason(exc)}") from None
        return found

    @property
    def _where(self) -> str:
        return f"output bucket {self.bucket!r} ({self.scheme}://)"

    def probe(self) -> pafs.FileSystem:
        """One request to the store: the bucket exists and these credentials can see it;
        the store's filesystem, to read or write through."""
        where = self._where
        store = self.filesystem()
        try:
            info = store.get_file_info(self.bucket)
        except (pa.ArrowException, OSError) as exc:
            raise OutputError(f"{where} cannot be reached: {reason(exc)}") from None
        if info.type == pafs.FileType.NotFound:
            raise OutputError(f"{where} does not exist or these credentials cannot see it; "
                              f"{CHAIN_HINT}")
        if info.type != pafs.FileType.Directory:
            raise OutputError(f"{where} is not a bucket")
        return store


def parse_location(text: str | Path) -> Location:
    """A local path (plain or ``file://``) or a remote URI; anything else is a ConfigError."""
    raw = str(text)
    almost = ALMOST_URI.match(raw)
    if almost:
        scheme = almost.group(1).lower()
        raise ConfigError(f"output {scheme}:... looks like a URI missing a slash; write "
                          f"{scheme}://bucket/prefix (or ./{scheme}:... for a local folder)")
    match = URI.match(raw)
    if match is None:
        return Location("file", raw, raw)
    scheme = match.group(1).lower()
    if scheme in LOCAL_SCHEMES:
        return _file_uri(urlsplit(raw))
    if scheme not in REMOTE:
        raise ConfigError(f"output scheme {scheme}:// is not supported; use a local path or "
                          f"one of {SUPPORTED}")
    return _remote(scheme, urlsplit(raw))


def _file_uri(parts: SplitResult) -> Location:
    if parts.netloc.lower() not in LOCAL_HOSTS:
        raise ConfigError("a file:// output must be on this machine: file:///path/to/folder")
    if parts.query or parts.fragment:
        raise ConfigError("a file:// output takes no query or fragment")
    path = unquote(parts.path)
    if not path:
        raise ConfigError("a file:// output needs a path: file:///path/to/folder")
    return Location("file", path, path)


def _remote(scheme: str, parts: SplitResult) -> Location:
    """``scheme://bucket/prefix``; a user part is allowed only where it names an Azure
    container, a password or query never (credentials come from the standard chain)."""
    spec = REMOTE[scheme]
    user, _, host = parts.netloc.rpartition("@")
    if (parts.password is not None or ("@" in parts.netloc and not spec.user_is_container)
            or parts.query or parts.fragment):
        raise ConfigError(f"{scheme}:// outputs take no credentials or options in the URI; "
                          f"{CHAIN_HINT}")
    key = parts.path.strip("/")
    bucket = user if spec.user_is_container and user else host
    if not bucket:
        raise ConfigError(f"{scheme}:// outputs need a bucket: {scheme}://bucket/prefix")
    shown = f"{scheme}://{parts.netloc}/{key}".rstrip("/")
    return Location(scheme, f"{bucket}/{key}".rstrip("/"), shown)


def reason(exc: BaseException) -> str:
    """A library's error on one line, with any credential from the environment masked."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    for name in CREDENTIAL_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text[:300]
