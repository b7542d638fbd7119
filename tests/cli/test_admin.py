"""db upgrade, users add/list/passwd, the error rule and the default command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from openucs.cli import cli
from openucs.services.users import Authenticator
from openucs.store import open_store
from tests.cli.conftest import Run


def test_db_upgrade_creates_the_database(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_sqlite("fresh")
    result = run("db", "upgrade", "--database", url)
    assert "newest schema" in result.stdout
    assert (tmp_path / "fresh.db").exists()
    run("db", "upgrade", "--database", url)  # again: nothing to do


def test_users_add_reads_the_password_from_stdin(run: Run, database_url: str) -> None:
    result = run(
        "users", "add", "alice", "--role", "admin", "--first-name", "Alice", "--last-name",
        "Adams", "--password-stdin", "--database", database_url, input="a-long-password\n",
    )  # fmt: skip
    assert "Added alice" in result.stdout
    store = open_store(database_url)
    try:
        user = Authenticator(store).basic("alice", "a-long-password")
        assert (user.first_name, user.last_name, user.is_admin) == ("Alice", "Adams", True)
    finally:
        store.close()


def test_users_list_shows_logins_and_with_all_also_owners(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    url = new_sqlite("users")
    run("seed", "-n", "20", "--agents", "3", "--now", "2026-11-25", "--database", url)
    run("users", "add", "bob", "--role", "supervisor", "--role", "agent",
        "--password-stdin", "--database", url, input="bob-password\n")  # fmt: skip
    logins = run("users", "list", "--database", url).stdout
    assert "bob" in logins and "agent,supervisor" in logins
    assert "agent001" not in logins
    everyone = run("users", "list", "--all", "--database", url).stdout
    assert "agent001" in everyone and "agent003" in everyone


def test_users_passwd_changes_the_password_and_keeps_the_roles(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    url = new_sqlite("pw")
    run("users", "add", "carol", "--role", "supervisor", "--password-stdin",
        "--database", url, input="first-password\n")  # fmt: skip
    run("users", "passwd", "carol", "--password-stdin", "--database", url, input="second-pass\n")
    store = open_store(url)
    try:
        user = Authenticator(store).basic("carol", "second-pass")
        assert user.reads_everything and not user.is_admin
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "dan", "--role", "agent", "--password-stdin"], "short\n", "at least 8"),
        (["users", "add", "dan", "--role", "agent", "--password-stdin"], "", "no password"),
        (["users", "add", "dan", "--role", "agent"], "", "--password-stdin"),
        (["users", "passwd", "nobody", "--password-stdin"], "long-enough\n", "not found"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    run: Run, new_sqlite: Callable[[str], str], args: list[str], stdin: str, message: str
) -> None:
    url = new_sqlite("errors")
    run("db", "upgrade", "--database", url)
    result = run(*args, "--database", url, input=stdin, expect=2)
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_duplicate_login_is_a_conflict(run: Run, new_sqlite: Callable[[str], str]) -> None:
    url = new_sqlite("dup")
    args = ("users", "add", "erin", "--role", "agent", "--password-stdin", "--database", url)
    run(*args, input="erin-password\n")
    assert "already exists" in run(*args, input="erin-password\n", expect=2).stderr


def test_reading_a_missing_sqlite_file_is_an_error_not_a_new_file(
    run: Run, new_sqlite: Callable[[str], str], tmp_path: Path
) -> None:
    result = run("users", "list", "--database", new_sqlite("missing"), expect=2)
    assert "not found" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_an_unsupported_database_url_is_an_error(run: Run) -> None:
    result = run("db", "upgrade", "--database", "mysql://x@localhost/db", expect=2)
    assert "unsupported database" in result.stderr


def test_a_bad_environment_setting_is_an_error(new_sqlite: Callable[[str], str]) -> None:
    runner = CliRunner(env={"OPENUCS_PORT": "eighty"})
    bad = runner.invoke(cli, ["db", "upgrade", "--database", new_sqlite("env")])
    assert bad.exit_code == 2
    assert "OPENUCS_PORT" in bad.stderr


def test_no_command_serves(
    run: Run, new_sqlite: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, object] = {}

    def fake_run(app: object, **kwargs: object) -> None:  # the socket is the outside world
        served.update(kwargs, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    url = new_sqlite("default")
    result = run("--database", url, "--port", "8765")
    assert served["port"] == 8765 and served["host"] == "127.0.0.1"
    assert "http://127.0.0.1:8765/api/v2" in result.stdout


def test_options_of_serve_before_another_command_are_refused(
    run: Run, new_sqlite: Callable[[str], str]
) -> None:
    result = run("--database", new_sqlite("x"), "users", "list", expect=2)
    assert "after the command" in result.stderr
