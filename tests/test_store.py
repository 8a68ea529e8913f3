import contextlib
import hashlib
import shutil

import pandas as pd

from reportlib import build, connect, store
from tests.conftest import RAW


def _raw_copy(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    return raw


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_build_writes_tables_and_never_touches_raw(tmp_path):
    raw = _raw_copy(tmp_path)
    before = _fingerprint(raw)
    result = build(raw, tmp_path / "out", progress=False)
    assert (tmp_path / "out" / "documents.parquet").exists()
    assert (tmp_path / "out" / "problems.parquet").exists()
    assert (
        len(pd.read_parquet(tmp_path / "out" / "documents.parquet")) == len(result.documents) == 5
    )
    assert _fingerprint(raw) == before
    assert not list((tmp_path / "out").glob("*.tmp"))  # no temporary files left behind


def test_rebuild_of_unchanged_inputs_parses_nothing(tmp_path, monkeypatch):
    raw = _raw_copy(tmp_path)
    first = build(raw, tmp_path / "out", progress=False)
    calls = []
    monkeypatch.setattr(store.documents_module, "parse_file", lambda *a, **k: calls.append(a))
    second = build(raw, tmp_path / "out", progress=False)
    assert calls == [] and second.n_parsed == 0 and second.n_cached == 5
    pd.testing.assert_frame_equal(first.documents, second.documents)
    pd.testing.assert_frame_equal(first.problems, second.problems)


def test_changed_file_is_reparsed_and_others_cached(tmp_path):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    changed = sorted(raw.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n附:补充说明。", encoding="utf-8")
    result = build(raw, tmp_path / "out", progress=False)
    assert (result.n_parsed, result.n_cached) == (1, 4)


def test_new_version_invalidates_cache(tmp_path, monkeypatch):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    monkeypatch.setattr(store.version, "parser_version", lambda: "999+pattern-edit")
    assert build(raw, tmp_path / "out", progress=False).n_parsed == 5


def test_bad_file_does_not_stop_the_build(tmp_path):
    raw = _raw_copy(tmp_path)
    (raw / "empty.txt").write_bytes(b"")
    result = build(raw, tmp_path / "out", progress=False)
    assert len(result.documents) == 5
    assert "empty" in set(result.problems["doc_id"])


def test_connect_gives_sql_views(tmp_path):
    build(_raw_copy(tmp_path), tmp_path / "out", progress=False)
    connection = connect(tmp_path / "out")
    rows = connection.execute(
        "select level, count(*) from documents group by level order by level"
    ).fetchall()
    assert rows == [("市", 1), ("镇", 4)]
    assert connection.execute("select count(*) from problems").fetchall()[0][0] >= 1


def test_write_table_is_atomic_on_failure(tmp_path):
    target = tmp_path / "t.parquet"
    store.write_table(pd.DataFrame({"doc_id": ["a"]}), target)

    class Unwritable(pd.DataFrame):
        def to_parquet(self, *args, **kwargs):
            raise OSError("disk full")

    with contextlib.suppress(OSError):
        store.write_table(Unwritable({"doc_id": ["b"]}), target)
    assert pd.read_parquet(target)["doc_id"].tolist() == ["a"]  # old table intact
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


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


def test_identical_files_each_get_a_row(tmp_path):
    raw = _raw_copy(tmp_path)
    first = sorted(raw.glob("*.txt"))[0]
    shutil.copy(first, raw / "copy.txt")
    build(raw, tmp_path / "out", progress=False)
    result = build(raw, tmp_path / "out", progress=False)
    assert result.n_parsed == 0 and len(result.documents) == 6
    assert result.documents["sha256"].value_counts().max() == 2


def test_failed_file_is_not_reread_until_the_parser_changes(tmp_path, monkeypatch):
    raw = _raw_copy(tmp_path)
    (raw / "empty.txt").write_bytes(b"")
    build(raw, tmp_path / "out", progress=False)
    # an empty file has no digest worth caching, but a binary one does
    (raw / "empty.txt").unlink()
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 40)
    assert build(raw, tmp_path / "out", progress=False).n_parsed == 1
    again = build(raw, tmp_path / "out", progress=False)
    assert again.n_parsed == 0 and "binary" in set(again.problems["doc_id"])
    monkeypatch.setattr(store.version, "parser_version", lambda: "999+pattern-edit")
    assert build(raw, tmp_path / "out", progress=False).n_parsed == 6


def test_unchanged_inputs_leave_the_tables_untouched(tmp_path):
    raw = _raw_copy(tmp_path)
    build(raw, tmp_path / "out", progress=False)
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("*.parquet")}
    build(raw, tmp_path / "out", progress=False)
    assert stamps == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("*.parquet")}


def test_parallel_parsing_gives_the_same_tables(tmp_path):
    raw = _raw_copy(tmp_path)
    one = build(raw, tmp_path / "one", progress=False, workers=1)
    two = build(raw, tmp_path / "two", progress=False, workers=2)
    for table in ("documents", "problems", "sections", "indicators"):
        pd.testing.assert_frame_equal(getattr(one, table), getattr(two, table))


def test_missing_indicators_table_is_rebuilt_for_unchanged_reports(tmp_path):
    # regression: with documents and sections reused, a missing indicators.parquet (a build
    # made before indicators existed) left the unchanged reports without indicators
    raw = _raw_copy(tmp_path)
    first = build(raw, tmp_path / "out", progress=False)
    (tmp_path / "out" / "indicators.parquet").unlink()
    second = build(raw, tmp_path / "out", progress=False)
    assert len(second.indicators) == len(first.indicators) > 0
    assert (tmp_path / "out" / "indicators.parquet").exists()


def test_sections_problem_is_not_doubled_when_sections_are_split_again(tmp_path):
    from tests.conftest import CORPUS

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(CORPUS / "d013.txt", raw / "plain.txt")  # no numbered headings: one problem row
    build(raw, tmp_path / "out", progress=False)
    (tmp_path / "out" / "sections.parquet").unlink()
    result = build(raw, tmp_path / "out", progress=False)
    assert (result.problems["stage"] == "sections").sum() == 1
