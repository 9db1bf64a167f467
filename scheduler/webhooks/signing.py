"""Standard Webhooks signatures (https://www.standardwebhooks.com), with the reference library.

Every request carries `webhook-id` (the same on every retry of one event to one endpoint, so a
receiver can drop duplicates), `webhook-timestamp` (seconds since the epoch, of this try) and
`webhook-signature`: `v1,` and the base64 HMAC-SHA256, keyed with the secret's bytes, of
`{id}.{timestamp}.{body}`. The secret is `whsec_` and random bytes in base64, the format the
specification's libraries read (made by `services.webhooks.new_secret`).
"""

from __future__ import annotations

from datetime import datetime
from math import floor

from standardwebhooks import Webhook


def headers_for(secret: str, webhook_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one try."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(floor(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, sent_at, body),
    }


__all__ = ["headers_for"]
