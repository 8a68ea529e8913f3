"""Scale: cold build, re-runs and memory on corpora of 10, 100 and 1,000 MB, two kinds.

Usage::

    python benchmarks/scale.py [--megabytes 10 100 1000] [--kinds distinct nearduplicate]
                               [--repeats 1] [--readme] [--from-json scale.json]

Corpora are made from the built-in sample (``data/raw``: 5 full reports and 64 page excerpts):

- **distinct**: every report is one of the sample's texts with its sentences *reworded*: each
  sentence's clauses are replaced by as many clauses from random places of the sample, so
  that two reports share clauses (the genre's phrases) but few sentences (numbers and names
  alone would not do: reuse treats them as wildcards). Excerpts and full reports mixed, as
  in the sample, under a town name and a year of their own.
- **nearduplicate**: a county template (a full report, reworded as above) copied by
  ``--towns`` towns, each with its own name, its own numbers and ``--changed`` of its
  sentences reworded: the case of many towns copying one county's report.

For each corpus, in fresh processes: a cold build, an unchanged re-run, and a re-run after 1 %
of the files changed (a line appended); each with wall time, MB/s and the peak RSS of the
whole process tree (the build and its workers, sampled every 50 ms). Beside them, in the same
run and on the same cores, rjieba cutting the same text (each file read and cut in a pool of
one process per core), and ``find_reuse`` alone on the built documents (MB/s; at most their
first ``REUSE_MB`` MB, in doc_id order: one call over the whole corpus is what the build's
batches exist to avoid, and 100 MB of copies would not fit in memory). ``--readme``
rewrites the README's speed table (between ``<!-- scale:begin -->`` and ``<!-- scale:end -->``)
from this run's figures, with the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "raw" / "seeds").glob("*.txt"))
EXCERPTS = sorted((ROOT / "data" / "raw" / "corpus").glob("d*.txt"))
WORK = ROOT / "benchmarks" / ".work" / "scale"
README = ROOT / "README.md"

_CLAUSE = re.compile(r"[^，,；;。！？\n]+[，,；;。！？]?")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?|\n")
# numbers change from copy to copy, years (19xx, 20xx) do not: metadata reads them
_DIGITS = re.compile(r"(?<!\d)(?!(?:19|20)\d\d(?!\d))\d+")
# clauses naming a place are not drawn: a town's report names its own places only
_PLACE = re.compile(r"[镇乡县区]|街道|[\u4e00-\u9fff]市(?!委|政府|级)")
# the seed reports' own names, replaced in a copy by the town's (as a town copying a
# neighbour's report would); the reuse stage treats a report's own names as wildcards
_SEED_NAMES = ["永乐镇", "周庄镇", "西大沟镇", "那吾镇", "友谊路街道", "宝丰县", "乌苏市", "綦江区"]


# --- corpora ------------------------------------------------------------------------------------


class Rewording:
    """Rewords sentences with clauses drawn from the whole sample (seeded, repeatable)."""

    def __init__(self, texts: list[str], seed: int):
        self.random = random.Random(seed)
        self.towns = _towns()
        self.clauses = [
            clause
            for text in texts
            for clause in _CLAUSE.findall(text)
            if 4 <= len(clause) <= 60 and not clause.isspace() and not _PLACE.search(clause)
        ]

    def sentence(self, sentence: str) -> str:
        """The sentence's clauses replaced by as many random clauses of the sample."""
        clauses = _CLAUSE.findall(sentence)
        if len(sentence) < 12 or not clauses:
            return sentence
        end = sentence[-1] if sentence[-1] in "。！？；" else "。"
        others = [
            self.random.choice(self.clauses).rstrip("，,；;。！？") for _ in range(len(clauses))
        ]
        return "，".join(others) + end

    def text(self, text: str, *, share: float = 1.0) -> str:
        pieces = _SENTENCE.findall(text)
        return "".join(
            self.sentence(piece) if self.random.random() < share else piece for piece in pieces
        )

    def numbers(self, text: str) -> str:
        return _DIGITS.sub(lambda m: str(self.random.randint(1, 10 ** len(m.group()))), text)

    def town(self, number: int) -> tuple[str, str]:
        """The ``number``-th town of the official list and its county."""
        return self.towns[number % len(self.towns)]


def _towns() -> list[tuple[str, str]]:
    """(county, town) of every town and street office of the division list, in code order:
    consecutive ones share a county, as the towns copying one template would."""
    from reportlib.places import Gazetteer

    frame = Gazetteer.load().frame()
    towns = frame[(frame["tier"] == 4) & (frame["county"] != "")].sort_values("code")
    return list(zip(towns["county"], towns["name"], strict=True))


def _rename(text: str, name: str) -> str:
    for seed_name in _SEED_NAMES:
        text = text.replace(seed_name, name)
    return text


