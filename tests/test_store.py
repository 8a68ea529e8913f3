"""Tests for :mod:`reportlib.store`: builds are transactions, readers see one build, one build
at a time, and a build killed at any moment leaves nothing that disagrees."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from reportlib import build, connect, load_tables, pipeline, store
from reportlib.errors import BuildLockedError
from reportlib.reuse import REUSE_COLUMNS
from tests.conftest import CORPUS, RAW, ROOT

TABLES = store.TABLES
COUNTS = (
    "select (select count(*) from documents), (select count(*) from sections), "
    "(select count(*) from indicators), (select count(*) from tokens), "
    "(select count(*) from problems), (select count(*) from outline)"
)


def _state_a(raw: Path) -> None:
    """Seeds and a few corpus pages."""
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for path in sorted(RAW.glob("*.txt")) + sorted(CORPUS.glob("d00*.txt")):
        shutil.copy(path, raw / path.name)


def _state_b(raw: Path) -> None:
    """State A with one file deleted, one changed, one renamed and one added."""
    _state_a(raw)
    files = sorted(raw.glob("*.txt"))
    files[0].unlink()
    files[1].write_text(files[1].read_text(encoding="utf-8")[:-300] + "\n另:新增内容。", "utf-8")
    files[2].rename(raw / "moved.txt")
    shutil.copy(CORPUS / "d030.txt", raw / "d030.txt")


def _tables(out: Path) -> dict[str, str]:
    """A digest of each table of the published build: equal digests, equal rows (values,
    not Parquet bytes: the dictionaries of a categorical may come in another order)."""
    with store.open_generation(out) as generation:
        return {name: _digest(pd.read_parquet(generation.table(name))) for name in TABLES}


def _digest(frame: pd.DataFrame) -> str:
    values = frame.astype({c: str for c in frame.columns if frame[c].dtype == object})
    rows = pd.util.hash_pandas_object(values, index=False).to_numpy()
    columns = ",".join(f"{c}:{frame[c].dtype}" for c in frame.columns)
    return hashlib.sha256(columns.encode() + rows.tobytes()).hexdigest()


def _equal(got: dict, want: dict) -> bool:
    return got == want


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Clean builds of states A and B, from the same raw path the tests use."""
    base = tmp_path_factory.mktemp("clean")
    raw = base / "raw"
    built = {}
    for name, state in (("a", _state_a), ("b", _state_b)):
        state(raw)
        build(raw, base / name, progress=False, use_cache=False)
        built[name] = _tables(base / name)
        built[f"{name}_counts"] = connect(base / name).execute(COUNTS).fetchone()
    built["raw"] = raw
    return built


def _raw_like(clean, tmp_path) -> Path:
    """A raw folder at the same path as the clean builds' (source paths must match)."""
    return clean["raw"]


# --- layout and publication ----------------------------------------------------------------


def test_a_build_publishes_a_generation_and_stable_links(tmp_path):
    result = build(RAW, tmp_path / "out", progress=False)
    out = tmp_path / "out"
    assert os.readlink(out / "current") == f"generations/{result.generation.name}"
    for name in TABLES:
        assert os.readlink(out / f"{name}.parquet") == f"current/{name}.parquet"
    manifest = json.loads((result.generation / "manifest.json").read_text())
    assert manifest["rows"]["documents"] == 5 and set(manifest["tables"]) == set(TABLES)
    assert store.generation_dir(out) == result.generation


def test_leftovers_of_a_killed_build_are_removed_and_the_published_one_kept(tmp_path):
    out = tmp_path / "out"
    first = build(RAW, out, progress=False)
    # what a build killed at various moments leaves: a partial generation, a complete one
    # never published, temporary files and links
    partial = store.begin_generation(out)
    (partial / "documents.parquet").write_bytes(b"half")
    unpublished = out / "generations" / "000099-20991231T000000Z"
    unpublished.mkdir()
    (out / ".documents.parquet.123.tmp").write_bytes(b"x")
    (out / ".current.123.tmp").symlink_to("generations/nothing")
    assert store.generation_dir(out) == first.generation  # readers still see the first build
    second = build(RAW, out, progress=False)
    assert second.published is False  # nothing changed: the first build stays published
    names = sorted(os.listdir(out / "generations"))
    assert names == [first.generation.name]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert sorted(second.removed) == sorted(
        [f"generations/{partial.name}", f"generations/{unpublished.name}",
         ".documents.parquet.123.tmp", ".current.123.tmp"]
    )  # fmt: skip


