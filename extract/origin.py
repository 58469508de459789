"""The one origin check: where redirects and next links may take a request.

Redirects (BC2/BC4 through requests, Backpack by hand) and ``Link`` next URLs are followed only
to the same scheme, host and port as the request they came from, with default ports filled in
(``https://h:443/x`` is ``https://h/x``) and hosts compared case-insensitively. Anything else
fails the unit with one line, before any request reaches the other origin, so credentials, the
contact address in the User-Agent and the paths we read never leave the account's host, and no
foreign body is ever stored as data.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from transforms.errors import RemoteError

DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True)
class Origin:
    """Scheme, lower-case host and port (the scheme's default when the URL names none)."""

    scheme: str
    host: str
    port: int | None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS.get(self.scheme)
        port = "" if self.port is None or self.port == default else f":{self.port}"
        return f"{self.scheme}://{host}{port}"


def origin_of(url: str) -> Origin:
    """The origin of an absolute URL; a URL whose port does not parse has no usable origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise RemoteError(f"refused a URL with an invalid port ({parts.netloc})") from None
    return Origin(scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme))


def difference(source: Origin, target: Origin) -> str | None:
    """Why ``target`` is not ``source``'s origin, in a few words; None when it is the same."""
    if source == target:
        return None
    if source.scheme == "https" and target.scheme == "http":
        return "https->http downgrade"
    if source.host != target.host:
        return "another host"
    if source.scheme != target.scheme:
        return "another scheme"
    return "another port"


def refuse_other_origin(source_url: str, target_url: str, *, what: str = "redirect",
                        allow_scheme_flip: bool = False) -> None:
    """Raise ``RemoteError`` unless ``target_url`` may be requested after ``source_url``.

    ``allow_scheme_flip`` is Backpack's documented SSL redirect: the same host answering on the
    other scheme (http -> https only; a downgrade is always refused). On loopback the sandbox
    stands in for the other scheme with a second plain-http port on the same host.
    """
    source, target = origin_of(source_url), origin_of(target_url)
    why = difference(source, target)
    if why is None or (allow_scheme_flip and _scheme_flip(source, target)):
        return
    path = urlsplit(source_url).path or "/"
    raise RemoteError(f"refused a {what} to another origin ({target}) from {path} ({why})")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _scheme_flip(source: Origin, target: Origin) -> bool:
    if source.host != target.host:
        return False
    if (source.scheme, target.scheme) == ("http", "https"):
        return True
    return source.scheme == target.scheme == "http" and is_loopback(source.host)
