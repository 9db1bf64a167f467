"""Posting one signed webhook over HTTP with httpx (the `scheduler.ports.WebhookSender` adapter).

The URL is checked again before every try (`address.check_url`, DNS resolved afresh) and the
request goes to the address that passed: for http the URL's host becomes that address and the
`Host` header keeps the name; for https the TLS handshake still names and verifies the host
(httpx's `sni_hostname`). Redirects are not followed (a 3xx is a failed try: following it
would leave the checked address). Any HTTP answer is returned, whatever its status; no answer
at all (refused connection, timeout) is a temporary `DeliveryError`, a refused address a
permanent one.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx

from scheduler.errors import ConfigError, DeliveryError, Problem
from scheduler.ports import WebhookAnswer, WebhookRequest
from scheduler.webhooks.address import IPAddress, allow_private_from_env, check_url
from scheduler.webhooks.signing import headers_for

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds per phase (connect, write, read)
TIMEOUT_ENV = "SCHEDULER_WEBHOOK_TIMEOUT"
CA_FILE_ENV = "SCHEDULER_WEBHOOK_CA_FILE"
EXCERPT = 500  # characters of the answer kept in the delivery log


def pinned(url: str, address: IPAddress) -> tuple[str, str]:
    """(the URL with its host replaced by `address`, the Host header value of the original)."""
    parts = urlsplit(url)
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    host_header = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header


@dataclass(frozen=True, kw_only=True)
class HttpWebhookSender:
    """Signs with `signing.headers_for` and posts with httpx. `allow_private` lifts the address guard."""

    allow_private: bool = False
    timeout: float = TIMEOUT
    ca_file: str | None = None  # a private CA's certificates to trust; None: the system's

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HttpWebhookSender:
        """`SCHEDULER_WEBHOOKS_ALLOW_PRIVATE`, `SCHEDULER_WEBHOOK_TIMEOUT` (seconds, default 10) and
        `SCHEDULER_WEBHOOK_CA_FILE` (a private CA's certificates, for receivers inside a company)."""
        env = os.environ if environ is None else environ
        text = env.get(TIMEOUT_ENV, "").strip()
        try:
            timeout = float(text) if text else TIMEOUT
        except ValueError:
            timeout = math.nan
        if not (math.isfinite(timeout) and 0 < timeout <= 300):
            raise ConfigError([Problem(TIMEOUT_ENV, f"{text!r} is not a number of seconds in (0, 300]")])
        ca_file = env.get(CA_FILE_ENV, "").strip() or None
        return cls(allow_private=allow_private_from_env(env), timeout=timeout, ca_file=ca_file)

    @property
    def lease(self) -> timedelta:
        """How long a delivery stays leased to the worker posting it: three times a phase's timeout
        (connect, write and read may each take one), so no live try is ever doubled by another worker."""
        return timedelta(seconds=3 * self.timeout)

    def send(self, request: WebhookRequest) -> WebhookAnswer:
        try:
            addresses = check_url(request.url, allow_private=self.allow_private)
        except ConfigError as exc:
            raise DeliveryError(f"refused: {exc}", temporary=False) from None
        target, host = pinned(request.url, addresses[0])
        headers = {
            **headers_for(request.secret, request.webhook_id, request.sent_at, request.body),
            "content-type": "application/json",
            "user-agent": "mission-scheduler-webhooks",
            "host": host,
        }
        extensions = {"sni_hostname": urlsplit(request.url).hostname} if target.startswith("https") else {}
        try:
            verify: ssl.SSLContext | bool = (
                ssl.create_default_context(cafile=self.ca_file) if self.ca_file else True
            )
            with (
                httpx.Client(
                    timeout=self.timeout, follow_redirects=False, trust_env=False, verify=verify
                ) as client,
                client.stream(
                    "POST", target, content=request.body, headers=headers, extensions=extensions
                ) as response,
            ):
                head = b""
                for chunk in response.iter_bytes():  # read no more of a large answer than is kept
                    head += chunk
                    if len(head) >= EXCERPT * 4:
                        break
        except httpx.HTTPError as exc:
            raise DeliveryError(f"no answer: {type(exc).__name__}: {exc}", temporary=True) from None
        log.info("webhook %s → %s", request.webhook_id, response.status_code)
        excerpt = head.decode("utf-8", errors="replace")[:EXCERPT]
        return WebhookAnswer(status=response.status_code, excerpt=excerpt)


__all__ = ["EXCERPT", "TIMEOUT", "TIMEOUT_ENV", "HttpWebhookSender", "pinned"]
