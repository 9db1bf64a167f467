"""Signed values: the CSRF tokens of every form (and the calendar feeds' keys).

Page sessions are not signed values but rows in the database (`services.logins`): the
cookie holds a random value, so logging out ends it on the server. CSRF is
a signed double submit: a random `csrf` cookie, and in each form a token that is the HMAC of
that cookie's value; a POST is accepted only when the form's token matches its own cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_COOKIE = "scheduler_session"
CSRF_COOKIE = "scheduler_csrf"
CSRF_FIELD = "csrf_token"


class Signer:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the web app needs a secret key")
        self._key = hashlib.sha256(secret.encode("utf-8")).digest()

    def sign(self, value: str, purpose: str) -> str:
        mac = hmac.new(self._key, f"{purpose}\x1f{value}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def check(self, value: str, purpose: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(value, purpose), signature)

    # --- CSRF ----------------------------------------------------------------------------------
    @staticmethod
    def new_csrf_cookie() -> str:
        return secrets.token_urlsafe(32)

    def csrf_token(self, cookie: str) -> str:
        return self.sign(cookie, "csrf")

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie and token) and self.check(cookie or "", "csrf", token or "")


__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "SESSION_COOKIE", "Signer"]
