"""Worker processes that take files through the per-file stages, with a time budget per file.

Why not ``concurrent.futures``: a pool there cannot stop one task. Here each worker runs one
small chunk of files at a time and reports after every file it has read; a worker that stays
silent for longer than ``Limits.max_seconds`` is killed and replaced, the file it was on
becomes a problems row naming the limit, and the rest of its chunk is given out again, file
by file when the culprit is not known. A worker that dies (out of memory, a crash in a C
library) is handled the same way. Results come back in the order the chunks were given.

Workers are fresh interpreters (``python -m reportlib.workers``) talking over a socket pair,
not ``multiprocessing`` children: forking would copy the locks of a multi-threaded parent
(a Jupyter kernel, DuckDB, Arrow's thread pool), and multiprocessing's ``spawn`` and
``forkserver`` run the caller's main script again in every worker, which builds again in a
script without an ``if __name__ == "__main__"`` guard. On Linux each worker asks the kernel
to kill it when the build process goes away (``PR_SET_PDEATHSIG``), and it exits when its
socket closes, so none is left running when a build is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from reportlib.cache import decode, encode
from reportlib.errors import ReportlibError
from reportlib.limits import DEFAULT_LIMITS, Limits
from reportlib.results import Entry, FileTask

__all__ = ["WorkerPool", "failed_entry"]

_PR_SET_PDEATHSIG = 1


def failed_entry(task: FileTask, stage: str, message: str, *, cacheable: bool = False) -> Entry:
    """The entry of a file that gave no document: one problems row."""
    return {
        "sha256": task.sha256,
        "source_path": task.source_path,
        "row": None,
        "problems": [[stage, f"{task.source_path}: {message}"]],
        "cacheable": cacheable,
    }


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _worker(connection: Connection, parent: int) -> None:
    """A worker's loop: receive a chunk, report each file read, send the entries back."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    limits, function = pickle.loads(connection.recv_bytes())
    module, name = function.split(":")
    imported = importlib.import_module(module)
    process_files = getattr(imported, name)
    warm_up = getattr(imported, "warm_up", None)
    if warm_up is not None:  # loads now what the first file would, while the pool starts
        with contextlib.suppress(Exception):  # a file that needs it fails on its own
            warm_up()
    connection.send(("ready", -1, time.monotonic()))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        number, tasks = message

        def report(done: int, number: int = number) -> None:
            connection.send(("beat", number, done, time.monotonic()))

        try:
            report(0)
            entries = process_files(tasks, limits=limits, on_file=report)
            # encoded here, in parallel: the parent stores them in the cache as they are
            connection.send(("done", number, [encode(e) for e in entries], time.monotonic()))
        except (BrokenPipeError, EOFError):
            return
        except Exception:
            connection.send(("error", number, traceback.format_exc(limit=8), time.monotonic()))


@dataclass
class _Job:
    """Some files of one chunk, given to one worker."""

    chunk: int
    indices: list[int]


@dataclass
class _Worker:
    process: subprocess.Popen
    connection: Connection
    jobs: deque = field(default_factory=deque)  # the first is running once it beats
    beat: float = 0.0
    done: int = 0  # files of the running job read so far
    started: bool = False  # it has said something: it imported reportlib and runs


