"""ORG-01 / member search: pinyin keys — xianfeng.lib.pinyin."""

import pytest

# Allow `pytest -p no:django tests/lib` without an installed package.
from xianfeng.lib.pinyin import (
    full_pinyin,
    initials,
    person_full_pinyin,
    person_initials,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("先锋村党支部", "xfcdzb"),
        ("中国银行", "zgyh"),
        ("第一党支部", "dydzb"),
        ("第一（党）支部", "dydzb"),
        ("ABC党支部2024", "abcdzb2024"),
        ("ＡＢＣ党支部１２", "abcdzb12"),
        ("机关 第2 支部", "jgd2zb"),
        ("二〇二四年", "elesn"),
        ("", ""),
        (" ，。、 ", ""),
    ],
)
def test_org_01_initials(text, expected):
    assert initials(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("先锋村党支部", "xianfengcundangzhibu"),
        ("中国银行", "zhongguoyinhang"),
        ("绿化队", "lvhuadui"),
        ("ABC党支部", "abcdangzhibu"),
        ("", ""),
    ],
)
def test_org_01_full_pinyin(text, expected):
    assert full_pinyin(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单田芳", "stf"),
        ("曾国藩", "zgf"),
        ("覃小平", "qxp"),
        ("乐嘉", "yj"),
        ("欧阳修", "oyx"),
        ("解缙", "xj"),
        ("仇英", "qy"),
        ("查良镛", "zly"),
        ("朴槿惠", "pjh"),
        ("区家麟", "ojl"),
        ("翟志刚", "zzg"),
        ("缪可", "mk"),
        ("尉缭", "wl"),
        ("尉迟恭", "ycg"),
        ("长孙无忌", "zswj"),
        ("万俟卨", "mqx"),
        ("诸葛亮", "zgl"),
        ("司马光", "smg"),
        ("上官婉儿", "sgwe"),
        ("欧阳", "oy"),
        ("张三", "zs"),
        ("王 小 明", "wxm"),
        ("", ""),
    ],
)
def test_mem_search_person_initials(name, expected):
    assert person_initials(name) == expected


def test_mem_search_person_initials_qin_surname():
    assert person_initials("覃小平").startswith("q")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单田芳", "shantianfang"),
        ("曾国藩", "zengguofan"),
        ("覃小平", "qinxiaoping"),
        ("解缙", "xiejin"),
        ("欧阳修", "ouyangxiu"),
        ("长孙无忌", "zhangsunwuji"),
        ("吕布", "lvbu"),
    ],
)
def test_mem_search_person_full_pinyin(name, expected):
    assert person_full_pinyin(name) == expected


@pytest.mark.parametrize("name", ["单田芳", "曾国藩", "解缙", "仇英", "乐嘉"])
def test_mem_search_person_differs_from_plain_reading(name):
    # The whole point of person_initials: pypinyin alone gets these surnames wrong.
    assert person_initials(name)[0] != initials(name)[0]
