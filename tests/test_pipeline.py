"""Tests for :mod:`reportlib.pipeline`: what a build writes, what it takes from the cache, and
that every change of the inputs gives exactly the tables of a clean build."""

import hashlib
import os
import shutil

import pandas as pd
import pytest

from reportlib import build, pipeline, store
from reportlib.limits import Limits
from tests.conftest import CORPUS, RAW

TABLES = store.TABLES


def _raw_copy(tmp_path, source=RAW):
    raw = tmp_path / "raw"
    shutil.copytree(source, raw)
    return raw


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def tables_of(out_dir) -> dict[str, pd.DataFrame]:
    """Every table of the published generation, read through the stable paths."""
    return {name: pd.read_parquet(out_dir / f"{name}.parquet") for name in TABLES}


def assert_same_tables(out_dir, clean_dir):
    """Table by table, the same rows as a clean build (source paths may differ only where the
    two raw folders differ)."""
    got, want = tables_of(out_dir), tables_of(clean_dir)
    for name in TABLES:
        pd.testing.assert_frame_equal(
            got[name], want[name], check_categorical=False, obj=f"table {name}"
        )


def test_build_writes_tables_and_never_touches_raw(tmp_path):
    raw = _raw_copy(tmp_path)
    before = _fingerprint(raw)
    result = build(raw, tmp_path / "out", progress=False)
    for name in TABLES:
        assert (tmp_path / "out" / f"{name}.parquet").exists()
    assert len(pd.read_parquet(tmp_path / "out" / "documents.parquet")) == 5
    assert len(result.documents) == 5
    assert _fingerprint(raw) == before
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.name.endswith((".tmp", ".partial"))]
    assert leftovers == []


def test_rebuild_of_unchanged_inputs_parses_and_writes_nothing(tmp_path):
    raw = _raw_copy(tmp_path)
    first = build(raw, tmp_path / "out", progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in first.generation.iterdir()}
    second = build(raw, tmp_path / "out", progress=False)
    assert (second.n_parsed, second.n_cached, second.published) == (0, 5, False)
    assert second.generation == first.generation
    assert stamps == {p: p.stat().st_mtime_ns for p in first.generation.iterdir()}
    pd.testing.assert_frame_equal(first.documents, second.documents)