def _write(folder: Path, number: int, text: str) -> int:
    data = text.encode("utf-8")
    sub = folder / f"part{number // 1000:05d}"
    sub.mkdir(parents=True, exist_ok=True)
    (sub / f"r{number:07d}.txt").write_bytes(data)
    return len(data)


def make_corpus(kind: str, megabytes: float, folder: Path, *, towns: int = 150,
                changed: float = 0.05, seed: int = 1) -> tuple[int, int]:  # fmt: skip
    """Write a corpus of ``kind`` into ``folder``; returns (files, bytes)."""
    if folder.exists():
        shutil.rmtree(folder)
    seeds = [path.read_text("utf-8") for path in SEEDS]
    excerpts = [path.read_text("utf-8") for path in EXCERPTS]
    words = Rewording(seeds + excerpts, seed)
    n_files = n_bytes = 0
    county = 0
    while n_bytes < megabytes * 1e6:
        if kind == "distinct":
            source = (seeds + excerpts)[n_files % (len(seeds) + len(excerpts))]
            year = 2019 + n_files % 6
            county, name = words.town(n_files)
            text = f"{county}{name}{year}年法治政府建设工作报告\n" + words.numbers(
                words.text(source)
            )
            n_bytes += _write(folder, n_files, _rename(text, name))
            n_files += 1
            continue
        template = words.text(seeds[county % len(seeds)])
        year = 2019 + county % 6
        for town in range(towns):
            parent, name = words.town(county * towns + town)
            text = f"{parent}{name}{year}年法治政府建设工作报告\n" + words.numbers(
                words.text(template, share=changed)
            )
            n_bytes += _write(folder, n_files, _rename(text, name))
            n_files += 1
            if n_bytes >= megabytes * 1e6:
                break
        county += 1
    return n_files, n_bytes


def change_one_percent(folder: Path) -> int:
    files = sorted(folder.rglob("*.txt"))[::100]
    for path in files:
        path.write_bytes(path.read_bytes() + "\n（本报告已修订）\n".encode())
    return len(files)


# --- measuring ----------------------------------------------------------------------------------


class TreePeak:
    """Peak RSS of a process and all its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05):
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        while not self.done.is_set():
            try:
                members = [self.process, *self.process.children(recursive=True)]
                total = 0
                for member in members:
                    with contextlib.suppress(psutil.Error):
                        total += member.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            time.sleep(self.interval)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


_BUILD = """
import json, sys, time
from reportlib import build
started = time.perf_counter()
result = build(sys.argv[1], sys.argv[2], progress=False)
print(json.dumps({"seconds": time.perf_counter() - started, "parsed": result.n_parsed,
                  "published": result.published}))
