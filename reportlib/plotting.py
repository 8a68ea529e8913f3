"""Charts: a CJK font for matplotlib, seaborn and word clouds, and captions that say what
stands behind a chart.

One call, :func:`use_cjk_font`, makes Chinese text render: it prefers a CJK font installed on
the system and otherwise registers Noto Sans CJK SC (SIL Open Font License) shipped by the
``mplfonts`` package, which the project installs from PyPI. It also turns off the Unicode minus
sign, which CJK fonts may lack. ``seaborn.set_theme`` resets the font list, so call
:func:`set_theme` (seaborn's theme, then the font) rather than seaborn's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from reportlib.errors import ParameterError

__all__ = ["caption", "cjk_font_path", "set_theme", "use_cjk_font", "word_cloud"]

# Families of CJK fonts found on desktops and servers, best first. SimHei is left out on purpose:
# its licence is commercial.
_SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
)
_BUNDLED = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")


@cache
def cjk_font_path() -> Path:
    """The file of the CJK font charts use: a system one if installed, else the bundled one.

    Examples
    --------
    >>> cjk_font_path().suffix in (".otf", ".ttf", ".ttc")
    True
    """
    from matplotlib import font_manager

    by_name = {entry.name: Path(entry.fname) for entry in font_manager.fontManager.ttflist}
    for family in _SYSTEM_FAMILIES:
        if family in by_name and by_name[family].exists():
            return by_name[family]
    package, relative = _BUNDLED
    path = Path(str(resources.files(package).joinpath(relative)))
    if not path.exists():  # pragma: no cover - mplfonts is a dependency
        raise FileNotFoundError(
            f"no CJK font installed and {relative} missing from the {package} package"
        )
    return path


@cache
def _registered_family() -> str:
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk_font() -> str:
    """Make matplotlib (and seaborn) draw Chinese; returns the font family used.

    Idempotent and cheap: call it after anything that resets matplotlib's settings.

    Examples
    --------
    >>> import matplotlib
    >>> family = use_cjk_font()
    >>> matplotlib.rcParams["font.sans-serif"][0] == family
    True
    """
    import matplotlib

    family = _registered_family()
    others = [name for name in matplotlib.rcParams["font.sans-serif"] if name != family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, *others]
    matplotlib.rcParams["axes.unicode_minus"] = False  # "−" may be missing from CJK fonts
    return family


def set_theme(*, style: str = "darkgrid", context: str = "notebook", palette: str = "deep") -> str:
    """Seaborn's look (``style``, ``context`` and ``palette`` as ``seaborn.set_theme`` takes
    them), then :func:`use_cjk_font` (a seaborn theme would otherwise put back a font list
    without Chinese glyphs). Returns the font family.

    The look comes from matplotlib's own copies of seaborn's styles (``seaborn-v0_8-*``), so
    a briefing that draws no seaborn chart never imports seaborn (and scipy): a second of a
    town briefing's five.

    Examples
    --------
    >>> import matplotlib
    >>> family = set_theme(style="whitegrid")
    >>> matplotlib.rcParams["font.sans-serif"][0] == family, matplotlib.rcParams["axes.grid"]
    (True, True)
    """
    import matplotlib.pyplot as plt

    names = [f"seaborn-v0_8-{name}" for name in (style, context, palette)]
    unknown = [name for name in names if name not in plt.style.available]
    if unknown:
        raise ParameterError(
            f"set_theme: no seaborn style {unknown[0].removeprefix('seaborn-v0_8-')!r}",
            closest=[
                name.removeprefix("seaborn-v0_8-")
                for name in plt.style.available
                if name.startswith("seaborn-v0_8-")
            ],
        )
    plt.style.use(["default", *names])
    return use_cjk_font()


def word_cloud(
    frequencies: Mapping[str, float] | pd.Series,
    *,
    width: int = 800,
    height: int = 400,
    max_words: int = 100,
    background_color: str = "white",
):
    """A ``wordcloud.WordCloud`` drawn from the suite's own counts, in the CJK font.

    Parameters
    ----------
    frequencies
        Term → weight (counts, keyness statistics …); a Series indexed by term works too.
        Non-positive weights are left out.

    Examples
    --------
    >>> cloud = word_cloud({"枫桥经验": 5, "合法性审查": 3}, width=200, height=100)
    >>> sorted(word for (word, _), *_ in cloud.layout_)
    ['合法性审查', '枫桥经验']
    """
    from wordcloud import WordCloud

    weights = {str(term): float(value) for term, value in dict(frequencies).items() if value > 0}
    if not weights:
        raise ValueError("word_cloud needs at least one term with a positive weight")
    # words are placed on a canvas half the size and drawn at full size: the same picture
    # for a reader, a quarter of the placing work (0.9 s → 0.25 s for a briefing's cloud)
    scale = 2 if min(width, height) >= 200 else 1
    cloud = WordCloud(
        font_path=str(cjk_font_path()),
        width=-(-width // scale),
        height=-(-height // scale),
        scale=scale,
        max_words=max_words,
        background_color=background_color,
        prefer_horizontal=1.0,  # Chinese reads badly on its side
        random_state=0,  # the same picture on every run
    )
    return cloud.generate_from_frequencies(weights)


def caption(documents: pd.DataFrame, *, doc_ids: Iterable[str] | None = None) -> str:
    """What stands behind a chart or table: "N 份报告，2021–2023 年".

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "report_year": [2021, 2023, 2022]})
    >>> caption(docs)
    '3 份报告，2021–2023 年'
    >>> caption(docs, doc_ids=["a"])
    '1 份报告，2021 年'
    """
    from reportlib.labels import label

    chosen = documents if doc_ids is None else documents[documents["doc_id"].isin(set(doc_ids))]
    count = chosen["doc_id"].nunique()
    years = chosen["report_year"].dropna().astype(int) if "report_year" in chosen else []
    if len(years) == 0:
        return label("caption.no_year", count=count)
    low, high = int(min(years)), int(max(years))
    span = label("years.one", year=low) if low == high else label("years.span", low=low, high=high)
    return label("caption", count=count, years=span)
