"""Tokens: every word of every document, in order, as one tidy table.

``tokenize`` cuts each text with :func:`reportlib.segment.segment` and keeps the word tokens
(anything holding a letter or a digit; punctuation and white space are dropped). Positions
count every token, dropped ones included, so a gap between two positions marks punctuation:
collocations never join words across it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reportlib.segment import _NO_KEYWORD, _segmenter, stopwords

__all__ = ["TOKEN_COLUMNS", "TOKEN_SCHEMA", "tokenize", "tokenize_arrow"]

TOKEN_COLUMNS = ["doc_id", "section_id", "position", "start", "token", "is_stopword"]
# Identifiers and words repeat a great deal, so they are dictionary-encoded (pandas
# categoricals): a fraction of the memory, and grouping by them is twice as fast.
_CODED = pa.dictionary(pa.int32(), pa.string())
TOKEN_SCHEMA = pa.schema(
    [
        ("doc_id", _CODED),
        ("section_id", _CODED),
        ("position", pa.int64()),
        ("start", pa.int64()),
        ("token", _CODED),
        ("is_stopword", pa.bool_()),
    ]
)

# A word token holds a letter or a digit (Han characters are letters to RE2's \pL).
_WORD = r"[\pL\pN]"


def tokenize(
    documents_or_sections: pd.DataFrame,
    *,
    extra_terms: Iterable[str] = (),
    extra_stopwords: Iterable[str] = (),
) -> pd.DataFrame:
    """The tokens of every document or section.

    Parameters
    ----------
    documents_or_sections
        A documents table (``doc_id``, ``text``) or a sections table (``doc_id``,
        ``section_id``, ``start``, ``text``). Sections are cut one by one, so no token spans two
        sections, and every token carries its ``section_id``; with documents it is empty.
    extra_terms
        Terms to keep whole on top of ``data/policy_lexicon.txt``.
    extra_stopwords
        Words to flag as stop words on top of ``data/stopwords.txt``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, section_id, position, start, token, is_stopword``: ``position`` numbers the
        document's tokens from 0 (punctuation included, then dropped); ``start`` is the
        token's character offset in ``documents.text``; ``is_stopword`` is true for stop
        words, numbers and single characters. A new DataFrame; the input is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["坚持新时代枫桥经验，化解纠纷12件。"]})
    >>> tokenize(docs)[["position", "start", "token", "is_stopword"]].values.tolist()
    [[0, 0, '坚持', True], [1, 2, '新时代枫桥经验', False], [3, 10, '化解', False], [4, 12, '纠纷', False], [5, 14, '12', True], [6, 16, '件', True]]
    """
    return tokenize_arrow(
        documents_or_sections, extra_terms=extra_terms, extra_stopwords=extra_stopwords
    ).to_pandas()


def tokenize_arrow(
    documents_or_sections: pd.DataFrame,
    *,
    extra_terms: Iterable[str] = (),
    extra_stopwords: Iterable[str] = (),
) -> pa.Table:
    """:func:`tokenize` as an Arrow table, sorted by document and position: what the build
    writes in batches without a pandas copy."""
    frame = documents_or_sections
    by_section = "section_id" in frame.columns
    if by_section:
        frame = frame.sort_values(["doc_id", "start"], kind="stable")
    doc_ids = frame["doc_id"].tolist()
    texts = frame["text"].fillna("").tolist()
    section_ids = frame["section_id"].tolist() if by_section else [None] * len(texts)
    offsets = frame["start"].astype("int64").tolist() if by_section else [0] * len(texts)
    cut = _segmenter(tuple(sorted(set(extra_terms)))).cut
    pieces: list[str] = []
    counts = np.empty(len(texts), dtype=np.int64)
    for index, text in enumerate(texts):
        words = cut(text)
        pieces.extend(words)
        counts[index] = len(words)
    return _token_table(pieces, counts, doc_ids, section_ids, offsets, frozenset(extra_stopwords))


def _token_table(
    pieces: list[str],
    counts: np.ndarray,
    doc_ids: list[str],
    section_ids: list[str | None],
    offsets: list[int],
    extra_stopwords: frozenset[str],
) -> pd.DataFrame:
    """Columns computed for all texts at once with Arrow kernels: a Python step per token would
    cost more than cutting the text."""
    tokens = pa.array(pieces, type=pa.string())
    lengths = pc.utf8_length(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    first_of_text = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else counts
    # character offset of each token inside its text, then inside its document
    ends = np.cumsum(lengths)
    text_base = np.concatenate(([0], ends))[first_of_text] if len(counts) else first_of_text
    start = ends - lengths - np.repeat(text_base, counts) + np.repeat(np.asarray(offsets), counts)
    # position within the document: sections of one document continue its numbering
    doc_codes, doc_index = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    token_doc = doc_index[owner] if len(owner) else owner
    order_in_doc = np.arange(len(pieces)) - _first_index_of_group(token_doc)
    # Word and stop-word tests run once per distinct token (a few thousand), not per token.
    encoded = pc.dictionary_encode(tokens)
    vocabulary, codes = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    stop_list = pa.array(sorted(stopwords() | extra_stopwords), type=pa.string())
    word_of_code = pc.match_substring_regex(vocabulary, _WORD).to_numpy(zero_copy_only=False)
    stop_of_code = pc.or_(
        pc.is_in(vocabulary, value_set=stop_list),
        pc.match_substring_regex(vocabulary, _NO_KEYWORD.pattern),
    ).to_numpy(zero_copy_only=False)
    keep = word_of_code[codes] if len(codes) else np.zeros(0, dtype=bool)
    is_stopword = stop_of_code[codes] if len(codes) else np.zeros(0, dtype=bool)
    kept = np.flatnonzero(keep)
    section_codes, section_index = np.unique(
        np.asarray([section or "" for section in section_ids], dtype=object), return_inverse=True
    )
    section_values = pa.array(section_codes, type=pa.string())
    table = pa.Table.from_pydict(
        {
            "doc_id": _coded(token_doc[kept], pa.array(doc_codes, type=pa.string())),
            # documents (not sections) have no section: a null, never a "" category
            "section_id": _coded(
                section_index[owner[kept]], section_values, null=section_codes == ""
            ),
            "position": pa.array(order_in_doc[kept], type=pa.int64()),
            "start": pa.array(start[kept], type=pa.int64()),
            "token": _coded(codes[kept], vocabulary),
            "is_stopword": pa.array(is_stopword[kept], type=pa.bool_()),
        },
        schema=TOKEN_SCHEMA,
    )
    return table


def _coded(
    indices: np.ndarray, values: pa.Array, *, null: np.ndarray | None = None
) -> pa.DictionaryArray:
    """A dictionary array: ``values[indices]`` without copying a string per row; where
    ``null[index]`` the row is null."""
    mask = null[indices] if null is not None and len(indices) else None
    return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int32(), mask=mask), values)


def _first_index_of_group(codes: np.ndarray) -> np.ndarray:
    """For each element of ``codes`` (equal codes adjacent), the index where its run starts."""
    if not len(codes):
        return codes
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return np.repeat(starts, np.diff(np.concatenate((starts, [len(codes)]))))
