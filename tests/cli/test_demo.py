"""The demo data generator: deterministic, complete, and plausible."""

from __future__ import annotations

from collections import Counter
from copy import deepcopy
from datetime import UTC, datetime, timedelta

import pytest

from openucs.demo import DemoData, DemoPlan
from openucs.domain import rules
from openucs.domain.enums import MediaType, MessageType, State
from openucs.domain.models import Interaction

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
ANCHOR = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> DemoData:
    return DemoData(DemoPlan(interactions=4000, seed=3, now=NOW))


@pytest.fixture(scope="module")
def items(data: DemoData) -> list[Interaction]:
    return list(data.interactions())


def test_exactly_the_requested_number_with_unique_ids(items: list[Interaction]) -> None:
    assert len(items) == 4000
    assert len({i.id for i in items}) == 4000
    assert all(len(i.id) == 16 for i in items)


def test_the_same_plan_gives_the_same_data(items: list[Interaction]) -> None:
    again = list(DemoData(DemoPlan(interactions=4000, seed=3, now=NOW)).interactions())
    assert again == items
    other = list(DemoData(DemoPlan(interactions=50, seed=4, now=NOW)).interactions())
    assert [i.id for i in other] != [i.id for i in items[:50]]


def test_every_media_type_with_calls_most_common(items: list[Interaction]) -> None:
    counts = Counter(i.media_type for i in items)
    assert set(counts) == set(MediaType)
    assert counts.most_common(1)[0][0] == MediaType.CALL


def test_dates_span_13_months_before_the_anchor_day(items: list[Interaction]) -> None:
    starts = [i.start_date for i in items]
    assert max(starts) < ANCHOR
    assert min(starts) >= ANCHOR - timedelta(days=395)
    assert min(starts) < ANCHOR - timedelta(days=365)


def test_stopped_have_an_end_after_the_start_and_open_ones_none(items: list[Interaction]) -> None:
    for item in items:
        if item.state == State.STOPPED:
            assert item.end_date is not None and item.end_date >= item.start_date
        else:
            assert item.end_date is None
    assert Counter(i.state for i in items)[State.STOPPED] > 0.9 * len(items)
    assert {i.state for i in items} > {State.STOPPED, State.PENDING}


def test_transcripts_lie_inside_the_interaction(items: list[Interaction]) -> None:
    sessions = [i for i in items if i.media_type.has_transcript]
    assert sessions and all(i.messages for i in sessions)
    for item in sessions:
        assert item.messages is not None
        kinds = [m.type for m in item.messages]
        assert kinds[0] == "ParticipantJoined"
        assert [m.index for m in item.messages] == list(range(1, len(kinds) + 1))
        if item.state == State.STOPPED:
            assert kinds[-1] == "ParticipantLeft"
            assert item.end_date is not None
            assert all(item.start_date <= m.timestamp <= item.end_date for m in item.messages)
    texts = {m.participant_type for i in sessions for m in i.messages or [] if m.type == "Text"}
    assert texts == {"Customer", "Agent"}


def test_email_replies_follow_their_parent_in_the_same_thread(items: list[Interaction]) -> None:
    position = {item.id: n for n, item in enumerate(items)}
    by_id = {item.id: item for item in items}
    replies = [i for i in items if i.parent_id]
    assert replies
    for reply in replies:
        assert reply.parent_id is not None
        parent = by_id[reply.parent_id]
        assert position[parent.id] < position[reply.id]
        assert parent.start_date < reply.start_date
        assert reply.contact_id == parent.contact_id and reply.media_type == MediaType.EMAIL
        assert reply.email is not None and (reply.email.subject or "").startswith("Re: ")


def test_calls_have_a_number_a_duration_and_a_connection_id(items: list[Interaction]) -> None:
    calls = [i for i in items if i.media_type == MediaType.CALL and i.state == State.STOPPED]
    assert all(c.phone_number and c.call_duration is not None and c.external_id for c in calls)
    assert all(c.end_date == c.start_date + timedelta(seconds=c.call_duration or 0) for c in calls)


def test_every_referenced_contact_exists_and_agents_are_bounded(
    data: DemoData, items: list[Interaction]
) -> None:
    contact_ids = {c.id for c in data.contacts()}
    assert len(contact_ids) == 400
    assert {i.contact_id for i in items if i.contact_id} <= contact_ids
    owners = {i.owner.user_name for i in items if i.owner}
    assert 40 <= len(owners) <= 50


def test_custom_attributes(items: list[Interaction]) -> None:
    names = Counter(name for i in items for name in i.custom_attributes)
    assert {"Language", "CustomerSegment", "SearchId", "CaseNumber"} <= set(names)


def test_the_login_agent_owns_history() -> None:
    data = DemoData(DemoPlan(interactions=500, seed=1, now=NOW, login_agent="agent"))
    assert data.agents[0].user_name == "agent"
    assert any(i.owner and i.owner.user_name == "agent" for i in data.interactions())


def test_every_generated_interaction_keeps_the_rules_of_a_stored_one(
    items: list[Interaction],
) -> None:
    """endDate only when Stopped and not before the start, call fields only on calls, the
    transcript in the GWS enumerations, spelled as stored (the check changes nothing)."""
    before = deepcopy(items)
    for item in items:
        rules.check_interaction(item)
    assert items == before
    chats = [m for i in items if i.messages for m in i.messages]
    assert {m.type for m in chats} <= {t.value for t in MessageType}
    assert {m.participant_type for m in chats} <= {"Customer", "Agent"}
