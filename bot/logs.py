"""Logging an operator can use: INFO by default, text or JSON lines, secrets in URLs masked."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from storage.config import Settings

MASK = "[masked]"
# Paths whose segment after the prefix is a secret (a webhook's, an inbound address's, a token).
_SECRET_PATHS = (
    re.compile(r"^(/hooks/(?!stripe/)[^/]+/)[^/?#]+"),
    re.compile(r"^(/inbound/email/[^/]+/)[^/?#]+"),
    re.compile(r"^(/(?:u|invite|approvals/confirm|password/reset)/)[^/?#]+"),
)
_SECRET_QUERY = re.compile(
    r"([?&](?:token|secret|key|code|state|signature|password|api_key)=)[^&#]*", re.IGNORECASE
)
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def mask_url(path: str) -> str:
    """`path` (with its query) with secrets replaced: `/hooks/wf_1/[masked]`."""
    for pattern in _SECRET_PATHS:
        path = pattern.sub(lambda m: m.group(1) + MASK, path, count=1)
    return _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, path)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Send every logger (uvicorn's too) to stderr at LEVQOR_LOG_LEVEL in LEVQOR_LOG_FORMAT."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # bot.access_log writes one line instead
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl SQLiteImpl" per check
    # httpx logs one INFO line per outbound request with its whole URL: a customer's secret in a
    # path or query (a Slack incoming-webhook URL, an API key) in the log, and, on a run's HTTP
    # steps, a tenth of a second of logging per hundred requests. The step's record says what
    # was called; httpx's warnings still show.
    logging.getLogger("httpx").setLevel(logging.WARNING)
