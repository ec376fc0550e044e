"""The treasurer's yearly ledger (党费台账) read back to check it (PLAT-03 with DUES-01):
one row per member and year, 1月 … 12月 the amounts paid. A ledger is what the payments
add up to, not a record of them (it has no days), so this sheet writes nothing: each
month's cell is compared with what the recorded payments give for that month, and a
difference is that cell's error. An exported ledger re-imports as "unchanged" rows; a
treasurer's own sheet shows where it and the system disagree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from xianfeng.core.importing import Errors, Record
from xianfeng.orgs.importers_support import SheetImporter

from .importers import ORDER, DuesSheet
from .importers_columns import LEDGER_COLUMNS, MONTHS
from .models import Due

ZERO = Decimal("0.00")


class _Ledger(DuesSheet):
    columns = LEDGER_COLUMNS

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.paid: dict[tuple[int, dt.date], Decimal] = {}

    def load(self, members: list[int]) -> None:
        rows = Due.objects.filter(member_id__in=members).order_by()
        for member, month, paid in rows.values_list("member_id", "month", "paid"):
            self.paid[(member, month)] = paid

    def one(self, record: Record) -> str:
        v = record.values
        member = self.member(record, "member", "name")
        key = (member.pk, v["year"]) if member else None
        if member is None or not self.unique(record, key, "year"):
            return "error"
        ok = True
        for month in MONTHS:
            if f"m{month}" not in v:
                continue
            shown = v[f"m{month}"] or ZERO
            stored = self.paid.get((member.pk, dt.date(v["year"], month, 1)), ZERO)
            if shown != stored:
                ok = False
                self.fail(
                    record,
                    f"m{month}",
                    f"台账记为{shown}元，系统中{v['year']}年{month}月已交{stored}元"
                    "（台账只用于核对；交纳请用“党费交纳记录”表导入）",
                )
        return "unchanged" if ok else "error"


class LedgerImporter(SheetImporter):
    kind = "dues_ledger"
    title = "党费台账"
    sheet_names = ("党费收缴台账", "党费台账核对", "dues_ledger")
    columns = LEDGER_COLUMNS
    order = ORDER + 7  # the last dues sheet: it checks what the others wrote
    sheet = _Ledger
