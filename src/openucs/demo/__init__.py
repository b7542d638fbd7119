"""Deterministic demo data: `DemoData(DemoPlan(interactions=N, seed=S))` yields contacts, then
interactions of every media type; `openucs seed` and `openucs serve --demo` load it."""

from openucs.demo.generator import DemoData, DemoPlan

__all__ = ["DemoData", "DemoPlan"]
