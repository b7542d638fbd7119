"""Importers of the history that other platforms leave: each turns a file of its format into
`ImportRecord`s (an interaction, the customer's identity, where it was in the file), which
`services.importers` writes. Codecs like `gws`: they never read the store.

    connect-ctr     Amazon Connect contact trace records
    genesys-cloud   Genesys Cloud analytics conversation details
    csv             one interaction a row, the API's field names in the header
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from openucs.domain.imports import ImportRecord
from openucs.errors import InvalidInput
from openucs.importers import connect_ctr, csv_rows, genesys_cloud
from openucs.importers.options import ImportOptions

Parser = Callable[[bytes, ImportOptions], Iterator[ImportRecord]]

FORMATS: dict[str, Parser] = {
    "connect-ctr": connect_ctr.parse,
    "genesys-cloud": genesys_cloud.parse,
    "csv": csv_rows.parse,
}

__all__ = ["FORMATS", "ImportOptions", "Parser", "parser_of"]


def parser_of(name: str) -> Parser:
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        allowed = ", ".join(["ndjson", *FORMATS])
        raise InvalidInput("format", f"unknown format {name!r} (allowed: {allowed})") from None