def test_changed_file_is_reparsed_and_others_cached(tmp_path):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    changed = sorted(raw.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n附:补充说明。", encoding="utf-8")
    result = build(raw, tmp_path / "out", progress=False)
    assert (result.n_parsed, result.n_cached) == (1, 4)


def test_new_parser_version_parses_everything_again(tmp_path, monkeypatch):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    monkeypatch.setattr(pipeline.version, "parser_version", lambda: "999+pattern-edit")
    result = build(raw, tmp_path / "out", progress=False)
    assert result.n_parsed == 5
    assert set(result.documents["reportlib_version"]) == {"999+pattern-edit"}
    # the old version's cache is gone, not kept beside the new one
    assert len(list((tmp_path / "out" / "cache").glob("results-*.sqlite"))) == 1


@pytest.mark.parametrize("change", ["delete", "modify", "rename", "add", "all at once"])
def test_any_change_of_the_inputs_gives_the_tables_of_a_clean_build(tmp_path, change):
    # regression: the old cache trusted documents.parquet, so a rebuild after changes could
    # keep rows of deleted or modified reports
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted(RAW.glob("*.txt"))[:3] + sorted(CORPUS.glob("d0[0-2]*.txt")):
        shutil.copy(path, raw / path.name)
    build(raw, tmp_path / "out", progress=False)
    files = sorted(raw.glob("*.txt"))
    if change in ("delete", "all at once"):
        files[0].unlink()
    if change in ("modify", "all at once"):
        files[1].write_text(files[1].read_text(encoding="utf-8")[:-200] + "\n新增内容。", "utf-8")
    if change in ("rename", "all at once"):
        files[2].rename(raw / "renamed_report.txt")
    if change in ("add", "all at once"):
        shutil.copy(CORPUS / "d040.txt", raw / "d040.txt")
    result = build(raw, tmp_path / "out", progress=False)
    assert result.n_parsed <= 2  # the rest came from the cache
    build(raw, tmp_path / "clean", progress=False, use_cache=False)
    assert_same_tables(tmp_path / "out", tmp_path / "clean")


def test_a_changed_batch_keeps_its_unchanged_files_rows_and_equals_a_clean_build(
    tmp_path, monkeypatch
):
    # 1 % of the files changed at random leaves no batch unchanged: the unchanged files of a
    # changed batch keep their rows from the build before instead of being assembled again
    monkeypatch.setattr(pipeline, "BATCH_CUT", 8)  # several parts of the sample
    raw = tmp_path / "raw"
    shutil.copytree(RAW.parent, raw)
    build(raw, tmp_path / "out", progress=False)
    files = sorted(raw.rglob("*.txt"))
    for path in files[3::20]:  # a changed file in most batches
        path.write_text(path.read_text(encoding="utf-8") + "\n（本报告已修订）\n", "utf-8")
    files[10].unlink()
    shutil.copy(files[11], raw / "corpus" / "zz_copy.txt")  # new doc_id, known content
    result = build(raw, tmp_path / "out", progress=False)
    with store.open_generation(tmp_path / "out") as generation:
        manifest = generation.manifest
    assert len(manifest["parts"]) > 3
    assert manifest["n_linked"] + manifest["n_kept"] >= len(files) - 6
    assert manifest["n_kept"] > len(files) // 2
    assert result.n_parsed == 4
    build(raw, tmp_path / "clean", progress=False, use_cache=False)
    assert_same_tables(tmp_path / "out", tmp_path / "clean")


def test_kept_rows_are_read_ahead_at_most_one_batch_beyond_the_budget(tmp_path, monkeypatch):
    # the read-ahead thread bounds what it holds: with no budget at all it reads one batch
    # ahead of the one taken, never more, and the tables are those of a clean build
    monkeypatch.setattr(pipeline, "BATCH_CUT", 8)
    monkeypatch.setattr(pipeline, "READ_AHEAD_BYTES", 0)
    raw = tmp_path / "raw"
    shutil.copytree(RAW.parent, raw)
    build(raw, tmp_path / "out", progress=False)
    for path in sorted(raw.rglob("*.txt"))[3::20]:
        path.write_text(path.read_text(encoding="utf-8") + "\n（本报告已修订）\n", "utf-8")
    ahead: list[int] = []
    original_read, original_take = pipeline._Keeper.read, pipeline._ReadAhead.take
    taken: list[int] = []

    def read(self, keep):
        ahead.append(len(ahead) - len(taken))  # batches read and not yet taken, this one too
        return original_read(self, keep)

    def take(self, number):
        rows = original_take(self, number)
        taken.append(number)
        return rows

    monkeypatch.setattr(pipeline._Keeper, "read", read)
    monkeypatch.setattr(pipeline._ReadAhead, "take", take)
    build(raw, tmp_path / "out", progress=False)
    assert len(taken) > 3 and max(ahead) <= 1  # (1: read as the one before is taken)
    build(raw, tmp_path / "clean", progress=False, use_cache=False)
    assert_same_tables(tmp_path / "out", tmp_path / "clean")


def test_a_kept_part_that_cannot_be_read_fails_the_build_not_a_silent_table(tmp_path, monkeypatch):
    # the read-ahead thread's error is raised in the build, which then publishes nothing
    monkeypatch.setattr(pipeline, "BATCH_CUT", 8)
    raw = tmp_path / "raw"
    shutil.copytree(RAW.parent, raw)
    first = build(raw, tmp_path / "out", progress=False)
    path = sorted(raw.rglob("*.txt"))[3]
    path.write_text(path.read_text(encoding="utf-8") + "\n（本报告已修订）\n", "utf-8")

    def unreadable(self, keep):
        raise OSError("a damaged part")

    monkeypatch.setattr(pipeline._Keeper, "read", unreadable)
    with pytest.raises(OSError, match="a damaged part"):
        build(raw, tmp_path / "out", progress=False)
    with store.open_generation(tmp_path / "out") as generation:
        assert generation.path == first.generation


def test_bad_file_does_not_stop_the_build(tmp_path):
    raw = _raw_copy(tmp_path)
    (raw / "empty.txt").write_bytes(b"")
    result = build(raw, tmp_path / "out", progress=False)
    assert len(result.documents) == 5
    assert "empty" in set(result.problems["doc_id"])


def test_renamed_file_problem_messages_name_the_new_path(tmp_path):
    # regression: reused problem rows kept the old path inside their message
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    old = raw / "004_8c642f3c1dbf128b.txt"
    new = raw / "renamed.txt"
    old.rename(new)
    result = build(raw, tmp_path / "out", progress=False)
    assert result.n_parsed == 0
    messages = result.problems.loc[result.problems["doc_id"] == "renamed", "message"].tolist()
    assert messages and all(str(new) in m and str(old) not in m for m in messages)


def test_identical_files_each_get_a_row_and_are_parsed_once(tmp_path):
    raw = _raw_copy(tmp_path)
    first = sorted(raw.glob("*.txt"))[0]
    shutil.copy(first, raw / "copy.txt")
    result = build(raw, tmp_path / "out", progress=False)
    assert result.n_parsed == 5 and len(result.documents) == 6
    assert result.documents["sha256"].value_counts().max() == 2
    copies = result.sections[result.sections["doc_id"].isin(["copy", first.stem])]
    assert copies.groupby("doc_id").size().nunique() == 1
    again = build(raw, tmp_path / "out", progress=False)
    assert again.n_parsed == 0 and len(again.documents) == 6


def test_failed_file_is_not_reread_until_the_parser_changes(tmp_path, monkeypatch):
    raw = _raw_copy(tmp_path)
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 40)
    assert build(raw, tmp_path / "out", progress=False).n_parsed == 6
    (raw / "note.txt").write_text("另附说明:依法行政工作" * 20, encoding="utf-8")
    again = build(raw, tmp_path / "out", progress=False)
    assert again.n_parsed == 1 and "binary" in set(again.problems["doc_id"])
    monkeypatch.setattr(pipeline.version, "parser_version", lambda: "999+pattern-edit")
    assert build(raw, tmp_path / "out", progress=False).n_parsed == 7


