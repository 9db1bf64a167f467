"""Fixtures every test may use: a real SMTP server on loopback, and a guard against unasked-for SMTP.

`smtp_server` speaks plain SMTP; `smtp_server_starttls` requires STARTTLS before MAIL and AUTH,
and `smtp_server_tls` speaks TLS from the first byte (port 465 style). Both TLS servers use a
self-signed certificate for 127.0.0.1 made in the test session (`tls_certificate`), which the
client trusts through the transport's `ca_file`: the real handshake and certificate check run.

The guard is autouse: any test that opens an SMTP connection without asking for one of the
`smtp_server…` fixtures fails, so no test can mail the outside world (or hang on a firewall).
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@pytest.fixture(autouse=True)
def _no_unrequested_smtp(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if any(name.startswith("smtp_server") for name in request.fixturenames):
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
    tls: str | None = None  # the TLS version the message came over ("TLSv1.3"), None in clear

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
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        tls = ssl_object.version() if ssl_object is not None else None
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content), tls)
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


@contextlib.contextmanager
def _running(server: SmtpServer, **options: Any) -> Iterator[SmtpServer]:
    controller = Controller(
        server, hostname=server.host, port=server.port, authenticator=server.authenticate, **options
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port, for the length of one test."""
    # AUTH over plain SMTP is allowed here only because the server is on loopback.
    with _running(SmtpServer(host="127.0.0.1", port=free_port()), auth_require_tls=False) as server:
        yield server


@dataclass(frozen=True)
class TlsCertificate:
    """A self-signed certificate for 127.0.0.1 and localhost: `cert` is also the CA file to trust."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> TlsCertificate:
    """Made once per session with `cryptography` (an EC key: fast), valid for one day around now."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mission-scheduler test SMTP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    files = TlsCertificate(cert=folder / "cert.pem", key=folder / "key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


@pytest.fixture
def smtp_server_starttls(tls_certificate: TlsCertificate) -> Iterator[SmtpServer]:
    """A real SMTP server that refuses MAIL and AUTH until the client has switched to TLS (STARTTLS)."""
    with _running(
        SmtpServer(host="127.0.0.1", port=free_port()),
        tls_context=tls_certificate.server_context(),
        require_starttls=True,
        auth_require_tls=True,
    ) as server:
        yield server


@pytest.fixture
def smtp_server_tls(tls_certificate: TlsCertificate) -> Iterator[SmtpServer]:
    """A real SMTP server speaking TLS from the first byte (implicit TLS, as on port 465)."""
    with _running(
        SmtpServer(host="127.0.0.1", port=free_port()),
        ssl_context=tls_certificate.server_context(),
        # aiosmtpd tracks only STARTTLS as "TLS"; on this socket everything is TLS from the start.
        auth_require_tls=False,
    ) as server:
        yield server
