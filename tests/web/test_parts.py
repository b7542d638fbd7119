"""The pure parts of the pages: thread grouping, the SVG chart, content preparation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from openucs.domain.models import ChatMessage
from openucs.web.chart import NARROW, Series, nice_ceiling, stacked_bars
from openucs.web.content import conversation, data_rows, email_view, sanitize_html
from openucs.web.threads import group_threads
from tests.factories import BASE_TIME, at, make_email, make_interaction


def test_threads_are_grouped_parents_first_in_page_order() -> None:
    root = make_interaction(id="R", thread_id="R", start_date=at(0))
    reply = make_interaction(id="A", thread_id="R", parent_id="R", start_date=at(10))
    deeper = make_interaction(id="B", thread_id="R", parent_id="A", start_date=at(20))
    alone = make_interaction(id="S", thread_id="S", start_date=at(15))
    orphan = make_interaction(id="O", thread_id="T", parent_id="GONE", start_date=at(5))
    groups = group_threads([deeper, alone, reply, orphan, root])  # newest first
    assert [g.thread_id for g in groups] == ["R", "S", "T"]
    assert [(e.item.id, e.depth) for e in groups[0].entries] == [("R", 0), ("A", 1), ("B", 2)]
    assert groups[0].is_thread
    assert not groups[1].is_thread
    assert groups[2].entries[0].parent_elsewhere
    assert groups[2].is_thread


def test_a_parent_cycle_loses_no_interaction() -> None:
    a = make_interaction(id="A", thread_id="T", parent_id="B", start_date=at(0))
    b = make_interaction(id="B", thread_id="T", parent_id="A", start_date=at(1))
    [group] = group_threads([b, a])
    assert sorted(e.item.id for e in group.entries) == ["A", "B"]


@pytest.mark.parametrize(
    ("value", "top"), [(0, 4), (3, 4), (5, 8), (65, 80), (99, 120), (1234, 1600), (4000, 4000)]
)
def test_axis_tops_are_four_whole_steps(value: int, top: int) -> None:
    assert nice_ceiling(value) == top
    assert top % 4 == 0


def test_the_chart_escapes_labels_and_describes_itself() -> None:
    days = [date(2024, 3, 1) + timedelta(days=n) for n in range(3)]
    svg = stacked_bars(days, [Series("<b>x</b>", "#123456", [1, 0, 5])], title="T & t")
    assert "<b>" not in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg
    assert "T &amp; t" in svg
    assert "busiest day was 2024-03-03 with 5" in svg
    assert svg.count("<rect") == 2  # no bar for a zero
    narrow = stacked_bars(days, [], title="empty", frame=NARROW, key="n")
    assert 'id="n-title"' in narrow


def test_chat_lines_know_their_side_and_events() -> None:
    messages = [
        ChatMessage(2, "Message", BASE_TIME, nickname="Ann", participant_type="Agent", text="Hi"),
        ChatMessage(1, "ParticipantJoined", BASE_TIME, nickname="Bo", participant_type="Customer"),
        ChatMessage(3, "PushUrl", BASE_TIME, participant_type="Bot", url="javascript:alert(1)"),
    ]
    lines = conversation(messages)
    assert [(line.kind, line.side, line.text) for line in lines] == [
        ("event", "customer", "Bo joined"),
        ("said", "agent", "Hi"),
        ("event", "agent", "Bot sent a link"),
    ]
    assert lines[2].url is None  # only http(s) links


def test_email_views_and_user_data() -> None:
    html = email_view(make_email(body="<p onmouseover=x>Hi <img src=x></p>", mime="text/html"))
    assert html.html == "<p>Hi </p>"
    assert html.text == "Hello,\nwhere is my order?"
    plain = email_view(make_email(body="just <text>", mime="text/plain", body_as_plain_text=None))
    assert plain.html is None
    assert plain.text == "just <text>"
    assert (
        sanitize_html('<a href="/logout">x</a>')
        == '<a target="_blank" rel="noopener noreferrer">x</a>'
    )
    assert data_rows({"b": [1], "a": None}) == [("a", "", False), ("b", "[\n  1\n]", True)]
