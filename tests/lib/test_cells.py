"""PLAT-03: cell normalizers for imports — xianfeng.lib.cells."""

import datetime
from decimal import Decimal

import pytest

from xianfeng.lib.cells import (
    ID_AS_NUMBER_MESSAGE,
    CellError,
    choice_cleaner,
    clean_bool,
    clean_choice,
    clean_date,
    clean_decimal,
    clean_id_text,
    clean_int,
    clean_multi_choice,
    clean_text,
    text_key,
)
from xianfeng.lib.idcard import parse_id_number

D = datetime.date


def naive(*args: int) -> datetime.datetime:
    """A date cell as read from a spreadsheet: naive, spreadsheets have no time zone."""
    return datetime.datetime(*args)  # noqa: DTZ001


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  张三  ", "张三"),
        ("张\u3000三", "张 三"),  # ideographic space
        ("张\u00a0\u00a0三\n", "张 三"),  # NBSP, newline
        ("第一\r\n党支部", "第一 党支部"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits
        ("中共XX集团（控股）有限公司委员会", "中共XX集团（控股）有限公司委员会"),  # kept
        ("书记：张三，副书记：李四！", "书记：张三，副书记：李四！"),
        ("XX路１２号＃３０１", "XX路12号#301"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
        ("\ufeff张\u200b三", "张三"),  # BOM and zero-width space
        ("M00000001", "M00000001"),
        (13800138000.0, "13800138000"),
        (13800138000, "13800138000"),
        (3.5, "3.5"),
        (0.1, "0.1"),
        (Decimal("12.50"), "12.5"),
        (Decimal("12.00"), "12"),
        (True, "是"),
        (False, "否"),
        (naive(2025, 3, 1), "2025-03-01"),
        (naive(2025, 3, 1, 8, 30), "2025-03-01 08:30:00"),
        (D(2025, 3, 1), "2025-03-01"),
    ],
)
def test_plat_03_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [("XX集团(控股)", "XX集团（控股）"), ("第一 党支部", "第一党支部"), ("ABC", "ａｂｃ")],
)
def test_plat_03_text_key_matches_variants(a, b):
    assert text_key(a) == text_key(b)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (naive(2025, 3, 1, 0, 0), D(2025, 3, 1)),
        (naive(2025, 3, 1, 23, 59), D(2025, 3, 1)),
        (D(2025, 3, 1), D(2025, 3, 1)),
        ("2025-03-01", D(2025, 3, 1)),
        ("2025-3-1", D(2025, 3, 1)),
        ("2025/3/1", D(2025, 3, 1)),
        ("2025/03/01", D(2025, 3, 1)),
        ("2025.3.1", D(2025, 3, 1)),
        ("2025.03.01", D(2025, 3, 1)),
        ("2025.03", D(2025, 3, 1)),
        ("2025-03", D(2025, 3, 1)),
        ("2025年3月1日", D(2025, 3, 1)),
        ("2025年03月01日", D(2025, 3, 1)),
        ("2025 年 3 月 1 日", D(2025, 3, 1)),
        ("2025年3月1号", D(2025, 3, 1)),
        ("2025年3月", D(2025, 3, 1)),
        ("20250301", D(2025, 3, 1)),
        (" 2025-03-01 ", D(2025, 3, 1)),
        ("２０２５－０３－０１", D(2025, 3, 1)),  # full-width digits
        ("２０２５年３月１日", D(2025, 3, 1)),
        ("２０２５．３", D(2025, 3, 1)),
        ("2025/3/1 0:00:00", D(2025, 3, 1)),  # CSV saved by Excel
        ("2025-03-01 08:30", D(2025, 3, 1)),
        ("2025-03-01T08:30:00", D(2025, 3, 1)),
        # Excel serial numbers, 1900 date system with the Lotus leap-year bug
        (1, D(1900, 1, 1)),
        (59, D(1900, 2, 28)),
        (61, D(1900, 3, 1)),
        (45717, D(2025, 3, 1)),
        (45717.0, D(2025, 3, 1)),
        (45717.75, D(2025, 3, 1)),  # a time of day is dropped
        (Decimal("45717"), D(2025, 3, 1)),
        (2958465, D(9999, 12, 31)),
        # dates typed into "General" cells, stored as numbers
        (20250301, D(2025, 3, 1)),
        (20250301.0, D(2025, 3, 1)),
        (2025.03, D(2025, 3, 1)),
        (2025.12, D(2025, 12, 1)),
    ],
)
def test_plat_03_clean_date(raw, expected):
    assert clean_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "无法识别的日期“abc”，请写成 2025-03-01 的形式"),
        ("2025-3-1-2", "无法识别的日期“2025-3-1-2”，请写成 2025-03-01 的形式"),
        ("03/01/2025", "无法识别的日期“03/01/2025”，请写成 2025-03-01 的形式"),
        ("1.10105E+17", "无法识别的日期“1.10105E+17”，请写成 2025-03-01 的形式"),
        ("2025-02-30", "日期“2025-02-30”不存在（2025年2月没有30日），请核对"),
        ("2025年2月29日", "日期“2025年2月29日”不存在（2025年2月没有29日），请核对"),
        ("20250230", "日期“20250230”不存在（2025年2月没有30日），请核对"),
        ("2025-13-01", "日期“2025-13-01”中的月份13不存在，请核对"),
        ("2025.00", "日期“2025.00”中的月份0不存在，请核对"),
        ("2025", "日期“2025”只有年份，请写成 2025-03-01 的形式"),
        ("0025-03-01", "日期“0025-03-01”的年份25超出合理范围，请核对"),
        (1985, "日期“1985”只有年份，请写成 2025-03-01 的形式"),
        (60, "日期序号60对应的“1900-02-29”并不存在，请核对"),
        (0, "无法识别的日期“0”，请写成 2025-03-01 的形式"),
        (-5, "无法识别的日期“-5”，请写成 2025-03-01 的形式"),
        (2958466, "无法识别的日期“2958466”，请写成 2025-03-01 的形式"),
        (20250230, "日期“20250230”不存在（2025年2月没有30日），请核对"),
        (2025.1, "无法区分1月和10月"),
        (float("nan"), "无法识别的日期“nan”"),
        (float("inf"), "无法识别的日期“inf”"),
        (Decimal("NaN"), "无法识别的日期“NaN”"),
        (True, "无法识别的日期“是”"),
        (datetime.time(8, 30), "无法识别的日期“08:30:00”"),
    ],
)
def test_plat_03_clean_date_errors(raw, message):
    with pytest.raises(CellError) as error:
        clean_date(raw)
    assert message in str(error.value)


