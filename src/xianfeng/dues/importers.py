"""Importing dues as treasurers keep them in Excel (PLAT-03 with DUES-01): 党费类别 (a
member's dues kind from a date), 党费基数申报 (monthly bases by year, quarter or from a
month on) and 党费交纳记录 (payments, reversing entries and voluntary extra payments).

Every row is written through the dues domain (`set_dues_kind`, `declare_bases`,
`record_payment`, `reverse_payment`, `record_extra`), so an import is refused on exactly
what a treasurer's screen refuses: a negative or non-numeric base, more than two
decimals, a month before joining or after leaving, the same month paid twice, a back
payment beyond the policy's limit. Declarations are written a chunk at a time
(`declare_bases` checks each as `declare_base` does, then writes them and their history
rows in a few statements). A refusal is that row's error in the column it is
about, and, the import being all or nothing, nothing is written.

A row equal to what is stored writes nothing, so an export re-imports unchanged: a kind
by member and start, a declaration by member and period (a masked base *** matches the
stored one), a payment by member, kind, month, day and amount, each row one stored entry
(two equal entries are two rows). Payment rows are applied in file order, so a reversal
follows the payment it undoes and the payment that replaces it follows the reversal; a
month may be paid in parts (each row at most what it still owes), not twice.

An exported entry carries its 录入时间 (and the org it was booked to, 记账党组织): such a
row is restored as it was entered (`domain.restore.restore_payment`), with every check
that holds for a past entry but not against what its month owes now — a month paid
before its base was lowered or a waiver approved comes back overpaid, as it was. Before
a chunk's rows, the lines of their years are computed for everyone in the user's scope
who has none yet (`follow.fill_years`), so a restored year has its whole ledger.
Members are named by member code (or ID number, masked in every error) and resolved in
the importing user's scope; rows may only write for members whose org the user keeps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.importing import Errors, Record
from xianfeng.members.models import Member
from xianfeng.orgs.importers_support import Sheet, SheetImporter, comparable
from xianfeng.orgs.models import Org

from . import follow, ledger, permissions
from .domain.common import Refused, policy_kept
from .domain.declarations import Declared, declare_bases, set_dues_kind
from .domain.payments import record_extra, record_payment, reverse_payment
from .domain.restore import PastEntry, restore_payments, restore_reversal
from .importers_columns import (
    DECLARATION_COLUMNS,
    KIND_COLUMNS,
    MASKED,
    PAYMENT_COLUMNS,
)
from .models import Declaration, Due, KindSpell, Payment, PaymentKind

ORDER = 120  # after the members (and recruitment, which may make members)
NOTHING_TO_REVERSE = "没有找到可冲正的交纳记录（该月份、该金额）"


def report_refused(sheet: Any, records: list[Any], refused: Refused) -> None:
    """Each refusal of a batch written at once as its row's error (`records` in the
    batch's order): a field's error in its column, a denial on the member."""
    for number, error in refused.errors:
        if isinstance(error, ValidationError):
            sheet.report(records[number], error)
        else:
            sheet.fail(records[number], "member", str(error))


class DuesSheet(Sheet):
    """A dues sheet: members resolved in scope and kept by the user, the stored records of
    each chunk's members read in one query, domain refusals as row errors. The policy is
    read once per day of the rows; with `defers`, the ledger lines the rows change are
    recomputed together when the sheet is finished (no row of it reads them)."""

    member_keys: tuple[str, ...] = ("member",)
    defers = False

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.loaded: set[int] = set()
        self.pending: ledger.Pending = {}
        self.policies: dict[Any, Any] = {}  # read once for the sheet (`policy_kept`)

    def feed(self, records: list[Record]) -> None:
        self._load_members(records)
        pks = {m.pk for m in self.members.values() if m is not None} - self.loaded
        if pks:
            self.load(sorted(pks))
            self.loaded |= pks
        deferring = ledger.collecting(self.pending) if self.defers else nullcontext()
        with policy_kept(self.policies), deferring:
            for record in records:
                self.outcomes[self.one(record)] += 1

    def finish(self) -> dict[str, int]:
        ledger.refresh_pending(self.pending)
        return super().finish()

    def load(self, members: list[int]) -> None:
        """Read the stored records of `members` (not yet read) into this sheet."""
        raise NotImplementedError

    def kept_member(self, record: Record) -> Member | None:
        member = self.member(record, "member", "name")
        if member is None:
            return None
        if not permissions.may_keep(self.by, member.org):
            return self.fail(record, "member", f"您对“{member.org.name}”只有查看权限")
        return member

    def write(
        self, record: Record, action: Callable[..., Any], *, column: str = "member", **kwargs: Any
    ) -> Any:
        """Run a dues domain function; its refusal becomes this row's error (None), a
        refused right in `column`."""
        try:
            return action(by=self.by, **kwargs)
        except ValidationError as error:
            self.report(record, error)
        except PermissionDenied as error:
            self.fail(record, column, str(error))
        return None


# --------------------------------------------------------------------------- 党费类别


class _Kinds(DuesSheet):
    columns = KIND_COLUMNS
    defers = True

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.spells: dict[tuple[int, dt.date], tuple[str, str]] = {}

    def load(self, members: list[int]) -> None:
        rows = KindSpell.objects.filter(member_id__in=members).order_by()
        for member, started, kind, note in rows.values_list(
            "member_id", "started_on", "kind", "note"
        ):
            self.spells[(member, started)] = (kind, comparable(note))

    def one(self, record: Record) -> str:
        v = record.values
        member = self.kept_member(record)
        key = (member.pk, v["started_on"]) if member else None
        if member is None or not self.unique(record, key, "started_on"):
            return "error"
        stored = self.spells.get(key)  # type: ignore[arg-type]
        note = v.get("note") or (stored[1] if stored else "")
        if stored == (v["kind"], note):
            return "unchanged"
        saved = self.write(
            record,
            set_dues_kind,
            member=member,
            kind=v["kind"],
            started_on=v["started_on"],
            note=note,
        )
        if saved is None:
            return "error"
        self.spells[key] = (saved.kind, note)  # type: ignore[index]
        return "created" if stored is None else "updated"


class KindImporter(SheetImporter):
    kind = "dues_kinds"
    title = "党费类别"
    sheet_names = ("党员党费类别", "党费交纳类别", "dues_kinds")
    columns = KIND_COLUMNS
    order = ORDER
    sheet = _Kinds


# --------------------------------------------------------------------------- 党费基数申报


class _Declarations(DuesSheet):
    """Rows compared with what is stored, the others declared a chunk at a time
    (`declare_bases`: a few statements for the chunk, history rows included), the lines
    of their members recomputed once a year when the sheet is finished."""

    columns = DECLARATION_COLUMNS
    defers = True
    fields = {"monthly_base": "base"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.declared: dict[tuple[int, str], tuple[Decimal, dt.date, str]] = {}
        self.batch: list[tuple[Record, Declared, bool]] = []  # (row, to declare, stored)

    def feed(self, records: list[Record]) -> None:
        super().feed(records)
        with ledger.collecting(self.pending):
            self.flush()

    def load(self, members: list[int]) -> None:
        rows = Declaration.objects.filter(member_id__in=members).order_by()
        for member, period, base, day, note in rows.values_list(
            "member_id", "period", "monthly_base", "declared_on", "note"
        ):
            self.declared[(member, period)] = (base, day, comparable(note))

    def one(self, record: Record) -> str:
        v = record.values
        member = self.kept_member(record)
        key = (member.pk, v["period"]) if member else None
        if member is None or not self.unique(record, key, "period"):
            return "error"
        stored = self.declared.get(key)  # type: ignore[arg-type]
        if v["base"] == MASKED:
            if stored is not None:
                return "unchanged"
            return self.reject(
                record,
                "base",
                "基数已脱敏（***），无法导入；请使用有权查看基数的账号导出的文件，或填写基数",
            )
        day = v.get("declared_on") or (stored[1] if stored else None)
        note = v.get("note") or (stored[2] if stored else "")
        if stored == (v["base"], day, note):
            return "unchanged"
        declared = Declared(member, v["period"], v["base"], day, note)
        self.batch.append((record, declared, stored is not None))
        return "pending"

    def flush(self) -> None:
        """Declare the rows queued; a refusal is its row's error (nothing written)."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            declare_bases(declarations=[declared for _r, declared, _s in batch], by=self.by)
        except Refused as refused:
            report_refused(self, [row[0] for row in batch], refused)
            return
        for _record, _declared, stored in batch:
            self.outcomes["updated" if stored else "created"] += 1


