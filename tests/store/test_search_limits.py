"""Beyond the index's documented limits (docs/search.md, "The index": the first 16,383 word
positions of an interaction, the first 256 occurrences of a word, words of at most 100
characters) the stores no longer answer as `openucs.domain.search.matches` does, but both
engines must still answer alike; within the limits, as the reference does."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from openucs.domain.enums import MediaType
from openucs.domain.models import ChatMessage, Interaction
from openucs.domain.query import HistoryQuery
from openucs.domain.search import matches, parse_query
from openucs.store import open_store
from tests.conftest import ENGINES, _fresh
from tests.factories import BASE_TIME, make_interaction
from tests.store.helpers import ids, reference

LONG_WORD = "k" * 101
FULL_WORD = "m" * 100
# Past the limits: not indexed, so never found (nor by a NOT).
BEYOND = ["omega", '"omega psi"', "tail", "w16390", '"echo foxtrot"', LONG_WORD, "kkk*"]
# Within them: found as the reference finds them.
WITHIN = [
    "alpha",
    '"gamma delta"',
    "w100",
    "w1*",
    "echo",
    "foxtrot",
    '"hotel india"',
    FULL_WORD,
    "mmm*",
    "lima",
    "NOT alpha",
    "-echo lima",
]


def _message(index: int, text: str) -> ChatMessage:
    return ChatMessage(index=index, type="Text", timestamp=BASE_TIME, text=text)


def _rows() -> list[Interaction]:
    filler = " ".join(f"w{n}" for n in range(16_400))
    long_chat = make_interaction(
        id="LONG",
        media_type=MediaType.CHAT,
        subject="gamma delta",
        messages=[_message(0, "alpha beta"), _message(1, filler), _message(2, "omega psi")],
        user_data={"note": "tail"},
    )
    echoes = make_interaction(
        id="ECHOES",
        comment="hotel india " + "echo " * 300 + "echo foxtrot",
    )
    long_words = make_interaction(id="WORDS", subject=f"{LONG_WORD} {FULL_WORD} lima")
    short = make_interaction(id="SHORT", subject="alpha lima")
    return [long_chat, echoes, long_words, short]


def _answers(engine: str, tmp_path: Path, rows: list[Interaction]) -> dict[str, list[str]]:
    (tmp_path / engine).mkdir()
    with _fresh(engine, tmp_path / engine) as url:
        store = open_store(url)
        try:
            store.upgrade()
            store.save_interactions(rows)
            return {q: ids(store.history(_query(q)).items) for q in BEYOND + WITHIN}
        finally:
            store.close()


def _query(q: str) -> HistoryQuery:
    node = parse_query(q, zone=UTC)
    return HistoryQuery(q=node, limit=100, start_from=None, start_to=None)


def test_both_engines_answer_alike_beyond_the_index_limits(tmp_path: Path) -> None:
    rows = _rows()
    answers = {engine: _answers(engine, tmp_path, rows) for engine in ENGINES}
    assert answers["sqlite"] == answers["postgres"]
    found = answers["sqlite"]
    assert all(found[q] == [] for q in BEYOND), {q: found[q] for q in BEYOND}
    for q in WITHIN:
        query = _query(q)
        assert query.q is not None
        want = [i for i in rows if matches(query.q, i, owner_name=None)]
        assert found[q] == ids(reference(want, query)), q