"""

REUSE_MB = 10
_REUSE = """
import json, sys, time
import pandas as pd
from reportlib import find_reuse, generation_dir
columns = ["doc_id", "text", "entity", "parent", "report_year"]
documents = pd.read_parquet(generation_dir(sys.argv[1]) / "documents.parquet", columns=columns)
documents = documents.sort_values("doc_id", kind="stable").reset_index(drop=True)
sizes = documents["text"].map(lambda text: len(text.encode())).cumsum()
documents = documents[sizes <= float(sys.argv[2]) * 1e6]
n_bytes = sum(len(text.encode()) for text in documents["text"])
started = time.perf_counter()
rows = len(find_reuse(documents))
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows, "bytes": n_bytes}))
"""


def run(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; its last stdout line (JSON) and its tree's peak."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    peak = TreePeak(process.pid)
    out, err = process.communicate()
    figures = {"peak_mb": peak.stop() / 1e6}
    if process.returncode:
        figures["error"] = err.strip().splitlines()[-1] if err.strip() else "failed"
        return figures
    figures.update(json.loads(out.strip().splitlines()[-1]))
    return figures


def _cut(path: str) -> int:
    import rjieba

    return len(rjieba.cut(Path(path).read_text("utf-8")))


def rjieba_seconds(folder: Path) -> float:
    """rjieba reading and cutting every file, one process per core (the build's cores)."""
    paths = [os.fspath(path) for path in sorted(folder.rglob("*.txt"))]
    with Pool(os.cpu_count() or 1) as pool:
        pool.map(_cut, paths[:50])  # start the workers and import rjieba before timing
        started = time.perf_counter()
        pool.map(_cut, paths, chunksize=64)
        return time.perf_counter() - started


def measure(kind: str, megabytes: float, *, repeats: int, towns: int, changed: float) -> dict:
    raw, out = WORK / f"{kind}-{megabytes:g}" / "raw", WORK / f"{kind}-{megabytes:g}" / "out"
    n_files, n_bytes = make_corpus(kind, megabytes, raw, towns=towns, changed=changed)
    row = {"kind": kind, "megabytes": n_bytes / 1e6, "files": n_files}
    row["rjieba_s"] = min(rjieba_seconds(raw) for _ in range(repeats))
    colds = []
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        colds.append(run(_BUILD, os.fspath(raw), os.fspath(out)))
    row["cold"] = min(colds, key=lambda figures: figures.get("seconds", float("inf")))
    row["cold"]["peak_mb"] = max(figures["peak_mb"] for figures in colds)
    row["unchanged"] = run(_BUILD, os.fspath(raw), os.fspath(out))
    row["reuse"] = run(_REUSE, os.fspath(out), str(REUSE_MB))
    row["n_changed"] = change_one_percent(raw)
    row["changed"] = run(_BUILD, os.fspath(raw), os.fspath(out))
    shutil.rmtree(raw.parent, ignore_errors=True)
    return row


# --- reporting ----------------------------------------------------------------------------------


def _seconds(figures: dict) -> str:
    return figures["error"][:40] if "error" in figures else f"{figures['seconds']:.1f} s"


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| corpus | files | cold build | MB/s | ÷ rjieba | peak RSS (tree) | unchanged re-run "
        "| 1 % changed | find_reuse alone |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cold, again, after, reuse = row["cold"], row["unchanged"], row["changed"], row["reuse"]
        ok = "error" not in cold
        ratio = f"{cold['seconds'] / row['rjieba_s']:.1f}×" if ok else "–"
        rate = f"{row['megabytes'] / cold['seconds']:.2f}" if ok else "–"

        def share(figures: dict, note: str = "", cold: dict = cold, ok: bool = ok) -> str:
            if not ok or "error" in figures:
                return ""
            return f" ({figures['seconds'] / cold['seconds']:.0%}{note})"

        # the target of a 1 %-changed re-run: within 5 % of the cold build plus 2 s
        target = f"; target {0.05 * cold['seconds'] + 2:.1f} s" if ok else ""

        reuse_rate = (
            f"{reuse['bytes'] / 1e6 / reuse['seconds']:.1f} MB/s, {reuse['peak_mb'] / 1e3:.1f} GB"
            if "error" not in reuse
            else reuse["error"][:40]
        )
        lines.append(
            f"| {row['kind']} {row['megabytes']:.0f} MB | {row['files']:,} | {_seconds(cold)} "
            f"| {rate} | {ratio} | {cold['peak_mb'] / 1e3:.2f} GB "
            f"| {_seconds(again)}{share(again)} | {_seconds(after)}{share(after, target)} "
            f"| {reuse_rate} |"
        )
    return lines


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )


def write_readme(lines: list[str], header: str) -> None:
    text = README.read_text("utf-8")
    begin, end = "<!-- scale:begin -->", "<!-- scale:end -->"
    if begin not in text or end not in text:
        raise SystemExit(f"README.md has no {begin} … {end} block")
    block = "\n".join(
        [begin, f"`python benchmarks/scale.py --readme` on {header}:", "", *lines, end]
    )
    before, rest = text.split(begin, 1)
    README.write_text(before + block + rest.split(end, 1)[1], "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, nargs="+", default=[10.0, 100.0, 1000.0])
    parser.add_argument("--kinds", nargs="+", default=["distinct", "nearduplicate"],
                        choices=["distinct", "nearduplicate"])  # fmt: skip
    parser.add_argument("--repeats", type=int, default=1, help="cold builds (best is shown)")
    parser.add_argument("--towns", type=int, default=150, help="towns copying each template")
    parser.add_argument("--changed", type=float, default=0.05, help="share reworded per copy")
    parser.add_argument("--readme", action="store_true", help="rewrite README's speed table")
    parser.add_argument("--json", type=Path, default=WORK / "scale.json")
    parser.add_argument(
        "--from-json", type=Path, help="print (and with --readme write) an earlier run's table"
    )
    arguments = parser.parse_args()
    if arguments.from_json:
        saved = json.loads(arguments.from_json.read_text("utf-8"))
        lines = table(saved["rows"])
        print("\n".join(lines))
        if arguments.readme:
            write_readme(lines, saved["machine"])
        return
    header = machine()
    print(f"machine: {header}", flush=True)
    rows = []
    for megabytes in arguments.megabytes:
        for kind in arguments.kinds:
            row = measure(kind, megabytes, repeats=arguments.repeats, towns=arguments.towns,
                          changed=arguments.changed)  # fmt: skip
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    lines = table(rows)
    print("\n".join(lines))
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps({"machine": header, "rows": rows}, indent=1), "utf-8")
    if arguments.readme:
        write_readme(lines, header)


if __name__ == "__main__":
    main()
