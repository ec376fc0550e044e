"""MEM-01: citizen ID numbers (GB 11643-1999) — xianfeng.lib.idcard."""

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

# Allow `pytest -p no:django tests/lib` without an installed package.
from xianfeng.lib.idcard import (
    EXCEL_DECIMAL_MESSAGE,
    EXCEL_SCIENTIFIC_MESSAGE,
    PROVINCE_CODES,
    IdNumber,
    IdNumberError,
    age_on,
    check_character,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
)

TODAY = datetime.date(2025, 6, 1)
VECTOR_FEMALE = "11010519491231002X"
VECTOR_MALE = "440524188001010014"


@pytest.mark.parametrize(
    ("raw", "region", "birth", "sequence", "gender"),
    [
        (VECTOR_FEMALE, "110105", datetime.date(1949, 12, 31), "002", "2"),
        (VECTOR_MALE, "440524", datetime.date(1880, 1, 1), "001", "1"),
    ],
)
def test_mem_01_id_number_standard_vectors_parse(raw, region, birth, sequence, gender):
    parsed = parse_id_number(raw)
    assert parsed == IdNumber(raw, region, birth, sequence, gender)
    assert parsed.is_male is (gender == "1")
    assert parsed.province_code == region[:2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", VECTOR_FEMALE),
        ("１１０１０５１９４９１２３１００２Ｘ", VECTOR_FEMALE),
        ("１１０１０５１９４９１２３１００２ｘ", VECTOR_FEMALE),
        (" 110105 19491231 002X ", VECTOR_FEMALE),
        ("110105\u300019491231\u00a0002X\t", VECTOR_FEMALE),
        ("\ufeff110105\u200b19491231002X", VECTOR_FEMALE),
    ],
)
def test_mem_01_id_number_normalized(raw, expected):
    assert normalize_id_number(raw) == expected
    assert parse_id_number(raw).number == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491231002X"[:17] + "3", "身份证号校验位错误：应为X，实际为3"),
        ("440524188001010015", "身份证号校验位错误：应为4，实际为5"),
        ("110105194913310000", "身份证号中的出生日期19491331不是有效日期"),
        ("110105200102300012", "身份证号中的出生日期20010230不是有效日期"),
        ("110105190002290010", "身份证号中的出生日期19000229不是有效日期"),
        (make_id_number("110105", datetime.date(2025, 6, 2), 1), "晚于今天"),
        (make_id_number("110105", datetime.date(2030, 1, 1), 1), "晚于今天"),
        (make_id_number("110105", datetime.date(1849, 12, 31), 1), "早于1850年1月1日"),
        (make_id_number("100105", datetime.date(1980, 1, 1), 1), "身份证号前两位地区码10无效"),
        (make_id_number("990105", datetime.date(1980, 1, 1), 1), "身份证号前两位地区码99无效"),
        (make_id_number("000000", datetime.date(1980, 1, 1), 1), "身份证号前两位地区码00无效"),
        ("110105491231002", "15位的旧身份证号，请改为输入18位的新身份证号"),
        ("11010519491231002", "身份证号应为18位，实际为17位"),
        ("11010519491231002X1", "身份证号应为18位，实际为19位"),
        ("", "身份证号不能为空"),
        ("   ", "身份证号不能为空"),
        ("110105194912310A2X", "身份证号第16位应为数字，实际为“A”"),
        ("X10105194912310021", "身份证号第1位应为数字，实际为“X”"),
        ("11010519491231002Y", "身份证号最后一位应为数字或X，实际为“Y”"),
        ("11010519491231002-", "身份证号最后一位应为数字或X，实际为“-”"),
        ("1.10105E+17", EXCEL_SCIENTIFIC_MESSAGE),
        ("1.10105e+17", EXCEL_SCIENTIFIC_MESSAGE),
        ("1.10105194912310E+17", EXCEL_SCIENTIFIC_MESSAGE),
        ("110105194912310000.0", EXCEL_DECIMAL_MESSAGE),
    ],
)
def test_mem_01_id_number_rejected_with_clear_message(raw, message):
    with pytest.raises(IdNumberError) as excinfo:
        parse_id_number(raw, today=TODAY)
    text = str(excinfo.value)
    assert message in text
    assert not is_valid_id_number(raw, today=TODAY)
    cleaned = "".join(raw.split()).upper()
    if len(cleaned) >= 15:
        assert cleaned not in text, "the full ID number must never appear in a message"


def test_mem_01_id_number_excel_message_mentions_text_format():
    with pytest.raises(IdNumberError, match="科学计数法.*“文本”格式"):
        normalize_id_number("1.10105E+17")


def test_mem_01_id_number_is_value_error():
    assert issubclass(IdNumberError, ValueError)


def test_mem_01_id_number_future_birth_date_uses_real_today_by_default():
    tomorrow = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=2)
    with pytest.raises(IdNumberError, match="晚于今天"):
        parse_id_number(make_id_number("110105", tomorrow, 1))


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        (VECTOR_FEMALE[:17], "X"),
    ],
)
def test_mem_01_id_number_check_character(first17, check):
    assert check_character(first17) == check


