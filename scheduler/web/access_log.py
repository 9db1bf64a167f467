"""Keep booking tokens out of the server's logs.

A booking link's token is a secret (whoever holds it can book, decline or cancel), and it
travels in the URL path: `/book/<token>`. uvicorn's access log prints every request line, so
`RedactTokens` rewrites the path of each access-log record to `/book/[redacted]` before any
handler formats it. `uvicorn_log_config()` is uvicorn's own logging configuration with that
filter on the `uvicorn.access` logger; `scheduler serve` and `scheduler demo` run with it.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

TOKEN_IN_PATH = re.compile(r"(/book/)[^/?#\s]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    """`text` with every booking token after `/book/` replaced by `[redacted]`."""
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """A logging filter that redacts booking tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration, the access log filtered by `RedactTokens`."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = config["loggers"].setdefault(name, {})
        logger["filters"] = [*logger.get("filters", []), "redact_tokens"]
    return config


__all__ = ["RedactTokens", "redact", "uvicorn_log_config"]
