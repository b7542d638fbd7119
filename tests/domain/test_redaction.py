"""The redaction detectors and policy (domain/redaction.py): examples and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from openucs.config import Settings, load_settings
from openucs.domain.models import ChatMessage, EmailContent, InteractionPatch
from openucs.domain.redaction import (
    CARD_MARKER,
    IBAN_MARKER,
    PATTERN_MARKER,
    SSN_MARKER,
    Redaction,
    check_pattern,
    luhn_valid,
    redact_interaction,
    redact_patch,
    redact_text,
)
from openucs.errors import InvalidInput
from tests.factories import make_interaction

EVERY_KIND = Redaction.parse(kinds="card,iban,ssn", patterns=[r"ACCT-\d{6}"], attributes="")
CARDS = Redaction(kinds=frozenset({"card"}))
MARKERS = (CARD_MARKER, IBAN_MARKER, SSN_MARKER, PATTERN_MARKER)


def luhn_completed(payload: str) -> str:
    """`payload` and the check digit that makes it Luhn-valid."""
    return next(payload + d for d in "0123456789" if luhn_valid(payload + d))


@st.composite
def cards(draw: st.DrawFn) -> str:
    """A Luhn-valid number of 13-19 digits, written plain, in groups of 4 or, 14 and 15
    digits, as 4-6-4 or 4-6-5 (Diners, American Express), by spaces or dashes."""
    length = draw(st.integers(13, 19))
    digits = luhn_completed(draw(st.text("0123456789", min_size=length - 1, max_size=length - 1)))
    separator = draw(st.sampled_from(["", " ", "-"]))
    if length in (14, 15) and draw(st.booleans()):
        return separator.join([digits[:4], digits[4:10], digits[10:]])
    return separator.join(digits[i : i + 4] for i in range(0, len(digits), 4))


def text_around() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


# --- examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("pay 4111 1111 1111 1111 exp 12 25", f"pay {CARD_MARKER} exp 12 25"),
        ("4111-1111-1111-1111.", f"{CARD_MARKER}."),
        ("amex 378282246310005", f"amex {CARD_MARKER}"),
        ("4111111111111112", "4111111111111112"),  # fails Luhn
        ("order 1234567890", "order 1234567890"),  # too short
        ("IBAN GB82 WEST 1234 5698 7654 32 OK", f"IBAN {IBAN_MARKER} OK"),
        ("DE89370400440532013000", IBAN_MARKER),
        ("DE89370400440532013001", "DE89370400440532013001"),  # fails mod 97
        ("ssn 078-05-1120.", f"ssn {SSN_MARKER}."),
        ("666-12-3456 000-12-3456 912-12-3456", "666-12-3456 000-12-3456 912-12-3456"),
        ("123-00-4567 123-45-0000", "123-00-4567 123-45-0000"),
        ("card 4111 1111 1111 1111 12 25 123", f"card {CARD_MARKER} 12 25 123"),
        ("call 555 0101 or 555 0102", "call 555 0101 or 555 0102"),
        ("ACCT-123456 and ACCT-12", f"{PATTERN_MARKER} and ACCT-12"),
    ],
)
def test_examples(given_: str, expected: str) -> None:
    assert redact_text(given_, EVERY_KIND) == expected


def test_a_pattern_never_rewrites_a_marker() -> None:
    policy = Redaction.parse(kinds="card", patterns=["redacted", "card"], attributes="")
    assert redact_text("card 4111111111111111 redacted", policy) == (
        f"{PATTERN_MARKER} {CARD_MARKER} {PATTERN_MARKER}"
    )


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("(", "not a regular expression"),
        ("a*", "matches empty text"),
        ("(a+)+b", "repeats a repetition"),
        ("(?:ab|cd)+z", "repeats an alternation"),
        (r"(a)\1", "refers back"),
    ],
)
def test_risky_patterns_are_refused_naming_the_setting(source: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_pattern("redact_patterns", source)
    assert caught.value.field == "redact_patterns"
    assert problem in caught.value.problem


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown kind 'pan'"):
        Redaction.parse(kinds="card,pan", patterns=[], attributes="")


def test_interaction_fields_and_chosen_attributes() -> None:
    card = "4111111111111111"
    item = make_interaction(
        subject=card,
        comment=card,
        custom_attributes={"Account": card, "Other": card},
        user_data={"Account": card, "Other": card, "n": 4111111111111111},
    )
    item.messages = [ChatMessage(index=1, type="Text", timestamp=item.start_date, text=card)]
    item.email = EmailContent(subject=card, body=card, body_as_plain_text=card)
    policy = Redaction.parse(kinds="card", patterns=[], attributes="Account")
    redact_interaction(item, policy)
    assert (item.subject, item.comment) == (CARD_MARKER, CARD_MARKER)
    assert item.custom_attributes == {"Account": CARD_MARKER, "Other": card}
    assert item.user_data == {"Account": CARD_MARKER, "Other": card, "n": 4111111111111111}
    assert item.messages[0].text == CARD_MARKER
    email = item.email
    assert (email.subject, email.body, email.body_as_plain_text) == (CARD_MARKER,) * 3


def test_patch_fields() -> None:
    card = "4111111111111111"
    patch = InteractionPatch(
        subject=card,
        comment=card,
        custom_attributes={"Account": card},
        user_data={"Account": card},
        present=frozenset({"subject", "comment", "custom_attributes", "user_data"}),
    )
    redacted = redact_patch(patch, Redaction.parse(kinds="card", patterns=[], attributes="Account"))
    assert (redacted.subject, redacted.comment) == (CARD_MARKER, CARD_MARKER)
    assert redacted.custom_attributes == {"Account": CARD_MARKER}
    assert redacted.user_data == {"Account": CARD_MARKER}
    assert redacted.present == patch.present


# --- properties -------------------------------------------------------------------------------


@given(before=text_around(), card=cards(), after=text_around())
def test_every_luhn_valid_card_is_redacted(before: str, card: str, after: str) -> None:
    # Standing apart from other digits: not glued to a digit, nor to one by a separator.
    assume(not re.search(r"[0-9][ -]?$", before) and not re.match(r"^[ -]?[0-9]", after))
    redacted = redact_text(before + card + after, CARDS)
    assert re.sub("[ -]", "", card) not in re.sub("[ -]", "", redacted)
    assert CARD_MARKER in redacted


@given(st.text(max_size=200) | st.builds(lambda a, c, b: a + c + b, st.text(), cards(), st.text()))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text, EVERY_KIND)
    assert redact_text(once, EVERY_KIND) == once


# Digits, separators, IBAN letters and pieces of markers: the texts where detectors meet.
@given(st.text(alphabet=st.sampled_from("0123456789 -ABDEGRSX[]redactd"), max_size=80))
def test_redaction_is_idempotent_where_detectors_meet(text: str) -> None:
    once = redact_text(text, EVERY_KIND)
    assert redact_text(once, EVERY_KIND) == once


@given(st.text(st.characters(exclude_characters="0123456789"), max_size=200))
def test_text_without_matches_is_unchanged(text: str) -> None:
    assume("ACCT-" not in text)
    # Without digits nothing can match, and the very same string comes back.
    assert redact_text(text, EVERY_KIND) is text


@given(st.text(max_size=200))
def test_text_without_matches_comes_back_byte_identical(text: str) -> None:
    redacted = redact_text(text, EVERY_KIND)
    if not any(marker in redacted for marker in MARKERS):
        assert redacted.encode() == text.encode()


def test_markers_hold_no_digits() -> None:
    assert not any(ch.isdigit() for marker in MARKERS for ch in marker)


def test_the_default_redacts_nothing() -> None:
    text = "4111111111111111 078-05-1120"
    assert Redaction().text(text) is text
    assert not Redaction().active


# --- settings ---------------------------------------------------------------------------------


def test_settings_build_the_policy_and_refuse_bad_values() -> None:
    settings = load_settings(
        {
            "OPENUCS_REDACT": "card, ssn",
            "OPENUCS_REDACT_PATTERNS": "ACCT-[0-9]{6}\n\n  PIN [0-9]{4}  \n",
            "OPENUCS_REDACT_ATTRIBUTES": "Account,Note",
        }
    )
    policy = settings.redaction
    assert policy.kinds == {"card", "ssn"} and policy.attributes == {"Account", "Note"}
    assert [p.pattern for p in policy.patterns] == ["ACCT-[0-9]{6}", "PIN [0-9]{4}"]
    assert not Settings().redaction.active
    with pytest.raises(InvalidInput, match="redact_patterns"):
        load_settings({"OPENUCS_REDACT_PATTERNS": "ok\n(a+)+b"})
    with pytest.raises(InvalidInput, match="redact"):
        Settings(redact="card,pan")
