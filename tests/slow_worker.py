"""A stand-in for :func:`reportlib.results.process_files` that hangs on files named
``slow.txt`` (and crashes its process on ``crash.txt``), for the worker pool's tests."""

import os
import signal
import time

from reportlib.results import process_files as real_process_files


def process_files(tasks, *, limits, on_file=None):
    for number, task in enumerate(tasks):
        name = os.path.basename(task.path)
        if name in ("slow.txt", "crash.txt") and on_file is not None:
            on_file(number)  # as the real one: the files before it are read
        if name == "slow.txt":
            time.sleep(3600)
        if name == "crash.txt":
            os.kill(os.getpid(), signal.SIGKILL)
    return real_process_files(tasks, limits=limits, on_file=on_file)


def breaks_on_missing(tasks, *, limits, on_file=None):
    """Raises for a chunk holding a file that does not exist (a bug in a stage, as far as
    the executor can tell)."""
    if any(not os.path.exists(task.path) for task in tasks):
        raise RuntimeError("a stage broke")
    return real_process_files(tasks, limits=limits, on_file=on_file)
