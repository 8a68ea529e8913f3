"""Executors (reportlib.executors): a build on a Dask cluster gives the tables and the cache of
a local build; a file that breaks a stage there is a problems row, as locally."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from reportlib import build, store
from reportlib.executors import DaskExecutor, LocalExecutor
from reportlib.limits import Limits
from reportlib.results import FileTask

distributed = pytest.importorskip("distributed")  # in the dev extras: CI has it

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "raw" / "seeds"
CORPUS = ROOT / "data" / "raw" / "corpus"


@pytest.fixture(scope="module")
def client():
    # processes: the stages run in other interpreters, as on a real cluster
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in [*sorted(SEEDS.glob("*.txt")), *sorted(CORPUS.glob("d0[0-3]*.txt"))]:
        shutil.copy(path, raw / path.name)
    return raw


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    with store.open_generation(out) as generation:
        return {
            name: pd.read_parquet(generation.table(name)).reset_index(drop=True)
            for name in store.TABLES
        }


def test_a_build_on_a_dask_cluster_gives_the_tables_of_a_local_build(tmp_path, client):
    raw = _raw(tmp_path)
    build(raw, tmp_path / "local", progress=False, workers=2)
    result = build(raw, tmp_path / "dask", progress=False, executor=DaskExecutor(client))
    assert result.n_parsed == result.n_files
    local, dask = _tables(tmp_path / "local"), _tables(tmp_path / "dask")
    for name in store.TABLES:
        pd.testing.assert_frame_equal(dask[name], local[name], obj=name)
    # the same cache: a local re-run of the cluster's build parses nothing
    (raw / "d001.txt").write_text((raw / "d001.txt").read_text("utf-8") + "\n补记。", "utf-8")
    again = build(raw, tmp_path / "dask", progress=False, workers=0)
    assert again.n_parsed == 1


def test_a_file_that_breaks_a_stage_on_the_cluster_is_a_problems_row(tmp_path, client):
    executor = DaskExecutor(client)
    good = FileTask(str(SEEDS / "004_8c642f3c1dbf128b.txt"), "good.txt", "")
    bad = FileTask(str(tmp_path / "missing.txt"), "missing.txt", "")
    done = list(
        executor.imap(
            [[good, bad]], function="tests.slow_worker:breaks_on_missing", limits=Limits(), size=1
        )
    )
    ((chunk, entries, payloads),) = done
    assert [task.source_path for task in chunk] == ["good.txt", "missing.txt"]
    assert entries[0]["row"]["entity"] == "那吾镇" and payloads[0] is not None
    assert entries[1]["row"] is None and payloads[1] is None
    assert "unexpected error in a per-file stage" in entries[1]["problems"][0][1]


def test_the_local_executor_sizes_itself_to_the_work():
    task = FileTask(str(SEEDS / "004_8c642f3c1dbf128b.txt"), "seed.txt", "")
    done = list(
        LocalExecutor().imap(
            [[task]], function="reportlib.results:process_files", limits=Limits(), size=1
        )
    )
    assert done[0][1][0]["row"]["entity"] == "那吾镇"


def test_the_local_executor_starts_its_workers_at_once_and_stops_them_unasked():
    # started before the first chunk is asked for (they warm up while the build reads what it
    # keeps), and stopped by close() even when no chunk ever was
    task = FileTask(str(SEEDS / "004_8c642f3c1dbf128b.txt"), "seed.txt", "")
    done = LocalExecutor(2).imap(
        [[task], [task]], function="reportlib.results:process_files", limits=Limits(), size=2
    )
    processes = [worker.process for worker in done._pool._workers]
    assert len(processes) == 2 and all(process.poll() is None for process in processes)
    done.close()
    assert all(process.poll() is not None for process in processes)
