"""Political birthdays (政治生日, MEM-06): the anniversaries of joining the party that fall in
a month, per org subtree, for the ceremonies held for them (seed 003 §4.1).

Listed: members now in the subtree whose status is full or probationary, who joined in
that month of an earlier year. Each row gives the anniversary (入党周年) and the party age
(党龄, counted from the day the member became a full member — 党章第七条 — so a probationary
member has none yet).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from xianfeng.lib.dates import Period, parse_period
from xianfeng.orgs.models import Org

from .models import Member, Status

LISTED = (Status.FULL, Status.PROBATIONARY)
MONTH = re.compile(r"^\d{4}-\d{2}$")
HEADERS = [
    "党员编号",
    "姓名",
    "所在党组织",
    "党籍状态",
    "入党日期",
    "政治生日",
    "入党周年",
    "党龄（年）",
]


@dataclass(frozen=True)
class Birthday:
    member: Member
    day: dt.date  # the anniversary in the month listed
    years: int  # 入党周年
    party_age: int | None  # 党龄: whole years as a full member on `day`


def parse_month(text: str) -> Period:
    """A month written 2025-06 (ValueError with a Chinese message otherwise)."""
    if not MONTH.match(text.strip()):
        raise ValueError(f"月份格式应为 2025-06，收到：{text}")
    return parse_period(text)


def anniversary(joined_on: dt.date, year: int) -> dt.date:
    """The anniversary in `year` (a 29 February joining is marked on 28 February)."""
    if joined_on.month == 2 and joined_on.day == 29:
        try:
            return joined_on.replace(year=year)
        except ValueError:
            return dt.date(year, 2, 28)
    return joined_on.replace(year=year)


def whole_years(start: dt.date, day: dt.date) -> int:
    return day.year - start.year - ((day.month, day.day) < (start.month, start.day))


def political_birthdays(org: Org, month: Period) -> list[Birthday]:
    """The members of `org`'s subtree whose political birthday falls in `month`."""
    year = month.start.year
    members = (
        Member.objects.filter(
            org__path__startswith=org.path,
            status__in=LISTED,
            joined_on__month=month.start.month,
            joined_on__year__lt=year,
        )
        .select_related("org")
        .order_by("joined_on__day", "org__path", "code")
    )
    rows = []
    for member in members:
        day = anniversary(member.joined_on, year)
        age = max(0, whole_years(member.full_on, day)) if member.full_on else None
        rows.append(Birthday(member, day, year - member.joined_on.year, age))
    return rows


def birthday_rows(rows: list[Birthday]) -> Iterator[list[Any]]:
    """The rows of the .xlsx download, in `HEADERS`' order."""
    for row in rows:
        m = row.member
        yield [
            m.code,
            m.name,
            m.org.name,
            m.get_status_display(),
            m.joined_on,
            row.day,
            row.years,
            row.party_age if row.party_age is not None else "",
        ]
