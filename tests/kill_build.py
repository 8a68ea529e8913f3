"""Builds killed at their K-th file-system step, for tests/test_store.py.

    python tests/kill_build.py RAW OUT SNAPSHOT

reads lines ``K WORKERS`` on stdin. For each, it puts back ``OUT`` as it is in ``SNAPSHOT``
(a published build), then forks a child that builds ``RAW`` into ``OUT`` and SIGKILLs itself
at its K-th step, as a reboot or ``kill -9`` would, and answers ``K STATUS PID``. Every step
that changes the output folder is counted, before and after it (a rename, a link, a removal,
an fsync, a batch of a table, a part hard-linked from the build before, a cache commit, a
folder made). With K = 0 the build runs to the end and the answer is followed by the steps,
one line each, then ``end``, so a test can aim at each kind of moment.

One process forks every build, so reportlib is imported and warmed up once (a fresh
interpreter per moment would cost seconds each).
"""

import os
import shutil
import signal
import sys

import pyarrow.parquet as pq

from reportlib import cache, pipeline
from reportlib.results import FileTask, process_files

_OPERATIONS = [
    (os, "replace"),
    (os, "rename"),
    (os, "symlink"),
    (os, "link"),
    (os, "unlink"),
    (os, "fsync"),
    (os, "mkdir"),
    (shutil, "rmtree"),
    (pq.ParquetWriter, "write_table"),
    (pq.ParquetWriter, "close"),
    (cache.ResultCache, "put"),
    (cache.ResultCache, "retain"),
]


def _build_killed_at(target: int, raw: str, out: str, workers: int) -> list[str]:
    """In the child: count the steps, die at ``target``; the steps if it lives."""
    steps: list[str] = []

    def counted(function, name):
        def wrapper(*args, **kwargs):
            for when in ("before", "after"):
                steps.append(f"{when} {name}")
                if len(steps) == target:
                    os.kill(os.getpid(), signal.SIGKILL)
                if when == "before":
                    result = function(*args, **kwargs)
            return result

        return wrapper

    for owner, name in _OPERATIONS:
        setattr(owner, name, counted(getattr(owner, name), name))
    pipeline.BATCH_FILES = 3  # several batches, so parsing and writing interleave
    pipeline.BATCH_CUT = 2  # … cut where doc_ids say, so unchanged ones are linked
    pipeline.build(raw, out, progress=False, workers=workers)
    return steps


def main() -> None:
    raw, out, snapshot = sys.argv[1:4]
    # warm up once: patterns, dictionaries, Parquet
    first = sorted(entry.path for entry in os.scandir(raw) if entry.name.endswith(".txt"))[0]
    process_files([FileTask(first, "x", "")])
    for line in sys.stdin:
        target, workers = map(int, line.split())
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(snapshot, out, symlinks=True)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                steps = _build_killed_at(target, raw, out, workers)
                os.write(write, ("\n".join(steps) + "\n").encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as stream:
            steps = stream.read()
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(target, code, pid, flush=True)
        if target == 0:
            print(steps + "end", flush=True)


if __name__ == "__main__":
    main()
