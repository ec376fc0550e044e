"""Sheets of party-activity budgets and spending (ORG-09): 经费预算, 经费支出."""

from __future__ import annotations

from collections import Counter
from typing import Any

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import clean_text

from .. import domain
from ..models import Org
from .cells import clean_money, clean_payment, clean_year
from .sheet import Sheet, SheetImporter, comparable, date_column, org_column

BUDGET_COLUMNS = (
    org_column(),
    Column("year", "年度", clean_year, ("预算年度", "年份"), required=True),
    Column(
        "amount",
        "预算金额（元）",
        clean_money,
        ("预算金额", "金额", "金额（元）", "预算（元）"),
        required=True,
        note="单位为元，最多两位小数",
    ),
    Column("note", "备注", aliases=("说明",)),
)
SPENDING_COLUMNS = (
    org_column(),
    date_column("spent_on", "支出日期", ("日期", "支出时间"), required=True),
    Column(
        "amount",
        "金额（元）",
        clean_payment,
        ("金额", "支出金额", "支出金额（元）"),
        required=True,
        note="单位为元，最多两位小数",
    ),
    Column("purpose", "用途", aliases=("支出用途", "事由", "摘要"), required=True),
)


class _Budgets(Sheet):
    columns = BUDGET_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.unique(record, (org.pk, v["year"]), "year"):
            return "error"
        budgets = self.stored(org, lambda o: {b.year: b for b in o.budgets.all()})
        budget = budgets.get(v["year"])
        note = v.get("note") or (budget.note if budget else "")
        if budget and budget.amount == v["amount"] and comparable(budget.note) == clean_text(note):
            return "unchanged"
        saved = self.call(
            record, domain.set_budget, org=org, year=v["year"], amount=v["amount"], note=note
        )
        if saved is None:
            return "error"
        budgets[saved.year] = saved
        return "created" if budget is None else "updated"


class BudgetImporter(SheetImporter):
    kind = "budgets"
    title = "党建活动经费预算"
    sheet_names = ("经费预算", "党建经费预算", "活动经费预算", "budgets")
    columns = BUDGET_COLUMNS
    order = 30
    sheet = _Budgets


class _Spending(Sheet):
    """A row equal to a stored payment (date, amount, purpose) is that payment, one row
    per stored payment: two equal payments are two rows."""

    columns = SPENDING_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        pool = self.stored(org, _spending_pool)
        key = (v["spent_on"], v["amount"], v["purpose"])
        if pool[key] > 0:
            pool[key] -= 1
            return "unchanged"
        saved = self.call(
            record,
            domain.record_spending,
            org=org,
            spent_on=v["spent_on"],
            amount=v["amount"],
            purpose=v["purpose"],
        )
        return "created" if saved else "error"


def _spending_pool(org: Org) -> Counter[tuple[Any, ...]]:
    return Counter((s.spent_on, s.amount, clean_text(s.purpose)) for s in org.spendings.all())


class SpendingImporter(SheetImporter):
    kind = "spending"
    title = "党建活动经费支出"
    sheet_names = ("经费支出", "党建经费支出", "活动经费支出", "spending")
    columns = SPENDING_COLUMNS
    order = 30
    sheet = _Spending
