"""Labels of the evidence the LIFE rules emit (issue 14; the table is in
compliance/evidence.py): meetings held and missed, lessons, theme days, absences, talks
and party-affairs records."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.evidence import Label, Ref, count, date, dates, plain

from .models import Exemption, Meeting, MeetingKind
from .queries import member_names


def meeting_names(ids: set[Any]) -> dict[Any, str]:
    """Meeting ids → "2025年3月5日 党员大会"."""
    rows = Meeting.objects.filter(pk__in=ids).values_list("pk", "held_on", "planned_on", "kind")
    return {
        pk: f"{date(held or planned)} {MeetingKind(kind).label}" for pk, held, planned, kind in rows
    }


def exemption_names(ids: set[Any]) -> dict[Any, str]:
    """Exemption ids → "免于参加主题党日（年老体弱，2025年1月1日至长期）"."""
    rows = Exemption.objects.filter(pk__in=ids)
    return {
        row.pk: gettext("免于参加%(kind)s（%(reason)s，%(first)s至%(last)s）")
        % {
            "kind": MeetingKind(row.kind).label,
            "reason": row.reason,
            "first": date(row.starts_on),
            "last": date(row.ends_on) if row.ends_on else gettext("长期"),
        }
        for row in rows
    }


def quorum(item: dict[str, Any]) -> str:
    """A general meeting short of quorum: who came of those with a vote."""
    return gettext("（到会%(present)s人，有表决权%(voters)s人）") % {
        "present": item.get("present"),
        "voters": item.get("voters"),
    }


TIMES = count(_("次"))


def times_or_days(value: Any, names: Any = None) -> str:
    """The threshold beside `meetings`: a number of meetings, or the weekdays a theme day
    is due on (LIFE-03)."""
    return plain(value) if isinstance(value, list) else TIMES(value)


def day_of_month(value: Any, names: Any = None) -> str:
    return gettext("每月%(day)s日") % {"day": value}


class Meetings(Ref):
    """`meetings` is a count (LIFE-02) or references (LIFE-03/04/05): named in bulk."""

    def __call__(self, value: Any, names: Any = None) -> str:
        return TIMES(value) if isinstance(value, int) else super().__call__(value, names)

    def ids(self, value: Any) -> Any:
        return iter(()) if isinstance(value, int) else super().ids(value)


LABELS = {
    # LIFE-02 meeting frequencies and lessons
    "valid_meetings": Label(_("有效的党员大会"), Ref("meeting"), threshold=TIMES),
    "failed_quorum": Label(_("未达到半数的党员大会"), Ref("meeting", key="meeting", detail=quorum)),
    "meetings": Label(_("会议"), Meetings("meeting", key="meeting"), threshold=times_or_days),
    "committee_members": Label(_("支委会成员"), count(_("人"))),
    "lessons": Label(_("党课"), Ref("meeting"), threshold=TIMES),
    "by_secretary": Label(_("书记讲授的党课"), Ref("meeting"), threshold=TIMES),
    "lessons_attended": Label(_("参加党课"), TIMES, threshold=TIMES),
    # LIFE-03 theme days
    "theme_days": Label(_("主题党日"), TIMES, threshold=TIMES),
    "shift_window_days": Label(_("逢节假日可调整"), count(_("天")), threshold=day_of_month, rank=1),
    # LIFE-05 a yearly life meeting held after its due date (issue 23)
    "late_meetings": Label(_("逾期召开的会议"), Ref("meeting")),
    "held_on": Label(_("实际召开日期"), date),
    "period_reason": Label(_("跨期登记原因"), plain),
    # LIFE-01 and LIFE-04 attendance
    "from": Label(_("时间段"), date, threshold=count(_("个月")), until="to"),
    "to": Label(_("截止日期"), date),
    "exemption": Label(_("免于参加"), Ref("exemption")),
    "dates": Label(_("缺席日期"), dates),
    # LIFE-07 openness, LIFE-08 talks and analysis
    "records": Label(_("已有记录"), count(_("份")), threshold=count(_("份"))),
    "done_on": Label(_("实际完成日期"), date),
    "pairs": Label(_("未谈心谈话的班子成员"), Ref("member"), threshold=TIMES),
    "talks": Label(_("与班子成员谈心谈话"), Ref("meeting"), threshold=TIMES),
}
NAMES = {"meeting": meeting_names, "member": member_names, "exemption": exemption_names}
TERMS = {kind.value: kind.label for kind in MeetingKind}
