"""Tests for :mod:`reportlib.workers`: results in order, a time budget per file, crashes
contained, and no worker outliving its parent."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportlib.errors import ReportlibError
from reportlib.limits import Limits
from reportlib.results import FileTask
from reportlib.workers import WorkerPool
from tests.conftest import RAW, ROOT

SLOW = "tests.slow_worker:process_files"


def _tasks(tmp_path, names):
    seeds = sorted(RAW.glob("*.txt"))
    tasks = []
    for number, name in enumerate(names):
        path = tmp_path / name
        shutil.copy(seeds[number % len(seeds)], path)
        tasks.append(FileTask(str(path), name, ""))
    return tasks


def _rows(entries):
    return [None if e["row"] is None else e["row"]["entity"] for e in entries]


def test_chunks_come_back_in_order_whatever_finishes_first(tmp_path):
    tasks = _tasks(tmp_path, [f"{n}.txt" for n in range(9)])
    chunks = [tasks[0:1], tasks[1:5], tasks[5:6], tasks[6:9]]
    with WorkerPool(2) as pool:
        got = list(pool.imap(chunks))
    assert [chunk for chunk, _, _ in got] == chunks
    assert all(len(entries) == len(chunk) for chunk, entries, _ in got)
    assert None not in _rows([e for _, entries, _ in got for e in entries])


def test_a_file_over_its_time_budget_is_blamed_alone(tmp_path):
    tasks = _tasks(tmp_path, ["a.txt", "b.txt", "slow.txt", "c.txt"])
    started = time.monotonic()
    with WorkerPool(1, limits=Limits(max_seconds=1.5), function=SLOW) as pool:
        ((_, entries, _),) = pool.imap([tasks])
        assert pool.killed == 1
    assert time.monotonic() - started < 60
    assert _rows(entries)[2] is None and None not in _rows(entries[:2] + entries[3:])
    stage, message = entries[2]["problems"][0]
    assert stage == "limit" and "max_seconds=1.5" in message and "slow.txt" in message


def test_a_worker_that_dies_costs_only_its_file(tmp_path):
    tasks = _tasks(tmp_path, ["a.txt", "crash.txt", "b.txt"])
    with WorkerPool(1, function=SLOW) as pool:
        ((_, entries, _),) = pool.imap([tasks])
    assert _rows(entries)[0] is not None and _rows(entries)[2] is not None
    assert "SIGKILL" in entries[1]["problems"][0][1]


def test_workers_that_cannot_start_stop_the_build_with_a_clear_error(tmp_path):
    tasks = _tasks(tmp_path, ["a.txt"])
    pool = WorkerPool(1, function="tests.no_such_module:process_files")
    with pool, pytest.raises(ReportlibError, match="worker processes exit as they start"):
        list(pool.imap([tasks]))


def test_no_worker_outlives_a_killed_parent(tmp_path):
    tasks = _tasks(tmp_path, ["slow.txt"])
    script = (
        "import sys, time\n"
        "from reportlib.results import FileTask\n"
        "from reportlib.workers import WorkerPool\n"
        "pool = WorkerPool(2, function='tests.slow_worker:process_files')\n"
        f"chunks = [[FileTask({tasks[0].path!r}, 'slow.txt', '')]] * 2\n"
        "iterator = pool.imap(chunks)\n"
        "next(iterator)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not _children(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(parent.pid)
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    time.sleep(0.5)
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists() and not _zombie(pid)] == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_in_process_results_equal_worker_results(tmp_path):
    from reportlib.results import process_files

    tasks = _tasks(tmp_path, ["a.txt", "b.txt"])
    with WorkerPool(1) as pool:
        ((_, entries, _),) = pool.imap([tasks])
    # repr, because NaN (a missing bound of an indicator) is not equal to itself
    assert repr(entries) == repr(process_files(tasks))
