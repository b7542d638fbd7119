"""The history text filter matches without case or diacritics, with the same results on
every engine as `domain.text.fold` gives in Python (tests/store/helpers.py `reference`)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from sqlalchemy import Text, bindparam, select

from openucs.domain.models import Interaction
from openucs.domain.text import fold
from openucs.store import Store
from openucs.store._text import Folded
from openucs.store.sql import SqlStore
from tests.factories import make_interaction
from tests.store.helpers import ALL, ids, reference

SUBJECTS = [
    "Über die Rückerstattung",
    "Żółw w ogrodzie",
    "Łódź, ul. Piotrkowska",
    "Straße und Weg",
    "ΣΊΣΥΦΟΣ, βασιλιάς",
    "Øresund bridge toll",
    "Æsir saga",
    "Crème brûlée recipe",
    "\uff26\uff55\uff4c\uff4c width order"  # full-width,
    "İstanbul flight",
    "Dvořák concert",
    "plain refund",
    "한국어 상담",
    "Москва ЁЛКА",
]
QUERIES = [
    "über",
    "UBER",
    "Uber",
    "zolw",
    "ŻÓŁW",
    "lodz",
    "strasse",
    "STRASSE",
    "σισυφοσ",
    "Σίσυφος",
    "oresund",
    "aesir",
    "creme brulee",
    "full width",
    "istanbul",
    "dvorak",
    "REFUND",
    "한국어",
    "москва елка",
    "ß",
    "zolwx",
]


@pytest.fixture
def stored(store: Store) -> list[Interaction]:
    items = [make_interaction(subject=s) for s in SUBJECTS[:7]]
    items += [make_interaction(subject="note", comment=c) for c in SUBJECTS[7:]]
    store.save_interactions(items)
    return items


def test_text_matches_without_case_or_diacritics(store: Store, stored: list[Interaction]) -> None:
    found = {text: ids(store.history(replace(ALL, text=text)).items) for text in QUERIES}

    assert found == {text: ids(reference(stored, replace(ALL, text=text))) for text in QUERIES}
    assert found["über"] == found["UBER"] == [stored[0].id]
    assert found["zolw"] == [stored[1].id]
    assert found["strasse"] == [stored[3].id]
    assert found["ß"] == [stored[3].id]  # "ss"
    assert all(found[text] for text in QUERIES[:-1]), found
    assert found["zolwx"] == []


# Where PostgreSQL's lower() is not Python's casefold(): the Greek iota subscript (casefold
# spells it out), the early Cyrillic letter variants, and Cherokee (which casefolds to capitals).
CASEFOLD_ONLY = {0x345, *range(0x1C80, 0x1C89), *range(0x1F80, 0x1FFD)}
SCRIPTS = [*range(0x20, 0x7F), *range(0xA0, 0x2B0), *range(0x370, 0x530), *range(0x1E00, 0x2000)]


def test_the_sql_fold_is_fold_for_latin_greek_and_cyrillic(store: Store) -> None:
    chars = [
        chr(cp)
        for cp in SCRIPTS
        if cp not in CASEFOLD_ONLY and unicodedata.category(chr(cp)) not in ("Cn", "Cc")
    ]
    assert isinstance(store, SqlStore)
    stmt = select(Folded(bindparam("text", type_=Text)))
    with store._read() as conn:  # one SELECT of an expression: no store method runs it
        got = conn.execute(stmt, {"text": "\n".join(chars)}).scalar_one()

    assert len(chars) > 1400
    assert got.split("\n") == [fold(ch) for ch in chars]
