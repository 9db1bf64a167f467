"""Where messages go: an SMTP server, or a local Maildir folder (the embedded default).

Both raise `DeliveryError(temporary=...)`: temporary for what a later try may fix (4xx replies,
refused or lost connections, timeouts, a failed login), permanent for a 5xx reply to the
message itself (sender, recipient or content refused).
"""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scheduler.errors import ConfigError, DeliveryError, Problem
from scheduler.ports import Envelope

log = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]
DEFAULT_MAILDIR = Path("var/maildir")


def _code_error(code: int, text: object, what: str) -> DeliveryError:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return DeliveryError(f"{what}: {code} {text}".strip(), temporary=400 <= code < 500)


@dataclass(frozen=True, kw_only=True)
class SmtpTransport:
    """An SMTP submission server: implicit TLS (465), STARTTLS (587) or plain (tests, local relays).

    The server's certificate is always verified, host name included: against the system's CAs,
    or only against `ca_file` (a PEM bundle: a company CA, or a test's self-signed certificate)
    when it is given. With `starttls` a server that does not offer STARTTLS, or whose
    certificate fails, gets nothing (a temporary error), never the message in clear; the login
    happens only after the TLS handshake.
    """

    host: str
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    ca_file: str = ""

    def ssl_context(self) -> ssl.SSLContext:
        """The client TLS context: certificate and host name checked, TLS 1.2 at least."""
        context = ssl.create_default_context(cafile=self.ca_file or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context() if self.security != "none" else None
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            try:
                client.starttls(context=context)  # raises when the server does not offer it
            except BaseException:
                client.close()
                raise
        return client

    def send(self, envelope: Envelope) -> None:
        """Hand the message over in one SMTP session; map failures to temporary or permanent."""
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, TLS, timeout
            raise DeliveryError(f"cannot reach {self.host}:{self.port}: {exc}", temporary=True) from exc
        try:
            if self.username:
                client.login(self.username, self.password)
            refused = client.sendmail(envelope.sender, list(envelope.recipients), envelope.data)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{rcpt}: {code} {text!r}" for rcpt, (code, text) in exc.recipients.items())
            raise DeliveryError(
                f"all recipients refused: {detail}", temporary=any(400 <= c < 500 for c in codes)
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            # The message is fine; the settings are not. Retry, so fixing them is enough.
            raise DeliveryError(f"login refused: {exc.smtp_code} {exc.smtp_error!r}", temporary=True) from exc
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, other replies
            raise _code_error(exc.smtp_code, exc.smtp_error, "server refused the message") from exc
        except (OSError, smtplib.SMTPException) as exc:  # disconnects, timeouts
            raise DeliveryError(f"connection lost: {exc}", temporary=True) from exc
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        if refused:  # some recipients took it: resending would duplicate it for them
            log.warning("message %s refused for %s", envelope.message_id, refused)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpTransport | None:
        """From `SCHEDULER_SMTP_HOST`/`PORT`/`USER`/`PASSWORD`/`SECURITY`/`CA_FILE`; None without a host."""
        env = os.environ if env is None else env
        host = env.get("SCHEDULER_SMTP_HOST", "").strip()
        if not host:
            return None
        security = env.get("SCHEDULER_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
        if security not in ("starttls", "tls", "none"):
            raise ConfigError(
                [Problem("SCHEDULER_SMTP_SECURITY", f"{security!r} is not one of starttls, tls, none")]
            )
        default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
        raw_port = env.get("SCHEDULER_SMTP_PORT", "").strip()
        try:
            port = int(raw_port) if raw_port else default_port
        except ValueError:
            raise ConfigError(
                [Problem("SCHEDULER_SMTP_PORT", f"{raw_port!r} is not a port number")]
            ) from None
        ca_file = env.get("SCHEDULER_SMTP_CA_FILE", "").strip()
        if ca_file and not Path(ca_file).is_file():
            raise ConfigError([Problem("SCHEDULER_SMTP_CA_FILE", f"{ca_file!r} is not a readable file")])
        return cls(
            host=host,
            port=port,
            security=security,  # type: ignore[arg-type]
            username=env.get("SCHEDULER_SMTP_USER", ""),
            password=env.get("SCHEDULER_SMTP_PASSWORD", ""),
            ca_file=ca_file,
        )


class MaildirTransport:
    """A Maildir folder (`tmp/`, `new/`, `cur/`) any mail client can open; each message a `.eml` file.

    A message is written to `tmp/`, fsynced, then renamed into `new/`, as Maildir requires. The
    file name carries a hash of the Message-ID, so a repeat of the same message (after a kill
    between delivery and marking) replaces nothing and adds nothing.
    """

    def __init__(self, root: str | Path = DEFAULT_MAILDIR) -> None:
        self.root = Path(root)
        for sub in ("tmp", "new", "cur"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def _already(self, tag: str) -> bool:
        return any(tag in p.name for sub in ("new", "cur") for p in (self.root / sub).iterdir())

    def send(self, envelope: Envelope) -> None:
        tag = "M" + hashlib.sha256(envelope.message_id.encode("utf-8")).hexdigest()[:24]
        try:
            if self._already(tag):
                return
            name = f"{int(time.time())}.{tag}.{socket.gethostname().replace('/', '_').replace(':', '_')}.eml"
            tmp = self.root / "tmp" / name
            with open(tmp, "wb") as fh:
                fh.write(envelope.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.root / "new" / name)
        except OSError as exc:  # a full disk or a missing folder may be fixed; retry later
            raise DeliveryError(f"cannot write to {self.root}: {exc}", temporary=True) from exc
