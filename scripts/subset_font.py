"""Make the CJK fonts committed in ``src/xianfeng/lib/fonts/`` (run once, by hand).

Source: Noto Sans CJK SC Regular and Bold, version 2.004 (SIL Open Font License 1.1),
taken from Debian bookworm's ``fonts-noto-cjk`` package (1:20220127+repack1-1), which
repackages https://github.com/googlefonts/noto-cjk::

    apt-get download fonts-noto-cjk
    dpkg -x fonts-noto-cjk_*.deb noto
    .venv/bin/python scripts/subset_font.py noto/usr/share/fonts/opentype/noto

The collections (``NotoSansCJK-*.ttc``) hold the JP, KR, SC, TC and HK faces; face 2 is SC.
We keep only the glyphs of the characters below and convert the CFF outlines to TrueType
(see ``to_truetype`` for why), about 2.2 MB a face:

- every character of GB2312 (6,763 hanzi and 682 symbols),
- ASCII, Latin-1, general punctuation, CJK symbols and punctuation, full-width forms,
  enclosed numbers (①…), letter-like symbols (℃ №) and a few arrows and shapes,
- a short list of name characters outside GB2312 (``EXTRA_NAME_CHARS``),
- every CJK character written in the project's own source and translation files
  (``src/xianfeng/**/*.py, *.html, *.po, *.toml``) and in Faker's zh_CN name and
  address lists, so the demo data always renders.

Anything else falls back to a placeholder at render time (see ``xianfeng.lib.pdf``).
Layout tables (GSUB/GPOS) and vertical metrics are dropped: we set horizontal text only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "xianfeng" / "lib" / "fonts"
FACES = {
    "NotoSansCJK-Regular.ttc": "NotoSansSC-Regular.ttf",
    "NotoSansCJK-Bold.ttc": "NotoSansSC-Bold.ttf",
}
SC_FACE = 2

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x2010, 0x203B),  # general punctuation: dashes, quotes, ellipsis, ‰, ※
    (0x2100, 0x2199),  # letter-like (℃ №), number forms (Ⅰ), arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics ①
    (0x25A0, 0x25FF),  # geometric shapes □ ■ ○ ●
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK ㈠
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]
EXTRA_NAME_CHARS = (
    "堃喆玥珺昇彧祎琇瑄璟暐晞翀旻燊垚犇骉赟頔嫚妘婕琛瑾璐玮昊晗晟煜熠祺禹"
    "钰铖锴锟镕镛旸昶晔暄曦朗炅炜烨焜熹珏珩琰瑀瑜璇璋瓒睿祯婳姝娅婷嫣"
    "浛淏湉溱滢澍濛瀚冼邝钭亓仉殳阚郗佴笪滕濮邴逯芈龚"
)
CJK = re.compile(r"[\u3400-\u9fff]")


def gb2312_chars() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def project_chars() -> set[str]:
    import faker.providers.address.zh_CN as address
    import faker.providers.person.zh_CN as person

    files = [Path(person.__file__), Path(address.__file__)]
    for pattern in ("*.py", "*.html", "*.po", "*.toml"):
        files += (ROOT / "src" / "xianfeng").rglob(pattern)
    return {c for f in files for c in CJK.findall(f.read_text(encoding="utf-8"))}


def wanted_chars() -> set[str]:
    chars = gb2312_chars() | set(EXTRA_NAME_CHARS) | project_chars()
    for first, last in RANGES:
        chars |= {chr(code) for code in range(first, last + 1)}
    return chars


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by quadratic TrueType ones (fontTools' otf2ttf snippet).

    fpdf2 embeds CID-keyed CFF through a code-to-CID CMap whose widths pypdf misreads
    (it then inserts a space between every two characters); TrueType fonts go the
    common Identity-H way that every reader handles.
    """
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, quadratic
    del font["CFF "]
    glyf.compile(font)
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            font["hmtx"][name] = (font["hmtx"][name][0], glyph.xMin)
    _truetype_maxp(font)
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 3.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"


def _truetype_maxp(font: TTFont) -> None:
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.compile(font)


def subset_face(source: Path, target: Path, unicodes: list[int]) -> None:
    font = TTCollection(str(source)).fonts[SC_FACE]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "BASE", "JSTF", "vhea", "vmtx", "VORG", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    to_truetype(font)
    font.save(str(target))
    print(f"{target.name}: {font['maxp'].numGlyphs} glyphs, {target.stat().st_size:,} bytes")


def main(source_dir: str) -> None:
    unicodes = sorted(ord(c) for c in wanted_chars())
    print(f"{len(unicodes)} characters wanted")
    TARGET.mkdir(parents=True, exist_ok=True)
    for collection, name in FACES.items():
        subset_face(Path(source_dir) / collection, TARGET / name, unicodes)


if __name__ == "__main__":
    main(sys.argv[1])
