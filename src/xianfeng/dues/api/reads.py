"""Reads of the dues API: a member's ledger for a year, an org's month, the totals of an
org's subtree per month and per child org, the arrears list, the reductions waiting for
the user's decision."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from xianfeng.lib.api import Code, Pagination, YearQuery, responses
from xianfeng.lib.dates import today
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.queries import get_org_for_user

from ..domain.common import month_label, parse_month
from ..permissions import may_keep, may_see_bases
from ..queries.access import pending_reductions
from ..queries.arrears import arrears_of
from ..queries.lines import member_year
from ..queries.month import month_from_url, org_month
from ..queries.totals import org_totals
from .schemas import (
    ArrearsOut,
    LedgerOut,
    MonthPath,
    OrgMonthOut,
    ReductionOut,
    TotalsOut,
    entries_out,
    line_out,
    sums_out,
)

router = Router(tags=["党费"])
MonthQuery = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description="下级组织按此月汇总，如 2025-06")
]
MinQuery = Annotated[int, Query(ge=1, le=24, description="连续未交月数不少于")]


@router.get("/members/{code}", response=responses({200: LedgerOut}))
def dues_member(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """A member's dues of a year: each month's line (why that amount: the bracket and the
    base), payments with their reversals, extra payments, declarations (to those who may
    see bases)."""
    member = get_member_for_user(request.user, code)
    visible = may_see_bases(request.user, member)
    ledger = member_year(member, year or today().year, visible=visible)
    return {
        "member": member.code,
        "name": member.name,
        "org": member.org.code if member.org else None,
        "year": ledger.year,
        "bases_visible": visible,
        "due": ledger.due,
        "paid": ledger.paid,
        "outstanding": ledger.outstanding,
        "extra": ledger.extra,
        "lines": [line_out(line) for line in ledger.lines],
        "extras": entries_out(ledger.extras),
        "declarations": ledger.declarations,
        "years": ledger.years,
    }


@router.get("/orgs/{code}/months/{month}", response=responses({200: OrgMonthOut}))
def dues_org_month(request: HttpRequest, code: Code, month: MonthPath):  # type: ignore[no-untyped-def]
    """The org's lines of a month (the treasurer's screen) with what each member owes."""
    org = get_org_for_user(request.user, code)
    day = month_from_url(month)
    screen = org_month(org, day, lambda member: may_see_bases(request.user, member))
    lines = [
        {**line_out(line), "member": line.due.member.code, "name": line.due.member.name}
        for line in screen.lines
    ]
    return {
        "org": org.code,
        "month": month_label(day),
        "closed": screen.closed is not None,
        "closed_on": screen.closed.closed_on if screen.closed else None,
        "due": screen.due,
        "paid": screen.paid,
        "outstanding": screen.outstanding,
        "unsettled": screen.unsettled,
        "undeclared": screen.undeclared,
        "lines": lines,
    }


@router.get("/orgs/{code}/totals", response=responses({200: TotalsOut}))
def dues_totals(  # type: ignore[no-untyped-def]
    request: HttpRequest, code: Code, year: YearQuery = None, month: MonthQuery = None
):
    """The subtree's sums per month of a year and per child org (the year, or `month`)."""
    org = get_org_for_user(request.user, code)
    day = parse_month(month) if month else None
    table = org_totals(org, day.year if day else year or today().year, day)
    own = table.own if table.own is not None and table.own.lines else None
    return {
        "org": org.code,
        "year": table.year,
        "month": month_label(day) if day else None,
        "months": [sums_out(sums, month=month_label(m)) for m, sums in table.months],
        "total": sums_out(table.total),
        "children": [sums_out(s, org=c.code, name=c.name) for c, s in table.children],
        "own": sums_out(own) if own else None,
    }


@router.get("/orgs/{code}/arrears", response=responses({200: list[ArrearsOut]}))
@paginate(Pagination)
def dues_arrears(request: HttpRequest, code: Code, min: MinQuery = 1):  # type: ignore[no-untyped-def]  # noqa: A002
    """Members of the subtree unpaid last month with their consecutive unpaid months,
    the longest runs first (the amounts to those who keep the org's dues)."""
    org = get_org_for_user(request.user, code)
    shown = may_keep(request.user, org)
    return [
        {
            "member": row.code,
            "name": row.name,
            "org": row.org_code,
            "org_name": row.org_name,
            "months": [month_label(m) for m in reversed(row.months)],
            "count": row.count,
            "owed": row.owed if shown else None,
            "level": row.level,
            "quarterly": row.quarterly,
        }
        for row in arrears_of(org, min_months=min)
    ]


@router.get("/reductions/pending", response=responses({200: list[ReductionOut]}))
def dues_pending_reductions(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Reductions proposed below the user's orgs, waiting for the user's decision."""
    return list(pending_reductions(request.user)[:500])
