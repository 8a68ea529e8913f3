"""Command line (also ``python -m reportlib``):

- ``reportlib build [--raw DIR] [--out DIR]``: raw reports → tidy tables;
- ``reportlib brief NOTEBOOK [-p KEY VALUE …] [-f params.yaml] [--out DIR]``: one HTML briefing.
"""

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
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: one per core; 0 = in this process, no time budget)",
    )
    build.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="run the per-file stages and reuse on a Dask cluster (tcp://scheduler:8786; "
        "pip install 'reportlib[dask]'); its workers must see --raw and --out",
    )
    build.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another build of the same --out to finish (default: fail at once)",
    )
    build.add_argument(
        "--keep",
        type=int,
        default=2,
        help="generations of the tables kept on disk, the published one included (default: 2)",
    )
    build.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="time budget of one file through all per-file stages (default: 120)",
    )
    brief = commands.add_parser(
        "brief",
        help="run a notebook with papermill and render an HTML briefing without code",
        description=(
            "Run NOTEBOOK (a path, or a short name such as 02 or town-briefing) with the given "
            "parameters and write an HTML briefing plus index.html into --out. Values are read "
            "as YAML, so -p years '[2022, 2023]' gives a list; a -f file may hold several."
        ),
    )
    brief.add_argument("notebook")
    brief.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="a parameter (repeatable)",
    )
    brief.add_argument("-f", "--parameters-file", help="YAML file of parameters")
    brief.add_argument("--out", default="briefings", help="output folder (default: briefings)")
    brief.add_argument(
        "--trust",
        action="store_true",
        help="run a notebook from outside the suite's notebooks/ folder (it runs its code)",
    )
    return parser


def _brief_parameters(arguments: argparse.Namespace) -> dict[str, object]:
    import yaml

    parameters: dict[str, object] = {}
    if arguments.parameters_file:
        with open(arguments.parameters_file, encoding="utf-8") as stream:
            loaded = yaml.safe_load(stream) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{arguments.parameters_file}: expected a mapping of parameters")
        parameters.update(loaded)
    for key, value in arguments.parameter:
        # YAML reads 2023 as a number and [a, b] as a list; a bare name stays a string
        parameters[key] = yaml.safe_load(value) if value.strip() else value
    return parameters


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``reportlib`` console script."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "build":
        import logging
        from dataclasses import replace
        from pathlib import Path

        from reportlib.errors import BuildLockedError
        from reportlib.limits import DEFAULT_LIMITS
        from reportlib.pipeline import build, summarize

        if not Path(arguments.raw).exists():
            print(f"reportlib build: raw folder {arguments.raw!r} does not exist", file=sys.stderr)
            return 2
        # the waiting message, and what an interrupted build left, go to stderr
        logging.basicConfig(level=logging.INFO, format="reportlib build: %(message)s")
        limits = DEFAULT_LIMITS
        if arguments.max_seconds is not None:
            limits = replace(limits, max_seconds=arguments.max_seconds)
        executor = None
        if arguments.dask:
            from reportlib.executors import DaskExecutor

            executor = DaskExecutor(address=arguments.dask)
        try:
            result = build(
                arguments.raw,
                arguments.out,
                progress=not arguments.no_progress,
                use_cache=not arguments.no_cache,
                workers=arguments.workers,
                limits=limits,
                keep=arguments.keep,
                wait=arguments.wait,
                executor=executor,
            )
        except BuildLockedError as error:
            print(f"reportlib build: {error}", file=sys.stderr)
            return 3
        print(summarize(result))
    elif arguments.command == "brief":
        from reportlib.briefings import render_briefing
        from reportlib.errors import ReportlibError

        try:
            path = render_briefing(
                arguments.notebook,
                _brief_parameters(arguments),
                out_dir=arguments.out,
                trusted=arguments.trust,
            )
        except (ReportlibError, ValueError, OSError) as error:
            print(f"reportlib brief: {error}", file=sys.stderr)
            return 2
        print(path)
    return 0
