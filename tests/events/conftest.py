import os

import pytest


@pytest.fixture
def postgres_url() -> str:
    """The test PostgreSQL server (OPENUCS_TEST_POSTGRES_URL); skipped when unset. When set,
    an unreachable server fails the test (CI sets it)."""
    url = os.environ.get("OPENUCS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("OPENUCS_TEST_POSTGRES_URL is not set")
    return url
