"""Signatures as Standard Webhooks says, the private-address guard, the HTTP sender and the backoff."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from scheduler.core.webhooks import MAX_ATTEMPTS, backoff
from scheduler.errors import ConfigError, DeliveryError
from scheduler.ports import WebhookRequest
from scheduler.services.webhooks import new_secret
from scheduler.webhooks import HttpWebhookSender, check_url, headers_for
from tests.webhooks.receiver import hmac_signature, receiving


def test_a_new_secret_is_whsec_and_32_random_bytes() -> None:
    a, b = new_secret(), new_secret()
    assert a.startswith("whsec_")
    assert a != b
    import base64

    assert len(base64.b64decode(a.removeprefix("whsec_"))) == 32


def test_the_headers_verify_with_the_library_and_with_a_plain_hmac() -> None:
    secret, body = new_secret(), '{"type":"booking.created","data":{"title":"東京"}}'.encode()
    now = datetime.now(UTC)
    headers = headers_for(secret, "msg_1", now, body)
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify(body, headers) == {"type": "booking.created", "data": {"title": "東京"}}
    assert headers["webhook-signature"] == hmac_signature(secret, "msg_1", headers["webhook-timestamp"], body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)  # one byte more: refused
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)  # another endpoint's secret: refused


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",  # resolved by the real resolver (/etc/hosts)
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data",  # the cloud metadata service
        "http://100.64.0.1/hook",  # shared address space (CGNAT)
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",  # IPv4 loopback written as IPv6
    ],
    ids=lambda u: u.split("/")[2],
)
def test_loopback_link_local_and_private_addresses_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_url(url, allow_private=False)
    assert caught.value.problems[0].path == "url"
    assert "private address" in caught.value.problems[0].message
    assert check_url(url, allow_private=True)


def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    def resolver(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("10.0.0.7", port))]

    with pytest.raises(ConfigError, match=r"10\.0\.0\.7"):
        check_url("https://hooks.example.org/x", allow_private=False, resolve=resolver)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://93.184.215.14/x", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https://user:pw@93.184.215.14/x", "user or password"),
        ("https://93.184.215.14:99999/x", "not a URL"),
        ("https://no-such-host.invalid/x", "does not resolve"),
    ],
    ids=["ftp", "javascript", "userinfo", "port", "unknown-host"],
)
def test_other_bad_urls_say_why(url: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        check_url(url, allow_private=True)


def test_a_public_address_passes() -> None:
    assert [str(a) for a in check_url("https://93.184.215.14/hook", allow_private=False)] == ["93.184.215.14"]


def test_the_sender_refuses_a_private_address_at_delivery_as_a_permanent_failure() -> None:
    with receiving() as receiver:
        request = WebhookRequest(
            webhook_id="msg_x", url=receiver.url, secret=new_secret(), body=b"{}", sent_at=datetime.now(UTC)
        )
        with pytest.raises(DeliveryError, match="refused") as caught:
            HttpWebhookSender(allow_private=False).send(request)
        assert caught.value.temporary is False
        assert receiver.received == []  # nothing was sent


def test_the_sender_posts_the_exact_body_signed_and_keeps_an_excerpt_of_the_answer() -> None:
    secret, body = new_secret(), '{"type":"mission.planned","data":{"x":"é"}}'.encode()
    with receiving() as receiver:
        receiver.answers.append((202, b"accepted " + b"x" * 5000))
        answer = HttpWebhookSender(allow_private=True).send(
            WebhookRequest(
                webhook_id="msg_y", url=receiver.url, secret=secret, body=body, sent_at=datetime.now(UTC)
            )
        )
        (got,) = receiver.received
    assert (answer.status, len(answer.excerpt), answer.excerpt[:8]) == (202, 500, "accepted")
    assert got.body == body
    assert got.path == "/hooks/mission"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["host"] == receiver.url.split("/")[2]
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "mission.planned"


def test_no_answer_is_a_temporary_failure() -> None:
    with receiving() as receiver:
        url = receiver.url
    # The receiver is gone: the connection is refused.
    request = WebhookRequest(
        webhook_id="msg_z", url=url, secret=new_secret(), body=b"{}", sent_at=datetime.now(UTC)
    )
    with pytest.raises(DeliveryError, match="no answer") as caught:
        HttpWebhookSender(allow_private=True, timeout=2).send(request)
    assert caught.value.temporary is True


def test_the_backoff_doubles_from_30_seconds_to_at_most_12_hours_over_15_tries() -> None:
    waits = [int(backoff(n).total_seconds()) for n in range(1, MAX_ATTEMPTS)]
    hours_12 = 12 * 3600
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, hours_12, hours_12, hours_12]
    assert backoff(40) == timedelta(hours=12)
    assert timedelta(seconds=sum(waits)) == timedelta(days=2, hours=5, minutes=3, seconds=30)


def test_the_timeout_comes_from_the_environment_and_the_lease_outlasts_a_request() -> None:
    sender = HttpWebhookSender.from_env(
        {"SCHEDULER_WEBHOOK_TIMEOUT": "2", "SCHEDULER_WEBHOOKS_ALLOW_PRIVATE": "1"}
    )
    assert (sender.timeout, sender.allow_private, sender.lease) == (2.0, True, timedelta(seconds=6))
    assert HttpWebhookSender.from_env({}).allow_private is False
    with pytest.raises(ConfigError, match="SCHEDULER_WEBHOOK_TIMEOUT"):
        HttpWebhookSender.from_env({"SCHEDULER_WEBHOOK_TIMEOUT": "soon"})


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for the DNS name `name` only (no IP address in it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.mark.parametrize(
    ("certified", "ok"), [("localhost", True), ("other.example", False)], ids=["right", "wrong"]
)
def test_https_goes_to_the_checked_address_and_still_verifies_the_hosts_name(
    tmp_path: Path, certified: str, ok: bool
) -> None:
    """The request is pinned to the address that passed the check (127.0.0.1 here), while TLS
    names and verifies the URL's host (localhost): a certificate for another name is refused."""
    cert, key = _certificate(tmp_path, certified)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sender = HttpWebhookSender(allow_private=True, ca_file=str(cert), timeout=5)
    with receiving(tls=context, host="localhost") as receiver:
        request = WebhookRequest(
            webhook_id="msg_tls", url=receiver.url, secret=new_secret(), body=b"{}", sent_at=datetime.now(UTC)
        )
        if ok:
            assert sender.send(request).status == 200
            assert receiver.received[0].headers["host"] == receiver.url.split("/")[2]
        else:
            with pytest.raises(DeliveryError, match=r"CERTIFICATE_VERIFY_FAILED|certificate") as caught:
                sender.send(request)
            assert caught.value.temporary is True
            assert receiver.received == []
