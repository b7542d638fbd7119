"""Driver exceptions -> the OpenUCS error tree. Nothing from SQLAlchemy or a driver escapes a
store method: every public method runs inside `translated()`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from openucs.errors import Conflict, InvalidInput, OpenUcsError, StoreError, StoreUnavailable

IntegrityHandler = Callable[[exc.IntegrityError], OpenUcsError]


def driver_message(error: exc.SQLAlchemyError) -> str:
    """The driver's own message (first line), without the SQL statement and parameters."""
    orig = getattr(error, "orig", None)
    text = str(orig if orig is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def constraint_name(error: exc.IntegrityError) -> str | None:
    """The violated constraint's name where the driver reports it (PostgreSQL)."""
    diag = getattr(error.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else None


def is_foreign_key_violation(error: exc.IntegrityError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate == "23503" or "FOREIGN KEY constraint failed" in driver_message(error)


def is_unique_violation(error: exc.IntegrityError, table: str) -> bool:
    """A primary key or unique constraint of `table` refused a row."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == "23505":
        name = constraint_name(error) or ""
        return name.startswith((f"pk_{table}", f"uq_{table}", f"{table}_pkey"))
    return f"UNIQUE constraint failed: {table}." in driver_message(error)


def _is_missing_schema(error: exc.DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate == "42P01" or "no such table" in driver_message(error)


def _default_integrity(error: exc.IntegrityError) -> OpenUcsError:
    return Conflict(f"the change conflicts with stored data ({driver_message(error)})")


@contextmanager
def translated(on_integrity: IntegrityHandler | None = None) -> Iterator[None]:
    """Run a block, turning SQLAlchemy/driver errors into OpenUCS errors."""
    try:
        yield
    except exc.IntegrityError as error:
        raise (on_integrity or _default_integrity)(error) from error
    except exc.DBAPIError as error:
        raise _dbapi_error(error) from error
    except (exc.TimeoutError, exc.DisconnectionError) as error:
        raise StoreUnavailable(f"database unavailable: {error}") from error
    except exc.SQLAlchemyError as error:
        raise StoreError(f"database error: {driver_message(error)}") from error


def _dbapi_error(error: exc.DBAPIError) -> OpenUcsError:
    if _is_missing_schema(error):
        return StoreUnavailable("the database has no OpenUCS schema: run `openucs db upgrade`")
    if isinstance(error, exc.DataError):
        return InvalidInput("", f"value rejected by the database: {driver_message(error)}")
    if isinstance(error, exc.OperationalError | exc.InterfaceError) or error.connection_invalidated:
        return StoreUnavailable(f"database unavailable: {driver_message(error)}")
    return StoreError(f"database error: {driver_message(error)}")
