"""Where a webhook may go: http(s) URLs whose every address is on the public internet.

A webhook URL is typed by a coordinator, and our server then makes requests to it: without a
guard it could probe the machine itself (127.0.0.1, the database port), the cloud's metadata
service (169.254.169.254) or the office network. So a URL is refused unless every address its
host resolves to is globally routable (`ipaddress` `is_global`: no loopback, link-local,
private, shared (CGNAT), reserved or unspecified address; an IPv4 address mapped into IPv6 is
judged as the IPv4 address). The check runs when the endpoint is registered and again before
every delivery, and the sender connects to the address that was checked (so a DNS answer that
changes between the check and the connection cannot move the request). Tests and private
deployments allow private addresses with `SCHEDULER_WEBHOOKS_ALLOW_PRIVATE=1`.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from scheduler.errors import ConfigError

ALLOW_PRIVATE_ENV = "SCHEDULER_WEBHOOKS_ALLOW_PRIVATE"
MAX_URL_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]


def allow_private_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """`SCHEDULER_WEBHOOKS_ALLOW_PRIVATE` is 1, true or yes."""
    value = (os.environ if environ is None else environ).get(ALLOW_PRIVATE_ENV, "")
    return value.strip().lower() in ("1", "true", "yes")


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(
    url: str, *, allow_private: bool, field: str = "url", resolve: Resolver = socket.getaddrinfo
) -> list[IPAddress]:
    """The addresses `url` may be posted to, after checking them; `ConfigError` on `field` otherwise.

    >>> check_url("http://127.0.0.1:9/hook", allow_private=True)
    [IPv4Address('127.0.0.1')]
    """
    if len(url) > MAX_URL_LENGTH:
        raise ConfigError(f"is longer than {MAX_URL_LENGTH} characters", field)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{url!r} is not a URL: {exc}", field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url!r} is not an http:// or https:// URL with a host", field)
    if parts.username or parts.password:
        raise ConfigError("a URL with a user or password is refused; put a token in the path instead", field)
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = resolve(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"the host {parts.hostname!r} does not resolve ({exc})", field) from None
    addresses: list[IPAddress] = []
    for info in found:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])  # drop an IPv6 zone index
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ConfigError(f"the host {parts.hostname!r} has no address", field)
    refused = [a for a in addresses if not _public(a)]
    if refused and not allow_private:
        raise ConfigError(
            f"{parts.hostname} resolves to {refused[0]}, a loopback, link-local or private address; "
            f"webhooks go only to public addresses (unless {ALLOW_PRIVATE_ENV}=1)",
            field,
        )
    return addresses


__all__ = ["ALLOW_PRIVATE_ENV", "IPAddress", "allow_private_from_env", "check_url"]
