"""Text folded for matching: one Python function decides what "the same letters" means, so
both engines compare the same keys (SQLite's lower() folds only ASCII; PostgreSQL's depends on
the database's collation).

`fold` is case- and diacritic-insensitive: Unicode compatibility decomposition (NFKD), the
combining marks dropped, then casefold; letters that do not decompose are spelled out
(`ł` -> `l`, `ø` -> `o`, `æ` -> `ae`, `ß` -> `ss`). So `Über` -> `uber`, `Żółw` -> `zolw`.

Keys are compared in code point order (SQLite's BINARY collation, PostgreSQL's "C"), where the
strings starting with a prefix are exactly those from the prefix up to `prefix_end(prefix)`.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable

# Letters with a stroke, ligatures and the like: no decomposition takes them apart.
SPELLED = {
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ø": "o",
    "Ø": "o",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ħ": "h",
    "Ħ": "h",
    "\u0131": "i",  # dotless i
    "ŧ": "t",
    "Ŧ": "t",
    "ƀ": "b",
    "ɨ": "i",
    "ŀ": "l",
    "Ŀ": "l",
}
_SPELLED = re.compile("[" + "".join(SPELLED) + "]")
_BMP_END = 0xFFFF
_PLANE_2 = 0x20000
_ASTRAL = re.compile(f"[{chr(_BMP_END + 1)}-{chr(sys.maxunicode)}]")


def _combining_spans() -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for cp in range(_PLANE_2):  # no combining mark lies past plane 1
        if unicodedata.combining(chr(cp)):
            if spans and spans[-1][1] == cp - 1:
                spans[-1] = (spans[-1][0], cp)
            else:
                spans.append((cp, cp))
    return tuple(spans)


COMBINING = _combining_spans()
"""The code point ranges of the combining marks, which `fold` drops after NFKD."""


def _marks(spans: Iterable[tuple[int, int]]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in spans) + "]")


# Apart: `re` tests a class of BMP characters in a table, but walks a list for the others.
_MARKS_BMP = _marks(span for span in COMBINING if span[1] <= _BMP_END)
_MARKS_ASTRAL = _marks(span for span in COMBINING if span[1] > _BMP_END)
_SURROGATES = range(0xD800, 0xE000)


def fold(text: str) -> str:
    """`text` without case and diacritics: the key both engines match on."""
    if text.isascii():
        return text.lower()
    once = _fold_round(text)
    # NFKD can yield capitals (U+210C black-letter H -> `H`) and casefold marks (`İ` -> i + dot):
    # one more round settles both.
    return once.lower() if once.isascii() else _fold_round(once)


def _fold_round(text: str) -> str:
    spelled = _SPELLED.sub(lambda letter: SPELLED[letter.group()], text)
    bare = _MARKS_BMP.sub("", unicodedata.normalize("NFKD", spelled.casefold()))
    return _MARKS_ASTRAL.sub("", bare) if _ASTRAL.search(bare) else bare


def prefix_end(prefix: str) -> str | None:
    """The least string greater than every string that starts with `prefix`, in code point
    order; None when there is none (`prefix` is empty or all U+10FFFF)."""
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < sys.maxunicode:
            following = last + 1
            if following in _SURROGATES:  # not encodable: skip to the first code point after
                following = _SURROGATES.stop
            return "".join(chars) + chr(following)
    return None
