"""The type of an upload comes from its bytes (issue 12, problem 7)."""

from __future__ import annotations

import io
import zipfile

import pytest

from xianfeng.core.downloads import parse_range
from xianfeng.lib.uploads import RandomName, sniff


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


SNIFFED = [
    # (case, bytes, extension or None)
    ("jpeg", b"\xff\xd8\xff\xe0" + bytes(16), ".jpg"),
    ("png", b"\x89PNG\r\n\x1a\n" + bytes(16), ".png"),
    ("pdf", b"%PDF-1.7\n", ".pdf"),
    ("mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(16), ".mp4"),
    ("docx", _zip("[Content_Types].xml", "word/document.xml"), ".docx"),
    ("xlsx", _zip("[Content_Types].xml", "xl/workbook.xml"), ".xlsx"),
    ("pptx", _zip("[Content_Types].xml", "ppt/presentation.xml"), ".pptx"),
    ("a plain zip", _zip("a.txt"), None),
    ("html", b"<!doctype html><p>x</p>", None),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', None),
    ("text in utf-8", "学习党章\n".encode(), ".txt"),
    ("text in gbk", "学习党章\n".encode("gbk"), ".txt"),
    ("windows program", b"MZ\x90\x00" + bytes(64), None),
    ("empty", b"", None),
]


@pytest.mark.parametrize(("case", "content", "extension"), SNIFFED, ids=[c[0] for c in SNIFFED])
def test_sniff_decides_by_bytes(case, content, extension):
    kind = sniff(io.BytesIO(content))
    assert (kind.extension if kind else None) == extension


@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=90-", (90, 99)),
        ("bytes=-5", (95, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=10-5000", (10, 99)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header, span):
    assert parse_range(header, 100) == span


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-2"])
def test_parse_range_outside_the_file(header):
    with pytest.raises(ValueError):
        parse_range(header, 100)


def test_random_name_hides_the_original_name():
    first = RandomName("meetings")(None, "张三的签到表.JPEG")
    assert first.startswith("meetings/") and first.endswith(".jpg")
    assert "张三" not in first
    assert first != RandomName("meetings")(None, "张三的签到表.JPEG")
    assert RandomName("meetings")(None, "run.sh").rsplit("/", 1)[-1].count(".") == 0
