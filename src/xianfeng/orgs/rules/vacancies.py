"""ORG-05: vacant leadership seats filled within the policy's months."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import add_months

from ..models import LEADERSHIP_KINDS, Seat, SeatRole, Term
from ..queries import SEAT_FIELDS, open_vacancies
from ._reads import cited


@rule(
    "ORG-05",
    title="班子职务空缺及时补齐",
    text="机关党组织书记、副书记、委员出现空缺，应在6个月内补齐。",
    source="seed 003 §4.5",
    period="state",
    severity="error",
    kinds=sorted(LEADERSHIP_KINDS),
)
def org_05_vacancies_filled(ctx: Context) -> Iterator[Found]:
    """Every seat vacant on `day` for longer than the policy allows (ORG-05).

    A tenure's `ended_on` is its last day; the vacancy starts the next day and is a
    finding when `day` is after the vacancy start plus max_months calendar months.
    """
    day = ctx.day
    orgs = {o["id"]: o for o in ctx.orgs(kinds=LEADERSHIP_KINDS)}
    # only orgs with a tenure ended before `day` can have a vacancy: read their seats alone
    turnover = Seat.objects.filter(ctx.path_q("org__path"), ended_on__lt=day).values("org_id")
    seats = Seat.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=day),
        org_id__in=turnover,
        member__isnull=False,
    ).values(*SEAT_FIELDS)
    elections: dict[int, list[dt.date]] = defaultdict(list)
    for org_id, elected_on in (
        Term.objects.filter(org_id__in=turnover, elected_on__lte=day)
        .order_by("elected_on")
        .values_list("org_id", "elected_on")
    ):
        elections[org_id].append(elected_on)
    rows = [seat for seat in seats if seat["org_id"] in orgs]
    for vacancy in open_vacancies(rows, elections, day):
        org = orgs[vacancy.org_id]
        entry = ctx.policy.entry("org.vacancy.max_months", org["path"])
        due = add_months(vacancy.vacant_since, entry["value"])
        if day > due:
            yield _vacancy_found(ctx, vacancy, due, entry)


def _vacancy_found(ctx: Context, vacancy: Any, due: dt.date, entry: dict) -> Found:
    role = SeatRole(vacancy.role).label
    name = f"{role}（{vacancy.title}）" if vacancy.title else role
    message = (
        f"{name}自{vacancy.vacant_since}起空缺，超过{entry['value']}个月未补齐（应于{due}前补齐）"
    )
    evidence = cited(
        {
            "role": vacancy.role,
            "title": vacancy.title,
            "vacant_since": vacancy.vacant_since.isoformat(),
            "due": due.isoformat(),
            "max_months": entry["value"],
            "seats": list(vacancy.seat_ids),
            "as_of": ctx.day.isoformat(),
        },
        entry,
    )
    return Found(vacancy.org_id, ctx.period.label, "error", message, evidence)