def test_a_pinned_generation_is_not_pruned_until_its_reader_is_done(tmp_path):
    raw = tmp_path / "raw"
    _state_a(raw)
    out = tmp_path / "out"
    build(raw, out, progress=False, keep=1)
    reader = connect(out)
    before = reader.execute(COUNTS).fetchone()
    _state_b(raw)
    build(raw, out, progress=False, keep=1)
    # the old generation is still there for the open connection, which still sees it whole
    assert reader.execute(COUNTS).fetchone() == before
    assert connect(out).execute(COUNTS).fetchone() != before
    assert len(os.listdir(out / "generations")) == 2
    del reader
    (raw / "extra.txt").write_text("依法行政工作补充说明。" * 20, encoding="utf-8")
    build(raw, out, progress=False, keep=1)
    assert len(os.listdir(out / "generations")) == 1


def test_load_tables_reads_one_generation(tmp_path):
    out = tmp_path / "out"
    build(RAW, out, progress=False)
    tables = load_tables(out)
    assert len(tables.documents) == 5 and tables.tokens["doc_id"].nunique() == 5


def test_load_tables_reads_lazily_from_a_generation_that_stays_pinned(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _state_a(raw)
    build(raw, out, progress=False, keep=1)
    tables = load_tables(out)
    first = set(tables.catalog["doc_id"])
    _state_b(raw)
    build(raw, out, progress=False, keep=1)  # prunes every generation no reader holds
    # nothing was read before the new build: the tokens still come from the first one
    assert set(tables.tokens["doc_id"].astype(str)) == first
    assert set(load_tables(out).catalog["doc_id"]) != first


def test_a_subset_of_the_tables_equals_the_whole_tables_filtered(tmp_path):
    out = tmp_path / "out"
    build(ROOT / "data" / "raw", out, progress=False)
    tables = load_tables(out)
    chosen = ["d013", "d040", "000_aaf925eb580b3263", "not-a-report"]
    subset = tables.subset(chosen)
    for name in ("documents", "sections", "outline", "indicators", "tokens", "reuse"):
        whole = tables.table(name)
        expected = whole[whole["doc_id"].isin(chosen)].reset_index(drop=True)
        got = subset.table(name)
        pd.testing.assert_frame_equal(
            got.astype({"doc_id": str}), expected.astype({"doc_id": str}), check_categorical=False
        )
    assert len(subset.documents) == 3
    counts = subset.counts()
    whole_counts = tables.counts()
    pd.testing.assert_frame_equal(
        counts.reset_index(drop=True),
        whole_counts[whole_counts["doc_id"].isin(chosen)].reset_index(drop=True),
        check_categorical=False,
    )


def test_section_text_is_stored_once_and_every_reader_gives_it_back(tmp_path):
    import pyarrow.parquet as pq

    from reportlib import split_sections

    out = tmp_path / "out"
    result = build(ROOT / "data" / "raw", out, progress=False)
    with store.open_generation(out) as generation:
        stored = pq.read_schema(next(generation.table("sections").glob("*.parquet")))
    assert (
        "text" not in stored.names
        and "text" in pq.read_schema(next((out / "documents.parquet").glob("*.parquet"))).names
    )
    documents = result.documents
    expected = split_sections(documents)[["doc_id", "section_id", "text"]]
    by_sql = connect(out).execute("select doc_id, section_id, text from sections").df()
    for got in (result.sections, load_tables(out).sections, by_sql):
        merged = expected.merge(got[["doc_id", "section_id", "text"]], on=["doc_id", "section_id"])
        assert len(merged) == len(expected) == len(got)
        assert (merged["text_x"] == merged["text_y"]).all()


def test_passage_text_is_stored_once_and_every_reader_gives_it_back(tmp_path):
    import pyarrow.parquet as pq

    from reportlib import find_reuse

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    seed = (RAW / "000_aaf925eb580b3263.txt").read_text("utf-8")
    own = ["今年新修建{}文化广场一处，群众反响良好。", "{}聘请律师担任各村法律顾问，每月坐班两天。",
           "{}组织干部旁听庭审三次，撰写心得体会。"]  # fmt: skip
    for number, town in enumerate(["永乐镇", "回龙镇", "太和镇"]):  # a template copied, with
        ending = own[number].format(town)  # a last paragraph of its own: passages end inside
        text = seed.replace("永乐镇", town) + "\n" + ending
        (raw / f"{number}.txt").write_text(text, "utf-8")
    result = build(raw, out, progress=False)
    with store.open_generation(out) as generation:
        assert "text" not in pq.read_schema(generation.table("reuse")).names
    keys = ["doc_id", "other_doc_id", "start", "other_start"]
    expected = find_reuse(result.documents)[[*keys, "text"]]
    assert len(expected) > 5
    by_sql = connect(out).execute("select * from reuse").df()
    tables = load_tables(out)
    chosen = sorted(set(expected["doc_id"]))[:2]
    readers = {
        "BuildResult": result.reuse,
        "load_tables": tables.reuse,
        "subset": tables.subset(chosen).reuse,
        "connect": by_sql,
    }
    for reader, got in readers.items():
        assert list(got.columns) == REUSE_COLUMNS, reader
        wanted = expected if reader != "subset" else expected[expected["doc_id"].isin(chosen)]
        merged = wanted.merge(got.astype({"doc_id": str, "other_doc_id": str}), on=keys)
        assert len(merged) == len(wanted) == len(got), reader
        assert (merged["text_x"] == merged["text_y"]).all(), reader


def test_read_rows_reads_only_the_row_groups_that_can_hold_the_reports(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setattr(pipeline, "ROW_GROUP_ROWS", 200)  # ~120 row groups of tokens
    out = tmp_path / "out"
    build(ROOT / "data" / "raw", out, progress=False)
    read = []
    original = pq.ParquetFile.read_row_groups

    def counting(self, groups, *args, **kwargs):
        read.extend(groups)
        return original(self, groups, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", counting)
    with store.open_generation(out) as generation:
        path = generation.table("tokens")
        total = sum(pq.ParquetFile(part).num_row_groups for part in path.glob("*.parquet"))
        rows = store.read_rows(path, ["d013", "d040"], columns=["doc_id", "token"])
        whole = pd.read_parquet(path, columns=["doc_id", "token"])
    assert total > 50
    assert rows.num_rows == whole["doc_id"].isin(["d013", "d040"]).sum() > 0
    assert set(rows.column("doc_id").to_pylist()) == {"d013", "d040"}
    assert rows.column_names == ["doc_id", "token"]
    assert 0 < len(read) <= 6  # two short page excerpts: a row group or two each


# --- one build at a time ------------------------------------------------------------------


def _cli(*arguments, **options):
    return subprocess.run(
        [sys.executable, "-m", "reportlib", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        **options,
    )


def test_a_second_build_fails_with_a_clear_error_while_one_runs(tmp_path):
    out = tmp_path / "out"
    with store.build_lock(out):
        with pytest.raises(BuildLockedError, match=f"build pid {os.getpid()}"):
            build(RAW, out, progress=False)
        ran = _cli("build", "--raw", str(RAW), "--out", str(out), "--no-progress")
    assert ran.returncode == 3
    assert "another build is writing this folder" in ran.stderr
    assert not (out / "current").exists()


def test_a_second_build_with_wait_runs_when_the_first_is_done(tmp_path):
    out = tmp_path / "out"
    with store.build_lock(out):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "reportlib", "build", "--raw", str(RAW), "--out", str(out),
             "--no-progress", "--wait", "120"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(3)
        assert waiting.poll() is None  # still waiting
    _, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, stderr
    assert "waiting for build pid" in stderr
    assert len(pd.read_parquet(out / "documents.parquet")) == 5


def test_two_builds_at_once_give_one_clean_result(tmp_path, clean):
    raw = _raw_like(clean, tmp_path)
    _state_b(raw)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "reportlib", "build", "--raw", str(raw), "--out", str(out),
               "--no-progress", "--wait", "300"]  # fmt: skip
    runs = [subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    for run in runs:
        run.communicate(timeout=300)
        assert run.returncode == 0
    assert _equal(_tables(out), clean["b"])
    assert len(os.listdir(out / "generations")) == 1  # the second build found nothing to do


def test_a_stale_lock_of_a_dead_build_is_taken_over(tmp_path, caplog):
    out = tmp_path / "out"
    out.mkdir()
    dead = {"pid": 999999, "host": "vm", "started": "2026-01-01T00:00:00+00:00"}
    (out / ".lock").write_text(json.dumps(dead))  # no process holds it any more
    with caplog.at_level("INFO", logger="reportlib"):
        build(RAW, out, progress=False)
    assert "took over the lock left by build pid 999999" in caplog.text


# --- readers during rebuilds --------------------------------------------------------------


def test_readers_never_see_an_error_or_a_mix_of_two_builds(tmp_path, clean):
    raw = _raw_like(clean, tmp_path)
    _state_a(raw)
    out = tmp_path / "out"
    build(raw, out, progress=False)
    expected = {clean["a_counts"], clean["b_counts"]}
    assert len(expected) == 2
    answers, errors = [], []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            try:
                answers.append(connect(out).execute(COUNTS).fetchone())
                with store.open_generation(out) as generation:
                    documents = pd.read_parquet(generation.table("documents"), columns=["doc_id"])
                    tokens = pd.read_parquet(generation.table("tokens"), columns=["doc_id"])
                if set(tokens["doc_id"].astype(str)) - set(documents["doc_id"]):
                    errors.append("tokens of documents that are not in documents")
            except Exception as error:  # every error is a failure of the test
                errors.append(repr(error))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for round_ in range(6):
            (_state_b if round_ % 2 == 0 else _state_a)(raw)
            build(raw, out, progress=False)
    finally:
        stop.set()
        for thread in readers:
            thread.join(60)
    assert errors == []
    assert len(answers) > 20
    assert set(answers) <= expected
    assert set(answers) == expected  # both builds were seen


# --- a build killed at any moment ---------------------------------------------------------


def _workers_of(pid: int) -> list[int]:
    """Worker processes started by build process ``pid`` that are still alive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"reportlib.workers" in b" ".join(argv) and str(pid).encode() in argv:
            found.append(int(entry.name))
    return found


def _moments(steps: list[str]) -> list[int]:
    """Step numbers (from 1) to kill a build at: one of each kind of moment. A step that
    repeats the pair of steps before it (the seventh fsync of a row of them) is like them;
    a batch after the second is like the second, but for its cache commit."""
    commits = [n for n, step in enumerate(steps, start=1) if step == "after put"]
    like_second = range(commits[1] + 1, commits[-1] - 1) if len(commits) > 2 else range(0)
    chosen = []
    for number, step in enumerate(steps, start=1):
        repeat = number > 4 and (step, steps[number - 2]) == (steps[number - 3], steps[number - 4])
        if not repeat and (number not in like_second or step.endswith("put")):
            chosen.append(number)
    return chosen


def test_a_build_killed_at_any_moment_leaves_one_whole_generation_and_the_next_is_clean(
    tmp_path, clean, monkeypatch
):
    raw = _raw_like(clean, tmp_path)
    out, snapshot = tmp_path / "out", tmp_path / "snapshot"
    _state_a(raw)
    # the batches kill_build.py's builds cut, so that their unchanged parts are linked
    monkeypatch.setattr(pipeline, "BATCH_FILES", 3)
    monkeypatch.setattr(pipeline, "BATCH_CUT", 2)
    build(raw, snapshot, progress=False)  # state A published, its cache filled
    monkeypatch.undo()
    _state_b(raw)
    killer = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "kill_build.py"), str(raw), str(out), str(snapshot)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip

    def kill_at(moment: int, workers: int) -> tuple[int, int]:
        killer.stdin.write(f"{moment} {workers}\n")
        killer.stdin.flush()
        _, code, pid = map(int, killer.stdout.readline().split())
        return code, pid

    try:
        code, _ = kill_at(0, 0)
        assert code == 0
        steps = list(iter(killer.stdout.readline, "end\n"))
        moments = _moments([step.strip() for step in steps])
        assert len(steps) > 30 and len(moments) > 20
        assert any(steps[m - 1].strip() == "after link" for m in moments)  # parts linked
        published_new = 0
        for number, moment in enumerate(moments):
            # a worker process in some runs (its death is checked), in-process in the others
            workers = 1 if number % 5 == 0 else 0
            code, pid = kill_at(moment, workers)
            assert code == -9, f"step {moment} ({steps[moment - 1].strip()}): exit {code}"
            deadline = time.monotonic() + 5
            while _workers_of(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _workers_of(pid) == [], "its workers must die with it"
            where = f"killed at step {moment} of {len(steps)}: {steps[moment - 1].strip()}"
            # readers see one whole build: the old one, or the new one if it was published
            seen = _tables(out)
            old, new = _equal(seen, clean["a"]), _equal(seen, clean["b"])
            assert old or new, f"{where}: a mixed or broken generation"
            published_new += new
            # the next build repairs everything: exactly the tables of a clean build
            again = build(raw, out, progress=False, workers=0)
            assert _equal(_tables(out), clean["b"]), where
            leftovers = [p.name for p in out.rglob("*") if p.name.endswith((".tmp", ".partial"))]
            assert leftovers == [], (where, leftovers)
            assert again.n_parsed <= 2, where
        assert 0 < published_new < len(moments)  # killed both before and after publishing
    finally:
        killer.stdin.close()
        killer.wait(60)
