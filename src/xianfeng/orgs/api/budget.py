"""Party-activity budget and spending endpoints (ORG-09)."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from xianfeng.lib.api import Code, Money, Pagination, Year, YearQuery, responses
from xianfeng.lib.dates import today

from .. import domain
from ..models import Spending
from ..queries import budget_years, get_org_for_user
from .common import editable, router


class BudgetYearOut(Schema):
    year: int
    amount: Decimal | None = Field(description="本组织该年度预算，未列预算为 null")
    note: str
    per_member_yuan: int = Field(description="政策规定的每名党员标准，0 表示未设定")
    policy_source: str
    members: int = Field(description="当年1月1日本组织及下级组织的正式党员和预备党员数")
    required: Decimal | None = Field(description="应安排标准 = 每名党员标准 × 党员数")
    spent: Decimal
    balance: Decimal | None


class BudgetIn(Schema):
    year: Year
    amount: Money
    note: str = ""


class SpendingOut(Schema):
    id: int
    spent_on: dt.date
    amount: Decimal
    purpose: str


class SpendingIn(Schema):
    spent_on: dt.date
    amount: Money
    purpose: str


def _budget_out(row: dict) -> dict:
    budget = row["budget"]
    return {
        "year": row["year"],
        "amount": budget.amount if budget else None,
        "note": budget.note if budget else "",
        "per_member_yuan": row["per_member"]["value"],
        "policy_source": row["per_member"]["source"],
        "members": row["members"],
        "required": row["required"],
        "spent": row["spent"],
        "balance": row["balance"],
    }


@router.get("/{code}/budgets", response=responses({200: list[BudgetYearOut]}))
def list_budgets(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """Per year (newest first): budget, the policy's standard, spending, balance (ORG-09)."""
    org = get_org_for_user(request.user, code)
    return [_budget_out(row) for row in budget_years(org, today())]


@router.post("/{code}/budgets", response=responses({201: BudgetYearOut}))
def set_budget(request: HttpRequest, code: Code, payload: BudgetIn):  # type: ignore[no-untyped-def]
    """Set (or change) the org's budget of a year."""
    org = editable(request, code)
    budget = domain.set_budget(org=org, by=request.user, **payload.dict())
    rows = budget_years(org, today(), keep=200)
    return Status(201, _budget_out(next(r for r in rows if r["year"] == budget.year)))


@router.get("/{code}/spendings", response=responses({200: list[SpendingOut]}))
@paginate(Pagination)
def list_spendings(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    spendings = org.spendings.all()
    if year is not None:
        spendings = spendings.filter(spent_on__year=year)
    return spendings.order_by("-spent_on", "-pk")


@router.post("/{code}/spendings", response=responses({201: SpendingOut}))
def record_spending(request: HttpRequest, code: Code, payload: SpendingIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    spending: Spending = domain.record_spending(org=org, by=request.user, **payload.dict())
    return Status(201, spending)
