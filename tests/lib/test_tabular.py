"""PLAT-03: reading import files into sheets of rows — xianfeng.lib.tabular."""

import datetime
import io
import itertools
import json
import re
import zipfile

import openpyxl
import pytest

from xianfeng.lib.cells import CellError, clean_id_text
from xianfeng.lib.tabular import (
    Sheet,
    TabularError,
    find_header,
    normalize_header,
    open_workbook,
)

KNOWN = {"党员编号", "姓名", "性别", "公民身份号码", "出生日期", "入党日期", "所在党组织"}
ID_1 = "11010519491231002X"
ID_2 = "440524188001010014"


def naive(*args: int) -> datetime.datetime:
    """A date cell as read from a spreadsheet: naive, spreadsheets have no time zone."""
    return datetime.datetime(*args)  # noqa: DTZ001


def read_all(source, **kwargs) -> dict[str, list[tuple[int, list]]]:
    """{sheet name: [(row number, values), ...]} of every sheet."""
    with open_workbook(source, **kwargs) as sheets:
        return {sheet.name: list(sheet.rows) for sheet in sheets}


def data_rows(source, **kwargs) -> tuple[int, list[str], list[tuple[int, list]]]:
    """Header row number, headers and data rows of the only (first) sheet."""
    with open_workbook(source, **kwargs) as sheets:
        sheet = next(sheets)
        number, headers, rows = find_header(sheet.rows, KNOWN)
        return number, headers, list(rows)


# --------------------------------------------------------------------------- xlsx


