"""seed, import and export through the command line, on real databases."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import pytest

from openucs.services import pipeline
from tests.cli.conftest import NOW, Run


def seed(run: Run, url: str, n: int = 400, seed: int = 7) -> None:
    run("seed", "-n", str(n), "--seed", str(seed), "--now", NOW, "--database", url)


def export(run: Run, url: str, *args: str) -> bytes:
    return run("export", "--database", url, *args).stdout_bytes


def lines(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.splitlines()]


def test_the_same_seed_gives_the_same_data(run: Run, new_sqlite: Callable[[str], str]) -> None:
    first, second, other = new_sqlite("a"), new_sqlite("b"), new_sqlite("c")
    seed(run, first)
    seed(run, second)
    seed(run, other, seed=8)
    assert export(run, first) == export(run, second)
    assert export(run, first, "--contacts") == export(run, second, "--contacts")
    assert export(run, first) != export(run, other)


def test_seed_reports_both_rates(run: Run, new_sqlite: Callable[[str], str]) -> None:
    result = run("seed", "-n", "50", "--now", NOW, "--database", new_sqlite("r"))
    assert "50 interactions" in result.stdout
    assert "end to end" in result.stdout and "/s written" in result.stdout


def test_a_large_seed_generates_in_a_second_process_the_same_data(
    run: Run, new_sqlite: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = new_sqlite("here"), new_sqlite("there")
    seed(run, here, n=600)
    monkeypatch.setattr(pipeline, "WORTH_A_PROCESS", 500)
    monkeypatch.setattr(multiprocessing, "get_context", spy_on_contexts())
    seed(run, there, n=600)
    assert export(run, there) == export(run, here)
    assert STARTED == ["spawn"]


STARTED: list[str | None] = []


def spy_on_contexts() -> Callable[[str | None], BaseContext]:
    """multiprocessing.get_context, noting which kind of process the code under test asks for."""
    STARTED.clear()
    real = multiprocessing.get_context

    def get_context(method: str | None = None) -> BaseContext:
        STARTED.append(method)
        return real(method)

    return get_context


def test_a_large_file_is_decoded_in_a_second_process(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = new_sqlite("src"), new_sqlite("dst")
    seed(run, source, n=500)
    contacts, interactions = tmp_path / "c.ndjson", tmp_path / "i.ndjson"
    run("export", "--contacts", "-o", str(contacts), "--database", source)
    run("export", "-o", str(interactions), "--database", source)
    monkeypatch.setattr(pipeline, "WORTH_A_PROCESS_BYTES", 1000)
    monkeypatch.setattr(multiprocessing, "get_context", spy_on_contexts())
    run("import", "--contacts", str(contacts), "--database", target)
    result = run("import", str(interactions), "--batch-size", "64", "--database", target)
    assert "Imported 500 interactions" in result.stderr
    assert STARTED == ["spawn"]
    assert export(run, target) == interactions.read_bytes()


def test_a_bad_line_of_a_large_file_is_named(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "WORTH_A_PROCESS_BYTES", 100)
    good = {"mediaType": "call", "startDate": "2026-01-05 10:00:00.000+0000", "state": "Stopped"}
    rows = [dict(good, id=f"GOOD{n:012d}") for n in range(5)]
    rows.append(dict(good, id="BAD0000000000006", mediaType="fax"))
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    url = new_sqlite("bad")
    result = run("import", str(path), "--batch-size", "2", "--database", url, expect=2)
    assert result.stderr.startswith("Error: line 6: mediaType: unknown value 'fax'")
    assert [i["id"] for i in lines(export(run, url))] == [f"GOOD{n:012d}" for n in range(4)]


def test_export_then_import_round_trips_byte_for_byte(
    run: Run, database_url: str, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    seed(run, database_url, n=600)
    contacts, interactions = tmp_path / "contacts.ndjson", tmp_path / "interactions.ndjson"
    run("export", "--contacts", "-o", str(contacts), "--database", database_url)
    run("export", "-o", str(interactions), "--database", database_url)
    copy = new_sqlite("copy")
    run("import", "--contacts", str(contacts), "--database", copy)
    run("import", str(interactions), "--batch-size", "97", "--database", copy)
    assert export(run, copy, "--contacts") == contacts.read_bytes()
    assert export(run, copy) == interactions.read_bytes()
    assert len(interactions.read_bytes().splitlines()) == 600


def test_import_twice_changes_nothing(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    source, target = new_sqlite("src"), new_sqlite("dst")
    seed(run, source, n=300)
    contacts, interactions = tmp_path / "c.ndjson", tmp_path / "i.ndjson"
    run("export", "--contacts", "-o", str(contacts), "--database", source)
    run("export", "-o", str(interactions), "--database", source)
    run("import", "--contacts", str(contacts), "--database", target)
    run("import", str(interactions), "--database", target)
    once = export(run, target)
    run("import", "--contacts", str(contacts), "--database", target)
    run("import", str(interactions), "--database", target)
    assert export(run, target) == once == interactions.read_bytes()


def test_the_export_is_the_full_wire_form_oldest_first(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    url = new_sqlite("full")
    seed(run, url, n=500)
    items = lines(export(run, url))
    assert len(items) == 500  # everything: not only the GWS default month
    starts = [i["startDate"] for i in items]
    assert starts == sorted(starts)
    by_media = {i["mediaType"]: i for i in items}
    assert set(by_media) >= {"call", "chat", "email", "workitem"}
    assert by_media["chat"]["messages"][0]["type"] == "ParticipantJoined"
    assert by_media["email"]["email"]["bodyAsPlainText"]
    assert by_media["call"]["externalId"] and by_media["call"]["phoneNumber"]
    assert any("SearchId" in i.get("customAttributes", {}) for i in items)
    ids = {i["id"] for i in items}
    replies = [i for i in items if "parentId" in i]
    assert replies and all(r["parentId"] in ids for r in replies)


def test_export_filters(run: Run, new_sqlite: Callable[[str], str]) -> None:
    url = new_sqlite("filters")
    seed(run, url, n=500)
    everything = lines(export(run, url))
    chats = lines(export(run, url, "--media-type", "chat", "--media-type", "email"))
    assert chats and {i["mediaType"] for i in chats} == {"chat", "email"}
    contact = everything[0]["contactId"]
    of_contact = lines(export(run, url, "--contact-id", contact))
    assert of_contact == [i for i in everything if i.get("contactId") == contact]
    window = lines(export(run, url, "--from", "2026-11-01", "--to", "2026-11-10"))
    assert window and all("2026-11-01" <= i["startDate"][:10] <= "2026-11-10" for i in window)
    bad = run("export", "--media-type", "fax", "--database", url, expect=2)
    assert "mediaType: unknown value 'fax'" in bad.stderr


def test_a_bad_line_is_named_and_its_batch_is_not_written(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_sqlite("bad")
    good = {"mediaType": "call", "startDate": "2026-01-05 10:00:00.000+0000", "state": "Stopped"}
    rows = [dict(good, id=f"GOOD{n:012d}") for n in range(3)]
    rows.append(dict(good, id="BAD0000000000004", mediaType="fax"))
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run("import", str(path), "--batch-size", "2", "--database", url, expect=2)
    assert result.stderr.startswith("Error: line 4: mediaType: unknown value 'fax'")
    assert "Traceback" not in result.output
    written = [i["id"] for i in lines(export(run, url))]
    assert written == ["GOOD000000000000", "GOOD000000000001"]  # batch 1 only


CALL = {"mediaType": "call", "startDate": "2026-01-05T10:00:00Z"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"mediaType": "call"', "line 2: body: malformed JSON"),
        (json.dumps({"mediaType": "call"}), "line 2: startDate: is required"),
        (json.dumps(dict(CALL, callDuration="x")), "line 2: callDuration: Expected `int"),
        (json.dumps(dict(CALL, contactId="NOPE")), "line 2: contactId: unknown contact 'NOPE'"),
        (json.dumps(dict(CALL, parentId="GHOST")), "line 2: parentId: interaction 'GHOST' not"),
    ],
)
def test_import_errors_name_the_line(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "in.ndjson"
    first = json.dumps(dict(CALL, id="OK00000000000001"))
    path.write_text(f"{first}\n{line}\n")
    result = run("import", str(path), "--database", new_sqlite("e"), expect=2)
    assert message in result.stderr


def test_import_reads_stdin_and_skips_blank_lines(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    url = new_sqlite("stdin")
    data = (
        '\n{"id": "IN00000000000001", "mediaType": "chat", "startDate": "2026-02-01T10:00:00Z"}\n\n'
    )
    result = run("import", "-", "--database", url, input=data)
    assert "Imported 1 interactions" in result.stderr
    assert [i["id"] for i in lines(export(run, url))] == ["IN00000000000001"]


def test_import_into_the_archive(run: Run, new_sqlite: Callable[[str], str]) -> None:
    url = new_sqlite("archive")
    data = '{"id": "AR00000000000001", "mediaType": "chat", "startDate": "2026-02-01T10:00:00Z"}\n'
    run("import", "-", "--source", "archive", "--database", url, input=data)
    assert export(run, url) == b""
    assert len(lines(export(run, url, "--source", "archive"))) == 1


def test_a_bad_contact_line_is_named(run: Run, new_sqlite: Callable[[str], str]) -> None:
    data = '{"id": "C1", "FirstName": "Ann"}\n{"id": "C2", "EmailAddress": [{"value": " "}]}\n'
    result = run("import", "--contacts", "-", "--database", new_sqlite("c"), input=data, expect=2)
    assert "line 2: EmailAddress: values must not be empty" in result.stderr


def test_contacts_export_refuses_interaction_filters(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    url = new_sqlite("cf")
    run("db", "upgrade", "--database", url)
    result = run("export", "--contacts", "--media-type", "chat", "--database", url, expect=2)
    assert "filters apply to interactions" in result.stderr


def test_export_to_a_missing_directory_is_a_clear_error(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_sqlite("dir")
    run("db", "upgrade", "--database", url)
    result = run("export", "-o", str(tmp_path / "no" / "such.ndjson"), "--database", url, expect=2)
    assert "No such file or directory" in result.stderr


def test_two_seeds_share_a_database(run: Run, new_sqlite: Callable[[str], str]) -> None:
    url = new_sqlite("two")
    seed(run, url, n=200, seed=1)
    seed(run, url, n=300, seed=2)
    assert len(lines(export(run, url))) == 500