# --------------------------------------------------------------------------- ID text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002x ", "110105 19491231 002X"),  # spaces: parse_id_number's job
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("440524188001010014", "440524188001010014"),
    ],
)
def test_plat_03_clean_id_text(raw, expected):
    assert clean_id_text(raw) == expected


def test_plat_03_clean_id_text_feeds_parse_id_number():
    assert parse_id_number(clean_id_text("１１０１０５１９４９１２３１００２ｘ")).gender == "2"


@pytest.mark.parametrize(
    "raw",
    [
        1.10105194912310e17,  # the numeric cell Excel made of an 18-digit number
        110105194912310000,
        440524188001010014,
        110105491231002,  # 15 digits survive as a number, but the column must be text
        Decimal("110105194912310002"),
        "1.10105E+17",
        "1.10105e+17",
        "１.１０１０５Ｅ＋１７",
        "110105194912310000.0",
    ],
)
def test_plat_03_clean_id_text_rejects_numbers(raw):
    with pytest.raises(CellError) as error:
        clean_id_text(raw)
    assert str(error.value) == ID_AS_NUMBER_MESSAGE
    assert "1.10105E+17" in ID_AS_NUMBER_MESSAGE


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        (3, 3),
        (3.0, 3),
        (Decimal("3.00"), 3),
        ("3", 3),
        (" 3.0 ", 3),
        ("-3", -3),
        ("１２", 12),
        ("1,234", 1234),
    ],
)
def test_plat_03_clean_int(raw, expected):
    assert clean_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "kwargs", "message"),
    [
        (3.5, {}, "应填整数，实际为“3.5”"),
        ("3.5", {}, "应填整数，实际为“3.5”"),
        ("abc", {}, "应填整数，实际为“abc”"),
        (float("nan"), {}, "应填整数"),
        (True, {}, "应填整数，实际为“是”"),
        (0, {"min": 1}, "不能小于1，实际为0"),
        ("120", {"min": 0, "max": 100}, "不能大于100，实际为120"),
    ],
)
def test_plat_03_clean_int_errors(raw, kwargs, message):
    with pytest.raises(CellError, match=message):
        clean_int(raw, **kwargs)


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [
        (None, 2, None),
        ("", 2, None),
        (0.1, 2, Decimal("0.10")),
        (0.1 + 0.2, 2, Decimal("0.30")),  # a formula result: 0.30000000000000004
        (56.785, 2, Decimal("56.79")),  # half-up on the decimal text, not the binary float
        (2.675, 2, Decimal("2.68")),
        (12, 2, Decimal("12.00")),
        (Decimal("12.5"), 2, Decimal("12.50")),
        ("1,234.5", 2, Decimal("1234.50")),
        ("￥12.5", 2, Decimal("12.50")),
        ("12.5元", 2, Decimal("12.50")),
        ("１２．５", 2, Decimal("12.50")),
        ("-0.5", 0, Decimal("-1")),
        (".5", 1, Decimal("0.5")),
        (1234.5678, 3, Decimal("1234.568")),
    ],
)
def test_plat_03_clean_decimal(raw, places, expected):
    result = clean_decimal(raw, places)
    assert result == expected
    assert result is None or str(result) == str(expected)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "应填数字，实际为“abc”"),
        ("1.2.3", "应填数字，实际为“1.2.3”"),
        (float("inf"), "应填数字"),
        ("NaN", "应填数字"),
        (True, "应填数字"),
    ],
)
def test_plat_03_clean_decimal_errors(raw, message):
    with pytest.raises(CellError, match=message):
        clean_decimal(raw)


