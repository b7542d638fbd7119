"""Count the SQL statements a piece of code runs, on every engine of this process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def recorded() -> Iterator[list[str]]:
    """Every statement sent to a database while the block runs, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def reading(table: str, statements: list[str]) -> list[str]:
    """The statements whose first FROM names `table` (subqueries come after it)."""
    firsts = [(s, re.search(r"\bFROM (\w+)", s)) for s in statements]
    return [s for s, first in firsts if first is not None and first.group(1) == table]
