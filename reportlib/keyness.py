"""Keyness and collocations: which words set a group of reports apart, which words go together.

Keyness follows quanteda's ``textstat_keyness``: for every term a 2×2 table of its count and
of all other tokens, in the target and in the reference documents, scored by signed chi²
(Yates-corrected) or by the likelihood-ratio G² (Williams-corrected). The sign is positive
when the term is more frequent in the target than expected.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["KEYNESS_COLUMNS", "collocations", "keyness"]

KEYNESS_COLUMNS = ["term", "statistic", "p_value", "n_target", "n_reference"]


def _select(counts: pd.DataFrame, selection: object, *, name: str) -> np.ndarray:
    """A boolean mask over the rows of ``counts`` from a selection of documents: a boolean
    array or Series aligned with the rows, a boolean Series indexed by doc_id, or doc_ids."""
    if isinstance(selection, pd.Series) and selection.dtype == bool:
        if len(selection) == len(counts) and selection.index.equals(counts.index):
            return selection.to_numpy()
        # indexed by doc_id: "documents.set_index('doc_id')['entity'] == '甲镇'"
        chosen = set(selection[selection].index)
        return counts["doc_id"].isin(chosen).to_numpy()
    if isinstance(selection, np.ndarray) and selection.dtype == bool:
        if len(selection) != len(counts):
            raise ValueError(f"{name}: a boolean mask must have one value per row of counts")
        return selection
    if isinstance(selection, str):
        selection = [selection]
    chosen = set(selection)  # type: ignore[arg-type]
    return counts["doc_id"].isin(chosen).to_numpy()


def keyness(
    counts: pd.DataFrame,
    *,
    target: object,
    reference: object | None = None,
    measure: str = "chi2",
    correction: bool = True,
    min_count: int = 1,
) -> pd.DataFrame:
    """Signed keyness of every term in ``target`` against ``reference``.

    Parameters
    ----------
    counts
        Per-document counts of all terms, as :func:`reportlib.count_keywords` gives without
        keywords (its totals are the 2×2 margins, so counts of a few keywords only would
        mislead).
    target
        The target documents: doc_ids, a boolean Series indexed by doc_id, or a boolean mask
        over the rows of ``counts`` (``counts["entity"] == "甲镇"``).
    reference
        The reference documents in the same forms; by default every document not in the
        target.
    measure
        ``"chi2"`` (Pearson's chi², Yates-corrected as R's ``chisq.test``) or ``"llr"``
        (likelihood ratio G², Williams-corrected).
    correction
        Apply the correction (Yates or Williams); ``False`` gives the plain statistic.
    min_count
        Leave out terms seen fewer times than this in target and reference together.

    Returns
    -------
    pandas.DataFrame
        ``term, statistic, p_value, n_target, n_reference``, most distinctive of the target
        first. ``p_value`` is that of chi² with one degree of freedom.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "term": ["枫桥经验", "普法"] * 2,
    ...                        "count": [10, 10, 1, 19]})
    >>> table = keyness(counts, target=["a"])
    >>> table["term"].tolist(), table["statistic"].round(3).tolist()
    (['枫桥经验', '普法'], [8.025, -8.025])
    """
    if measure not in ("chi2", "llr"):
        raise ValueError(f"measure must be 'chi2' or 'llr', not {measure!r}")
    in_target = _select(counts, target, name="target")
    if reference is None:
        in_reference = ~in_target
    else:
        in_reference = _select(counts, reference, name="reference") & ~in_target
    if not in_target.any():
        raise ValueError("target selects no document of counts")
    if not in_reference.any():
        raise ValueError("reference selects no document of counts")
    target_counts = counts.loc[in_target].groupby("term", observed=True)["count"].sum()
    reference_counts = counts.loc[in_reference].groupby("term", observed=True)["count"].sum()
    table = pd.concat(
        [target_counts.rename("n_target"), reference_counts.rename("n_reference")], axis=1
    ).fillna(0)
    a = table["n_target"].to_numpy(dtype="float64")
    b = table["n_reference"].to_numpy(dtype="float64")
    c = a.sum() - a  # other tokens in the target
    d = b.sum() - b  # other tokens in the reference
    statistic = (_chi2 if measure == "chi2" else _llr)(a, b, c, d, correction=correction)
    result = pd.DataFrame(
        {
            "term": table.index.astype(str),
            "statistic": statistic,
            "p_value": [math.erfc(math.sqrt(abs(value) / 2)) for value in statistic],
            "n_target": a.astype("int64"),
            "n_reference": b.astype("int64"),
        }
    )
    result = result[result["n_target"] + result["n_reference"] >= min_count]
    result = result.sort_values(["statistic", "term"], ascending=[False, True], kind="stable")
    result.attrs["measure"] = measure
    return result.reset_index(drop=True)


def _chi2(a, b, c, d, *, correction: bool) -> np.ndarray:
    """Signed Pearson chi² of each 2×2 table [[a, b], [c, d]].

    Yates's correction subtracts min(0.5, |ad − bc| / N) from every |observed − expected| (as
    R's ``chisq.test(correct=TRUE)``), so it never overshoots on tiny differences.
    """
    n = a + b + c + d
    difference = np.abs(a * d - b * c)
    if correction:
        difference = np.maximum(difference - n * np.minimum(0.5, difference / n), 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = n * difference**2 / ((a + b) * (c + d) * (a + c) * (b + d))
    value = np.nan_to_num(value, nan=0.0, posinf=0.0)
    expected = (a + b) * (a + c) / n
    return np.where(a > expected, value, -value)


def _llr(a, b, c, d, *, correction: bool) -> np.ndarray:
    """Signed likelihood-ratio G² of each 2×2 table, divided by Williams's q when corrected."""
    n = a + b + c + d
    observed = np.stack([a, b, c, d])
    expected = (
        np.stack([(a + b) * (a + c), (a + b) * (b + d), (c + d) * (a + c), (c + d) * (b + d)]) / n
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    value = 2 * terms.sum(axis=0)
    if correction:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
        value = value / np.where(np.isfinite(q) & (q > 0), q, 1.0)
    value = np.maximum(value, 0.0)  # rounding can leave -1e-15 where observed = expected
    return np.where(a > expected[0], value, -value)


def collocations(
    tokens: pd.DataFrame,
    *,
    size: int = 2,
    min_count: int = 3,
    include_stopwords: bool = False,
) -> pd.DataFrame:
    """Words that occur together: runs of ``size`` adjacent tokens, with their association.

    Adjacent means consecutive positions in one document and one section: punctuation, a
    dropped token or (unless ``include_stopwords``) a stop word breaks a run.

    Parameters
    ----------
    tokens
        The tokens table.
    size
        Words per collocation (2 or more).
    min_count
        Leave out collocations seen fewer times.
    include_stopwords
        Let stop words be part of collocations.

    Returns
    -------
    pandas.DataFrame
        ``collocation`` (the words joined), ``words`` (a tuple), ``count``, ``pmi`` (log of
        observed over expected under independence) and, for pairs, ``g2`` (Dunning's
        log-likelihood of the pair's 2×2 table); sorted by ``g2`` for pairs, else by count.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib.tokens import tokenize
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["组织法治宣传活动，组织法治宣传活动。"]})
    >>> collocations(tokenize(docs), min_count=2)[["collocation", "count"]].values.tolist()
    [['法治宣传活动', 2]]
    """
    if size < 2:
        raise ValueError("size must be 2 or more")
    words = tokens if include_stopwords else tokens[~tokens["is_stopword"]]
    words = words.sort_values(["doc_id", "position"], kind="stable")
    doc = words["doc_id"].to_numpy()
    section = words["section_id"].fillna("").to_numpy()
    position = words["position"].to_numpy()
    token = words["token"].to_numpy()
    n_words = len(token)
    if n_words < size:
        return pd.DataFrame(columns=["collocation", "words", "count", "pmi", "g2"])
    # a run of `size` tokens is adjacent when each step is +1 within one doc and section
    adjacent = np.ones(n_words - size + 1, dtype=bool)
    for step in range(1, size):
        head, tail = slice(step - 1, n_words - size + step), slice(step, n_words - size + step + 1)
        adjacent &= (
            (position[tail] == position[head] + 1)
            & (doc[tail] == doc[head])
            & (section[tail] == section[head])
        )
    starts = np.flatnonzero(adjacent)
    grams = pd.DataFrame({f"w{k}": token[starts + k] for k in range(size)})
    counted = grams.value_counts().rename("count").reset_index()
    counted = counted[counted["count"] >= min_count]
    frequency = pd.Series(token).value_counts()
    total = float(n_words)
    n_grams = float(len(starts))
    expected = n_grams * np.prod(
        [counted[f"w{k}"].map(frequency).to_numpy(dtype="float64") / total for k in range(size)],
        axis=0,
    )
    observed = counted["count"].to_numpy(dtype="float64")
    result = pd.DataFrame(
        {
            "collocation": counted[[f"w{k}" for k in range(size)]].agg("".join, axis=1)
            if len(counted)
            else pd.Series(dtype="str"),
            "words": list(
                counted[[f"w{k}" for k in range(size)]].itertuples(index=False, name=None)
            ),
            "count": observed.astype("int64"),
            "pmi": np.log(observed / expected) if len(counted) else np.zeros(0),
        }
    )
    if size == 2 and len(counted):
        first = counted["w0"].map(frequency).to_numpy(dtype="float64")
        second = counted["w1"].map(frequency).to_numpy(dtype="float64")
        a = observed
        b = np.maximum(first - a, 0)
        c = np.maximum(second - a, 0)
        d = np.maximum(n_grams - a - b - c, 0)
        result["g2"] = _llr(a, b, c, d, correction=False)  # negative: the words avoid each other
        result = result.sort_values(["g2", "count"], ascending=False, kind="stable")
    else:
        result["g2"] = np.nan
        result = result.sort_values(["count", "pmi"], ascending=False, kind="stable")
    return result.reset_index(drop=True)