# --------------------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[(word, True) for word in ["是", "Y", "y", "yes", "1", "true", "TRUE", "√", "✓", " 是 "]],
        *[(word, False) for word in ["否", "N", "n", "no", "0", "false", "False", "×", "✗"]],
        (1, True),
        (0, False),
        (1.0, True),
        (True, True),
        (False, False),
        ("Ｙ", True),
        (None, None),
        ("", None),
        (" ", None),
    ],
)
def test_plat_03_clean_bool(raw, expected):
    assert clean_bool(raw) is expected


@pytest.mark.parametrize("raw", ["也许", "2", 2, "x"])
def test_plat_03_clean_bool_errors(raw):
    with pytest.raises(CellError, match=f"应填“是”或“否”，实际为“{raw}”"):
        clean_bool(raw)


# --------------------------------------------------------------------------- choices

STATUS = [("probationary", "预备党员"), ("full", "正式党员"), ("suspended", "停止党籍")]
GENDER = [("0", "未知"), ("1", "男"), ("2", "女"), ("9", "未说明")]
ETHNICITY = [("01", "汉族"), ("02", "蒙古族"), ("03", "回族"), ("10", "朝鲜族")]
FLAGS = [("youth", "青年党员"), ("hardship", "困难党员"), ("veteran", "退役军人")]


