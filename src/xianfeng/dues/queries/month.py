"""A branch's month (the treasurer's screen, DUES-01): the month's lines of the org with
what each member owes and has paid, the month's sums and whether it was closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from xianfeng.accounts.scope import reference_error
from xianfeng.orgs.models import Org

from ..domain.common import parse_month
from ..models import Due, MonthClose
from .lines import ZERO, Line, line_of, outstanding


def month_from_url(text: str) -> dt.date:
    """A month in a URL (`2025-06`) as its first day; anything else is a page not found."""
    try:
        return parse_month(text)
    except ValidationError:
        raise Http404("月份应写作 2025-06") from None


def month_dues(org: Org, month: dt.date) -> list[Due]:
    """The org's lines of `month` with their members, by name."""
    rows = Due.objects.filter(org=org, month=month).select_related("org", "member__org")
    return list(rows.order_by("member__name_initials", "member__name", "member__code"))


@dataclass
class MonthScreen:
    org: Org
    month: dt.date
    lines: list[Line]
    closed: MonthClose | None

    @property
    def due(self) -> Decimal:
        return sum((line.due.amount or ZERO for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.due.paid for line in self.lines), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((outstanding(line.due) or ZERO for line in self.lines), ZERO)

    @property
    def unsettled(self) -> int:
        return sum(1 for line in self.lines if not line.due.settled)

    @property
    def undeclared(self) -> int:
        return sum(1 for line in self.lines if line.due.amount is None)


def org_month(org: Org, month: dt.date, visible: Callable[[Any], bool]) -> MonthScreen:
    """The org's month; `visible(member)` says whether the reader may see a member's base."""
    lines = [line_of(due, visible(due.member)) for due in month_dues(org, month)]
    closed = MonthClose.objects.filter(org=org, month=month).select_related("closed_by").first()
    return MonthScreen(org, month, lines, closed)


def members_of_month(org: Org, month: dt.date, codes: Iterable[str]) -> list[int]:
    """The ids of the members whose codes are `codes` among the org's lines of `month`; a code
    not among them (missing, elsewhere or out of reach alike) is refused by name."""
    wanted = [str(code).strip() for code in codes]
    found = dict(
        Due.objects.filter(org=org, month=month, member__code__in=wanted).values_list(
            "member__code", "member_id"
        )
    )
    for code in wanted:
        if code not in found:
            raise reference_error("members", "党员", code)
    return [found[code] for code in wanted]
