"""The library's version; part of every cache key, so a new version re-parses everything."""

__version__ = "0.1.0"
