"""Persistence: the Store protocol and its SQLite and PostgreSQL implementations."""

from openucs.store.base import Store
from openucs.store.factory import open_store

__all__ = ["Store", "open_store"]
