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

import sys
import unicodedata

# Letters with a stroke, ligatures and the like: no decomposition takes them apart.
_SPELLED = str.maketrans(
    {
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
)

_SURROGATES = range(0xD800, 0xE000)


def fold(text: str) -> str:
    """`text` without case and diacritics: the key both engines match on."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # NFKD can yield capitals (U+210C black-letter H -> `H`) and casefold marks (`İ` -> i + dot):
    # one more round settles both.
    again = unicodedata.normalize("NFKD", bare.translate(_SPELLED).casefold())
    return "".join(ch for ch in again if not unicodedata.combining(ch))


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