@pytest.mark.parametrize("bad", ["", "1234", "1101051949123100X", "110105194912310021"])
def test_mem_01_id_number_check_character_needs_17_digits(bad):
    with pytest.raises(ValueError):
        check_character(bad)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (VECTOR_FEMALE, "11010519491231****"),
        (VECTOR_MALE, "44052418800101****"),
        ("11010519491231002x", "11010519491231****"),
        ("110105491231002", "110105491231***"),
        ("11010519491231002", "110105***********"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mem_01_id_number_mask(raw, masked):
    assert mask_id_number(raw) == masked


def test_mem_01_id_number_repr_is_masked():
    parsed = parse_id_number(VECTOR_FEMALE)
    assert VECTOR_FEMALE not in repr(parsed)
    assert "11010519491231****" in repr(parsed)
    assert parsed.masked == "11010519491231****"


def _candidates(masked: str, *, birth: datetime.date, gender: str, region: str) -> list[str]:
    """Every valid number agreeing with what a viewer reads: mask, birth date, sex, region."""
    hidden = [i for i, char in enumerate(masked) if char == "*"]
    found = []
    for fill in itertools.product("0123456789X", repeat=len(hidden)):
        chars = list(masked)
        for index, char in zip(hidden, fill, strict=True):
            chars[index] = char
        try:
            parsed = parse_id_number("".join(chars), today=TODAY)
        except IdNumberError:
            continue
        if (parsed.birth_date, parsed.gender, parsed.region_code) == (birth, gender, region):
            found.append(parsed.number)
    return found


@pytest.mark.parametrize(
    "number",
    [
        VECTOR_FEMALE,
        VECTOR_MALE,
        make_id_number("320583", datetime.date(1991, 7, 12), 1),
        make_id_number("320583", datetime.date(1968, 2, 29), 998),
        make_id_number("320585", datetime.date(2000, 1, 1), 500),
    ],
)
def test_mem_01_id_number_mask_leaves_at_least_100_candidates(number):
    """What a viewer may read besides the mask (birth date, sex, the org's region code)
    still leaves at least 100 numbers (issue 12, problem 11)."""
    parsed = parse_id_number(number, today=TODAY)
    found = _candidates(
        parsed.masked,
        birth=parsed.birth_date,
        gender=parsed.gender,
        region=parsed.region_code,
    )
    assert number in found
    assert len(found) >= 100


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (datetime.date(2000, 6, 1), datetime.date(2018, 5, 31), 17),
        (datetime.date(2000, 6, 1), datetime.date(2018, 6, 1), 18),
        (datetime.date(2000, 2, 29), datetime.date(2018, 2, 28), 17),
        (datetime.date(2000, 2, 29), datetime.date(2018, 3, 1), 18),
        (datetime.date(1949, 12, 31), datetime.date(1949, 12, 31), 0),
    ],
)
def test_mem_01_id_number_age_on(birth, on, age):
    assert age_on(birth, on) == age


def test_mem_01_id_number_age_on_accepts_id_number():
    on = datetime.date(2020, 1, 1)
    assert age_on(parse_id_number(VECTOR_FEMALE), on) == 70
    assert age_on(VECTOR_FEMALE, on) == 70


@pytest.mark.parametrize(
    ("region", "sequence"), [("11010", 1), ("11010a", 1), ("110105", -1), ("110105", 1000)]
)
def test_mem_01_id_number_make_rejects_bad_arguments(region, sequence):
    with pytest.raises(ValueError):
        make_id_number(region, datetime.date(1990, 1, 1), sequence)


# --- properties -------------------------------------------------------------------

regions = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text("0123456789", min_size=4, max_size=4),
)
birth_dates = st.dates(datetime.date(1850, 1, 1), TODAY)
sequences = st.integers(0, 999)
valid_numbers = st.builds(make_id_number, regions, birth_dates, sequences)


@given(regions, birth_dates, sequences)
def test_mem_01_id_number_make_parse_round_trip(region, birth, sequence):
    parsed = parse_id_number(make_id_number(region, birth, sequence), today=TODAY)
    assert parsed.region_code == region
    assert parsed.birth_date == birth
    assert parsed.sequence == f"{sequence:03d}"
    assert parsed.gender == ("1" if sequence % 2 else "2")


@given(valid_numbers, st.integers(0, 16), st.integers(1, 9))
def test_mem_01_id_number_checksum_detects_single_digit_error(number, position, shift):
    digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + digit + number[position + 1 :]
    assert check_character(changed[:17]) != number[17]
    with pytest.raises(IdNumberError):
        parse_id_number(changed, today=TODAY)


@given(valid_numbers, st.integers(0, 15))
def test_mem_01_id_number_checksum_detects_adjacent_transposition(number, position):
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    if a != b:
        assert check_character(swapped[:17]) != number[17]


@given(valid_numbers)
def test_mem_01_id_number_mask_hides_sequence_and_check_character(number):
    masked = mask_id_number(number)
    assert masked == number[:14] + "****"
    assert number not in masked
    assert len(masked) == 18
