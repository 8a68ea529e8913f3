"""Where the per-file stages (and the reuse batches) run: local processes, or a Dask cluster.

A build gives an executor the chunks of work, in order, and the name of the function that
does one chunk (``"module:name"``, with the signature of
:func:`reportlib.results.process_files`); the executor yields each chunk back with its
entries and their encoded form (:func:`reportlib.cache.encode`), in the order given. What
comes back is the same whichever executor ran it, so the cache and the tables are too.

- :class:`LocalExecutor` (the default): :class:`reportlib.workers.WorkerPool`, fresh
  interpreters on this machine, one per core, with the per-file time budget
  (``Limits.max_seconds``) enforced by killing a worker that overruns it.
- :class:`DaskExecutor`: the tasks of a ``dask.distributed`` cluster (``pip install
  'reportlib[dask]'``), for a corpus too large for one machine. A chunk that raises is done
  again file by file and a file that still raises becomes a problems row, as locally; a
  chunk over its time budget is abandoned and its files become problems rows (Dask cannot
  stop a running task: the cluster's worker finishes it in the background).

Both read the input files by path, so a cluster's workers must see the same files (a shared
or network file system) and have reportlib installed at the same version.
"""

from __future__ import annotations

import importlib
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from reportlib.cache import decode, encode
from reportlib.limits import Limits
from reportlib.results import Entry, FileTask

__all__ = ["DaskExecutor", "Executor", "LocalExecutor"]

Done = tuple[list[FileTask], list[Entry], list[bytes | None]]


class Executor(Protocol):
    """What a build needs of an executor."""

    def imap(
        self, chunks: Iterable[Sequence[FileTask]], *, function: str, limits: Limits,
        size: int,
    ) -> Iterator[Done]:  # fmt: skip
        """Each chunk with its entries and their encoded form, in the order of ``chunks``
        (``size``: how many chunks there are, for an executor that sizes itself)."""
        ...


class LocalExecutor:
    """Worker processes on this machine (:class:`reportlib.workers.WorkerPool`).

    Parameters
    ----------
    workers
        Processes (default: one per core, fewer when there are fewer chunks).

    Examples
    --------
    >>> task = FileTask("data/raw/seeds/004_8c642f3c1dbf128b.txt", "seed.txt", "")
    >>> done = LocalExecutor(1).imap([[task]], function="reportlib.results:process_files",
    ...                              limits=Limits(), size=1)
    >>> [entries[0]["row"]["entity"] for _, entries, _ in done]
    ['那吾镇']
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers

    def imap(
        self, chunks: Iterable[Sequence[FileTask]], *, function: str, limits: Limits,
        size: int,
    ) -> Iterator[Done]:  # fmt: skip
        from reportlib.workers import WorkerPool

        processes = self.workers if self.workers is not None else min(os.cpu_count() or 1, size)
        # started at once, not on the first chunk asked for: a worker takes most of a second
        # to import and warm up, which the build spends on its own work (reading the rows it
        # keeps from the build before) rather than waiting
        pool = WorkerPool(max(processes, 1), limits=limits, function=function).start()
        return _Running(pool, pool.imap(chunks))


class _Running:
    """A started pool's results: an iterator whose ``close`` (or end, or loss) stops the
    pool's workers, even when nothing was ever asked of it."""

    def __init__(self, pool, results: Iterator[Done]):
        self._pool = pool
        self._results = results

    def __iter__(self) -> _Running:
        return self

    def __next__(self) -> Done:
        try:
            return next(self._results)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._results.close()
        self._pool.close()

    def __del__(self) -> None:
        self.close()


def _run(function: str, tasks: list[FileTask], limits: Limits) -> list[bytes]:
    """On a Dask worker: one chunk, its entries encoded (plain bytes travel anywhere)."""
    module, name = function.split(":")
    process = getattr(importlib.import_module(module), name)
    return [encode(entry) for entry in process(tasks, limits=limits)]


class DaskExecutor:
    """The tasks of a ``dask.distributed`` cluster.

    Parameters
    ----------
    client
        A ``distributed.Client``; or give ``address`` (``tcp://scheduler:8786``) and one is
        made (and closed when the build ends).
    window
        Chunks in flight at once (default: twice the cluster's threads), which bounds the
        memory of results not yet written.
    """

    def __init__(self, client=None, *, address: str | None = None, window: int | None = None):
        if client is None and address is None:
            raise ValueError("DaskExecutor needs a client or an address")
        self.client = client
        self.address = address
        self.window = window

    def imap(
        self, chunks: Iterable[Sequence[FileTask]], *, function: str, limits: Limits,
        size: int,
    ) -> Iterator[Done]:  # fmt: skip
        from distributed import Client

        client = self.client or Client(self.address)
        try:
            threads = sum(client.nthreads().values()) or 1
            window = self.window or 2 * threads
            pending: deque = deque()
            source = iter(chunks)
            exhausted = False
            while True:
                while not exhausted and len(pending) < window:
                    chunk = next(source, None)
                    if chunk is None:
                        exhausted = True
                        break
                    chunk = list(chunk)
                    future = client.submit(_run, function, chunk, limits, pure=False)
                    pending.append((chunk, future))
                if not pending:
                    return
                chunk, future = pending.popleft()
                yield chunk, *self._entries(client, chunk, future, function, limits)
        finally:
            if self.client is None:
                client.close()

    def _entries(self, client, chunk, future, function, limits):
        from reportlib.workers import failed_entry

        budget = limits.max_seconds * len(chunk) + 60  # a worker's start is not a file's time
        try:
            payloads = future.result(timeout=budget)
            return [decode(p) for p in payloads], payloads
        except TimeoutError:
            future.cancel()
            why = (
                f"took longer than {limits.max_seconds:g} s a file to read and analyse on the "
                "Dask cluster (over the limit max_seconds); the task was abandoned"
            )
            return [failed_entry(task, "limit", why) for task in chunk], [None] * len(chunk)
        except Exception as error:  # a bug in a stage: find the file
            if len(chunk) == 1:
                last = f"{type(error).__name__}: {error}"
                return [
                    failed_entry(chunk[0], "parse", f"unexpected error in a per-file stage: {last}")
                ], [None]
            entries, payloads = [], []
            for task in chunk:
                one = client.submit(_run, function, [task], limits, pure=False)
                found, encoded = self._entries(client, [task], one, function, limits)
                entries += found
                payloads += encoded
            return entries, payloads


def resolve(executor: Executor | None, workers: int | None) -> Executor:
    """The executor a build uses: the one given, else local processes."""
    return executor if executor is not None else LocalExecutor(workers)
