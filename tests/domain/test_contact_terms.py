"""What names a contact in a saved search's query (the erasure deletes those searches)."""

from __future__ import annotations

import pytest

from openucs.domain.privacy import ContactTerms

TERMS = ContactTerms.of(
    ["CT0001", "Ann", "Lee-Smith", "ann.lee@example.com", None, " "], ["+1 (555) 010-2000"]
)


@pytest.mark.parametrize(
    "query",
    [
        "q=ann",
        "q=%22ANN%22+refund",
        "q=lee-smith",
        "q=ANN.LEE%40EXAMPLE.COM",
        "q=email:ann.lee@example.com&media=email",
        "contact=ct0001",
        "q=15550102000",
        "q=%2B1+555+010+2000",
        "q=phone:1-555-010-2000",
    ],
)
def test_a_query_naming_the_contact(query: str) -> None:
    assert TERMS.named_in(query)


@pytest.mark.parametrize(
    "query",
    [
        "q=annual",
        "q=joann",
        "q=lee",
        "contact=CT00012",
        "q=5550102",
        "q=refund&media=chat",
    ],
)
def test_a_query_not_naming_it(query: str) -> None:
    assert not TERMS.named_in(query)


def test_short_numbers_are_not_phone_numbers() -> None:
    terms = ContactTerms.of([], ["12-34"])
    assert terms.phone_digits == frozenset()
    assert terms.named_in("q=12-34")  # written as stored, it is still a whole term
    assert not terms.named_in("q=1234")
