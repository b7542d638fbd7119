"""domain/rules.py on its own: what a whole interaction and a patch may be."""

from __future__ import annotations

import pytest

from openucs.domain import rules
from openucs.domain.enums import MediaType, State
from openucs.domain.models import InteractionPatch
from openucs.errors import InvalidInput
from tests.factories import at, make_interaction, make_messages


def test_an_open_interaction_with_an_end_is_refused() -> None:
    item = make_interaction(state=State.PENDING, start_date=at(0), end_date=at(1))
    with pytest.raises(InvalidInput, match="only a Stopped interaction") as caught:
        rules.check_interaction(item)
    assert caught.value.field == "endDate"


def test_an_end_equal_to_the_start_is_allowed_and_a_millisecond_before_is_not() -> None:
    rules.check_interaction(make_interaction(start_date=at(0), end_date=at(0)))
    before = make_interaction(start_date=at(0), end_date=at(-1 / 60_000))
    with pytest.raises(InvalidInput, match="before startDate"):
        rules.check_interaction(before)


def test_a_patch_leaving_stopped_clears_the_end_even_without_present_names() -> None:
    """A patch built in code may name no fields (`present` empty: its non-None ones apply)."""
    stored = make_interaction(start_date=at(0), end_date=at(3))
    checked = rules.checked_patch(stored, InteractionPatch(state=State.NEW, subject="s"))
    assert checked.present == {"state", "subject", "end_date"}
    assert checked.end_date is None


def test_a_patch_that_stays_stopped_keeps_the_end() -> None:
    stored = make_interaction(start_date=at(0), end_date=at(3))
    patch = InteractionPatch(subject="new", present=frozenset({"subject"}))
    assert rules.checked_patch(stored, patch).present == {"subject"}


def test_a_patch_stopping_with_an_end_before_the_start_is_refused() -> None:
    stored = make_interaction(state=State.IN_PROCESS, start_date=at(5))
    patch = InteractionPatch(
        state=State.STOPPED, end_date=at(4), present=frozenset({"state", "end_date"})
    )
    with pytest.raises(InvalidInput, match="before startDate"):
        rules.checked_patch(stored, patch)


def test_transcript_values_get_their_gws_spelling() -> None:
    messages = make_messages(2)
    messages[0].type, messages[0].visibility = "typingstarted", "SUPERVISORS"
    messages[1].participant_type = "agent"
    item = make_interaction(media_type=MediaType.SMSSESSION, messages=messages)
    rules.check_interaction(item)
    assert (messages[0].type, messages[0].visibility) == ("TypingStarted", "Supervisors")
    assert messages[1].participant_type == "Agent"


def test_a_blank_comment_is_none() -> None:
    assert rules.comment_text("  \n") is None
    assert rules.comment_text("") is None
    assert rules.comment_text(" kept ") == " kept "
