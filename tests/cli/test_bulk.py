"""seed, import and export through the command line, on real databases."""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Callable
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
    """The interactions of an export (the contact lines at its head left out)."""
    return [item for item in map(json.loads, raw.splitlines()) if "contact" not in item]


def contact_entries(raw: bytes) -> list[dict[str, Any]]:
    return [item["contact"] for item in map(json.loads, raw.splitlines()) if "contact" in item]


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


def spy_on_contexts() -> Callable[..., Any]:
    """multiprocessing.get_context, noting which kind of process the code under test asks for."""
    STARTED.clear()
    real = multiprocessing.get_context

    def get_context(method: str | None = None) -> Any:
        STARTED.append(method)
        return real(method)

    return get_context


def test_a_large_file_is_decoded_in_a_second_process(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = new_sqlite("src"), new_sqlite("dst")
    seed(run, source, n=500)
    interactions = tmp_path / "i.ndjson"
    run("export", "-o", str(interactions), "--database", source)
    monkeypatch.setattr(pipeline, "WORTH_A_PROCESS_BYTES", 1000)
    monkeypatch.setattr(multiprocessing, "get_context", spy_on_contexts())
    result = run("import", str(interactions), "--batch-size", "64", "--database", target)
    assert "Imported 50 contacts" in result.stderr
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
    run: Run, two_database_urls: tuple[str, str], tmp_path: Path
) -> None:
    source, database_url = two_database_urls
    seed(run, source, n=600)
    run("users", "add", "lonely", "--role", "agent", "--password-stdin", "--database", source,
        input="lonely-password\n")  # fmt: skip
    history = tmp_path / "history.ndjson"
    result = run("export", "-o", str(history), "--database", source)
    assert result.stderr == "Exported 60 contacts and 600 interactions\n"
    # Into an empty database (either engine), with no flag and no contacts file first.
    imported = run("import", str(history), "--batch-size", "97", "--database", database_url)
    assert "Imported 60 contacts" in imported.stderr
    assert "Imported 600 interactions" in imported.stderr
    assert export(run, database_url) == history.read_bytes()
    assert export(run, database_url, "--contacts") == export(run, source, "--contacts")
    raw = history.read_bytes().splitlines()
    assert all(line.startswith(b'{"contact":') for line in raw[:60])
    assert len(contact_entries(history.read_bytes())) == 60 and len(raw) == 660


def test_a_filtered_export_carries_the_contacts_it_names(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    source, target = new_sqlite("source"), new_sqlite("target")
    seed(run, source, n=400)
    chats = export(run, source, "--media-type", "chat")
    named = {i["contactId"] for i in lines(chats) if "contactId" in i}
    assert named and [c["id"] for c in contact_entries(chats)] == sorted(named)
    run("import", "-", "--database", target, input=chats)
    assert export(run, target) == chats


def test_an_interactions_only_export_needs_its_contacts_first(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    source, target = new_sqlite("source"), new_sqlite("target")
    seed(run, source, n=100)
    bare = export(run, source, "--without-contacts")
    assert contact_entries(bare) == [] and len(lines(bare)) == 100
    refused = run("import", "-", "--database", target, input=bare, expect=2)
    assert re.match(r"Error: line \d+: contactId: unknown contact", refused.stderr)
    run("import", "--contacts", "-", "--database", target, input=export(run, source, "--contacts"))
    run("import", "-", "--database", target, input=bare)
    assert export(run, target) == export(run, source)


def test_an_error_after_the_contacts_names_its_line_in_the_file(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    source, target = new_sqlite("source"), new_sqlite("target")
    seed(run, source, n=30)
    raw = export(run, source).splitlines()
    broken = b"\n".join([*raw[:10], b"", raw[10].replace(b'"mediaType":"', b'"mediaType":"x')])
    result = run("import", "-", "--database", target, input=broken + b"\n", expect=2)
    assert "\nError: line 12: mediaType: unknown value" in result.stderr
    late = b"\n".join([*raw[10:12], raw[0]]) + b"\n"  # a contact line after interactions
    result = run("import", "-", "--database", target, input=late, expect=2)
    assert "line 3: contact: contact lines come before the interactions" in result.stderr


def test_import_twice_changes_nothing(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    source, target = new_sqlite("src"), new_sqlite("dst")
    seed(run, source, n=300)
    interactions = tmp_path / "i.ndjson"
    run("export", "-o", str(interactions), "--database", source)
    run("import", str(interactions), "--database", target)
    once = export(run, target)
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


def test_export_takes_the_owner_by_name_or_id(run: Run, new_sqlite: Callable[[str], str]) -> None:
    url = new_sqlite("owner")
    seed(run, url, n=300)
    everything = lines(export(run, url))
    owner = next(i["ownerInformation"] for i in everything if "ownerInformation" in i)
    by_name = lines(export(run, url, "--user-id", owner["userName"]))
    by_id = lines(export(run, url, "--user-id", owner["id"]))
    theirs = [i for i in everything if i.get("ownerInformation", {}).get("id") == owner["id"]]
    assert theirs and by_name == by_id == theirs


@pytest.mark.parametrize("user", ["agent999", "0123456789abcdef0123456789abcdef", ""])
def test_export_of_an_unknown_owner_is_an_error(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path, user: str
) -> None:
    url = new_sqlite("nobody")
    seed(run, url, n=50)
    target = tmp_path / "out.ndjson"
    result = run("export", "--user-id", user, "-o", str(target), "--database", url, expect=2)
    assert result.stderr == f"Error: user {user!r} not found\n"
    assert not target.exists() and list(tmp_path.glob("*.partial")) == []


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


def test_a_large_seed_or_import_refreshes_the_planner_statistics(
    run: Run, new_sqlite: Callable[[str], str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sqlite3

    from openucs.cli import data

    def statistics(url: str) -> int:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            found = db.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if found.fetchone() is None:
                return 0
            return int(db.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0])

    small, large, imported = new_sqlite("small"), new_sqlite("large"), new_sqlite("imported")
    monkeypatch.setattr(data, "ANALYZE_AFTER", 300)
    seed(run, small, n=200)
    seed(run, large, n=300)
    assert statistics(small) == 0
    assert statistics(large) > 0
    dump = tmp_path / "dump.ndjson"
    dump.write_bytes(export(run, large))
    run("import", str(dump), "--database", imported)
    assert statistics(imported) > 0
