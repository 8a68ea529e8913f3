"""Builds as transactions: what they cost cold, unchanged, after a 1 % change, and in memory.

Usage::

    python benchmarks/store.py [--megabytes 50 100 200] [--reference DIR] [--report-mb 20]

For each size the sample is replicated (``benchmarks/build.py``'s ``replicate``: every copy
has its own sha256) and built in a fresh process three times: cold, again unchanged, and
after changing 1 % of the files. Each run prints wall time, the ratio to rjieba cutting the
same text in the same run (the suite's baseline), and the peak RSS of the build process and
of its largest worker (``ru_maxrss``), so memory that grows with the number of files shows. (A worker's figure is
``ru_maxrss``, which starts from the build process's peak when the worker was started.)

``--reference DIR`` runs the same builds with the reportlib found in DIR (for example a
``git worktree`` of an earlier commit), in the same run, so the two can be compared as
ratios. ``--report-mb`` also builds one report of that many MB made of a sample page
repeated (the hostile case of a highly repetitive report).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import replicate
from timing import best_of

ROOT = Path(__file__).resolve().parent.parent

# VmHWM, not ru_maxrss: a child's ru_maxrss starts from its parent's peak at fork time (Linux
# keeps it across exec), so it would report this script's own memory
_RUN = """
import json, resource, sys, time
from reportlib import build
started = time.perf_counter()
result = build(sys.argv[1], sys.argv[2], progress=False)
seconds = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({
    "seconds": seconds,
    "parsed": result.n_parsed,
    "main_rss_mb": peak / 1024,
    "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def run_build(raw: Path, out: Path, *, code: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(raw), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=code,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def rjieba_seconds(raw: Path) -> float:
    import rjieba

    texts = [path.read_text(encoding="utf-8") for path in sorted(raw.rglob("*.txt"))]
    return best_of(lambda: [rjieba.cut(text) for text in texts], repeats=2)


def change_one_percent(raw: Path) -> int:
    files = sorted(raw.rglob("*.txt"))[::100]
    for path in files:
        path.write_bytes(path.read_bytes() + "\n（修改）\n".encode())
    return len(files)


def line(label: str, run: dict, baseline: float) -> str:
    return (
        f"  {label:<22} {run['seconds']:7.2f} s  = {run['seconds'] / baseline:5.1f}× rjieba  "
        f"parsed {run['parsed']:>6}  peak RSS main {run['main_rss_mb']:6.0f} MB, "
        f"largest worker {run['worker_rss_mb']:6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, nargs="+", default=[50.0, 100.0])
    parser.add_argument("--reference", type=Path, help="a folder holding another reportlib")
    parser.add_argument("--report-mb", type=float, default=0.0)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work" / "store")
    arguments = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    codes = {"this": ROOT}
    if arguments.reference:
        codes["reference"] = arguments.reference.resolve()
    for megabytes in arguments.megabytes:
        raw = arguments.work / "raw"
        n_files, n_bytes = replicate(megabytes, raw)
        baseline = rjieba_seconds(raw)
        print(
            f"\n{n_files} files, {n_bytes / 1e6:.1f} MB; rjieba cuts the same text in "
            f"{baseline:.2f} s"
        )
        for name, code in codes.items():
            replicate(megabytes, raw)  # the same files for every code
            out = arguments.work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            cold = run_build(raw, out, code=code)
            again = run_build(raw, out, code=code)
            changed = change_one_percent(raw)
            after = run_build(raw, out, code=code)
            print(f" {name} ({code}):")
            print(line("cold", cold, baseline))
            print(line("unchanged re-run", again, baseline))
            print(line(f"{changed} files changed", after, baseline))
            shutil.rmtree(out, ignore_errors=True)
    if arguments.report_mb:
        page = (ROOT / "data" / "raw" / "seeds" / "004_8c642f3c1dbf128b.txt").read_text("utf-8")
        copies = int(arguments.report_mb * 1e6 / len(page.encode())) + 1
        raw = arguments.work / "one-report"
        shutil.rmtree(raw, ignore_errors=True)
        raw.mkdir(parents=True)
        (raw / "repeated.txt").write_text(page * copies, encoding="utf-8")
        baseline = rjieba_seconds(raw)
        print(
            f"\none report of {copies} copies of a seed ({arguments.report_mb:g} MB); "
            f"rjieba: {baseline:.2f} s"
        )
        for name, code in codes.items():
            out = arguments.work / f"one-{name}"
            shutil.rmtree(out, ignore_errors=True)
            print(f" {name}:")
            print(line("cold", run_build(raw, out, code=code), baseline))
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