class DeclarationImporter(SheetImporter):
    kind = "dues_declarations"
    title = "党费基数申报"
    sheet_names = ("基数申报", "党费基数", "缴费基数申报", "dues_declarations")
    columns = DECLARATION_COLUMNS
    order = ORDER + 1
    sheet = _Declarations


# --------------------------------------------------------------------------- 党费交纳记录


@dataclass
class Entry:
    """A stored (or just written) payment of a member, as the rows are matched to it."""

    pk: int
    kind: str
    month: dt.date
    amount: Decimal
    paid_on: dt.date
    reversed: bool = False
    matched: bool = False  # a row of the file is this entry

    def fits(self, kind: str, month: dt.date | None, paid_on: dt.date, amount: Any) -> bool:
        same = self.kind == kind and self.paid_on == paid_on and not self.matched
        if month is not None and self.month != month:
            return False
        return same and (amount is None or abs(self.amount) == abs(amount))


class _Payments(DuesSheet):
    columns = PAYMENT_COLUMNS
    fields = {"payment": "month", "members": "member"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.entries: dict[int, list[Entry]] = defaultdict(list)
        self.paid_rows: dict[tuple[int, dt.date], int] = {}  # dues rows of the file
        self.filled: set[int] = set()
        self.batch: list[tuple[Record, Entry, PastEntry]] = []  # restored, not yet written

    def feed(self, records: list[Record]) -> None:
        """The lines of the rows' years first, set-wise (`follow.fill_years`); the
        restored entries of the chunk written together."""
        years = {r.values["month"].year for r in records if r.values.get("month")}
        if years - self.filled:
            follow.fill_years(years - self.filled, self.by)
            self.filled |= years
        super().feed(records)
        with policy_kept(self.policies):
            self.flush()

    def finish(self) -> dict[str, int]:
        with policy_kept(self.policies):
            self.flush()
        return super().finish()

    def load(self, members: list[int]) -> None:
        rows = Payment.objects.filter(member_id__in=members).order_by("pk")
        values = list(
            rows.values_list("pk", "member_id", "kind", "month", "amount", "paid_on", "reverses")
        )
        undone = {row[6] for row in values if row[6] is not None}
        for pk, member, kind, month, amount, paid_on, _reverses in values:
            self.entries[member].append(Entry(pk, kind, month, amount, paid_on, pk in undone))

    def one(self, record: Record) -> str:
        v = record.values
        member = self.kept_member(record)
        if member is None:
            return "error"
        kind = v.get("kind") or PaymentKind.DUES
        amount, month = v.get("amount"), v.get("month")
        if kind != PaymentKind.REVERSAL and amount is not None and amount <= 0:
            return self.reject(record, "amount", "交纳金额应大于0（冲正请在“类别”列填“冲正”）")
        if month is None and kind != PaymentKind.EXTRA:
            return self.reject(record, "month", "“所属月份”不能为空")
        for entry in self.entries[member.pk]:
            if entry.fits(kind, month, v["paid_on"], amount):
                entry.matched = True
                self.after(record, member, kind, entry.month)
                return "unchanged"
        if v.get("entered_at") is not None:
            return self.restore(record, member, kind)
        self.flush()  # a row typed by hand follows the restored rows before it
        if kind == PaymentKind.DUES:
            return self.pay(record, member)
        if kind == PaymentKind.EXTRA:
            return self.extra(record, member)
        return self.reverse(record, member)

    def after(self, record: Record, member: Member, kind: str, month: dt.date) -> None:
        """Note the file's row paying a month; a reversal lets the month be paid again."""
        if kind == PaymentKind.DUES:
            self.paid_rows[(member.pk, month)] = record.row
        elif kind == PaymentKind.REVERSAL:
            self.paid_rows.pop((member.pk, month), None)

    def pay(self, record: Record, member: Member) -> str:
        v = record.values
        first = self.paid_rows.get((member.pk, v["month"]))
        if (
            first is not None
            and Due.objects.filter(member=member, month=v["month"], settled=True).exists()
        ):  # a month may be paid in parts, not twice
            return self.reject(
                record, "month", f"与第 {first} 行重复：同一党员同一月份的党费只交纳一次"
            )
        saved = self.write(
            record,
            record_payment,
            member=member,
            month=v["month"],
            amount=v.get("amount"),
            paid_on=v["paid_on"],
            note=v.get("note", ""),
        )
        return self.written(record, member, saved)

    def extra(self, record: Record, member: Member) -> str:
        v = record.values
        if v.get("amount") is None:
            return self.reject(record, "amount", "自愿多交党费须填写金额")
        month = v.get("month")
        if month is not None and month != v["paid_on"].replace(day=1):
            return self.reject(record, "month", "自愿多交党费的所属月份应为交纳日期所在月份")
        saved = self.write(
            record,
            record_extra,
            member=member,
            amount=v["amount"],
            paid_on=v["paid_on"],
            note=v.get("note", ""),
        )
        return self.written(record, member, saved)

    def target(self, member: Member, record: Record) -> Entry | None:
        """The entry a reversal row undoes: the month's latest not yet undone (of the
        row's amount, if given)."""
        v = record.values
        amount = v.get("amount")
        targets = [
            entry
            for entry in self.entries[member.pk]
            if entry.kind != PaymentKind.REVERSAL
            and entry.month == v["month"]
            and not entry.reversed
            and (amount is None or entry.amount == abs(amount))
        ]
        return targets[-1] if targets else None

    def reverse(self, record: Record, member: Member) -> str:
        v = record.values
        target = self.target(member, record)
        if target is None:
            return self.reject(record, "month", NOTHING_TO_REVERSE)
        saved = self.write(
            record,
            reverse_payment,
            payment=Payment.objects.get(pk=target.pk),
            note=v.get("note", ""),
            on=v["paid_on"],
        )
        if saved is not None:
            target.reversed = True
        return self.written(record, member, saved)

    def restore(self, record: Record, member: Member, kind: str) -> str:
        """An exported entry (it carries its 录入时间) recorded as it was entered, whatever
        its month owes now: payments and extras queued and written a chunk at a time
        (`domain.restore.restore_payments`), a reversal at once (`restore_reversal`)."""
        v = record.values
        org = self.org(record, "org", scoped=False) if v.get("org") else None
        if v.get("org") and org is None:
            return "error"
        if kind == PaymentKind.REVERSAL:
            return self.restore_reversal(record, member, org)
        if v.get("amount") is None:
            return self.reject(record, "amount", "按原样恢复的记录（带录入时间）须填写金额")
        month = v.get("month") or v["paid_on"].replace(day=1)
        past = PastEntry(
            member, month, kind, v["amount"], v["paid_on"], org, v["entered_at"], v.get("note", "")
        )
        entry = Entry(0, kind, month, v["amount"], v["paid_on"], matched=True)
        self.entries[member.pk].append(entry)
        self.after(record, member, kind, month)
        self.batch.append((record, entry, past))
        return "pending"

    def restore_reversal(self, record: Record, member: Member, org: Org | None) -> str:
        v = record.values
        target = self.target(member, record)
        if target is None:
            return self.reject(record, "month", NOTHING_TO_REVERSE)
        if not target.pk:  # restored in this chunk: written first
            self.flush()
            if not target.pk:
                return "error"  # its own row was refused
        saved = self.write(
            record,
            restore_reversal,
            payment=Payment.objects.get(pk=target.pk),
            paid_on=v["paid_on"],
            note=v.get("note", ""),
            org=org,
            entered_at=v["entered_at"],
        )
        if saved is not None:
            target.reversed = True
        return self.written(record, member, saved)

    def flush(self) -> None:
        """Write the restored entries queued; a refusal is its row's error."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            saved = restore_payments(entries=[past for _r, _e, past in batch], by=self.by)
        except Refused as refused:
            report_refused(self, [row[0] for row in batch], refused)
            return
        for (_record, entry, _past), payment in zip(batch, saved, strict=True):
            entry.pk = payment.pk
        self.outcomes["created"] += len(saved)

    def written(self, record: Record, member: Member, saved: Payment | None) -> str:
        if saved is None or not self.booked_as_given(record, saved):
            return "error"
        entry = Entry(saved.pk, saved.kind, saved.month, saved.amount, saved.paid_on)
        entry.matched = True
        self.entries[member.pk].append(entry)
        self.after(record, member, saved.kind, saved.month)
        return "created"

    def booked_as_given(self, record: Record, saved: Payment) -> bool:
        """A row naming the org of the ledger it goes to: the org it was booked to."""
        if not record.values.get("org"):
            return True
        org = self.org(record, "org", scoped=False)
        if org is None:
            return False
        if org.pk != saved.org_id:
            booked = Org.objects.get(pk=saved.org_id)
            message = f"该笔应记在“{booked.name}”（{booked.code}）的台账上，与填写的不一致"
            return bool(self.fail(record, "org", message))
        return True


class PaymentImporter(SheetImporter):
    kind = "dues_payments"
    title = "党费交纳记录"
    sheet_names = ("党费交纳", "交纳记录", "党费收缴记录", "dues_payments")
    columns = PAYMENT_COLUMNS
    order = ORDER + 4  # after the reductions: they change what a month owes
    sheet = _Payments
