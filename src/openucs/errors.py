"""The OpenUCS error tree. No HTTP and no SQL here: `api/errors.py` maps these to the wire.

OpenUcsError                 code "error"
├── InvalidInput             code "invalid"      (field, problem, optional line)
│   ├── MissingParameter     code "missing"
│   └── OutOfRange           code "out_of_range"
├── NotFound                 code "not_found"    (what, key)
├── Conflict                 code "conflict"
├── Gone                     code "gone"         (oldest: what is still there)
├── PayloadTooLarge          code "too_large"
├── Unauthenticated          code "unauthenticated"
│   └── LockedOut            (too many failed password checks: refused for a while)
├── PermissionDenied         code "forbidden"
└── StoreError               code "store"
    └── StoreUnavailable     code "store_unavailable"
"""

from __future__ import annotations

from typing import Any


class OpenUcsError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(OpenUcsError):
    """A request value is wrong. `field` names it; `line` is set for bulk uploads."""

    code = "invalid"

    def __init__(self, field: str, problem: str, *, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{field}: {problem}" if field else f"{where}{problem}")
        self.field = field
        self.problem = problem
        self.line = line

    def at_line(self, line: int) -> InvalidInput:
        """The same error, located on a line of a bulk upload."""
        return type(self)(self.field, self.problem, line=line)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by its fields (import pipelines send errors between processes).
        return (_rebuild_invalid, (type(self), self.field, self.problem, self.line))


def _rebuild_invalid(
    cls: type[InvalidInput], field: str, problem: str, line: int | None
) -> InvalidInput:
    return cls(field, problem, line=line)


class MissingParameter(InvalidInput):
    code = "missing"

    def __init__(self, field: str, problem: str = "is required", *, line: int | None = None):
        super().__init__(field, problem, line=line)


class OutOfRange(InvalidInput):
    code = "out_of_range"


class NotFound(OpenUcsError):
    code = "not_found"

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} {key!r} not found")
        self.what = what
        self.key = key

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.what, self.key))


class Conflict(OpenUcsError):
    code = "conflict"


class Gone(OpenUcsError):
    """What was asked for is past the retention; `oldest` is the oldest seq still kept."""

    code = "gone"

    def __init__(self, message: str, *, oldest: int) -> None:
        super().__init__(message)
        self.oldest = oldest

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_gone, (self.message, self.oldest))


def _rebuild_gone(message: str, oldest: int) -> Gone:
    return Gone(message, oldest=oldest)


class PayloadTooLarge(OpenUcsError):
    code = "too_large"


class Unauthenticated(OpenUcsError):
    code = "unauthenticated"

    def __init__(self, message: str = "Access denied") -> None:
        super().__init__(message)


class LockedOut(Unauthenticated):
    """Credentials refused without a check: too many failed ones for this user name lately.
    The API answers as for wrong credentials; the web form can say why."""

    def __init__(self, message: str = "Access denied", *, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_locked_out, (self.message, self.retry_after))


def _rebuild_locked_out(message: str, retry_after: int) -> LockedOut:
    return LockedOut(message, retry_after=retry_after)


class PermissionDenied(OpenUcsError):
    code = "forbidden"


class StoreError(OpenUcsError):
    code = "store"


class StoreUnavailable(StoreError):
    code = "store_unavailable"
