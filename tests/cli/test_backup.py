"""`openucs backup`: a consistent copy of a live SQLite database, its write-ahead log included;
PostgreSQL is pointed at pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from openucs.domain.enums import Role
from openucs.services.users import Authenticator, add_user
from openucs.store import open_store
from tests.cli.conftest import NOW, Run


def _logins(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT user_name FROM users WHERE password_hash IS NOT NULL")
        return {name for (name,) in rows}


def test_a_live_database_is_copied_with_its_log_and_without_open_transactions(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_sqlite("live")
    live = tmp_path / "live.db"
    run("seed", "-n", "200", "--now", NOW, "--database", url)
    store = open_store(url)  # the running server: its connections stay open
    try:
        for name in ("recent1", "recent2"):
            add_user(
                store=store, user_name=name, roles=frozenset({Role.AGENT}), password="pw-12345678"
            )
        writer = sqlite3.connect(live, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET user_name = 'renamed' WHERE user_name = 'recent1'")
        # The new logins are only in the log: a copy of the main file alone has lost them.
        assert Path(f"{live}-wal").stat().st_size > 0
        shutil.copyfile(live, tmp_path / "cp.db")
        assert "recent1" not in _logins(tmp_path / "cp.db")

        result = run("backup", str(tmp_path / "backup.db"), "--database", url)
        writer.execute("ROLLBACK")
        writer.close()
    finally:
        store.close()
    assert "Backed up" in result.stdout
    assert _logins(tmp_path / "backup.db") == {"recent1", "recent2"}  # committed, not the open one
    assert not Path(f"{tmp_path / 'backup.db'}-wal").exists()
    copy = open_store(f"sqlite:///{tmp_path / 'backup.db'}")
    try:
        assert copy.count_interactions() == 200
        assert Authenticator(copy).basic("recent2", "pw-12345678").user_name == "recent2"
    finally:
        copy.close()


def test_backup_refuses_to_overwrite_a_file(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_sqlite("db")
    run("db", "upgrade", "--database", url)
    target = tmp_path / "taken.db"
    target.write_bytes(b"precious")
    result = run("backup", str(target), "--database", url, expect=2)
    assert "exists" in result.stderr
    assert target.read_bytes() == b"precious"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://openucs:secret@db.example.com/openucs", "pg_dump --format=custom"),
        ("sqlite:///{tmp}/missing.db", "not found"),
        ("sqlite:///:memory:", "nothing to back up"),
    ],
)
def test_backup_of_what_it_cannot_copy_is_an_error(
    run: Run, tmp_path: Path, url: str, message: str
) -> None:
    target = tmp_path / "backup.db"
    result = run("backup", str(target), "--database", url.format(tmp=tmp_path), expect=2)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()
