"""Persistence: the Store protocol and its SQLite and PostgreSQL implementations."""

from openucs.store.base import Store

__all__ = ["Store"]
