"""What every importer is told besides the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

from openucs.domain.enums import Source


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """`zone` reads dates without an offset (CSV); `source` is the tier written to."""

    zone: tzinfo = UTC
    source: Source = Source.MAIN
