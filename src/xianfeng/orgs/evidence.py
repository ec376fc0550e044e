"""Labels of the evidence the ORG rules emit (issue 14; the table is in
compliance/evidence.py): sizes, leadership and terms, vacancies, contact points, staff,
venues and budgets."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.evidence import (
    Label,
    Ref,
    count,
    date,
    money,
    percent,
    plain,
)

from .models import VENUE_ITEMS, OrgKind, Seat, SeatRole, Term, Venue
from .preferences import WEEKDAY_LABELS


def seat_names(ids: set[Any]) -> dict[Any, str]:
    """Seat ids → "书记 张三" (the role, its title, the holder)."""
    rows = Seat.objects.filter(pk__in=ids).values_list("pk", "role", "title", "member__name")
    names = {}
    for pk, role, title, holder in rows:
        what = f"{SeatRole(role).label}（{title}）" if title else str(SeatRole(role).label)
        names[pk] = f"{what} {holder}" if holder else what
    return names


def term_names(ids: set[Any]) -> dict[Any, str]:
    """Term ids → "2022年4月12日选举，任期5年"."""
    rows = Term.objects.filter(pk__in=ids).values_list("pk", "elected_on", "years")
    return {
        pk: gettext("%(day)s选举，任期%(years)s年") % {"day": date(day), "years": years}
        for pk, day, years in rows
    }


def venue_names(ids: set[Any]) -> dict[Any, str]:
    return dict(Venue.objects.filter(pk__in=ids).values_list("pk", "name"))


def ordinal(value: Any, names: Any = None) -> str:
    return gettext("第%(n)s届") % {"n": value}


PEOPLE = count(_("人"))
TIMES = count(_("次"))
MONTHS = count(_("个月"))
VENUE_TERMS = {**VENUE_ITEMS, "has_disclosure_board": "有党务公开栏"}

LABELS = {
    # ORG-03 size, ORG-04 leadership and terms
    "full_members": Label(_("正式党员数"), PEOPLE, threshold=PEOPLE),
    "members": Label(_("党员数"), PEOPLE),
    "roles": Label(_("在任职务"), plain),
    "leaders": Label(_("班子成员数"), PEOPLE),
    "min_seats": Label(_("班子最少人数"), PEOPLE),
    "min_seats_source": Label(_("班子人数出处")),
    "term": Label(_("本届"), Ref("term")),
    "number": Label(_("届次"), ordinal),
    "elected_on": Label(_("选举日期"), date),
    "years": Label(_("任期"), count(_("年"))),
    "expires_on": Label(_("届满日期"), date),
    "extended_until": Label(_("经批准延期至"), date),
    "reminder_months": Label(_("提前提醒"), MONTHS),
    # ORG-05 vacancies
    "role": Label(_("空缺职务"), plain),
    "title": Label(_("分工"), plain),
    "vacant_since": Label(_("空缺起始日"), date),
    "due": Label(_("应补齐日期"), date),
    "max_months": Label(_("最长空缺"), MONTHS),
    # ORG-07 contact points
    "seats": Label(_("班子职务"), Ref("seat")),
    "contact_points": Label(_("联系点"), count(_("个")), threshold=count(_("个"))),
    "reports": Label(_("听取党建工作汇报"), TIMES),
    "visits": Label(_("走访调研"), TIMES, threshold=TIMES),
    "problems": Label(_("解决实际问题"), count(_("个"))),
    # ORG-08 staff and venues
    "full_time_staff": Label(_("专职党务干部"), PEOPLE, threshold=PEOPLE),
    "unit_headcount": Label(_("单位职工数"), PEOPLE),
    "ratio": Label(_("专职党务干部占比"), percent, threshold=percent, rank=1),
    "venues": Label(_("可用阵地"), Ref("venue")),
    "venue": Label(_("最接近标准的阵地"), Ref("venue")),
    "missing": Label(_("缺少"), plain, threshold=plain, rank=1),
    # ORG-09 budget
    "per_member_yuan": Label(_("每名党员标准"), money, threshold=money, rank=1),
    "budget": Label(_("预算"), money),
    "spent": Label(_("已支出"), money),
}
NAMES = {"seat": seat_names, "term": term_names, "venue": venue_names}
TERMS = {
    **{kind.value: kind.label for kind in OrgKind},
    **{role.value: role.label for role in SeatRole},
    **VENUE_TERMS,
    **WEEKDAY_LABELS,
}
