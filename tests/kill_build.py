"""Run a build and SIGKILL it at its K-th file-system step (for tests/test_store.py).

    python tests/kill_build.py RAW OUT K

Every step that changes the output folder (a rename, a link, a removal, an fsync, a batch of
a table, a cache commit, a folder made) is counted; at step K the process kills itself, as
a reboot or ``kill -9`` would. With K = 0 the build runs to the end and the number of steps
is printed, so a test can aim at each moment in turn.
"""

import os
import shutil
import signal
import sys

import pyarrow.parquet as pq

from reportlib import cache, pipeline

_steps = 0
_target = int(sys.argv[3])


def _step() -> None:
    global _steps
    _steps += 1
    if _steps == _target:
        os.kill(os.getpid(), signal.SIGKILL)


def _counted(function):
    def wrapper(*args, **kwargs):
        _step()
        result = function(*args, **kwargs)
        _step()  # after it, too: killed just after a rename differs from just before
        return result

    return wrapper


for module, name in [
    (os, "replace"),
    (os, "rename"),
    (os, "symlink"),
    (os, "unlink"),
    (os, "fsync"),
    (os, "mkdir"),
    (shutil, "rmtree"),
    (pq.ParquetWriter, "write_table"),
    (pq.ParquetWriter, "close"),
    (cache.ResultCache, "put"),
    (cache.ResultCache, "retain"),
]:
    setattr(module, name, _counted(getattr(module, name)))

pipeline.BATCH_FILES = 3  # several batches, so parsing and writing interleave
pipeline.build(sys.argv[1], sys.argv[2], progress=False, workers=1)
print(_steps)
