"""Deterministic demo data: `DemoData(DemoPlan(interactions=N, seed=S))` yields contacts, then
interactions of every media type; `openucs seed` and `openucs serve --demo` load it."""

from openucs.demo.generator import DemoBatches, DemoData, DemoPlan

__all__ = ["DemoBatches", "DemoData", "DemoPlan"]
