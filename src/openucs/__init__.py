"""OpenUCS: an open interaction history server, wire-compatible with GWS 8.5 UCS history."""

__version__ = "0.1.0"

__all__ = ["__version__"]
