"""Command line: ``reportlib build [--raw DIR] [--out DIR]`` (also ``python -m reportlib``)."""

from __future__ import annotations

import argparse
import sys

from reportlib.version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportlib",
        description="Analytics for 法治政府建设年度报告: build tidy tables from raw report files.",
    )
    parser.add_argument("--version", action="version", version=f"reportlib {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="read data/raw and write data/processed/*.parquet")
    build.add_argument(
        "--raw", default="data/raw", help="folder of raw reports (default: data/raw)"
    )
    build.add_argument(
        "--out", default="data/processed", help="output folder (default: data/processed)"
    )
    build.add_argument("--no-cache", action="store_true", help="re-parse every file")
    build.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    build.add_argument(
        "--workers", type=int, default=None, help="parsing processes (default: one per core)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``reportlib`` console script."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "build":
        from pathlib import Path

        from reportlib.store import build, summarize

        if not Path(arguments.raw).exists():
            print(f"reportlib build: raw folder {arguments.raw!r} does not exist", file=sys.stderr)
            return 2
        result = build(
            arguments.raw,
            arguments.out,
            progress=not arguments.no_progress,
            use_cache=not arguments.no_cache,
            workers=arguments.workers,
        )
        print(summarize(result))
    return 0