class WorkerPool:
    """Run :func:`reportlib.results.process_files` over chunks of files in processes.

    Parameters
    ----------
    workers
        Number of processes (at least 1).
    limits
        Per-file budgets; ``max_seconds`` is enforced here.
    function
        ``"module:name"`` of the function the workers run, with the signature of
        ``process_files`` (tests give one that hangs on purpose).

    Examples
    --------
    >>> from reportlib.results import FileTask
    >>> task = FileTask("data/raw/seeds/004_8c642f3c1dbf128b.txt", "seed.txt", "")
    >>> with WorkerPool(1) as pool:
    ...     [entries[0]["row"]["entity"] for _, entries, _ in pool.imap([[task]])]
    ['那吾镇']
    """

    def __init__(
        self,
        workers: int = 1,
        *,
        limits: Limits = DEFAULT_LIMITS,
        function: str = "reportlib.results:process_files",
    ):
        self.limits = limits
        self.function = function
        self.size = max(int(workers), 1)
        self._workers: list[_Worker] = []
        self.killed = 0  # workers killed for a time budget or replaced after dying
        self._failed_starts = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> WorkerPool:
        """Start every worker now, without waiting for them: they import reportlib and warm
        up (``warm_up`` of the function's module, if it has one) while the caller goes on
        with its own work; :meth:`imap` would otherwise start them on its first chunk."""
        while len(self._workers) < self.size:
            self._start()
        return self

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        # the worker imports reportlib from where this process did, whatever its sys.path
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
        process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_MAIN, str(theirs.fileno()), str(os.getpid())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        connection = Connection(ours.detach())
        connection.send_bytes(pickle.dumps((self.limits, self.function)))
        worker = _Worker(process, connection)
        self._workers.append(worker)
        return worker

    def _stop(self, worker: _Worker) -> None:
        with contextlib.suppress(Exception):
            worker.process.kill()
            worker.process.wait(5)
        with contextlib.suppress(Exception):
            worker.connection.close()
        self._workers.remove(worker)

    def close(self) -> None:
        """Stop every worker. A worker keeps nothing to save once it has sent its entries
        (they are all received, or abandoned), so it is killed rather than asked to exit:
        an interpreter with pandas loaded took 0.3 s to tear itself down, each re-run."""
        for worker in list(self._workers):
            self._stop(worker)

    def imap(
        self, chunks: Iterable[Sequence[FileTask]]
    ) -> Iterator[tuple[list[FileTask], list[Entry], list[bytes | None]]]:
        """Each chunk with its entries and their encoded form (:func:`reportlib.cache.encode`;
        None for a file the pool itself gave up on), in the order of ``chunks``. Chunks are
        read ahead only as far as the workers can use, so memory stays bounded."""
        source = iter(chunks)
        pending: deque[_Job] = deque()  # jobs not yet given to a worker
        chunks_by_number: dict[int, list[FileTask]] = {}
        results: dict[int, dict[int, tuple[Entry, bytes | None]]] = {}
        next_out = 0
        read = 0
        exhausted = False
        window = 3 * self.size
        while True:
            while not exhausted and read - next_out < window:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                chunks_by_number[read] = list(chunk)
                results[read] = {}
                pending.append(_Job(read, list(range(len(chunk)))))
                read += 1
            while next_out < read and len(results[next_out]) == len(chunks_by_number[next_out]):
                done = [results[next_out][i] for i in range(len(chunks_by_number[next_out]))]
                yield (
                    chunks_by_number.pop(next_out),
                    [entry for entry, _ in done],
                    [payload for _, payload in done],
                )
                del results[next_out]
                next_out += 1
            if exhausted and next_out == read:
                return
            self._dispatch(pending, chunks_by_number)
            self._collect(pending, chunks_by_number, results)

    def _dispatch(self, pending: deque[_Job], chunks: dict[int, list[FileTask]]) -> None:
        while len(self._workers) < self.size and pending:
            self._start()
        for worker in sorted(self._workers, key=lambda w: len(w.jobs)):
            if not pending:
                return
            if len(worker.jobs) >= 2:  # one running, one waiting in the pipe
                continue
            job = pending.popleft()
            worker.jobs.append(job)
            if len(worker.jobs) == 1:
                worker.beat, worker.done = time.monotonic(), 0
            worker.connection.send((job.chunk, [chunks[job.chunk][i] for i in job.indices]))

    def _collect(
        self,
        pending: deque[_Job],
        chunks: dict[int, list[FileTask]],
        results: dict[int, dict[int, tuple[Entry, bytes | None]]],
    ) -> None:
        busy = [w for w in self._workers if w.jobs]
        if not busy:
            return
        ready = wait([w.connection for w in busy], timeout=0.5)
        for worker in busy:
            if worker.connection not in ready:
                continue
            try:
                while worker.connection.poll():
                    self._receive(worker, worker.connection.recv(), chunks, results, pending)
            except (EOFError, OSError):
                self._fail(worker, chunks, results, pending, self._death(worker))
        now = time.monotonic()
        for worker in [w for w in self._workers if w.jobs]:
            # starting (importing reportlib) is not a file's time
            budget = (
                self.limits.max_seconds if worker.started else max(60.0, self.limits.max_seconds)
            )
            if now - worker.beat > budget:
                self._fail(
                    worker,
                    chunks,
                    results,
                    pending,
                    f"took longer than {self.limits.max_seconds:g} s to read and analyse "
                    f"(over the limit max_seconds={self.limits.max_seconds:g}); the worker "
                    "was stopped",
                )

    def _receive(self, worker: _Worker, message, chunks, results, pending) -> None:
        kind, number = message[0], message[1]
        worker.started = True
        self._failed_starts = 0
        if kind == "ready":  # the budget of its first job counts from now
            worker.beat = time.monotonic()
            return
        job = worker.jobs[0]
        if kind == "beat":
            worker.done, worker.beat = message[2], message[3]
            return
        worker.jobs.popleft()
        if worker.jobs:
            worker.beat, worker.done = time.monotonic(), 0
        if kind == "done":
            for index, payload in zip(job.indices, message[2], strict=True):
                results[number][index] = (decode(payload), payload)
            return
        # a bug in a stage: find the file by trying them one at a time
        if len(job.indices) > 1:
            pending.extendleft(_Job(number, [i]) for i in reversed(job.indices))
            return
        index = job.indices[0]
        last = message[2].strip().splitlines()[-1]
        results[number][index] = (
            failed_entry(
                chunks[number][index], "parse", f"unexpected error in a per-file stage: {last}"
            ),
            None,
        )

    def _death(self, worker: _Worker) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(1)
        code = worker.process.returncode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            how = f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
        else:
            how = f"exited with code {code}"
        return f"the worker process reading it {how}"

    def _fail(self, worker: _Worker, chunks, results, pending, why: str) -> None:
        """The running job's worker is gone: blame the file it was on, give out the rest."""
        jobs = list(worker.jobs)
        self._stop(worker)
        self.killed += 1
        if not worker.started and worker.process.returncode is not None:
            # it died before saying anything: the environment is broken, not a file
            self._failed_starts += 1
            if self._failed_starts >= 3:
                raise ReportlibError(
                    f"worker processes exit as they start ({why}); their error is printed "
                    "above. Check that reportlib imports in a fresh `python -c 'import "
                    "reportlib'`, or build with workers=0 (--workers 0)"
                )
            pending.extendleft(reversed(jobs))
            return
        running, waiting = jobs[0], jobs[1:]
        n_files = len(running.indices)
        if worker.done < n_files:
            # it was reading file number `done` of its chunk: that file is the culprit
            culprit = running.indices[worker.done]
            rest = [i for i in running.indices if i != culprit]
            task = chunks[running.chunk][culprit]
            results[running.chunk][culprit] = (failed_entry(task, "limit", why), None)
            if rest:
                pending.appendleft(_Job(running.chunk, rest))
        elif n_files == 1:
            task = chunks[running.chunk][running.indices[0]]
            results[running.chunk][running.indices[0]] = (failed_entry(task, "limit", why), None)
        else:  # past reading, in the stages that run for the whole chunk: one at a time
            pending.extendleft(_Job(running.chunk, [i]) for i in reversed(running.indices))
        pending.extendleft(reversed(waiting))


# Not ``-m reportlib.workers``: reportlib/__init__ imports this module first, and runpy would
# then run a second copy of it. The kernel is asked to kill the worker with its parent before
# anything is imported (importing reportlib takes a second, a long window to outlive it).
_WORKER_MAIN = (
    "import ctypes, os, sys\n"
    "try:\n"
    f"    ctypes.CDLL(None).prctl({_PR_SET_PDEATHSIG}, 9, 0, 0, 0)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[2]):\n"
    "    os._exit(1)\n"
    "from multiprocessing.connection import Connection\n"
    "from reportlib.workers import _worker\n"
    "_worker(Connection(int(sys.argv[1])), int(sys.argv[2]))\n"
)
