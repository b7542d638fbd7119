"""The command runner of the CLI tests (`run`), for the tests that start real servers."""

from tests.cli.conftest import run

__all__ = ["run"]
