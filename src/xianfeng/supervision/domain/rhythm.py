"""The supervision rhythm (TASK-04): an upper org's yearly calendar and the quarterly
progress reports of the orgs the policy names.

The calendar of year Y (seed 003 §4.2: 月度提示、季度推进、半年督查、年度考评):
- 12 monthly reminders (月度提示), each on the first workday of its month (the statutory
  calendar with its make-up workdays: `compliance.calendar.Calendar`);
- 4 quarterly progress steps (季度推进), each on the day the quarter's reports are due:
  the quarter's last day + supervision.progress.due_days;
- 2 half-year inspections (半年督查): H1 on the first workday of July of Y, H2 on the first
  workday of January of Y + 1 (the half year must be over before it is inspected);
- 1 annual evaluation (年度考评) on the last workday of January of Y + 1, after the H2
  inspection has supplied its findings.
Generating is repeatable: only the entries still missing are made.

Monthly reminders reach the orgs below in two ways, both at most once per org and month:
the daily digest (`calendar_reminders`, a reminder source for settings.REMINDER_SOURCES)
tells the officers of the orgs directly below the upper org on the entry's date; marking the
entry done (`mark_done`) puts the reminder into their inboxes at once (`send_notice`,
keyed by the entry, so a repeat sends nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from xianfeng.accounts.models import User
from xianfeng.accounts.queries import officers_in_charge
from xianfeng.accounts.scope import require_reference
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import parse_period, today
from xianfeng.notices.domain import send_notice
from xianfeng.notices.reminders import Reminder
from xianfeng.orgs.models import Org

from .. import permissions
from ..models import CalendarEntry, Item, ItemStatus, ProgressReport
from ..queries.rhythm import KINDS, SECTORS, owes_reports_q
from .items import save

Kind = CalendarEntry.Kind
DUE_DAYS = "supervision.progress.due_days"
CATEGORY = "督查"


def _require_manager(org: Org, by: Any, what: str) -> None:
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if not permissions.may_manage(by, org):
        raise PermissionDenied(f"只有本组织及上级组织的管理员、党务工作者可以{what}")


def quarter_end(year: int, quarter: int) -> dt.date:
    return parse_period(f"{year}-Q{quarter}").end - dt.timedelta(days=1)


def due_days(org: Org, day: dt.date) -> int:
    return int(resolver(day=day).value(DUE_DAYS, org.path))


def planned_entries(org: Org, year: int, calendar: Calendar | None = None) -> list[CalendarEntry]:
    """The 19 entries of `org`'s calendar for `year` (unsaved)."""
    calendar = calendar or Calendar()
    first = lambda y, m: calendar.shift(dt.date(y, m, 1), 1)  # noqa: E731
    days = due_days(org, dt.date(year, 12, 31))
    entries = [
        (Kind.MONTHLY_REMINDER, f"{year}-{m:02d}", first(year, m), f"{m}月月度提示")
        for m in range(1, 13)
    ]
    entries += [
        (
            Kind.QUARTERLY_PROGRESS,
            f"{year}-Q{q}",
            quarter_end(year, q) + dt.timedelta(days=days),
            f"第{'一二三四'[q - 1]}季度推进情况报送",
        )
        for q in range(1, 5)
    ]
    entries += [
        (Kind.HALF_YEAR_INSPECTION, f"{year}-H1", first(year, 7), "上半年督查"),
        (Kind.HALF_YEAR_INSPECTION, f"{year}-H2", first(year + 1, 1), "下半年督查"),
        (
            Kind.ANNUAL_EVALUATION,
            f"{year}",
            calendar.shift(dt.date(year + 1, 1, 31), -1),
            "年度考评",
        ),
    ]
    return [
        CalendarEntry(org=org, year=year, kind=kind, period=period, date=date, title=title)
        for kind, period, date, title in entries
    ]


@transaction.atomic
def generate_calendar(org: Org, *, year: Any, by: Any) -> list[CalendarEntry]:
    """Make the entries of `org`'s calendar for `year` still missing; returns them."""
    _require_manager(org, by, "制定督查工作日历")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "请填写正确的年度（如 2026）"})
    held = set(CalendarEntry.objects.filter(org=org, year=year).values_list("kind", "period"))
    missing = [e for e in planned_entries(org, year) if (e.kind, e.period) not in held]
    for entry in missing:
        entry.clean_fields(exclude=["org"])
    if missing:
        missing = bulk_create_with_history(missing, CalendarEntry, default_user=by)
    return missing


def _children(org: Org) -> list[Org]:
    return list(
        Org.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, dissolved_on__isnull=True
        )
    )


def reminder_text(entry: CalendarEntry) -> tuple[str, str]:
    """(title, body) of a monthly reminder."""
    title = f"{entry.org.name}{entry.title}（{entry.period}）"
    body = (
        f"请对照本年度责任清单和问题清单，抓好{entry.period[:4]}年{int(entry.period[5:])}月"
        "各项工作落实，按时提交整改材料，并将本提示传达到所属党组织。"
    )
    return title, body


