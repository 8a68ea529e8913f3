"""The build's reuse stage out of core (reportlib.reuse_index): batches, neighbours, counts of
the whole corpus, incremental re-runs, and a failing batch."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reportlib import build, reuse_index
from reportlib.reuse import find_reuse, sentence_key, sentence_keys

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "raw" / "seeds" / "000_aaf925eb580b3263.txt"  # 永乐镇's 2023 report
# real towns of one county (重庆市綦江区), each copying 永乐镇's report
TOWNS = ["古南街道", "文龙街道", "三江街道", "万东镇", "东溪镇", "赶水镇", "打通镇", "石角镇",
         "安稳镇", "扶欢镇", "永新镇", "中峰镇", "横山镇"]  # fmt: skip
COLUMNS = ["doc_id", "other_doc_id", "start", "end", "other_start", "other_end", "n_chars",
           "relation", "n_documents", "similarity"]  # fmt: skip


def _copies(folder: Path, towns: list[str]) -> Path:
    """One report per town: the seed with the town's name, its own numbers and one
    sentence of its own in a different place for each."""
    text = SEED.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for number, town in enumerate(towns):
        copy = text.replace("永乐镇", town).replace("2023", "2023").replace("10", str(10 + number))
        lines = copy.splitlines()
        lines.insert(5 + 3 * number, f"{town}今年新建成{town}法治文化广场一处，群众反响良好。")
        (folder / f"{number:02d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return folder


def _table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "reuse.parquet")[COLUMNS].reset_index(drop=True)


def _whole(out: Path) -> pd.DataFrame:
    """find_reuse over the whole built corpus at once: what the batches must add up to."""
    documents = pd.read_parquet(out / "documents.parquet")
    return find_reuse(documents)[COLUMNS].reset_index(drop=True)


def test_sentence_key_is_64_bits_of_blake2b_whatever_the_process():
    expected = int.from_bytes(
        hashlib.blake2b("全面推行行政执法公示制度。".encode(), digest_size=8).digest(),
        "little",
        signed=True,
    )
    assert sentence_key("全面推行行政执法公示制度。") == expected
    keys, lengths, _, _ = sentence_keys(
        "甲镇全面推行行政执法公示制度，开展检查60次。", names=["甲镇"]
    )
    assert keys.tolist() == [sentence_key("@全面推行行政执法公示制度，开展检查#次。")]
    assert lengths.tolist() == [21]


def test_sentences_alike_share_bands_and_unlike_ones_do_not():
    sentence = "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，落实到位。"
    *_, bands, lengths = sentence_keys(sentence)
    *_, edited, _ = sentence_keys(sentence.replace("落实到位", "全面落实到位"))
    *_, other, _ = sentence_keys(
        "深入开展法治宣传教育，组织开展送法下乡活动十二场，发放宣传资料三千余份。"
    )
    assert len(bands) == 14 and lengths.tolist() == [len(sentence)] * 14
    assert len(set(bands) & set(edited)) >= 1 and not set(bands) & set(other)


def test_batches_with_their_neighbours_find_what_one_pass_finds(tmp_path, monkeypatch):
    # tiny batches: most pairs of towns are split between two batches and found through the
    # neighbours, with the counts of the whole corpus
    monkeypatch.setattr(reuse_index, "MAX_BATCH_DOCUMENTS", 3)
    raw = _copies(tmp_path / "raw", TOWNS)
    out = tmp_path / "out"
    build(raw, out, progress=False, workers=0)
    table = _table(out)
    assert len(table) and set(table["doc_id"]) == set(
        pd.read_parquet(out / "documents.parquet")["doc_id"]
    )
    pd.testing.assert_frame_equal(table, _whole(out))


def test_a_batch_compared_a_few_reports_at_a_time_finds_what_one_pass_finds(tmp_path, monkeypatch):
    # a template copied by many towns is one group, never cut across batches; its pairs of
    # sentences all at once took 0.8 GB in a worker, so a batch's reports are compared a few
    # at a time with all the batch's reports: here one at a time
    from reportlib import reuse

    raw = _copies(tmp_path / "raw", TOWNS)
    build(raw, tmp_path / "whole", progress=False, workers=0)
    calls = []
    original = reuse.find_reuse

    def counting(*args, **kwargs):
        calls.append(kwargs["only"])
        return original(*args, **kwargs)

    monkeypatch.setattr(reuse, "find_reuse", counting)
    monkeypatch.setattr(reuse_index, "MAX_FOCUS_PAIRS", 1)
    build(raw, tmp_path / "parts", progress=False, workers=0, use_cache=False)
    assert len(calls) == len(TOWNS) and all(len(only) == 1 for only in calls)
    table = _table(tmp_path / "parts")
    assert len(table) > len(TOWNS)
    pd.testing.assert_frame_equal(table, _table(tmp_path / "whole"))
    pd.testing.assert_frame_equal(table, _whole(tmp_path / "whole"))


def test_regression_the_neighbour_search_ran_out_of_memory_at_200_mb(tmp_path, monkeypatch):
    # 200 MB of distinct reports made 68 M pairs of band holders, and DuckDB's 512 MB did not
    # hold their aggregate: the search now runs in slices of reports; sliced as finely as it
    # can be (a slice per report), it finds the same neighbours and the same passages
    monkeypatch.setattr(reuse_index, "MAX_BATCH_DOCUMENTS", 3)
    raw = _copies(tmp_path / "raw", TOWNS)
    plans = []
    original = reuse_index.plan_batches

    def recording(*args, **kwargs):
        # two neighbours a report: a slice must find a report's best, not its slice's best
        plans.append(original(*args, **{**kwargs, "max_sources": 1}))
        return plans[-1]

    monkeypatch.setattr(reuse_index, "plan_batches", recording)
    monkeypatch.setattr(reuse_index, "SLICE_PAIRS", 1)
    build(raw, tmp_path / "sliced", progress=False, workers=0)
    monkeypatch.setattr(reuse_index, "SLICE_PAIRS", 10**12)
    build(raw, tmp_path / "whole", progress=False, workers=0, use_cache=False)
    sliced, whole = plans
    assert any(batch.neighbours for batch in whole)
    assert [(b.doc_ids, b.neighbours, b.clean) for b in sliced] == [
        (b.doc_ids, b.neighbours, b.clean) for b in whole
    ]
    pd.testing.assert_frame_equal(_table(tmp_path / "sliced"), _table(tmp_path / "whole"))


def test_a_batch_too_heavy_with_its_neighbours_is_cut_again(tmp_path, monkeypatch):
    # at 200 MB of distinct text a batch's neighbours were ten times the batch, and a worker
    # held 1.7 GB: a batch and its neighbours now hold at most MAX_COMPARED_CHARS (but a
    # batch of one report), and the passages are still those of one pass
    raw = _copies(tmp_path / "raw", TOWNS)
    monkeypatch.setattr(reuse_index, "MAX_BATCH_DOCUMENTS", 6)
    plans = []
    original = reuse_index.plan_batches

    def recording(*args, **kwargs):
        plans.append(original(*args, **kwargs))
        return plans[-1]

    monkeypatch.setattr(reuse_index, "plan_batches", recording)
    build(raw, tmp_path / "loose", progress=False, workers=0)
    lengths = pd.read_parquet(tmp_path / "loose" / "documents.parquet")
    lengths = dict(zip(lengths["doc_id"], lengths["n_chars"], strict=True))

    def compared(batch):
        return sum(lengths[d] for d in (*batch.doc_ids, *batch.neighbours))

    budget = max(compared(batch) for batch in plans[0]) // 2
    monkeypatch.setattr(reuse_index, "MAX_COMPARED_CHARS", budget)
    out = tmp_path / "cut"
    build(raw, out, progress=False, workers=0)
    loose, cut = plans
    assert len(cut) > len(loose)
    assert all(compared(batch) <= budget or len(batch.doc_ids) == 1 for batch in cut)
    assert sorted(d for batch in cut for d in batch.doc_ids) == sorted(lengths)
    pd.testing.assert_frame_equal(_table(out), _whole(out))


def test_batches_run_in_worker_processes_alike(tmp_path, monkeypatch):
    monkeypatch.setattr(reuse_index, "MAX_BATCH_DOCUMENTS", 4)
    raw = _copies(tmp_path / "raw", TOWNS[:8])
    build(raw, tmp_path / "one", progress=False, workers=0)
    build(raw, tmp_path / "two", progress=False, workers=2)
    pd.testing.assert_frame_equal(_table(tmp_path / "one"), _table(tmp_path / "two"))


def test_a_report_keeps_at_most_20_sources(tmp_path):
    towns = [*TOWNS, "篆塘镇", "丁山镇", "隆盛镇", "郭扶镇", "高庙镇", "新盛镇", "石壕镇",
                     "永城镇", "三角镇", "青年镇"]  # fmt: skip
    out = tmp_path / "out"
    build(_copies(tmp_path / "raw", towns), out, progress=False, workers=0)
    table = _table(out)
    sources = table[table["relation"] != "internal"].groupby("doc_id")["other_doc_id"].nunique()
    assert len(towns) - 1 > 20 and sources.max() == 20
    # the sources kept are those sharing the most characters
    whole = find_reuse(pd.read_parquet(out / "documents.parquet"), max_sources=None)
    first = table["doc_id"].iloc[0]
    totals = whole[whole["doc_id"] == first].groupby("other_doc_id")["n_chars"].sum()
    kept = set(table.loc[table["doc_id"] == first, "other_doc_id"])
    assert totals[list(kept)].min() >= totals.drop(list(kept)).max()


def _changed(folder: Path) -> list[str]:
    """Change two of the towns: one appends a line, one rewrites a shared sentence."""
    first, second = sorted(folder.glob("*.txt"))[1:3]
    first.write_text(first.read_text("utf-8") + "\n（本报告已修订）\n", "utf-8")
    text = second.read_text("utf-8")
    sentence = next(line for line in text.splitlines() if len(line) > 40)
    second.write_text(text.replace(sentence, sentence[:20] + "，并持续深化改革。"), "utf-8")
    return [first.stem, second.stem]


def _rebuild(raw: Path, out: Path, monkeypatch) -> list[list[str]]:
    """Build again; the reports of each reuse batch that was compared."""
    compared: list[list[str]] = []
    real = reuse_index.run_batches

    def recording(tasks, **options):
        for task in tasks:
            compared.append(json.loads(Path(task.path).read_text("utf-8"))["doc_ids"])
        return real(tasks, **options)

    with monkeypatch.context() as patch:
        patch.setattr(reuse_index, "run_batches", recording)
        build(raw, out, progress=False, workers=0)
    return compared


def test_a_re_run_compares_only_what_changed_and_matches_a_cold_build(tmp_path, monkeypatch):
    raw = _copies(tmp_path / "raw", TOWNS)
    out = tmp_path / "out"
    build(raw, out, progress=False, workers=0)
    _changed(raw)
    compared = [doc_id for batch in _rebuild(raw, out, monkeypatch) for doc_id in batch]
    cold = tmp_path / "cold"
    shutil.copytree(raw, tmp_path / "raw2")
    build(tmp_path / "raw2", cold, progress=False, workers=0)
    pd.testing.assert_frame_equal(_table(out), _table(cold))
    # the appended line is no sentence of its own: one report changed without changing any
    # count; the rewritten sentence changed the counts of two sentences, whose holders (every
    # town) are compared again
    assert 0 < len(compared) <= len(TOWNS)


def test_an_appended_line_compares_one_report_again(tmp_path, monkeypatch):
    raw = _copies(tmp_path / "raw", TOWNS)
    out = tmp_path / "out"
    build(raw, out, progress=False, workers=0)
    path = sorted(raw.glob("*.txt"))[4]
    path.write_text(path.read_text("utf-8") + "\n（本报告已修订）\n", "utf-8")
    compared = _rebuild(raw, out, monkeypatch)
    documents = pd.read_parquet(out / "documents.parquet")
    changed = documents.loc[documents["source_path"].str.endswith("04.txt"), "doc_id"].tolist()
    assert compared == [changed]
    cold = tmp_path / "cold"
    build(raw, cold, progress=False, workers=0, use_cache=False)
    pd.testing.assert_frame_equal(_table(out), _table(cold))


def test_regression_a_failing_reuse_batch_was_a_failed_build(tmp_path, monkeypatch):
    def broken(tasks, **options):
        raise MemoryError("no memory left")

    monkeypatch.setattr(reuse_index, "run_batches", broken)
    out = tmp_path / "out"
    result = build(_copies(tmp_path / "raw", TOWNS[:3]), out, progress=False, workers=0)
    problems = pd.read_parquet(out / "problems.parquet")
    failed = problems[problems["stage"] == "reuse"]
    assert len(failed) == 3 and failed["message"].str.contains("no memory left").all()
    assert result.published and _table(out).empty


@pytest.mark.parametrize("kept", [0, 5])
def test_only_gives_the_pairs_with_a_side_in_the_reports_asked_for(tmp_path, kept):
    out = tmp_path / "out"
    build(_copies(tmp_path / "raw", TOWNS[:7]), out, progress=False, workers=0)
    documents = pd.read_parquet(out / "documents.parquet")
    chosen = set(documents["doc_id"][kept : kept + 2])
    whole = find_reuse(documents, max_sources=None)
    expected = whole[whole["doc_id"].isin(chosen) | whole["other_doc_id"].isin(chosen)]
    part = find_reuse(documents, max_sources=None, only=chosen)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected.reset_index(drop=True))


def test_regression_duckdb_out_of_memory_failed_the_whole_build(tmp_path, monkeypatch):
    # a distinct 100 MB corpus ran DuckDB out of its memory limit in the reuse stage, and the
    # build published nothing: now the other tables are published and one row says why
    def out_of_memory(*args, **options):
        raise MemoryError("Out of Memory Error: failed to pin block of size 256.0 KiB")

    monkeypatch.setattr(reuse_index, "plan_batches", out_of_memory)
    out = tmp_path / "out"
    result = build(_copies(tmp_path / "raw", TOWNS[:3]), out, progress=False, workers=0)
    assert result.published and len(result.documents) == 3 and _table(out).empty
    problems = pd.read_parquet(out / "problems.parquet")
    row = problems[problems["stage"] == "reuse"]
    assert len(row) == 1 and "REPORTLIB_DUCKDB_MEMORY" in row["message"].iloc[0]


def test_a_re_run_joins_only_the_holders_of_the_compared_reports_sentences(tmp_path, monkeypatch):
    # six towns copying one template, and the other seed reports; one seed gains a line: the
    # neighbour search joins the holders of its sentences, not the whole corpus's (at 200 MB
    # that join took a minute for a handful of changed reports)
    raw = _copies(tmp_path / "raw", TOWNS[:6])
    for seed in sorted(SEED.parent.glob("*.txt"))[1:]:
        shutil.copy(seed, raw / f"seed_{seed.name}")
    out = tmp_path / "out"
    build(raw, out, progress=False, workers=0)
    path = sorted(raw.glob("seed_*"))[0]
    path.write_text(path.read_text("utf-8") + "\n（本报告已修订）\n", "utf-8")
    seen = {}
    original = reuse_index.plan_batches

    def recording(connection, **kwargs):
        batches = original(connection, **kwargs)
        for name, query in {
            "compared": "select count(*) from dirty",
            "holders": "select count(*) from holders",
            "shared": "select count(*) from shared where n_chars >= 16",
            "others": "select count(*) from holders where key not in "
            "(select key from shared semi join dirty using (doc_id))",
        }.items():
            seen[name] = connection.execute(query).fetchone()[0]
        return batches

    monkeypatch.setattr(reuse_index, "plan_batches", recording)
    build(raw, out, progress=False, workers=0)
    assert seen["compared"] == 1 and seen["others"] == 0
    assert seen["holders"] < seen["shared"] / 4
    cold = tmp_path / "cold"
    build(raw, cold, progress=False, workers=0, use_cache=False)
    pd.testing.assert_frame_equal(_table(out), _table(cold))