def test_parallel_and_in_process_builds_give_the_same_tables(tmp_path):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "one", progress=False, workers=0)
    build(raw, tmp_path / "two", progress=False, workers=2)
    assert_same_tables(tmp_path / "one", tmp_path / "two")


def test_no_cache_parses_everything_and_gives_the_same_tables(tmp_path):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    result = build(raw, tmp_path / "out", progress=False, use_cache=False)
    assert result.n_parsed == 5 and result.published
    build(raw, tmp_path / "clean", progress=False)
    assert_same_tables(tmp_path / "out", tmp_path / "clean")


def test_sections_problem_is_not_doubled_when_the_file_comes_from_the_cache(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(CORPUS / "d013.txt", raw / "plain.txt")  # no numbered headings: one problem row
    build(raw, tmp_path / "out", progress=False)
    shutil.copy(CORPUS / "d014.txt", raw / "other.txt")
    result = build(raw, tmp_path / "out", progress=False)
    plain = result.problems[result.problems["doc_id"] == "plain"]
    assert (plain["stage"] == "sections").sum() == 1


def test_old_generations_are_kept_up_to_the_count(tmp_path):
    raw = _raw_copy(tmp_path)
    names = []
    for round_ in range(4):
        (raw / "extra.txt").write_text(f"依法行政工作说明第{round_}版。" * 20, encoding="utf-8")
        names.append(build(raw, tmp_path / "out", progress=False, keep=2).generation.name)
    kept = sorted(p.name for p in (tmp_path / "out" / "generations").iterdir())
    assert kept == names[-2:]
    assert store.generation_dir(tmp_path / "out").name == names[-1]


def test_cache_keeps_only_what_kept_generations_use(tmp_path):
    from reportlib.cache import ResultCache

    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False, keep=1)
    sorted(raw.glob("*.txt"))[0].unlink()
    build(raw, tmp_path / "out", progress=False, keep=1)
    cache = ResultCache(tmp_path / "out" / "cache", version=pipeline.version.parser_version())
    try:
        assert len(cache) == 4
    finally:
        cache.close()


