"""Shared fixtures: a fresh, upgraded database per test on every engine.

`database_url` and `store` are parametrized over "sqlite" (a new file in tmp_path) and
"postgres" (a new schema, dropped afterwards, in the database named by
OPENUCS_TEST_POSTGRES_URL). Without that variable the postgres cases are skipped; with it, an
unreachable server is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from openucs.store import Store, open_store
from tests.factories import reset_serial

POSTGRES_ENV = "OPENUCS_TEST_POSTGRES_URL"
# The servers that tests start run one worker unless a test asks for more (tests/events/
# test_workers.py, tests/cli/test_serve_workers.py): the default, one per core, makes every
# process test start and stop several interpreters.
os.environ.setdefault("OPENUCS_WORKERS", "1")


@pytest.fixture(autouse=True)
def _fresh_factory_serial() -> None:
    """Factory-made times depend on a counter; restart it so no test depends on test order."""
    reset_serial()


ENGINES = ["sqlite", "postgres"]


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _libpq_url(url: str) -> str:
    """The URL without a SQLAlchemy driver suffix (`postgresql+psycopg` -> `postgresql`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _fresh_sqlite(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'openucs.db'}"


@contextmanager
def _fresh_postgres() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    admin_url = _libpq_url(base)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _fresh(engine: str, tmp_path: Path) -> AbstractContextManager[str]:
    return _fresh_sqlite(tmp_path) if engine == "sqlite" else _fresh_postgres()


@pytest.fixture(params=ENGINES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database without any table (for migration tests)."""
    with _fresh(request.param, tmp_path) as url:
        yield url


@contextmanager
def _upgraded(engine: str, tmp_path: Path) -> Iterator[str]:
    with _fresh(engine, tmp_path) as url:
        store = open_store(url)
        try:
            store.upgrade()
        finally:
            store.close()
        yield url


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database upgraded to the newest schema revision."""
    with _upgraded(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """`database_url` on SQLite only, for what only SQLite has (FTS5, its files)."""
    with _upgraded("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """`database_url` on PostgreSQL only."""
    with _upgraded("postgres", tmp_path) as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An open store on a fresh, upgraded database; closed after the test."""
    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.close()
