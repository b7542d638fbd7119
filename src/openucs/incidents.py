"""Unexpected errors of the HTTP layers (the API and the web UI): logged once, with their
traceback, under a request id that the answer shows, so a user's report finds the log line."""

from __future__ import annotations

import logging
import uuid


def log_unexpected(log: logging.Logger, method: str, path: str, exc: BaseException) -> str:
    """Log `exc` with its traceback; returns the request id to show the caller."""
    request_id = uuid.uuid4().hex[:16]
    log.error(
        "internal error %s on %s %s",
        request_id,
        method,
        path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return request_id
