"""Small helpers the dues demo's modules share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from xianfeng.core.demo import DemoContext
from xianfeng.lib.dates import add_months

FEN = Decimal("0.01")


def save_tracked(
    ctx: DemoContext, model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]]
) -> int:
    """Insert `rows` (values of `names`) of a tracked model with ids and "+" history rows."""
    if rows:
        first = ctx.insert.reserve(model, len(rows))
        numbered = [(first + i, *row) for i, row in enumerate(rows)]
        ctx.insert.rows(model, ["id", *names], numbered, history=True)
    return len(rows)


def month_after(month: dt.date, months: int = 1) -> dt.date:
    return add_months(month.replace(day=1), months)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def money(value: float) -> Decimal:
    """Yuan to the fen."""
    return (Decimal(round(value * 100)) / 100).quantize(FEN)
