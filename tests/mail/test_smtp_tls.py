"""SMTP over TLS with real servers on loopback: STARTTLS (587) and implicit TLS (465), with login.

The servers hold a self-signed certificate made for the session; the transport trusts it only
through `ca_file`, so the real handshake, certificate and host-name checks run. Without it the
certificate is refused and nothing is sent, and a STARTTLS client never falls back to clear text.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.core.models import Mission
from scheduler.errors import ConfigError
from scheduler.mail.outbox import FileOutbox
from scheduler.mail.transports import SmtpTransport
from tests.conftest import SmtpServer, TlsCertificate
from tests.mail.missions import BOOKED
from tests.mail.test_outbox import invitations


def transport(server: SmtpServer, security: str, cert: TlsCertificate | None, **kw: str) -> SmtpTransport:
    return SmtpTransport(
        host=server.host,
        port=server.port,
        security=security,  # type: ignore[arg-type]
        ca_file=str(cert.cert) if cert else "",
        timeout=5,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("security", ["starttls", "tls"], ids=["starttls", "implicit-tls"])
def test_messages_go_over_tls_with_a_login_and_arrive_intact(
    tmp_path: Path,
    trade_mission: Mission,
    tls_certificate: TlsCertificate,
    smtp_server_starttls: SmtpServer,
    smtp_server_tls: SmtpServer,
    security: str,
) -> None:
    server = smtp_server_starttls if security == "starttls" else smtp_server_tls
    server.login = ("edo", "s3cret")
    box = FileOutbox(tmp_path)
    envs = invitations(trade_mission)
    for env in envs:
        box.enqueue(env, now=BOOKED)
    t = transport(server, security, tls_certificate, username="edo", password="s3cret")
    report = box.deliver(t, now=BOOKED)
    assert sorted(report.sent) == sorted(e.message_id for e in envs)
    assert {r.tls for r in server.received} == {"TLSv1.3"}  # every message came over TLS
    assert len(server.received) == len(envs)
    by_id = {r.message["Message-ID"]: r for r in server.received}
    for env in envs:
        got = by_id[env.message_id]
        assert got.data.replace(b"\r\n", b"\n") == env.data.replace(b"\r\n", b"\n")
        assert got.rcpt_tos == list(env.recipients)


@pytest.mark.parametrize("security", ["starttls", "tls"], ids=["starttls", "implicit-tls"])
def test_a_wrong_password_over_tls_is_retried_and_the_right_one_sends(
    tmp_path: Path,
    trade_mission: Mission,
    tls_certificate: TlsCertificate,
    smtp_server_starttls: SmtpServer,
    smtp_server_tls: SmtpServer,
    security: str,
) -> None:
    server = smtp_server_starttls if security == "starttls" else smtp_server_tls
    server.login = ("edo", "s3cret")
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    wrong = transport(server, security, tls_certificate, username="edo", password="nope")
    assert box.deliver(wrong, now=BOOKED).retrying == (env.message_id,)
    assert "login refused: 535" in box.entries()[0].last_error
    right = transport(server, security, tls_certificate, username="edo", password="s3cret")
    assert box.deliver(right, now=BOOKED + timedelta(hours=1)).sent == (env.message_id,)
    assert [(r.message["Message-ID"], r.tls is not None) for r in server.received] == [(env.message_id, True)]


@pytest.mark.parametrize("security", ["starttls", "tls"], ids=["starttls", "implicit-tls"])
def test_an_untrusted_certificate_sends_nothing_and_is_retried(
    tmp_path: Path,
    trade_mission: Mission,
    smtp_server_starttls: SmtpServer,
    smtp_server_tls: SmtpServer,
    security: str,
) -> None:
    server = smtp_server_starttls if security == "starttls" else smtp_server_tls
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    report = box.deliver(transport(server, security, None), now=BOOKED)  # the system CAs only
    assert report.retrying == (env.message_id,)
    assert "CERTIFICATE_VERIFY_FAILED" in box.entries()[0].last_error
    assert server.received == []
    assert server.attempts == 0


def test_starttls_against_a_server_without_it_never_sends_in_clear(
    tmp_path: Path, trade_mission: Mission, tls_certificate: TlsCertificate, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    report = box.deliver(transport(smtp_server, "starttls", tls_certificate), now=BOOKED)
    assert report.retrying == (env.message_id,)
    assert "STARTTLS" in box.entries()[0].last_error
    assert smtp_server.received == []
    assert smtp_server.attempts == 0


def test_the_ca_file_comes_from_the_environment_and_must_exist(
    tmp_path: Path, tls_certificate: TlsCertificate
) -> None:
    env = {"SCHEDULER_SMTP_HOST": "mail.example.org", "SCHEDULER_SMTP_CA_FILE": str(tls_certificate.cert)}
    t = SmtpTransport.from_env(env)
    assert t is not None
    assert t.ca_file == str(tls_certificate.cert)
    assert t.ssl_context().verify_mode.name == "CERT_REQUIRED"
    assert t.ssl_context().check_hostname is True
    with pytest.raises(ConfigError, match="SCHEDULER_SMTP_CA_FILE"):
        SmtpTransport.from_env({**env, "SCHEDULER_SMTP_CA_FILE": str(tmp_path / "missing.pem")})


def test_the_password_is_not_in_the_transports_repr() -> None:
    assert "s3cret" not in repr(SmtpTransport(host="h", username="u", password="s3cret"))
