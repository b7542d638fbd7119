"""`openucs export --query Q`: only what the search finds, on both engines. The expected rows
come from the reference evaluator (`openucs.domain.search.matches`) over a full export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest

from openucs.domain.models import Interaction
from openucs.domain.search import matches, parse_query, words_of
from openucs.gws.ndjson import InteractionLines
from openucs.store import Store
from tests.cli.conftest import NOW, Run


def seed(run: Run, url: str) -> None:
    run("seed", "-n", "300", "--seed", "7", "--now", NOW, "--database", url)


def export(run: Run, url: str, *args: str) -> bytes:
    return run("export", "--database", url, *args).stdout_bytes


def interactions(raw: bytes) -> list[Interaction]:
    decode = InteractionLines(UTC)
    return [decode(line) for line in raw.splitlines() if not line.startswith(b'{"contact":')]


def contact_ids(raw: bytes) -> list[str]:
    lines = [json.loads(line) for line in raw.splitlines() if line.startswith(b'{"contact":')]
    return [line["contact"]["id"] for line in lines]


def found(everything: list[Interaction], q: str) -> list[str]:
    """The ids the reference evaluator finds, in the export's order (oldest first)."""
    node = parse_query(q, zone=UTC)
    return [
        item.id
        for item in everything
        if matches(node, item, owner_name=item.owner.user_name if item.owner else None)
    ]


def a_transcript_word(everything: list[Interaction]) -> str:
    chat = next(i for i in everything if i.messages and any(m.text for m in i.messages))
    text = next(m.text for m in chat.messages or [] if m.text)
    return max(words_of(text), key=len)


def test_the_export_holds_what_the_search_finds(run: Run, database_url: str) -> None:
    seed(run, database_url)
    everything = interactions(export(run, database_url))
    word = a_transcript_word(everything)
    owner = next(i.owner.user_name for i in everything if i.owner)
    queries = [
        word,
        f"text:{word[:3]}* OR mediaType:email",
        f"-{word} agent:{owner}",
        "attr.CaseNumber:* OR (attr.SearchId:>=500000 state:Stopped)",
        "startDate:[2026-11-01 TO 2026-11-10] -mediaType:call",
    ]
    for q in queries:
        raw = export(run, database_url, "--query", q)
        want = found(everything, q)
        assert want and len(want) < len(everything), q  # each query selects
        exported = interactions(raw)
        assert [i.id for i in exported] == want, q
        named = sorted({i.contact_id for i in exported if i.contact_id})
        assert contact_ids(raw) == named, q  # the contacts of these interactions, first


def test_the_query_combines_with_the_other_filters(run: Run, database_url: str) -> None:
    seed(run, database_url)
    everything = interactions(export(run, database_url))
    window = ("--from", "2026-10-01", "--to", "2026-11-20")
    raw = export(run, database_url, "-q", "state:Stopped", "--media-type", "chat", *window)
    want = found(everything, "state:Stopped mediaType:chat startDate:[2026-10-01 TO 2026-11-20]")
    assert want and [i.id for i in interactions(raw)] == want
    bare = export(run, database_url, "--query", "mediaType:chat", "--without-contacts")
    assert contact_ids(bare) == [] and bare == export(
        run, database_url, "--media-type", "chat", "--without-contacts"
    )


def test_a_search_export_imports_elsewhere(run: Run, new_sqlite: Callable[[str], str]) -> None:
    source, target = new_sqlite("source"), new_sqlite("target")
    seed(run, source)
    chats = export(run, source, "--query", "mediaType:chat OR mediaType:smssession")
    run("import", "-", "--database", target, input=chats)
    assert export(run, target) == chats


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("a AND (b OR c))", "q: unexpected ')' at column 15"),
        ('refund "late', "q: unterminated quote starting at column 8"),
        ("colour:red", "q: unknown field 'colour'"),
        ("startDate:2026-13-01", "q: startDate: "),
    ],
)
def test_a_query_that_cannot_be_read_is_an_error(
    run: Run, database_url: str, tmp_path: Path, q: str, message: str
) -> None:
    seed(run, database_url)
    target = tmp_path / "out.ndjson"
    result = run("export", "-q", q, "-o", str(target), "--database", database_url, expect=2)
    assert result.stderr.startswith(f"Error: {message}") and result.stderr.count("\n") == 1
    assert result.stdout == "" and not target.exists()


def test_the_search_export_is_in_the_read_audit(run: Run, database_url: str, store: Store) -> None:
    export(run, database_url, "--query", "refund", "--contact-id", "C1")
    records = [
        json.loads(line) for line in run("audit", "--database", database_url).stdout.splitlines()
    ]
    assert [(r["action"], r["via"], r.get("contactId")) for r in records] == [
        ("interactions.export", "cli", "C1")
    ]


def test_contacts_only_export_refuses_a_query(run: Run, database_url: str) -> None:
    result = run("export", "--contacts", "--query", "refund", "--database", database_url, expect=2)
    assert "the filters apply to interactions" in result.stderr