@transaction.atomic
def mark_done(entry: CalendarEntry, *, by: Any, day: dt.date | None = None) -> CalendarEntry:
    """Mark a calendar entry done; a monthly reminder is then sent at once to the officers
    of the orgs directly below (once: keyed by the entry)."""
    _require_manager(entry.org, by, "更新督查工作日历")
    day = day or today()
    if entry.done_on is not None:
        raise ValidationError({"done_on": "该事项已完成"})
    entry.done_on = day
    save(entry, by, update_fields=["done_on"])
    if entry.kind == Kind.MONTHLY_REMINDER:
        send_reminder(entry)
    return entry


def _recipients(orgs: Iterable[Org]) -> list[int]:
    return sorted(
        {u for users in officers_in_charge([o.path for o in orgs]).values() for u in users}
    )


def send_reminder(entry: CalendarEntry) -> int:
    """Put the monthly reminder into the inboxes of the officers of the orgs below."""
    users = User.objects.filter(pk__in=_recipients(_children(entry.org)))
    title, body = reminder_text(entry)
    url = reverse("supervision:calendar", args=[entry.org.code]) + f"?year={entry.year}"
    sent = send_notice(
        users=users,
        kind="reminder",
        title=title,
        body=body,
        url=url,
        org=entry.org,
        key=f"supervision:calendar:{entry.pk}",
    )
    return len(sent)


def calendar_reminders(as_of: dt.date) -> list[Reminder]:
    """Reminder source (settings.REMINDER_SOURCES): each monthly reminder of the month of
    `as_of` whose date has come, to the officers of the orgs directly below its org.
    Set-wise: one query for the entries, one for their child orgs, one for the officers."""
    entries = list(
        CalendarEntry.objects.filter(
            kind=Kind.MONTHLY_REMINDER, period=f"{as_of:%Y-%m}", date__lte=as_of
        ).select_related("org")
    )
    if not entries:
        return []
    query = Q()
    for entry in entries:
        query |= Q(path__startswith=entry.org.path, depth=entry.org.depth + 1)
    children = list(Org.objects.filter(query, dissolved_on__isnull=True).only("path", "depth"))
    officers = officers_in_charge([c.path for c in children])
    found = []
    for entry in entries:
        below = [c for c in children if c.path.startswith(entry.org.path)]
        users = sorted({u for c in below for u in officers.get(c.path, [])})
        if users:
            title, _body = reminder_text(entry)
            found.append(
                Reminder(
                    recipients=tuple(users),
                    key=f"supervision:calendar:{entry.pk}",
                    category=CATEGORY,
                    title=title,
                    due=entry.date,
                    overdue=False,
                    org_name=entry.org.name,
                    url=reverse("supervision:calendar", args=[entry.org.code]),
                )
            )
    return found


# --- quarterly progress reports ----------------------------------------------------------


def owes_reports(org: Org, day: dt.date) -> bool:
    policy = resolver(day=day)
    sectors, kinds = policy.value(SECTORS, org.path), policy.value(KINDS, org.path)
    return Org.objects.filter(owes_reports_q(sectors, kinds), pk=org.pk).exists()


def quarter_of(period: str) -> Any:
    """The quarter `period` names ("2026-Q1"), else a field error."""
    try:
        quarter = parse_period(period)
    except ValueError:
        quarter = None
    if quarter is None or "-Q" not in quarter.label:
        raise ValidationError({"period": "季度格式应为 2026-Q1"})
    return quarter


def items_closed_in(org: Org, period: str) -> list[Item]:
    """The org's items accepted within the quarter (the report's 本季度销号事项)."""
    quarter = quarter_of(period)
    return list(
        Item.objects.filter(
            org=org,
            status=ItemStatus.ACCEPTED,
            accepted_at__date__gte=quarter.start,
            accepted_at__date__lt=quarter.end,
        ).order_by("accepted_at", "pk")
    )


@transaction.atomic
def submit_progress(
    org: Org,
    *,
    period: str,
    work_done: str,
    by: Any,
    problems: str = "",
    next_steps: str = "",
    submitted_on: dt.date | None = None,
) -> ProgressReport:
    """The org's progress report for a quarter that has begun, once per quarter."""
    _require_manager(org, by, "报送季度推进情况")
    submitted_on = submitted_on or today()
    quarter = quarter_of(period)
    if submitted_on < quarter.start:
        raise ValidationError({"period": "该季度尚未开始，不能报送"})
    if not owes_reports(org, submitted_on):
        raise ValidationError({"period": "按照现行政策，本组织无需报送季度推进情况"})
    if ProgressReport.objects.filter(org=org, period=quarter.label).exists():
        raise ValidationError({"period": f"{quarter.label} 的推进情况已报送"})
    if not work_done.strip():
        raise ValidationError({"work_done": "请填写工作进展"})
    report = ProgressReport(
        org=org,
        period=quarter.label,
        work_done=work_done.strip(),
        problems=problems.strip(),
        next_steps=next_steps.strip(),
        items_closed=len(items_closed_in(org, quarter.label)),
        submitted_on=submitted_on,
        by=by,
    )
    report.full_clean()
    save(report, by)
    return report
