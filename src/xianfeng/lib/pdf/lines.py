"""Chinese line breaking (避头尾) for the PDF module, independent of any PDF library.

Text is cut into units that may not be split: one hanzi or punctuation mark, a run of
Latin letters and digits (a word, a number, a date like 2025-06), a run of spaces, and a
doubled dash or ellipsis (—— ……). Lines are filled greedily; when the next unit would
start a line with closing punctuation (，。、；：）」 …) or the line would end with opening
punctuation (（「“ …), units are pushed down to the next line (推出), never squeezed past
the margin; the justified line then spreads its remaining space over its characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Not at the start of a line (避头): closing and pause marks, CJK and ASCII.
NO_START = frozenset("，。、；：？！）」』】》〉〕〗”’…—·％‰℃,.;:?!)]}%ー々〻")
# Not at the end of a line (避尾): opening marks.
NO_END = frozenset("（「『【《〈〔〖“‘([{")

UNIT = re.compile(r"——+|……+|[A-Za-z0-9@#&_.,:/+\-']+|[ \t]+|.", re.S)

Measure = Callable[[str], float]


def units(text: str) -> list[str]:
    """`text` cut into the pieces a line may not break inside."""
    return UNIT.findall(text)


def _starts_badly(unit: str) -> bool:
    return unit[0] in NO_START


def _ends_badly(unit: str) -> bool:
    return unit[-1] in NO_END


def _settle(line: list[str], rest: list[str]) -> None:
    """Move units from the end of `line` to the front of `rest` until neither the next
    line starts with a forbidden mark nor this line ends with one (keeping one unit)."""
    while len(line) > 1 and ((rest and _starts_badly(rest[0])) or _ends_badly(line[-1])):
        rest.insert(0, line.pop())


def _fill(pieces: list[str], width: float, measure: Measure) -> tuple[list[str], list[str]]:
    """As many of `pieces` as fit in `width` (at least one), and the rest."""
    used = 0.0
    for index, piece in enumerate(pieces):
        used += measure(piece)
        if used > width + 1e-6 and index > 0:
            return pieces[:index], pieces[index:]
    return pieces, []


def break_lines(text: str, widths: tuple[float, float], measure: Measure) -> list[str]:
    """`text` as lines: the first at most `widths[0]` wide, the others `widths[1]`.

    Spaces at the end of a line are dropped, and so are those a line would start with.
    A single unit wider than the line (a very long number) is put on a line of its own.
    """
    rest, lines = units(text), list[str]()
    while rest:
        width = widths[0] if not lines else widths[1]
        line, rest = _fill(rest, width, measure)
        _settle(line, rest)
        while rest and rest[0].isspace():
            rest.pop(0)
        lines.append("".join(line).rstrip())
    return lines or [""]
