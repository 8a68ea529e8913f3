"""Time and memory of ``find_reuse`` on one report that repeats itself, against rjieba.

Usage: ``python benchmarks/repetitive.py [--megabytes 0.5 1 2 4 20] [--variants page …]
[--module path/to/reuse.py]`` (or ``make benchmark``).

Each report is one real page (永乐镇's seed report, 3,700 characters, page noise kept) repeated
to the requested size, in these variants:

- ``page``: the page as written, copies on their own lines;
- ``flat``: the page without its line breaks (every passage could grow across the whole text);
- ``sentence``: one sentence repeated;
- ``nomarks``: the page without sentence marks or line breaks (one line of megabytes);
- ``numbered``: each copy ends with its page number in words (第一百二十三页…): near-identical
  sentences that are all distinct;
- ``noisy``: each copy with 1 % of its characters replaced at random (seeded), as OCR would.

For each report, in fresh processes (so that each peak is its own): ``find_reuse`` (best of
three, or one run if it takes over a minute; seconds, MB/s, peak RSS of the process, rows,
``internal_ratio``) and ``rjieba.cut`` on the same text (best of three), and their ratio. ``--module`` times another implementation of the module (for
example the previous commit's, ``git show HEAD~1:reportlib/reuse.py > /tmp/old.py``); each
child may use at most ``--limit-gb`` of address space, so a quadratic one fails with
MemoryError instead of starving the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "data" / "raw" / "seeds" / "000_aaf925eb580b3263.txt"
SENTENCE = (
    "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，全年开展执法检查60次。"
)
VARIANTS = ("page", "flat", "sentence", "nomarks", "numbered", "noisy")


def repeated_text(variant: str, megabytes: float) -> str:
    """The text of a report of about ``megabytes`` (UTF-8) made of one repeated page."""
    page = PAGE.read_text(encoding="utf-8").strip()
    unit = {
        "page": page + "\n",
        "flat": page.replace("\n", ""),
        "sentence": SENTENCE,
        "nomarks": re.sub(r"[。！？；!?;\n]", "", page),
        "numbered": page + "\n",
        "noisy": page + "\n",
    }[variant]
    copies = max(2, round(megabytes * 1e6 / len(unit.encode())))
    if variant == "numbered":
        import cn2an

        return "".join(
            f"{unit}本页为报告正文的第{cn2an.an2cn(number)}页，共计若干页，请注意查阅。\n"
            for number in range(copies)
        )
    if variant == "noisy":
        rng = random.Random(0)
        pool = [chr(code) for code in range(0x4E00, 0x9FA5)]
        return "".join(
            "".join(rng.choice(pool) if rng.random() < 0.01 else char for char in unit)
            for _ in range(copies)
        )
    return unit * copies


def _child(arguments: argparse.Namespace) -> None:
    """Run one measure in this process and print it as JSON."""
    import importlib.util
    import resource

    limit = int(arguments.limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    text = repeated_text(arguments.variant, arguments.megabytes[0])
    result: dict[str, object] = {"bytes": len(text.encode()), "chars": len(text)}
    if arguments.measure == "rjieba":
        import rjieba

        rjieba.cut("预热")
        result["seconds"] = _best(lambda: rjieba.cut(text), arguments.repeats)
    else:
        import pandas as pd

        if arguments.module:
            spec = importlib.util.spec_from_file_location("reuse_under_test", arguments.module)
            module = importlib.util.module_from_spec(spec)
            sys.modules["reuse_under_test"] = module
            spec.loader.exec_module(module)
        else:
            from reportlib import reuse as module
        documents = pd.DataFrame(
            {
                "doc_id": ["repeated"],
                "entity": ["永乐镇"],
                "parent": ["芮城县"],
                "report_year": [2023],
                "text": [text],
            }
        )
        module.find_reuse(documents.assign(text=SENTENCE * 3))  # imports, outside the timing
        holder = {}
        result["seconds"] = _best(
            lambda: holder.update(reuse=module.find_reuse(documents)), arguments.repeats
        )
        reuse = holder["reuse"]
        summary = module.reuse_summary(reuse, documents)
        result["rows"] = len(reuse)
        result["internal_ratio"] = float(summary["internal_ratio"].iloc[0])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["peak_bytes"] = peak if sys.platform == "darwin" else peak * 1024
    print(json.dumps(result))


def _best(function, repeats: int) -> float:
    """Best of ``repeats`` runs, or the one run if it takes over a minute (the noisy 20 MB)."""
    from timing import best_of  # benchmarks/timing.py, next to this script

    first = best_of(function, 1)
    return first if first > 60 or repeats < 2 else min(first, best_of(function, repeats - 1))


def _measure(variant: str, megabytes: float, measure: str, arguments) -> dict | str:
    command = [
        sys.executable,
        __file__,
        "--child",
        measure,
        "--variant",
        variant,
        "--megabytes",
        str(megabytes),
        "--repeats",
        str(arguments.repeats),
        "--limit-gb",
        str(arguments.limit_gb),
    ]
    if arguments.module:
        command += ["--module", str(arguments.module)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, nargs="+", default=[0.5, 1, 2, 4, 20])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--module", type=Path, help="another reuse.py to time instead")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit-gb", type=float, default=8.0)
    parser.add_argument("--child", choices=["reuse", "rjieba"], help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        arguments.measure = arguments.child
        _child(arguments)
        return

    print(
        f"machine: {platform.machine()}  {os.cpu_count()} CPUs  python "
        f"{platform.python_version()}; find_reuse from {arguments.module or 'reportlib'}"
    )
    for variant in arguments.variants:
        previous = None
        for megabytes in arguments.megabytes:
            ours = _measure(variant, megabytes, "reuse", arguments)
            jieba = _measure(variant, megabytes, "rjieba", arguments)
            if isinstance(ours, str):
                print(f"{variant:9s} {megabytes:5.1f} MB: find_reuse failed: {ours}")
                continue
            size = ours["bytes"] / 1e6
            line = (
                f"{variant:9s} {size:5.1f} MB: {ours['seconds']:7.2f} s "
                f"{size / ours['seconds']:6.2f} MB/s  peak RSS {ours['peak_bytes'] / 2**20:6.0f} MiB"
                f"  {ours['rows']:7d} rows  internal_ratio {ours['internal_ratio']:.3f}"
            )
            if isinstance(jieba, dict):
                line += (
                    f"  rjieba {jieba['seconds']:6.2f} s"
                    f" = {ours['seconds'] / jieba['seconds']:5.2f} x rjieba"
                )
            if previous is not None:
                line += (
                    f"  time x {ours['seconds'] / previous[1]:.2f}"
                    f" for x {size / previous[0]:.1f} size"
                )
            print(line, flush=True)
            previous = (size, ours["seconds"])


if __name__ == "__main__":
    main()
