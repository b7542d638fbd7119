"""`fold`: the matching key of text, and `prefix_end`: the end of a prefix's key range."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from openucs.domain.text import fold, prefix_end

PLANE_3 = 0x30000


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Über", "uber"),
        ("Żółw", "zolw"),
        ("ŻÓŁW", "zolw"),
        ("Łódź", "lodz"),
        ("Øresund", "oresund"),
        ("Straße", "strasse"),
        ("Æther", "aether"),
        ("Đorđe", "dorde"),
        ("Þór", "thor"),
        ("İstanbul", "istanbul"),
        ("ﬁsh", "fish"),
        ("\uff33\uff4d\uff49\uff54\uff48", "smith"),  # full-width
        ("Crème Brûlée", "creme brulee"),
        ("ΣΊΣΥΦΟΣ", "σισυφοσ"),
        ("O'Brien-Smith", "o'brien-smith"),
        ("\U0001d400\U0001d401", "ab"),  # mathematical bold: capitals after NFKD
        ("a\U0001d167b", "ab"),  # a combining mark past the BMP
        ("", ""),
    ],
)
def test_fold_drops_case_and_diacritics(text: str, key: str) -> None:
    assert fold(text) == key


def test_fold_is_idempotent_for_every_code_point() -> None:
    """A stored key folded again is itself: keys and search text fold alike. Only characters
    that decompose or change case can change, besides those spelled out; past plane 2 none
    does."""
    changing = [
        ch
        for ch in map(chr, range(PLANE_3))
        if unicodedata.decomposition(ch) or ch.casefold() != ch
    ]
    changing += list("ßæœøłđðþħŧƀɨŀ\u0131")
    assert len(changing) > 5000
    assert [hex(ord(ch)) for ch in changing if fold(fold(ch)) != fold(ch)] == []


@pytest.mark.parametrize(
    ("prefix", "end"),
    [
        ("smi", "smj"),
        ("a", "b"),
        ("z\U0010ffff", "{"),
        ("a\ud7ff", "a\ue000"),  # past the surrogates, which UTF-8 cannot hold
        ("\U0010ffff", None),
        ("", None),
    ],
)
def test_prefix_end_is_the_least_string_after_the_prefix_range(
    prefix: str, end: str | None
) -> None:
    assert prefix_end(prefix) == end
    if end is not None:
        assert prefix < prefix + "\U0010ffff" * 3 < end


def test_no_combining_mark_lies_past_plane_1() -> None:
    """`fold` looks for the marks it drops in planes 0 and 1 only."""
    assert not any(unicodedata.combining(chr(cp)) for cp in range(0x20000, sys.maxunicode + 1))
