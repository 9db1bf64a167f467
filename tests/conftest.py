"""Fixtures every test may use: a real SMTP server on loopback, and a guard against unasked-for SMTP.

The guard is autouse: any test that opens an SMTP connection without asking for `smtp_server`
fails, so no test can mail the outside world (or hang on a firewall) by accident.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@pytest.fixture(autouse=True)
def _no_unrequested_smtp(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "smtp_server" in request.fixturenames:
        return

    def refuse(self: smtplib.SMTP, host: str = "localhost", port: int = 0, *args: Any, **kw: Any) -> Any:
        pytest.fail(f"this test opened an SMTP connection to {host}:{port}; use the smtp_server fixture")

    monkeypatch.setattr(smtplib.SMTP, "connect", refuse)


@dataclass
class Received:
    """One message the server accepted: the envelope and the bytes, parsed on demand."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class SmtpServer:
    """A real aiosmtpd server on 127.0.0.1. `replies` answers the next DATA commands ("451 …", "550 …")
    before falling back to 250; `on_data` runs as each message arrives (before the answer)."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    on_data: Callable[[Received], None] | None = None
    attempts: int = 0
    login: tuple[str, str] | None = None  # when set, AUTH must give this user and password

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            self.login is not None
            and isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == self.login
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    @property
    def env(self) -> dict[str, str]:
        """The environment that points the program's SMTP transport here (plain SMTP, no login)."""
        return {
            "SCHEDULER_SMTP_HOST": self.host,
            "SCHEDULER_SMTP_PORT": str(self.port),
            "SCHEDULER_SMTP_SECURITY": "none",
        }

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        if self.on_data is not None:
            self.on_data(got)
        if self.replies:
            return self.replies.pop(0)
        self.received.append(got)
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port, for the length of one test."""
    server = SmtpServer(host="127.0.0.1", port=free_port())
    # AUTH over plain SMTP is allowed here only because the server is on loopback.
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=server.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
