"""The rules a stored interaction keeps whatever route writes it (spec 2.1, 2.2): the API's
create, replace and patch, bulk uploads, imports, the voice operations, the demo generator.
Pure: the services call these before they write.

- `endDate` only on a Stopped interaction, and never before `startDate`. A whole interaction
  that breaks this is refused; a patch that moves an interaction out of Stopped drops its
  `endDate` (as UCS shows a reopened interaction: no end), unless the patch gives one, which
  is refused.
- `phoneNumber` and `callDuration` only on calls.
- Transcript messages use the GWS enumerations for `type`, `from.type` and `visibility`,
  compared case-insensitively and stored in their GWS spelling.
- An empty comment is no comment: the resource then has no `comment` field.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime

from openucs.domain.enums import MediaType, MessageType, ParticipantType, State, Visibility
from openucs.domain.formats import to_millis
from openucs.domain.models import ChatMessage, Interaction, InteractionPatch
from openucs.errors import InvalidInput


def check_interaction(item: Interaction) -> None:
    """Refuse (InvalidInput naming the field) what breaks a rule; spell the transcript's
    enumerations and the comment the way they are stored. Changes `item` in place."""
    check_end_date(item.state, item.start_date, item.end_date)
    check_call_fields(
        item.media_type, phone_number=item.phone_number, call_duration=item.call_duration
    )
    item.comment = comment_text(item.comment)
    if item.messages:
        for position, message in enumerate(item.messages):
            check_message(message, position)


def check_end_date(state: State, start: datetime, end: datetime | None) -> None:
    if end is None:
        return
    if state is not State.STOPPED:
        raise InvalidInput("endDate", f"only a Stopped interaction has one (state is {state})")
    # Compared in the stored precision: what the store keeps must read back in order.
    if to_millis(end) < to_millis(start):
        raise InvalidInput("endDate", "is before startDate")


def check_call_fields(
    media: MediaType, *, phone_number: str | None, call_duration: int | None
) -> None:
    for field, value in (("phoneNumber", phone_number), ("callDuration", call_duration)):
        if value is not None and media is not MediaType.CALL:
            raise InvalidInput(field, f"only a call has one (mediaType is {media})")


def check_message(message: ChatMessage, position: int) -> None:
    field = f"messages[{position}]"
    message.type = MessageType.parse(f"{field}.type", message.type)
    message.visibility = Visibility.parse(f"{field}.visibility", message.visibility)
    if message.participant_type is not None:
        kind = ParticipantType.parse(f"{field}.from.type", message.participant_type)
        message.participant_type = kind


def comment_text(comment: str | None) -> str | None:
    """The comment as stored: None for no comment, also for an empty or blank one."""
    return comment if comment and comment.strip() else None


def checked_patch(stored: Interaction, patch: InteractionPatch) -> InteractionPatch:
    """`patch` as it may be applied to `stored`: refused (InvalidInput) when the result would
    break a rule; a patch that leaves Stopped also clears the stored endDate."""
    present = patch.present or frozenset(
        f.name for f in fields(patch) if f.name != "present" and getattr(patch, f.name) is not None
    )
    patch = replace(patch, present=present)
    state = patch.state if "state" in present and patch.state else stored.state
    gives_end = "end_date" in present and patch.end_date is not None
    if state is not State.STOPPED and gives_end:
        raise InvalidInput("endDate", f"only a Stopped interaction has one (state is {state})")
    if state is not State.STOPPED and stored.end_date is not None and not gives_end:
        patch = replace(patch, end_date=None, present=present | {"end_date"})
    end = patch.end_date if "end_date" in patch.present else stored.end_date
    check_end_date(state, stored.start_date, end)
    check_call_fields(
        stored.media_type,
        phone_number=None,
        call_duration=patch.call_duration if "call_duration" in present else None,
    )
    if "comment" in present:
        patch = replace(patch, comment=comment_text(patch.comment))
    return patch


def completion_end(start: datetime, now: datetime) -> datetime:
    """The endDate of a call completed `now`: not before its start (a call recorded with a
    start ahead of the server's clock ends when it starts)."""
    return max(start, now)