def write_member_xlsx(path) -> None:
    """Title rows and a merged title above a full-width header, as typed in WPS."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员"
    sheet.append(["XX县党员名册"])
    sheet.merge_cells("A1:F1")
    sheet.append(["填报单位：中共XX县委组织部", None, None, "填报日期：2025年6月1日"])
    sheet.append([])
    sheet.append(
        ["党员编号", "姓　名（必填）", "＊性别", "公民身份号码*", "出生\n日期", "入党日期"]
    )
    sheet.append(["M001", "张三", "男", ID_1, datetime.date(1949, 12, 31), "2025.3.1"])
    sheet.append(["M002", " 阿依古丽·买买提 ", "女", ID_2, datetime.date(1980, 1, 1), None])
    sheet.append([None, "  ", None])  # a blank row (a stray space) is skipped
    sheet.append(["M003", "李四", 1, 1.10105194912310e17, 45717, 20250301])
    sheet.cell(row=5, column=5).number_format = "yyyy-mm-dd"
    codes = book.create_sheet("码表")
    codes.append(["性别", "男", "女"])
    codes.sheet_state = "hidden"
    book.save(path)


def test_plat_03_xlsx_skips_title_rows_and_keeps_row_numbers(tmp_path):
    path = tmp_path / "党员名册.xlsx"
    write_member_xlsx(path)
    number, headers, rows = data_rows(path)
    assert number == 4
    assert headers == ["党员编号", "姓名", "性别", "公民身份号码", "出生日期", "入党日期"]
    assert [row_number for row_number, _values in rows] == [5, 6, 8]
    assert rows[0][1] == ["M001", "张三", "男", ID_1, naive(1949, 12, 31), "2025.3.1"]
    assert rows[1][1][1] == " 阿依古丽·买买提 "  # raw: cleaning is xianfeng.lib.cells' job
    assert rows[2][1] == ["M003", "李四", 1, 1.1010519491231e17, 45717, 20250301]


def test_plat_03_xlsx_sheets_total_rows_and_hidden_flag(tmp_path):
    path = tmp_path / "members.xlsx"
    write_member_xlsx(path)
    with open_workbook(path) as reader:
        sheets = list(reader)
    assert [(s.name, s.total_rows, s.hidden) for s in sheets] == [
        ("党员", 8, False),
        ("码表", None, True),  # dimension "A1:C1": a single row is not worth a progress bar
    ]
    assert all(isinstance(sheet, Sheet) for sheet in sheets)


def test_plat_03_xlsx_wrong_dimension_does_not_truncate(tmp_path):
    """Some exporters write <dimension ref="A1"/>; openpyxl would then read one cell."""
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    write_member_xlsx(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<dimension ref="A1:F8" ?/>', b'<dimension ref="A1"/>', data
                )
                assert count == 1
            dst.writestr(item, data)
    assert read_all(bad)["党员"] == read_all(good)["党员"]
    assert len(read_all(bad)["党员"][4][1]) == 6


def test_plat_03_xlsx_from_upload_with_misleading_name(tmp_path):
    """Content decides: an .xlsx renamed to .xls (or an upload without a name) works."""
    path = tmp_path / "members.xlsx"
    write_member_xlsx(path)
    upload = io.BytesIO(path.read_bytes())
    number, _headers, rows = data_rows(upload, filename="名册.xls")
    assert number == 4
    assert len(rows) == 3
    assert not upload.closed


def test_plat_03_xlsm_is_read_like_xlsx(tmp_path):
    path = tmp_path / "members.xlsx"
    write_member_xlsx(path)
    macro = tmp_path / "members.xlsm"
    macro.write_bytes(path.read_bytes())
    assert read_all(macro)["党员"] == read_all(path)["党员"]


def test_plat_03_reader_closes_when_sheets_are_exhausted(tmp_path):
    path = tmp_path / "members.xlsx"
    write_member_xlsx(path)
    reader = open_workbook(path)
    counts = [sum(1 for _row in sheet.rows) for sheet in reader]
    assert counts == [8, 1]
    assert reader.closed
    sheets = list(open_workbook(path))  # not a context manager: closed after the loop
    with pytest.raises(RuntimeError, match="already closed"):
        next(sheets[0].rows)


# --------------------------------------------------------------------------- xls


def test_plat_03_xls_dates_numbers_and_booleans(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (dev dependency) writes the .xls fixture")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("党员")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(0, 0, "XX县党员名册")
    header = ["党员编号", "姓名", "性别", "公民身份号码", "出生日期", "入党日期", "在岗"]
    for col, text in enumerate(header):
        sheet.write(2, col, text)
    row = ["M001", "张三", 1.0, ID_1, datetime.date(1949, 12, 31), "2025年3月", True]
    for col, value in enumerate(row):
        if isinstance(value, datetime.date):
            sheet.write(3, col, value, date_style)
        else:
            sheet.write(3, col, value)
    book.add_sheet("说明").write(0, 0, "填表说明")
    path = tmp_path / "名册.xls"
    book.save(str(path))

    with open_workbook(path) as reader:
        sheets = list(reader)
        assert [(s.name, s.total_rows) for s in sheets] == [("党员", 4), ("说明", 1)]
        number, headers, rows = find_header(sheets[0].rows, KNOWN)
        rows = list(rows)
    assert number == 3
    assert headers[:2] == ["党员编号", "姓名"]
    assert rows == [(4, ["M001", "张三", 1.0, ID_1, naive(1949, 12, 31), "2025年3月", True])]


def test_plat_03_truncated_xls_is_reported(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (dev dependency) writes the .xls fixture")
    book = xlwt.Workbook()
    book.add_sheet("a").write(0, 0, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TabularError, match="损坏"):
        open_workbook(io.BytesIO(data[:1024] + b"\0" * 600), filename="a.xls")


# --------------------------------------------------------------------------- csv

CSV_TEXT = "XX县党员名册,,,\n党员编号,姓名,性别,出生日期\nM001,张三,男,1990/1/2\nM002,李四,,\n"


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(CSV_TEXT.encode("gbk"), "名册.csv", id="gbk"),
        pytest.param(CSV_TEXT.encode("gb18030"), "名册.csv", id="gb18030"),
        pytest.param(CSV_TEXT.encode("utf-8"), "名册.csv", id="utf-8"),
        pytest.param(CSV_TEXT.encode("utf-8-sig"), "名册.csv", id="utf-8-bom"),
        pytest.param(CSV_TEXT.encode("utf-16"), "名册.txt", id="utf-16-bom"),
        pytest.param(CSV_TEXT.replace(",", ";").encode("utf-8-sig"), "名册.csv", id="semicolon"),
        pytest.param(CSV_TEXT.replace(",", "\t").encode("gbk"), "名册.txt", id="tab"),
        pytest.param(("sep=;\n" + CSV_TEXT.replace(",", ";")).encode(), "名册.csv", id="sep-line"),
        pytest.param(CSV_TEXT.replace("\n", "\r\n").encode("gbk"), "名册.csv", id="crlf"),
    ],
)
def test_plat_03_csv_encodings_and_delimiters(tmp_path, content, filename):
    path = tmp_path / filename
    path.write_bytes(content)
    sheets = read_all(path)
    assert list(sheets) == ["名册"]
    assert sheets["名册"] == [
        (1, ["XX县党员名册", None, None, None]),
        (2, ["党员编号", "姓名", "性别", "出生日期"]),
        (3, ["M001", "张三", "男", "1990/1/2"]),
        (4, ["M002", "李四", None, None]),
    ]


def test_plat_03_csv_row_numbers_count_records_not_lines(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(
        '组织编码,名称,备注\nO1,第一支部,"两行\n备注"\nO2,第二支部,\n', encoding="utf-8"
    )
    with open_workbook(path) as sheets:
        sheet = next(sheets)
        assert sheet.total_rows is None
        _number, headers, rows = find_header(sheet.rows, {"组织编码", "名称"})
        assert headers == ["组织编码", "名称", "备注"]
        assert list(rows) == [(2, ["O1", "第一支部", "两行\n备注"]), (3, ["O2", "第二支部", None])]


def test_plat_03_csv_upload_is_left_open(tmp_path):
    upload = io.BytesIO(CSV_TEXT.encode("gbk"))
    number, _headers, rows = data_rows(upload, filename="名册.csv")
    assert (number, len(rows)) == (2, 2)
    assert not upload.closed


def test_plat_03_csv_with_undecodable_bytes(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("姓名,性别\n".encode("gbk") + b"\x81\x20,x\n")
    with pytest.raises(TabularError, match="编码"), open_workbook(path) as sheets:
        list(next(sheets).rows)


# --------------------------------------------------------------------------- json


def test_plat_03_json_with_named_sheets(tmp_path):
    path = tmp_path / "export.json"
    document = {
        "sheets": {
            "党组织": [{"组织编码": "O1", "名称": "第一支部"}],
            "党员": [
                {"党员编号": "M001", "姓名": "张三", "出生日期": "1990-01-02"},
                {"姓名": "李四", "党员编号": "M002", "性别": "女", "在岗": True},
            ],
        }
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with open_workbook(path) as reader:
        sheets = {sheet.name: sheet for sheet in reader}
        assert sheets["党员"].total_rows == 3
        assert list(sheets["党员"].rows) == [
            (1, ["党员编号", "姓名", "出生日期", "性别", "在岗"]),
            (2, ["M001", "张三", "1990-01-02", None, None]),
            (3, ["M002", "李四", None, "女", True]),
        ]
        assert list(sheets["党组织"].rows) == [(1, ["组织编码", "名称"]), (2, ["O1", "第一支部"])]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_plat_03_json_list_of_objects_is_one_sheet(tmp_path, encoding):
    path = tmp_path / "党员.json"
    records = [{"党员编号": "M001", "姓名": "张三", "标签": ["青年"]}, {"姓名": ""}]
    path.write_bytes(json.dumps(records, ensure_ascii=False).encode(encoding))
    assert read_all(path) == {
        "党员": [
            (1, ["党员编号", "姓名", "标签"]),
            (2, ["M001", "张三", '["青年"]']),
            (3, [None, None, None]),
        ]
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"a": 1},', "不是有效的 JSON"),
        (b'{"a": 1}', "不支持的 JSON 结构"),
        (b'[{"a": 1}, 2]', "应全部是对象"),
        (b'{"sheets": {"x": {"a": 1}}}', "应为数组"),
    ],
)
def test_plat_03_json_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(TabularError, match=message):
        open_workbook(path)


# --------------------------------------------------------------------------- formats


def _zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


ENCRYPTED_OOXML = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    + b"\0" * 1000
    + "EncryptionInfo".encode("utf-16-le")
    + b"\0" * 100
)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"%PDF-1.7 ...", "名册.pdf", "不支持的文件格式（.pdf）"),
        (b"hello", "名册", "不支持的文件格式（无扩展名）"),
        (b"", "名册.xlsx", "文件是空的"),
        (b"PK\x03\x04 this is not really a zip", "名册.xlsx", "文件已损坏"),
        (_zip_bytes(["word/document.xml"]), "名册.docx", "不是 Excel 工作簿"),
        (_zip_bytes(["xl/workbook.bin"]), "名册.xlsb", ".xlsb"),
        (_zip_bytes(["mimetype", "content.xml"]), "名册.odt", "OpenDocument 文档，但不是电子表格"),
        (_zip_bytes(["xl/workbook.xml"]), "名册.xlsx", "文件已损坏"),
        (ENCRYPTED_OOXML, "名册.xlsx", "密码"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "名册.xls", "损坏"),
        (b"<html><body><table><tr><td>1</td></tr></table>", "名册.xls", "网页（HTML）"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "a.xml",
            "XML 电子表格 2003",
        ),
        (b"just text", "名册.xlsx", "不是有效的 .xlsx 工作簿"),
    ],
)
def test_plat_03_unsupported_and_broken_files(tmp_path, content, filename, message):
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(TabularError, match=message.replace("(", r"\(").replace(")", r"\)")):
        open_workbook(path)
    with pytest.raises(TabularError):  # the same from an upload
        open_workbook(io.BytesIO(content), filename=filename)


def test_plat_03_missing_file():
    with pytest.raises(TabularError, match="无法打开文件“nope.xlsx”"):
        open_workbook("/nonexistent/nope.xlsx")


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("姓名", "姓名"),
        (" 姓　名 ", "姓名"),
        ("出生\n日期", "出生日期"),
        ("身份证\u00a0号", "身份证号"),
        ("姓名（必填）", "姓名"),
        ("姓名(必填)", "姓名"),
        ("姓名*", "姓名"),
        ("姓名＊", "姓名"),
        ("*姓名", "姓名"),
        ("＊姓名（必填）", "姓名"),
        ("备注（选填）", "备注"),
        ("ＩＤ号", "ID号"),
        ("入党日期(格式:2025-03-01)", "入党日期(格式:2025-03-01)"),
        (None, ""),
        (2025.0, "2025"),
        (7, "7"),
    ],
)
def test_plat_03_normalize_header(raw, expected):
    assert normalize_header(raw) == expected


def numbered(*rows):
    return list(enumerate([list(row) for row in rows], start=1))


def test_plat_03_find_header_picks_the_row_with_most_known_names():
    rows = numbered(
        ["姓名：张三的名册"],
        ["姓名", "备注"],  # two matches: a candidate, but not the best
        ["党员编号", "姓名", "性别", None, None],
        ["M001", "张三"],
    )
    number, headers, rest = find_header(rows, KNOWN)
    assert (number, headers) == (3, ["党员编号", "姓名", "性别"])
    assert list(rest) == [(4, ["M001", "张三", None])]  # padded to the header's width


def test_plat_03_find_header_matches_normalized_known_names():
    rows = numbered(["党员编号", "姓 名"])
    number, headers, _rest = find_header(rows, {"党员编号*", "姓名（必填）"})
    assert (number, headers) == (1, ["党员编号", "姓名"])


def test_plat_03_find_header_does_not_materialize_the_sheet():
    endless = ((n, [f"M{n}", "张三"]) for n in itertools.count(2))
    rows = itertools.chain([(1, ["党员编号", "姓名"])], endless)
    number, _headers, rest = find_header(rows, KNOWN, max_scan=5)
    assert number == 1
    assert list(itertools.islice(rest, 3)) == [
        (2, ["M2", "张三"]),
        (3, ["M3", "张三"]),
        (4, ["M4", "张三"]),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (numbered(["XX县党员名册"], ["姓名", "电话"]), "表头行应至少包含以下列名中的两个"),
        (numbered(), "表格是空的"),
        (numbered([None, " "], []), "表格是空的"),
    ],
)
def test_plat_03_find_header_not_found(rows, message):
    with pytest.raises(TabularError, match=message) as error:
        find_header(rows, KNOWN)
    assert "党员编号" in str(error.value)  # names what it expected


def test_plat_03_find_header_only_scans_max_scan_rows():
    rows = numbered(*[["说明"]] * 20, ["党员编号", "姓名"])
    with pytest.raises(TabularError, match="在前20行中没有找到表头行"):
        find_header(rows, KNOWN)
    number, _headers, _rest = find_header(
        numbered(*[["说明"]] * 20, ["党员编号", "姓名"]), KNOWN, max_scan=21
    )
    assert number == 21


def test_plat_03_csv_gbk_after_a_long_ascii_start(tmp_path):
    """The encoding is decided on the whole file, not only on its first bytes."""
    path = tmp_path / "long.csv"
    ascii_rows = "".join(f"M{n:06d},Zhang San,{n}\n" for n in range(5000))
    path.write_bytes(("code,name,no\n" + ascii_rows + "M9,张三,9\n").encode("gbk"))
    rows = read_all(path)["long"]
    assert len(rows) == 5002
    assert rows[-1] == (5002, ["M9", "张三", "9"])


def test_plat_03_csv_mentioning_html_is_still_csv(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("组织编码,名称,备注\nO1,第一支部,<table> 不是网页\n", encoding="utf-8")
    assert read_all(path)["orgs"][1] == (2, ["O1", "第一支部", "<table> 不是网页"])


def test_plat_03_django_upload(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("党员名册.csv", CSV_TEXT.encode("gbk"), "text/csv")
    with open_workbook(upload) as sheets:
        sheet = next(sheets)
        assert sheet.name == "党员名册"
        number, _headers, rows = find_header(sheet.rows, KNOWN)
        assert (number, [n for n, _values in rows]) == (2, [3, 4])


# --------------------------------------------------------------------------- ods and calamine

ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
 xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>
</office:document-content>"""
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, tuple):  # ("merged", text, span): a merged header cell
        _kind, text, span = value
        covered = "<table:covered-table-cell/>" * (span - 1)
        return (
            f'<table:table-cell table:number-columns-spanned="{span}" '
            f'office:value-type="string"><text:p>{text}</text:p></table:table-cell>{covered}'
        )
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean" '
            f'office:boolean-value="{str(value).lower()}"/>'
        )
    if isinstance(value, datetime.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
        )
    if isinstance(value, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{value!r}"/>'
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def ods_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice or WPS saves one."""
    tables = "".join(
        f'<table:table table:name="{name}">'
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_CONTENT.format(tables=tables))
    return buffer.getvalue()


ODS_MEMBERS = {
    "党员": [
        [("merged", "XX县党员名册", 6)],
        [],
        ["党员编号", "姓名", "性别", "公民身份号码", "出生日期", "入党日期"],
        ["M001", "张三", "男", ID_1, datetime.date(1949, 12, 31), "2025.3.1"],
        ["M002", "李四", 1, 110105194912310000, 45717, True],
        [None, None, None],
    ],
    "说明": [["填表说明"]],
}


@pytest.mark.parametrize("as_upload", [False, True])
def test_plat_03_ods_is_read_like_xlsx(tmp_path, as_upload):
    path = tmp_path / "名册.ods"
    path.write_bytes(ods_bytes(ODS_MEMBERS))
    source = io.BytesIO(path.read_bytes()) if as_upload else path
    number, headers, rows = data_rows(source, filename="名册.ods")
    assert number == 3
    assert headers == ["党员编号", "姓名", "性别", "公民身份号码", "出生日期", "入党日期"]
    assert rows == [
        (4, ["M001", "张三", "男", ID_1, naive(1949, 12, 31), "2025.3.1"]),
        (5, ["M002", "李四", 1, 110105194912310000, 45717, True]),
    ]
    assert isinstance(rows[1][1][2], int)  # a whole number is an int, as openpyxl gives it
    assert list(read_all(path)) == ["党员", "说明"]


def write_edge_xlsx(path) -> None:
    """Cells the calamine reader must give back as openpyxl did."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员"
    sheet["B3"] = "姓名"  # the used area starts at B3: row numbers and columns still count
    sheet["C3"] = "出生日期"
    sheet["D3"] = "公民身份号码"
    sheet.merge_cells("D3:E3")  # a merged header cell
    rows = [
        ("张三", 32874, 110105194912310000),  # a date serial, an ID number stored as number
        ("李四", naive(1990, 1, 2, 8, 30), "11010519491231002X"),
        ("王五", datetime.date(1990, 1, 2), 1.5),
        ("", True, 0),
    ]
    for offset, (name, born, number) in enumerate(rows):
        sheet.cell(row=4 + offset, column=2, value=name)
        sheet.cell(row=4 + offset, column=3, value=born)
        sheet.cell(row=4 + offset, column=4, value=number)
    sheet.cell(row=6, column=3).number_format = "yyyy-mm-dd"
    book.save(path)


@pytest.mark.parametrize(
    ("row_number", "expected"),
    [
        (3, [None, "姓名", "出生日期", "公民身份号码"]),
        (4, [None, "张三", 32874, 1.1010519491231e17]),
        (5, [None, "李四", naive(1990, 1, 2, 8, 30), "11010519491231002X"]),
        (6, [None, "王五", naive(1990, 1, 2), 1.5]),
        (7, [None, None, True, 0]),
    ],
)
def test_plat_03_calamine_cells_match_openpyxl(tmp_path, row_number, expected):
    path = tmp_path / "edge.xlsx"
    write_edge_xlsx(path)
    rows = dict(read_all(path)["党员"])
    values = rows[row_number]
    assert values[: len(expected)] == expected
    assert all(value is None for value in values[len(expected) :])
    assert [type(v) for v in values[: len(expected)]] == [type(v) for v in expected]
    if row_number == 4:  # an ID number stored as a number stays refused
        with pytest.raises(CellError, match="存成了数字"):
            clean_id_text(values[3])
    book = openpyxl.load_workbook(path, read_only=True)  # the reference: openpyxl's values
    reference = list(
        book["党员"].iter_rows(min_row=row_number, max_row=row_number, values_only=True)
    )
    book.close()
    assert list(reference[0])[: len(expected)] == expected


def test_plat_03_calamine_xlsx_id_number_stored_as_number_finds_header(tmp_path):
    path = tmp_path / "edge.xlsx"
    write_edge_xlsx(path)
    with open_workbook(path) as sheets:
        number, headers, rows = find_header(next(sheets).rows, KNOWN)
        rows = list(rows)
    assert (number, headers) == (3, ["", "姓名", "出生日期", "公民身份号码"])
    assert [row_number for row_number, _values in rows] == [4, 5, 6, 7]