@pytest.mark.parametrize(
    ("raw", "choices", "aliases", "expected"),
    [
        ("full", STATUS, None, "full"),
        ("FULL", STATUS, None, "full"),
        ("正式党员", STATUS, None, "full"),
        (" 正式 党员 ", STATUS, None, "full"),
        ("预备", STATUS, {"预备": "probationary"}, "probationary"),
        ("男", GENDER, None, "1"),
        ("1", GENDER, None, "1"),  # GB/T 2261.1 code
        (1, GENDER, None, "1"),  # numeric cell
        (2.0, GENDER, None, "2"),
        ("汉族", ETHNICITY, None, "01"),
        ("01", ETHNICITY, None, "01"),
        (1, ETHNICITY, None, "01"),  # Excel dropped the leading zero
        ("3", ETHNICITY, None, "03"),
        ("10", ETHNICITY, None, "10"),
        ("汉", ETHNICITY, {"汉": "01"}, "01"),
        ("ｆｕｌｌ", STATUS, None, "full"),
        (None, STATUS, None, ""),
        ("  ", STATUS, None, ""),
    ],
)
def test_plat_03_clean_choice(raw, choices, aliases, expected):
    assert clean_choice(raw, choices, aliases=aliases) == expected
    assert choice_cleaner(choices, aliases=aliases)(raw) == expected


@pytest.mark.parametrize(
    ("raw", "choices", "message"),
    [
        ("党员", STATUS, "“党员”不是有效的选项，可选：预备党员、正式党员、停止党籍"),
        ("M", GENDER, "“M”不是有效的选项，可选：未知、男、女、未说明"),
        (3, GENDER, "“3”不是有效的选项，可选：未知、男、女、未说明"),
    ],
)
def test_plat_03_clean_choice_errors(raw, choices, message):
    with pytest.raises(CellError) as error:
        clean_choice(raw, choices)
    assert str(error.value) == message


def test_plat_03_clean_choice_with_lazy_labels_and_blank_choice():
    from django.utils.translation import gettext_lazy

    choices = [("", "（请选择）"), ("full", gettext_lazy("正式党员"))]
    assert clean_choice("正式党员", choices) == "full"
    with pytest.raises(CellError, match="可选：正式党员$"):
        clean_choice("（请选择）x", choices)


def test_plat_03_clean_choice_rejects_alias_to_unknown_code():
    with pytest.raises(ValueError, match="unknown choice"):
        clean_choice("x", STATUS, aliases={"x": "nope"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, []),
        ("", []),
        ("青年党员", ["youth"]),
        ("青年党员、困难党员", ["youth", "hardship"]),
        ("青年党员,困难党员，退役军人", ["youth", "hardship", "veteran"]),
        ("青年党员；困难党员;青年党员", ["youth", "hardship"]),  # duplicates dropped
        ("困难党员/青年党员", ["hardship", "youth"]),
        ("青年党员 困难党员", ["youth", "hardship"]),
        ("youth、VETERAN", ["youth", "veteran"]),
        ("、青年党员、、", ["youth"]),
    ],
)
def test_plat_03_clean_multi_choice(raw, expected):
    assert clean_multi_choice(raw, FLAGS) == expected


def test_plat_03_clean_multi_choice_label_containing_a_separator():
    choices = [("farmer", "农牧渔民/其他"), ("worker", "工人")]
    assert clean_multi_choice("农牧渔民/其他", choices) == ["farmer"]
    assert clean_multi_choice("工人、农牧渔民/其他", choices, sep="、") == ["worker", "farmer"]


def test_plat_03_clean_multi_choice_error_names_the_item():
    with pytest.raises(
        CellError, match="“优秀党员”不是有效的选项，可选：青年党员、困难党员、退役军人"
    ):
        clean_multi_choice("青年党员、优秀党员", FLAGS)


def test_plat_03_clean_choice_with_option_groups():
    grouped = [("在职", [("cadre", "干部"), ("worker", "工人")]), ("retired", "离退休人员")]
    assert [clean_choice(v, grouped) for v in ("干部", "worker", "离退休人员")] == [
        "cadre",
        "worker",
        "retired",
    ]
