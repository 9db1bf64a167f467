"""Webhooks to the world (issue 16): the address guard, Standard Webhooks signatures, the HTTP sender."""

from scheduler.webhooks.address import ALLOW_PRIVATE_ENV, allow_private_from_env, check_url
from scheduler.webhooks.sender import HttpWebhookSender
from scheduler.webhooks.signing import headers_for

__all__ = [
    "ALLOW_PRIVATE_ENV",
    "HttpWebhookSender",
    "allow_private_from_env",
    "check_url",
    "headers_for",
]
