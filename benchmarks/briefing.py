"""Time one town briefing on the built-in sample: the whole render, and reportlib's share.

Usage: ``python benchmarks/briefing.py [--entity 友谊路街道] [--data BUILD --data-entity 镇名]``
(or ``make benchmark``). Builds the sample into a scratch folder, then:

- renders ``02-town-briefing`` with ``reportlib brief``'s function (kernel start, papermill,
  nbconvert), best of three, with the kernel's peak RSS (sampled every 20 ms);
- runs, in this process, the reportlib calls that notebook makes (loading the tables, choosing
  the report and its peers, parts, indicators, keyness, word-cloud counts, changes since the
  previous report), best of three;
- times ``import reportlib`` in a fresh interpreter, best of three;
- with ``--data``, a build of a large corpus (``benchmarks/scale.py`` writes them), renders the
  same briefing there for ``--data-entity`` (default: the town with the most reports) and
  prints its time as a ratio to the sample's, and its kernel's peak RSS.

Targets: the briefing in at most 5 s (kernel start included), reportlib's work in at most
1 s, ``import reportlib`` in at most 0.5 s (issue 15); on a 200 MB build, at most twice the
sample's time with the kernel under 1 GB (issue 16).
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from timing import best_of  # benchmarks/timing.py, next to this script

ROOT = Path(__file__).resolve().parent.parent


class ChildPeak:
    """The largest RSS any child process of this one (the notebook's kernel) reaches."""

    def __init__(self, interval: float = 0.02):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._thread.start()

    def _sample(self, interval: float) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    self.peak = max(self.peak, child.memory_info().rss)
            time.sleep(interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def render(data: Path, entity: str, out: Path) -> tuple[float, int]:
    """Best of three renders of the town briefing, and the kernel's peak RSS over them."""
    from reportlib.briefings import render_briefing

    peak = ChildPeak()
    seconds = best_of(
        lambda: render_briefing("02", {"entity": entity, "data_dir": str(data)}, out_dir=out)
    )
    return seconds, peak.stop()


def busiest_town(data: Path) -> str:
    from reportlib import analysis

    catalog = analysis.load_tables(data).catalog
    towns = catalog[(catalog["level"] == "镇") & (catalog["parent"] != "")]
    return towns["entity"].value_counts().index[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entity", default="友谊路街道")
    parser.add_argument("--data", type=Path, help="a large build to brief on as well")
    parser.add_argument("--data-entity", help="the town to brief on in --data")
    arguments = parser.parse_args()

    from reportlib import analysis, build, plotting

    scratch = Path(tempfile.mkdtemp())
    data = scratch / "processed"
    build(ROOT / "data" / "raw", data, progress=False)
    entity = arguments.entity

    def reportlib_work() -> None:  # the notebook's calls, in its order
        tables = analysis.load_tables(data)
        report = analysis.select_report(tables.catalog, entity=entity)
        peers, _ = analysis.peers_of(tables.catalog, report)
        previous = analysis.previous_report(tables.catalog, report)
        local = tables.subset(
            [
                report["doc_id"],
                *peers["doc_id"],
                *([] if previous is None else [previous["doc_id"]]),
            ]
        )
        analysis.part_profile(local.sections, report["doc_id"])
        analysis.measures_against_peers(local.indicators, report, peers)
        counts = local.counts()
        analysis.distinctive_words(counts, report, peers)
        words = analysis.drop_own_names(counts[counts["doc_id"] == report["doc_id"]], report)
        plotting.word_cloud(words.set_index("term")["count"].head(80), width=900, height=380)
        if previous is not None:
            analysis.changes_since(local, report, previous)

    work = best_of(reportlib_work)
    whole, kernel = render(data, entity, scratch / "briefings")
    importing = best_of(
        lambda: subprocess.run([sys.executable, "-c", "import reportlib"], check=True)
    )
    started = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(f"machine: {platform.machine()}  python {platform.python_version()}; sample: {data}")
    print(f"town briefing ({entity}), whole render:  {whole:6.2f} s  (target ≤ 5 s)")
    print(f"  reportlib work in it:                {work:6.2f} s  (target ≤ 1 s)")
    print(f"  kernel, imports, charts, nbconvert:  {whole - work:6.2f} s")
    print(f"import reportlib:                      {importing - started:6.2f} s  (target ≤ 0.5 s)")
    print(f"  kernel peak RSS:                     {kernel / 1e9:6.2f} GB")
    if arguments.data:
        town = arguments.data_entity or busiest_town(arguments.data)
        documents = analysis.load_tables(arguments.data).catalog
        big, big_kernel = render(arguments.data, town, scratch / "big")
        print(
            f"town briefing ({town}) on {arguments.data} ({len(documents):,} reports): "
            f"{big:6.2f} s = {big / whole:.2f}× the sample's (target ≤ 2×); "
            f"kernel peak RSS {big_kernel / 1e9:.2f} GB (target ≤ 1 GB)"
        )


if __name__ == "__main__":
    main()
