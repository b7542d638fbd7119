"""Schemathesis hooks for the fuzz run (loaded through SCHEMATHESIS_HOOKS): the bulk route's
NDJSON body is text, sent as it is generated."""

from __future__ import annotations

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
