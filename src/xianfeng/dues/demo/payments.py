"""The payments of the ledger's lines: most members pay each month on (or a few days
after) their branch's payment day, a few a month late, a very few never; the quarterly
payer after each quarter; some retired members the whole year in January; a wrong entry
now and then undone by a reversing entry and paid again; voluntary extra payments around
1 July. Waived months (owing 0) need no payment.

The arrears cases of each block (DUES-02), among members staying in one branch all along:
two members unpaid from September and from June or May of the last full year to its end
(3 and 6+ ended months at its end; they pay again from January), two unpaid for the last
three months before the as-of date's month and two for the last six and nine, still
unpaid.

Lines are read back member by member in ranges of ids and the payments written in
batches through the shared inserter with their history rows; then each paid line's
`paid` is set to the sum of its payments and reversals, and `settled` as the ledger
defines it, in one statement.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection

from xianfeng.core.demo import DemoContext
from xianfeng.members.models import Category

from ..models import Due, DuesKind, Payment, PaymentKind
from .common import month_after, month_label
from .records import Plan
from .world import Person, World

NAMES = ["id", "member", "month", "kind", "amount", "paid_on", "org", "reverses", "note"]
MISSED, LATE, REVERSED = 0.002, 0.03, 0.0006  # shares of the member-months
ADVANCE = 0.05  # share of the retired paying a year ahead in January
EXTRA = 0.01  # share of the members paying extra once a year
EXTRA_YUAN = (100, 200, 300, 500, 1000, 2000)
BATCH = 100_000  # payments written at a time
MEMBERS_AT_ONCE = 20_000  # lines read for this many members at a time
FAR = dt.date(9999, 12, 1)


class PaymentsBuilder:
    def __init__(self, ctx: DemoContext, rng: random.Random, world: World, plan: Plan):
        self.ctx, self.rng, self.world, self.plan = ctx, rng, world, plan
        self.as_of = world.as_of
        self.y1, self.y2 = world.years
        self.unpaid: dict[int, tuple[dt.date, dt.date]] = {}  # member → months unpaid
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 0
        self.collected: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
        self.owed: set[tuple[int, dt.date]] = set()  # (org, month) with lines: to close
        self.counts: Counter[str] = Counter()

    def build(self) -> Counter[str]:
        for block in self.world.blocks:
            self._arrears(block.members)
        self.next_id = self.ctx.insert.reserve(Payment, 0)
        members = list(self.world.members)
        for start in range(0, len(members), MEMBERS_AT_ONCE):
            part = members[start : start + MEMBERS_AT_ONCE]
            lines = Due.objects.filter(
                member_id__gte=part[0], member_id__lte=part[-1], month__gte=self.world.first
            ).order_by("member_id", "month")
            rows = lines.values_list("member_id", "month", "org_id", "amount", "kind")
            for member, group in groupby(rows, key=itemgetter(0)):
                self._member(member, list(group))
                if len(self.rows) >= BATCH:
                    self._flush()
        self._flush()
        settle_lines(self.world.first)
        return self.counts

    # --- arrears (DUES-02) -----------------------------------------------------------------

    def _arrears(self, staying: list[Person]) -> None:
        plan, world = self.plan, self.world
        free = [
            p
            for p in staying
            if p.pk not in plan.special
            and p.pk not in world.seated
            and p.pk not in plan.kinds  # the usual kind, a known amount
        ]
        mobile = [p for p in free if p.category == Category.MOBILE]
        pool = mobile if len(mobile) >= 8 else free
        drawn = self.rng.sample(pool, min(8, len(pool)))
        plan.special.update(p.pk for p in drawn)
        december, before = dt.date(self.y1, 12, 1), month_after(self.as_of, -1)
        windows = [
            (dt.date(self.y1, 9, 1), december),
            (dt.date(self.y1, 9, 1), december),
            (dt.date(self.y1, 6, 1), december),
            (dt.date(self.y1, 5, 1), december),
            (month_after(before, -2), FAR),
            (month_after(before, -2), FAR),
            (month_after(before, -5), FAR),
            (month_after(before, -8), FAR),
        ]
        for person, (first, last) in zip(drawn, windows, strict=False):
            self.unpaid[person.pk] = (first, last)
            until = f"至{month_label(last)}" if last != FAR else "起至今"
            code = world.orgs[person.stays].code
            plan.cases.append((code, f"{person.name}{month_label(first)}{until}未交纳党费"))

    # --- one member's lines ----------------------------------------------------------------

    def _member(self, member: int, lines: list[tuple[Any, ...]]) -> None:
        rng = self.rng
        unpaid = self.unpaid.get(member)
        quarterly = member in self.plan.quarterly
        advance = (
            unpaid is None
            and lines[0][1].month == 1
            and lines[0][4] == DuesKind.RETIRED
            and rng.random() < ADVANCE
        )
        for _member, month, org, amount, kind in lines:
            self.owed.add((org, month))
            if amount is not None and amount == 0:  # waived
                continue
            if unpaid is not None and unpaid[0] <= month <= unpaid[1]:
                continue
            if amount is None:  # no base known: nothing the demo could pay
                self.counts["unknown"] += 1
                continue
            if quarterly:
                self._quarterly(member, month, org, amount)
            elif advance and kind == DuesKind.RETIRED:
                day = dt.date(month.year, 1, self._pay_day(org))
                self._pay(member, month, org, amount, day, "预交全年党费")
            else:
                self._monthly(member, month, org, amount)
        if rng.random() < EXTRA:
            self._extra(member, lines)

    def _pay_day(self, org: int) -> int:
        return self.plan.pay_days.get(org, 15)

    def _monthly(self, member: int, month: dt.date, org: int, amount: Decimal) -> None:
        rng = self.rng
        draw = rng.random()
        if draw < MISSED:
            self.counts["missed"] += 1
            return
        late = draw < MISSED + LATE
        paid_month = month_after(month) if late else month
        day = min(self._pay_day(org) + int(rng.random() * 5), 28)  # the day or a few after
        paid_on = paid_month.replace(day=day)
        if draw > 1 - REVERSED and paid_on + dt.timedelta(days=6) <= self.as_of:
            self._reversed(member, month, org, amount, paid_on)
            return
        self._pay(member, month, org, amount, paid_on, "补交" if late else "")

    def _quarterly(self, member: int, month: dt.date, org: int, amount: Decimal) -> None:
        """The quarter's three months on the payment day of its last month."""
        last = dt.date(month.year, (month.month - 1) // 3 * 3 + 3, 1)
        self._pay(member, month, org, amount, last.replace(day=self._pay_day(org)), "按季交纳")

    def _reversed(
        self, member: int, month: dt.date, org: int, amount: Decimal, paid_on: dt.date
    ) -> None:
        """A payment entered for the wrong member, reversed, and paid later."""
        wrong = self._pay(member, month, org, amount, paid_on, "")
        undone = paid_on + dt.timedelta(days=self.rng.randint(1, 3))
        self._row(member, month, PaymentKind.REVERSAL, -amount, undone, org, wrong, "误录，冲正")
        self.collected[(org, month)] -= amount
        self._pay(member, month, org, amount, undone + dt.timedelta(days=3), "")
        self.counts["reversals"] += 1

    def _extra(self, member: int, lines: list[tuple[Any, ...]]) -> None:
        """A voluntary extra payment (自愿多交党费) around 1 July of either year."""
        rng = self.rng
        year = rng.choice(self.world.years)
        paid_on = dt.date(year, 7, 1) + dt.timedelta(days=rng.randint(0, 10))
        orgs = {month: org for _m, month, org, *_rest in lines}
        org = orgs.get(paid_on.replace(day=1))
        yuan = Decimal(rng.choice(EXTRA_YUAN)).quantize(Decimal("0.01"))
        if org is None or paid_on > self.as_of:
            return
        self._row(member, paid_on.replace(day=1), PaymentKind.EXTRA, yuan, paid_on, org, None, "")
        self.counts["extra"] += 1

    # --- writing ---------------------------------------------------------------------------

    def _pay(
        self, member: int, month: dt.date, org: int, amount: Decimal, paid_on: dt.date, note: str
    ) -> int | None:
        if paid_on > self.as_of:
            return None
        self.collected[(org, month)] += amount
        return self._row(member, month, PaymentKind.DUES, amount, paid_on, org, None, note)

    def _row(
        self,
        member: int,
        month: dt.date,
        kind: str,
        amount: Decimal,
        paid_on: dt.date,
        org: int,
        reverses: int | None,
        note: str,
    ) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, member, month, kind, amount, paid_on, org, reverses, note))
        return pk

    def _flush(self) -> None:
        if not self.rows:
            return
        first = self.ctx.insert.reserve(Payment, len(self.rows))
        assert first == self.rows[0][0], "payment ids are kept in order"
        self.ctx.insert.rows(Payment, NAMES, self.rows, history=True)
        self.counts["payments"] += len(self.rows)
        self.rows = []


def settle_lines(first: dt.date) -> None:
    """Each line from `first` on with payments: `paid` the sum of its payments and
    reversals, `settled` as `ledger.settled` has it (paid covers what is owed; no base
    known: anything paid), in one statement. A line without payments keeps what the
    ledger wrote (nothing paid)."""
    q = connection.ops.quote_name
    due, payment, month = q(Due._meta.db_table), q(Payment._meta.db_table), q("month")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # just copied in: without statistics the planner may scan every line once
            # per group of payments (a county's demo stuck for minutes in CI)
            cursor.execute(f"ANALYZE {due}, {payment}")
        cursor.execute(
            f"UPDATE {due} SET paid = s.total, settled = CASE WHEN amount IS NULL"  # noqa: S608
            f" THEN s.total > 0 ELSE s.total >= amount END FROM ("
            f" SELECT member_id, {month}, SUM(amount) AS total FROM {payment}"
            f" WHERE kind IN (%s, %s) AND {month} >= %s GROUP BY member_id, {month}"
            f") AS s WHERE {due}.member_id = s.member_id AND {due}.{month} = s.{month}",
            [PaymentKind.DUES.value, PaymentKind.REVERSAL.value, first],
        )
