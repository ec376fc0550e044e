"""Pinyin keys for search: initials and full spelling (ORG-01 org tree, member search).

Users type ``xfcdzb`` to find 先锋村党支部 or ``zgf`` to find 曾国藩. Keys are lowercase
ASCII: Chinese characters become their pinyin (no tones; ü is written ``v``), ASCII
letters and digits are kept, everything else (spaces, punctuation) is dropped.

Ordinary text is read by pypinyin with its phrase dictionary, so heteronyms follow the
context (中国银行 → zgyh, 行 read ``hang``). Personal names need more: pypinyin reads
a surname with the character's common reading, so 单田芳 comes out ``dan`` instead of
``shan``, 曾 ``ceng`` instead of ``zeng``, 覃 ``tan`` instead of ``qin``, 解 ``jie``
instead of ``xie``. :func:`person_initials` and :func:`person_full_pinyin` therefore
read the surname from the tables below (compound surnames first) and only the given
name with pypinyin.

Pure Python (no Django).
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

__all__ = [
    "COMPOUND_SURNAMES",
    "SURNAME_READINGS",
    "full_pinyin",
    "initials",
    "person_full_pinyin",
    "person_initials",
]

#: Compound surnames (复姓) and their readings, one syllable per character.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "诸葛": ("zhu", "ge"),
    "上官": ("shang", "guan"),
    "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"),
    "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"),
    "长孙": ("zhang", "sun"),
    "宇文": ("yu", "wen"),
    "司徒": ("si", "tu"),
    "司空": ("si", "kong"),
    "司寇": ("si", "kou"),
    "夏侯": ("xia", "hou"),
    "令狐": ("ling", "hu"),
    "澹台": ("tan", "tai"),
    "万俟": ("mo", "qi"),
    "轩辕": ("xuan", "yuan"),
    "钟离": ("zhong", "li"),
    "呼延": ("hu", "yan"),
    "端木": ("duan", "mu"),
    "南宫": ("nan", "gong"),
    "百里": ("bai", "li"),
    "东郭": ("dong", "guo"),
    "西门": ("xi", "men"),
    "闻人": ("wen", "ren"),
    "赫连": ("he", "lian"),
    "申屠": ("shen", "tu"),
    "公冶": ("gong", "ye"),
    "公羊": ("gong", "yang"),
    "公西": ("gong", "xi"),
    "太叔": ("tai", "shu"),
    "濮阳": ("pu", "yang"),
    "淳于": ("chun", "yu"),
    "仲孙": ("zhong", "sun"),
    "宗政": ("zong", "zheng"),
    "亓官": ("qi", "guan"),
    "子车": ("zi", "ju"),
    "颛孙": ("zhuan", "sun"),
    "巫马": ("wu", "ma"),
    "漆雕": ("qi", "diao"),
    "乐正": ("yue", "zheng"),
    "壤驷": ("rang", "si"),
    "公良": ("gong", "liang"),
    "拓跋": ("tuo", "ba"),
    "夹谷": ("jia", "gu"),
    "宰父": ("zai", "fu"),
    "谷梁": ("gu", "liang"),
    "段干": ("duan", "gan"),
    "第五": ("di", "wu"),
    "梁丘": ("liang", "qiu"),
    "左丘": ("zuo", "qiu"),
    "东门": ("dong", "men"),
    "羊舌": ("yang", "she"),
    "微生": ("wei", "sheng"),
    "独孤": ("du", "gu"),
    "完颜": ("wan", "yan"),
    "归海": ("gui", "hai"),
    "爱新觉罗": ("ai", "xin", "jue", "luo"),
    "叶赫那拉": ("ye", "he", "na", "la"),
}

#: Single surnames whose surname reading differs from (or is easily confused with)
#: the character's common reading.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "覃": "qin",
    "乐": "yue",
    "区": "ou",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "尉": "wei",
    "繁": "po",
    "盖": "ge",
    "缪": "miao",
    "翟": "zhai",
    "員": "yun",
    "员": "yun",
    "宓": "mi",
    "秘": "bi",
    "种": "chong",
    "乜": "nie",
    "眭": "sui",
    "隗": "wei",
    "那": "na",
    "沈": "shen",
    "折": "she",
    "句": "gou",
    "阚": "kan",
    "厍": "she",
    "恽": "yun",
    "晟": "cheng",
    "能": "nai",
    "华": "hua",
    "任": "ren",
    "纪": "ji",
    "冼": "xian",
    "洗": "xian",
    "蕃": "pi",
    "臧": "zang",
    "藏": "zang",
    "朝": "chao",
    "重": "chong",
    "长": "chang",
    "召": "shao",
    "祭": "zhai",
    "粘": "nian",
    "薄": "bo",
    "炅": "gui",
    "都": "du",
    "黑": "he",
}

_LONGEST_COMPOUND = max(map(len, COMPOUND_SURNAMES))

# A token is (text, is_chinese): one pinyin syllable per Chinese character, or a run
# of kept ASCII letters/digits.
Token = tuple[str, bool]


def _is_chinese(char: str) -> bool:
    return ord(char) in pinyin_dict


def _ascii_key(text: str) -> str:
    """Lowercase ASCII letters/digits of ``text`` (accents stripped, rest dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


@lru_cache(maxsize=200_000)
def _read_chinese(run: str) -> tuple[str, ...]:
    """Syllables of a run of Chinese characters (cached: given names repeat a lot, and
    a city import reads 300,000 of them)."""
    syllables = lazy_pinyin(run, style=Style.NORMAL)
    if len(syllables) != len(run):  # defensive: fall back to one char at a time
        syllables = [lazy_pinyin(char, style=Style.NORMAL)[0] for char in run]
    return tuple(_ascii_key(s) for s in syllables)


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    for chinese, chars in itertools.groupby(unicodedata.normalize("NFKC", text), _is_chinese):
        run = "".join(chars)
        if chinese:
            tokens.extend((s, True) for s in _read_chinese(run) if s)
        elif key := _ascii_key(run):
            tokens.append((key, False))
    return tokens


def _person_tokens(name: str) -> list[Token]:
    name = "".join(unicodedata.normalize("NFKC", name).split())
    # A compound surname needs a given name after it: 欧阳 alone is 欧 + 阳.
    for length in range(min(_LONGEST_COMPOUND, len(name) - 1), 1, -1):
        if syllables := COMPOUND_SURNAMES.get(name[:length]):
            return [(s, True) for s in syllables] + _tokens(name[length:])
    if name and (reading := SURNAME_READINGS.get(name[0])):
        return [(reading, True), *_tokens(name[1:])]
    if name and _is_chinese(name[0]):
        # Read the surname on its own so it does not form a phrase with the given name.
        return _tokens(name[0]) + _tokens(name[1:])
    return _tokens(name)


def _join_initials(tokens: list[Token]) -> str:
    return "".join(text[0] if chinese else text for text, chinese in tokens)


def initials(text: str) -> str:
    """First letters of each character's pinyin: 先锋村党支部 → ``xfcdzb``."""
    return _join_initials(_tokens(text))


def full_pinyin(text: str) -> str:
    """Full pinyin without tones or separators: 中国银行 → ``zhongguoyinhang``."""
    return "".join(text for text, _ in _tokens(text))


@lru_cache(maxsize=65536)
def person_initials(name: str) -> str:
    """Initials of a personal name with the surname reading: 单田芳 → ``stf``."""
    return _join_initials(_person_tokens(name))


def person_full_pinyin(name: str) -> str:
    """Full pinyin of a personal name with the surname reading: 曾国藩 → ``zengguofan``."""
    return "".join(text for text, _ in _person_tokens(name))