def test_legacy_flat_tables_are_replaced_by_links(tmp_path):
    # a folder built before generations: regular files at the top level
    out = tmp_path / "out"
    out.mkdir()
    pd.DataFrame({"doc_id": ["old"]}).to_parquet(out / "documents.parquet")
    (out / ".tokens.abc.tmp").write_bytes(b"half a table")
    build(_raw_copy(tmp_path), out, progress=False)
    assert (out / "documents.parquet").is_symlink()
    assert len(pd.read_parquet(out / "documents.parquet")) == 5
    assert not (out / ".tokens.abc.tmp").exists()


# --- files that must not hang, stop or starve a build ----------------------------------------


def test_hostile_files_become_problem_rows_and_the_build_goes_on(tmp_path):
    import socket

    raw = _raw_copy(tmp_path)
    os.mkfifo(raw / "fifo.txt")
    os.symlink("/dev/zero", raw / "zero.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(raw / "socket.txt"))
    gbk_name = os.fsdecode("甲镇报告".encode("gbk") + b".txt")
    shutil.copy(RAW / "000_aaf925eb580b3263.txt", raw / gbk_name)
    deep = raw
    for _ in range(1000):  # regression: os.walk recursed, and 1,000 folders raised RecursionError
        deep = deep / "d"
        deep.mkdir()  # one at a time: os.makedirs recurses too
    shutil.copy(RAW / "001_51acc513f15262cb.txt", deep / "deep.txt")
    (raw / "huge.txt").write_bytes(b"x" * 200_000)
    try:
        result = build(raw, tmp_path / "out", progress=False, limits=Limits(max_file_bytes=100_000))
    finally:
        listener.close()
        (deep / "deep.txt").unlink()
        while deep != raw:  # bottom up, since shutil.rmtree recurses
            deep.rmdir()
            deep = deep.parent
    problems = result.problems.set_index("doc_id")
    for name in ("fifo", "zero", "socket"):
        assert problems.loc[name, "stage"] == "read", name
    assert "max_file_bytes" in problems.loc["huge", "message"]
    assert problems.loc["huge", "stage"] == "limit"
    # the GBK-named copy is read, shown with escapes, and its name explained
    (shown,) = set(result.documents["doc_id"]) - {p.stem for p in RAW.glob("*.txt")} - {"deep"}
    assert shown.startswith("\\xbc\\xd7") and shown.encode("utf-8")
    path_rows = result.problems[result.problems["stage"] == "path"]
    assert path_rows["doc_id"].tolist() == [shown]
    assert "read as GB18030 it is 甲镇报告.txt" in path_rows["message"].iloc[0]
    assert "deep" in set(result.documents["doc_id"])
    assert len(result.documents) == 7


def test_file_over_its_time_budget_is_a_problem_row_and_the_worker_is_replaced(
    tmp_path,
):
    raw = _raw_copy(tmp_path)
    text = (RAW / "000_aaf925eb580b3263.txt").read_text(encoding="utf-8")
    (raw / "slow.txt").write_text(text + "\n附:说明。", encoding="utf-8")  # content of its own
    from reportlib.executors import LocalExecutor

    class Slow(LocalExecutor):
        """Local workers whose per-file stages hang on slow.txt."""

        def imap(self, chunks, *, function, limits, size):
            if function == "reportlib.results:process_files":
                function = "tests.slow_worker:process_files"
            return super().imap(chunks, function=function, limits=limits, size=size)

    result = build(
        raw, tmp_path / "out", progress=False, limits=Limits(max_seconds=2), executor=Slow(1)
    )
    slow = result.problems[result.problems["doc_id"] == "slow"]
    assert slow["stage"].tolist() == ["limit"] and "max_seconds=2" in slow["message"].iloc[0]
    assert len(result.documents) == 5  # the others, including those chunked with it
    assert result.n_timeouts == 1
    # a time-out is not cached: the next build tries the file again
    again = build(raw, tmp_path / "out", progress=False)
    assert again.n_parsed == 1 and "slow" in set(again.documents["doc_id"])
