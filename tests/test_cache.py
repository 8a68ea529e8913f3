"""Tests for :mod:`reportlib.cache`: entries by content, one database per parser version, and
a damaged cache that only costs parsing again."""

import math
import shutil
import sqlite3

import pandas as pd

from reportlib import build
from reportlib.cache import ResultCache, decode, encode
from tests.conftest import RAW


def _entry(sha: str) -> dict:
    return {"sha256": sha, "row": {"n_chars": 3, "low": math.nan}, "problems": [["x", "y"]]}


def test_entries_round_trip_with_nan_bytes_and_nesting(tmp_path):
    entry = {**_entry("a"), "tokens": {"data": "永乐镇".encode(), "n": 1}, "parts": [["a", "b"]]}
    back = decode(encode(entry))
    assert math.isnan(back["row"]["low"])
    assert back["tokens"] == entry["tokens"] and back["parts"] == [["a", "b"]]


def test_put_get_keys_and_retain(tmp_path):
    cache = ResultCache(tmp_path, version="1.0+a")
    cache.put({sha: encode(_entry(sha)) for sha in ("a", "b", "c")})
    assert cache.keys(["a", "c", "z"]) == {"a", "c"}
    assert set(cache.get(["b", "z"])) == {"b"}
    assert cache.retain({"a"}) == 2 and len(cache) == 1
    cache.close()


def test_a_new_parser_version_starts_an_empty_cache_and_removes_the_old(tmp_path):
    old = ResultCache(tmp_path, version="1.0+a")
    old.put({"a": encode(_entry("a"))})
    old.close()
    new = ResultCache(tmp_path, version="1.0+b")
    assert len(new) == 0
    assert [p.name for p in tmp_path.glob("*.sqlite")] == [new.path.name]
    new.close()


def test_a_damaged_entry_is_left_out_and_a_damaged_database_replaced(tmp_path):
    cache = ResultCache(tmp_path, version="1.0+a")
    cache.put({"a": encode(_entry("a")), "b": b"\x05\x00\x00\x00\x00\x00\x00\x00not lz4"})
    assert set(cache.get(["a", "b"])) == {"a"}
    cache.close()
    cache.path.write_bytes(b"this is not a database" * 100)
    again = ResultCache(tmp_path, version="1.0+a")
    assert len(again) == 0
    again.close()


def test_a_build_over_damaged_entries_parses_them_again_and_gives_the_same_tables(tmp_path):
    # regression: an entry listed by keys() but unreadable by get() put the fresh results
    # out of step ("internal error: … out of order")
    first = build(RAW, tmp_path / "out", progress=False)
    (database,) = (tmp_path / "out" / "cache").glob("*.sqlite")
    with sqlite3.connect(database) as connection:
        connection.execute("update results set payload = x'00'")
    # a second folder with the damaged cache and no published build: every entry is read
    (tmp_path / "again").mkdir()
    shutil.copytree(tmp_path / "out" / "cache", tmp_path / "again" / "cache")
    second = build(RAW, tmp_path / "again", progress=False)
    assert second.n_parsed == 5
    pd.testing.assert_frame_equal(second.documents, first.documents)
    third = build(RAW, tmp_path / "third", progress=False)  # the entries were stored again
    pd.testing.assert_frame_equal(third.documents, first.documents)
