import shutil
from pathlib import Path

import pandas as pd

from reportlib import read_reports
from reportlib.documents import DOCUMENT_COLUMNS, assign_doc_ids, find_input_files
from tests.conftest import RAW

CONTRACT = [
    "doc_id",
    "source_path",
    "sha256",
    "format",
    "encoding",
    "entity",
    "level",
    "parent",
    "report_year",
    "publish_date",
    "signed_date",
    "title",
    "text",
    "n_chars",
]


def test_columns_come_first_and_in_order():
    documents = read_reports(RAW)
    assert list(documents.columns[: len(CONTRACT)]) == CONTRACT
    assert list(documents.columns) == DOCUMENT_COLUMNS
    assert str(documents["report_year"].dtype) == "Int64"
    assert documents["doc_id"].is_unique


def test_doc_ids_are_stems_and_stable(tmp_path):
    first = read_reports(RAW)["doc_id"].tolist()
    assert first == sorted(p.stem for p in RAW.glob("*.txt"))
    assert read_reports(RAW)["doc_id"].tolist() == first


def test_sha256_is_of_raw_bytes():
    import hashlib

    documents = read_reports(RAW)
    for row in documents.itertuples():
        assert row.sha256 == hashlib.sha256(Path(row.source_path).read_bytes()).hexdigest()


def test_bad_files_become_problems_and_the_rest_is_built(tmp_path):
    for seed in sorted(RAW.glob("*.txt"))[:2]:
        shutil.copy(seed, tmp_path / seed.name)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "menu.txt").write_text(
        "首页 | 政务公开 | 互动交流\n打印本页 关闭窗口\n", encoding="utf-8"
    )
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    documents = read_reports(tmp_path)
    problems = pd.DataFrame(documents.attrs["problems"])
    assert len(documents) == 2
    failed = problems[problems["stage"] != "metadata"]
    assert set(failed["doc_id"]) == {"empty", "binary", "menu", "broken"}
    for row in failed.itertuples():
        assert row.source_path in row.message  # every message names its file
    assert problems.columns.tolist()[:4] == ["doc_id", "source_path", "stage", "message"]


def test_missing_metadata_is_reported_not_invented(tmp_path):
    text = (
        "现将有关情况报告如下:\n"
        "一是加强组织领导,严格落实法治建设第一责任人职责,定期研究部署依法行政工作,推动各项任务落地见效。"
        "二是规范行政执法,全面推行行政执法三项制度,开展执法检查,提升执法规范化水平。\n"
    )
    (tmp_path / "anonymous.txt").write_text(text, encoding="utf-8")
    documents = read_reports(tmp_path)
    row = documents.iloc[0]
    assert row["entity"] == "" and row["level"] == "" and pd.isna(row["report_year"])
    problems = pd.DataFrame(documents.attrs["problems"])
    reported = set(problems["message"].str.extract(r": (\w+) not found")[0])
    assert {"entity", "level", "report_year", "title"} <= reported


def test_folders_are_searched_recursively_and_readmes_skipped(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(next(RAW.glob("*.txt")), tmp_path / "a" / "b" / "x.txt")
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    (tmp_path / "README.txt").write_text("notes", encoding="utf-8")
    assert [p.name for p in find_input_files(tmp_path)] == ["x.txt"]


def test_doc_id_collisions_are_disambiguated(tmp_path):
    paths = [tmp_path / "r.txt", tmp_path / "r.html", tmp_path / "q.txt"]
    ids = assign_doc_ids(paths)
    assert len(set(ids.values())) == 3 and ids[tmp_path / "q.txt"] == "q"


def test_saved_web_page_in_gbk_gives_body_and_metadata(tmp_path):
    """A portal page around seed 000's paragraphs: menus, breadcrumb, share bar, sidebar, footer."""
    lines = (RAW / "000_aaf925eb580b3263.txt").read_text(encoding="utf-8").split("\n")
    paragraphs = [line.strip() for line in lines if len(line.strip()) > 30][2:]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        '<html><head><meta charset="gbk"><title>永乐镇2023年度法治政府建设工作报告_芮城县人民政府门户网站'
        '</title></head><body><div class="top-bar"><a>无障碍浏览</a> | <a>登录</a> | <a>注册</a></div>'
        '<div class="nav"><ul><li>首页</li><li>政务公开</li><li>互动交流</li></ul></div>'
        '<div class="breadcrumb">您当前所在位置：<a>首页</a> &gt; <a>政务公开</a> &gt; <a>法治政府建设</a></div>'
        "<div class='article'><h1>永乐镇人民政府2023年度法治政府建设工作报告</h1><div class='info'>"
        "<span>发布时间：2024-03-01</span> <span>信息来源：芮城县永乐镇人民政府</span> <span>浏览次数：123</span>"
        f"</div><div class='content'>{body}</div><div class='share'>分享到：<a>微信</a><a>微博</a></div>"
        "<div>【打印本页】【关闭窗口】</div></div><div class='sidebar'><h3>热点新闻</h3><ul><li>县长调研春耕工作"
        "</li></ul></div><div class='footer'>版权所有：芮城县人民政府 晋ICP备12345678号</div>"
        "<script>var x=1;</script></body></html>"
    )
    (tmp_path / "yongle.html").write_bytes(html.encode("gb18030"))
    row = read_reports(tmp_path).iloc[0]
    assert (row["format"], row["encoding"]) == ("html", "gb18030")
    assert (row["entity"], row["level"], row["parent"]) == ("永乐镇", "镇", "芮城县")
    assert (row["report_year"], row["publish_date"]) == (2023, "2024-03-01")
    assert row["title"] == "永乐镇人民政府2023年度法治政府建设工作报告"
    for paragraph in paragraphs:
        assert paragraph in row["text"]
    for chrome in ("无障碍浏览", "政务公开", "分享到", "热点新闻", "版权所有", "浏览次数", "var x"):
        assert chrome not in row["text"]


def test_outputs_of_read_reports_can_be_concatenated():
    # regression: a DataFrame in attrs made pd.concat raise "Can only compare identically-labeled"
    first = read_reports(RAW / sorted(p.name for p in RAW.glob("*.txt"))[0])
    second = read_reports(RAW / sorted(p.name for p in RAW.glob("*.txt"))[1])
    both = pd.concat([first, second], ignore_index=True)
    assert len(both) == 2
