"""The error tree crosses process boundaries (import pipelines): every error pickles whole."""

from __future__ import annotations

import pickle

import pytest

from openucs import errors

EXAMPLES = [
    errors.OpenUcsError("boom"),
    errors.InvalidInput("mediaType", "unknown media type 'fax'"),
    errors.InvalidInput("contactId", "unknown contact 'X'", line=17),
    errors.MissingParameter("id", line=3),
    errors.OutOfRange("maxSize", "1001 is out of range (1-1000)"),
    errors.NotFound("interaction", "0001"),
    errors.Conflict("taken"),
    errors.PayloadTooLarge("body too large"),
    errors.Unauthenticated(),
    errors.LockedOut(retry_after=42),
    errors.PermissionDenied("no"),
    errors.StoreUnavailable("down"),
]


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_an_error_survives_pickling(error: errors.OpenUcsError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
