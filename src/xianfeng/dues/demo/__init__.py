"""The dues part of the demo (issue 18 item 11): two years of ledgers, the last full
calendar year and the current one to the as-of date.

Dues kinds follow the member categories (salaried, retired, farmers, students), with
recorded kinds where they differ (the self-employed, retired farmers, a retirement and a
lay-off mid-year); bases are declared each year (2,000–15,000 yuan a month; pensions
2,000–8,000; the self-employed each quarter); the ledger's lines are computed by
`dues.ledger.refresh` for both years, as the product computes them. Most members pay
every month, most branches close their months on time and the towns hand the dues up.

In each block (a county; the root at town and county scale), for the rules at work in
both years: members 3 and 6+ months in arrears (DUES-02), a branch leaving a month
unclosed and one closing a month late, members with no base declared for the year
(DUES-01); and one hardship waiver approved above (no arrears for it), one proposed, one
member paying quarterly by the branch's consent.

It runs after recruitment (whose admitted members owe dues too), reads what the other
builders saved, and draws from a random stream of its own (`dues`), so it leaves every
other row of a seed as it was. Everything is written set-wise through the shared
inserter, no per-member ORM write; only the towns' few remittances go through
`domain.remittances.record_remittance`.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from xianfeng.core.demo import DemoContext
from xianfeng.lib.sql import indexes_set_aside
from xianfeng.orgs.models import Org

from .. import kept_totals, ledger
from ..models import (
    Arrangement,
    Declaration,
    Due,
    KindSpell,
    MonthClose,
    MonthTotal,
    Payment,
    Reduction,
    Remittance,
)
from .closes import ClosesBuilder, save_remittances
from .payments import PaymentsBuilder
from .records import RecordsBuilder
from .world import load_world

# the big tables, loaded with their secondary indexes set aside (built again after)
LOADED = [
    Due._meta.db_table,
    Payment._meta.db_table,
    Payment.history.model._meta.db_table,  # type: ignore[attr-defined]
]
# in deleting order
DEMO_MODELS = (
    MonthTotal,
    Due,
    Payment,
    MonthClose,
    Reduction,
    Arrangement,
    Declaration,
    KindSpell,
    Remittance,
)


def save_dues(ctx: DemoContext, root: Org) -> dict[str, Any]:
    """Build the dues records under `root`; what was made and the planned cases, for the
    summary."""
    rng = ctx.stream("dues")
    world = load_world(root, ctx.as_of)
    plan = RecordsBuilder(ctx, rng, world).build()
    # the kept sums once, after the payments, with the indexes back
    with kept_totals.deferred(), indexes_set_aside(LOADED):
        lines = sum(ledger.refresh(year)["added"] for year in world.years)
        payments = PaymentsBuilder(ctx, rng, world, plan)
        counts = payments.build()
    counts.update(plan.counts)
    counts["lines"] = lines
    counts["closes"] = ClosesBuilder(ctx, rng, world, plan, payments.owed).save()
    counts["remittances"] = save_remittances(world, rng, payments.collected)
    ctx.insert.reset_sequences()
    return {"counts": dict(counts), "cases": plan.cases}


def delete_dues_demo() -> None:
    """Empty the dues tables (before the members and orgs go), with plain DELETEs and
    without a history row per deleted row."""
    tables = [m._meta.db_table for m in DEMO_MODELS]
    tables += [m.history.model._meta.db_table for m in DEMO_MODELS if hasattr(m, "history")]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
