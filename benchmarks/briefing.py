"""Time one town briefing on the built-in sample: the whole render, and reportlib's share.

Usage: ``python benchmarks/briefing.py [--entity 友谊路街道]`` (or ``make benchmark``). Builds
the sample into a scratch folder, then:

- renders ``02-town-briefing`` with ``reportlib brief``'s function (kernel start, papermill,
  nbconvert), best of three;
- runs, in this process, the reportlib calls that notebook makes (loading the tables, choosing
  the report and its peers, parts, indicators, keyness, word-cloud counts, changes since the
  previous report), best of three.

- times ``import reportlib`` in a fresh interpreter, best of three.

Targets (issue 15): the briefing in at most 5 s (kernel start included), reportlib's work in
at most 1 s, ``import reportlib`` in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import best_of  # benchmarks/timing.py, next to this script

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entity", default="友谊路街道")
    arguments = parser.parse_args()

    from reportlib import analysis, build, plotting
    from reportlib.briefings import render_briefing

    scratch = Path(tempfile.mkdtemp())
    data = scratch / "processed"
    build(ROOT / "data" / "raw", data, progress=False)
    entity = arguments.entity

    def reportlib_work() -> None:
        tables = analysis.load_tables(data)
        report = analysis.select_report(tables.documents, entity=entity)
        peers, _ = analysis.peers_of(tables.documents, report)
        analysis.part_profile(tables.sections, report["doc_id"])
        analysis.measures_against_peers(tables.indicators, report, peers)
        counts = tables.counts()
        analysis.distinctive_words(counts, report, peers)
        words = analysis.drop_own_names(counts[counts["doc_id"] == report["doc_id"]], report)
        plotting.word_cloud(words.set_index("term")["count"].head(80), width=900, height=380)
        previous = analysis.previous_report(tables.documents, report)
        if previous is not None:
            analysis.changes_since(tables, report, previous)

    work = best_of(reportlib_work)
    whole = best_of(
        lambda: render_briefing(
            "02", {"entity": entity, "data_dir": str(data)}, out_dir=scratch / "briefings"
        )
    )
    importing = best_of(
        lambda: subprocess.run([sys.executable, "-c", "import reportlib"], check=True)
    )
    started = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(f"machine: {platform.machine()}  python {platform.python_version()}; sample: {data}")
    print(f"town briefing ({entity}), whole render:  {whole:6.2f} s  (target ≤ 5 s)")
    print(f"  reportlib work in it:                {work:6.2f} s  (target ≤ 1 s)")
    print(f"  kernel, imports, charts, nbconvert:  {whole - work:6.2f} s")
    print(f"import reportlib:                      {importing - started:6.2f} s  (target ≤ 0.5 s)")


if __name__ == "__main__":
    main()
