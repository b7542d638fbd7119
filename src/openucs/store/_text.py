"""`domain.text.fold` inside a statement, for text compared where no stored key exists (the
history text filter, until issue 9's full-text indexes replace it).

SQLite calls the Python function itself (`openucs_fold`, registered on every connection by
`sqlite.py`). PostgreSQL runs the same steps in SQL: the letters `fold` spells out, NFKD, the
combining marks (the same set, taken from Python's `unicodedata`) dropped, lower(); ASCII text
is only lower-cased. The two agree on every Latin, Greek and Cyrillic character but the Greek
iota subscript and the early Cyrillic letter variants, where PostgreSQL's lower() is not
casefold() (tests/store/test_text_filter.py); lower() follows the database's LC_CTYPE, which
must be a UTF-8 locale (C.UTF-8, en_US.UTF-8...) to fold non-ASCII letters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Text, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from openucs.domain.text import COMBINING, SPELLED, fold

SQL_FUNCTION = "openucs_fold"


def sqlite_fold(value: str | None) -> str | None:
    """The SQLite function `openucs_fold`."""
    return None if value is None else fold(value)


class Folded(FunctionElement[str]):
    """`fold` of a text expression, in SQL."""

    type = Text()
    name = SQL_FUNCTION
    inherit_cache = True


def contains_folded(columns: Iterable[ColumnElement[Any]], text: str) -> ColumnElement[bool]:
    """Whether any of `columns`, folded, contains `text` folded (`%` and `_` literal)."""
    wanted = fold(text)
    if not wanted:
        return false()
    return or_(*(Folded(column).contains(wanted, autoescape=True) for column in columns))


def _escape(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


_MARKS = "[" + "".join(f"{_escape(a)}-{_escape(b)}" for a, b in COMBINING) + "]"
# Letters that NFKD would take apart before they are spelled out (`ŀ` -> `l·`): done first.
_BEFORE = {k: v for k, v in SPELLED.items() if unicodedata.normalize("NFKD", k) != k}
# The others after lower(), in lower case; and final sigma, which casefold() maps and lower()
# does not.
_AFTER = {k: v for k, v in SPELLED.items() if k == k.lower()} | {"\u03c2": "\u03c3"}


@compiles(Folded)
def _compile_sqlite(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQL_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "postgresql")
def _compile_postgres(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    def quoted(value: str) -> str:
        return str(compiler.render_literal_value(value, Text()))

    def spelled(sql: str, letters: dict[str, str]) -> str:
        for letter, spelling in letters.items():
            sql = f"replace({sql}, {quoted(letter)}, {quoted(spelling)})"
        return sql

    text = compiler.process(element.clauses, **kw)
    bare = f"regexp_replace(normalize({spelled(text, _BEFORE)}, NFKD), {quoted(_MARKS)}, '', 'g')"
    # ASCII text (most of it) is only lower-cased, as `fold` does.
    return (
        f"(CASE WHEN {text} ~ '[^\\u0001-\\u007f]' THEN {spelled(f'lower({bare})', _AFTER)}"
        f" ELSE lower({text}) END)"
    )
