"""Importing the dues records besides kinds, bases and payments (PLAT-03 with DUES-01), so
that an export re-imported into an empty database restores them as they were: 党费减免
(reductions and waivers, proposed or decided), 按季交纳 (quarterly arrangements), 党费结账
(closed months) and 党费上缴 (remittances).

Every row is written through the dues domain — `restore_reduction` (a decided reduction
is recorded as decided, by an approver of the proposing org only), `arrange_quarterly`,
`close_month` (on its day), `record_remittance` — so a refusal is the domain's, in the
column it is about, and the file is all or nothing. A row matching a stored record (a
reduction by member, months, day proposed and state; an arrangement by member and first
month; a close by org and month; a remittance by org and period) writes nothing when it
agrees and is an error naming the column where it differs (changes are made on the
pages). Members and orgs are resolved in the importing user's scope; a deciding org may
also be an org above the proposing one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Errors, Record
from xianfeng.members.models import Member
from xianfeng.orgs.importers_support import SheetImporter, clean_long_text, comparable
from xianfeng.orgs.models import Org
from xianfeng.orgs.naming import name_path_key

from . import follow, permissions
from .domain.payments import close_month
from .domain.reductions import arrange_quarterly
from .domain.remittances import record_remittance
from .domain.restore import restore_reduction
from .importers import ORDER, DuesSheet
from .importers_columns import (
    ARRANGEMENT_COLUMNS,
    CLOSE_COLUMNS,
    REDUCTION_COLUMNS,
    REMITTANCE_COLUMNS,
)
from .models import Arrangement, MonthClose, Reduction, ReductionState, Remittance


class RecordSheet(DuesSheet):
    """A dues record sheet: a row agreeing with its stored record is unchanged, one
    differing is an error in each column that differs."""

    def agrees(self, record: Record, pairs: dict[str, tuple[Any, ...]]) -> bool:
        """`pairs`: column key → (the row's value, the stored one[, as shown]); a blank
        cell agrees with anything."""
        ok = True
        for key, (value, stored, *shown) in pairs.items():
            if value in (None, "") or value == _as_cell(value, stored):
                continue
            told = shown[0] if shown else stored
            ok = self.errors.add(
                record,
                None,
                self.labels[key],
                f"与系统中已登记的“{'（空）' if told in (None, '') else told}”不一致"
                "（修改请在页面上办理）",
            )
        return ok

    def member_of(self, record: Record) -> Member | None:
        """The member a row of months is about (kept by the user), its months in order."""
        member = self.kept_member(record)
        if member is None or not self.in_order(record, "first_month", "last_month"):
            return None
        return member

    def org_named(self, ref: str) -> Org | None:
        """The org a cell names by code or full name path, whatever the scope."""
        return self.org_by_code.get(ref) or self.org_by_name.get(name_path_key(ref))

    def org_above(self, record: Record, key: str, below: Org) -> Org | None:
        """An org a cell names that is in the user's scope or above `below`."""
        ref = record.values[key]
        org = self.org_named(ref)
        if org is None or not (
            is_within_scope(self.by, org.path) or below.path.startswith(org.path)
        ):
            return self.fail(record, key, f"找不到党组织“{ref}”（请填编码或完整名称路径）")
        return org


class KeyedSheet(RecordSheet):
    """A sheet whose row is the stored record of its owner (a member, an org) and the
    row's `field`: a row agreeing with it is unchanged, a new one written."""

    field = ""
    compared_fields: tuple[str, ...] = ()  # compared with the stored record's

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.records: dict[tuple[int, Any], Any] = {}

    def one(self, record: Record) -> str:
        owner = self.owner(record)
        if owner is None:
            return "error"
        key = (owner.pk, record.values[self.field])
        if not self.unique(record, key, self.field):
            return "error"
        stored = self.records.get(key)
        if stored is not None:
            return "unchanged" if self.agrees(record, self.compared(record, stored)) else "error"
        saved = self.create(record, owner)
        if saved is None:
            return "error"
        self.records[key] = saved
        return "created"

    def owner(self, record: Record) -> Any:
        """The member or org the row is about; None (an error) when not found."""
        raise NotImplementedError

    def compared(self, record: Record, stored: Any) -> dict[str, tuple[Any, ...]]:
        """The pairs `agrees` compares the row with its stored record on."""
        return {f: (record.values.get(f), getattr(stored, f)) for f in self.compared_fields}

    def create(self, record: Record, owner: Any) -> Any:
        """Write the row's record through the domain; None when refused."""
        raise NotImplementedError


def _as_cell(value: Any, stored: Any) -> Any:
    """A stored value as the row's cell would have been cleaned."""
    if isinstance(value, str) and "\n" in value and isinstance(stored, str):
        return clean_long_text(stored)
    return comparable(stored)


def _code(org: Org | None) -> str:
    return org.code if org is not None else ""


# --------------------------------------------------------------------------- 党费减免


class _Reductions(RecordSheet):
    columns = REDUCTION_COLUMNS
    defers = True  # an approved one recomputes its member's lines

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.reductions: dict[int, list[Reduction]] = defaultdict(list)
        self.matched: set[int] = set()

    def load(self, members: list[int]) -> None:
        rows = Reduction.objects.filter(member_id__in=members).select_related(
            "proposed_by_org", "decided_by_org"
        )
        for reduction in rows.order_by("pk"):
            self.reductions[reduction.member_id].append(reduction)

    def one(self, record: Record) -> str:
        v = record.values
        member = self.member_of(record)
        if member is None:
            return "error"
        state = v.get("state") or ReductionState.PROPOSED
        key = (member.pk, v["first_month"], v["last_month"], v.get("proposed_on"), state)
        if not self.unique(record, key, "first_month"):
            return "error"
        orgs = self.orgs(record, member)
        if orgs is None:
            return "error"
        stored = self.find(member.pk, v, state)
        if stored is not None:
            self.matched.add(stored.pk)
            return "unchanged" if self.same(record, stored, orgs) else "error"
        saved = self.write(
            record,
            restore_reduction,
            column="state",
            member=member,
            first_month=v["first_month"],
            last_month=v["last_month"],
            monthly_amount=v["monthly_amount"],
            reason=v["reason"],
            proposed_on=v.get("proposed_on"),
            state=state,
            decided_on=v.get("decided_on"),
            decision_note=v.get("decision_note", ""),
            **orgs,
        )
        if saved is None:
            return "error"
        self.reductions[member.pk].append(saved)
        self.matched.add(saved.pk)
        return "created"

    def orgs(self, record: Record, member: Any) -> dict[str, Org | None] | None:
        """The proposing org (kept by the user) and the deciding one (above it)."""
        v = record.values
        branch = member.org
        if v.get("proposed_by_org"):
            branch = self.org(record, "proposed_by_org", scoped=False)
            if branch is None:
                return None
            if not permissions.may_keep(self.by, branch):
                return self.fail(record, "proposed_by_org", f"您对“{branch.name}”只有查看权限")
        above = None
        if v.get("decided_by_org"):
            above = self.org_above(record, "decided_by_org", branch)
            if above is None:
                return None
        return {"proposed_by_org": branch, "decided_by_org": above}

    def find(self, member: int, v: dict[str, Any], state: str) -> Reduction | None:
        """The stored reduction a row is (same months and day proposed; the same state
        first), not matched by an earlier row."""
        found = [
            r
            for r in self.reductions[member]
            if r.pk not in self.matched
            and (r.first_month, r.last_month) == (v["first_month"], v["last_month"])
            and v.get("proposed_on") in (None, r.proposed_on)
        ]
        found.sort(key=lambda r: r.state != state)
        return found[0] if found else None

    def same(self, record: Record, stored: Reduction, orgs: dict[str, Org | None]) -> bool:
        v = record.values
        return self.agrees(
            record,
            {
                "monthly_amount": (v.get("monthly_amount"), stored.monthly_amount),
                "reason": (v.get("reason"), stored.reason),
                "state": (v.get("state"), stored.state, stored.get_state_display()),
                "proposed_by_org": (
                    _code(orgs["proposed_by_org"]) if v.get("proposed_by_org") else None,
                    stored.proposed_by_org.code,
                ),
                "decided_by_org": (_code(orgs["decided_by_org"]), _code(stored.decided_by_org)),
                "decided_on": (v.get("decided_on"), stored.decided_on),
                "decision_note": (v.get("decision_note"), stored.decision_note),
            },
        )


class ReductionImporter(SheetImporter):
    kind = "dues_reductions"
    title = "党费减免"
    sheet_names = ("党费减免申请", "减免党费", "dues_reductions")
    columns = REDUCTION_COLUMNS
    order = ORDER + 2  # before the payments: an approved one changes what a month owes
    sheet = _Reductions


# --------------------------------------------------------------------------- 按季交纳


class _Arrangements(KeyedSheet):
    columns = ARRANGEMENT_COLUMNS
    field = "first_month"
    compared_fields = ("last_month", "agreed_on", "note")

    def load(self, members: list[int]) -> None:
        for arrangement in Arrangement.objects.filter(member_id__in=members):
            self.records[(arrangement.member_id, arrangement.first_month)] = arrangement

    def owner(self, record: Record) -> Member | None:
        return self.member_of(record)

    def create(self, record: Record, owner: Member) -> Arrangement | None:
        v = record.values
        return self.write(
            record,
            arrange_quarterly,
            member=owner,
            first_month=v["first_month"],
            last_month=v.get("last_month"),
            agreed_on=v["agreed_on"],
            note=v.get("note", ""),
        )


class ArrangementImporter(SheetImporter):
    kind = "dues_arrangements"
    title = "按季交纳"
    sheet_names = ("按季交纳党费", "党费按季交纳", "dues_arrangements")
    columns = ARRANGEMENT_COLUMNS
    order = ORDER + 3
    sheet = _Arrangements


# --------------------------------------------------------------------------- by org


class OrgRecordSheet(KeyedSheet):
    """A sheet of orgs' records: the stored records of each chunk's orgs read in one
    query (`model`, keyed by `key_of`)."""

    member_keys: tuple[str, ...] = ()
    model: Any = None

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.orgs_read: set[int] = set()

    def feed(self, records: list[Record]) -> None:
        orgs = set()
        for record in records:
            org = self.org_named(record.values.get("org") or "")
            if org is not None:
                orgs.add(org.pk)
        orgs -= self.orgs_read
        if orgs:
            for row in self.model.objects.filter(org_id__in=sorted(orgs)):
                self.records[self.key_of(row)] = row
            self.orgs_read |= orgs
        super().feed(records)

    def load(self, members: list[int]) -> None:  # no member column
        return None

    def key_of(self, row: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def owner(self, record: Record) -> Org | None:
        return self.org(record, "org", scoped=False)


class _Closes(OrgRecordSheet):
    columns = CLOSE_COLUMNS
    model = MonthClose
    field = "month"
    compared_fields = ("closed_on",)

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.years: set[int] = set()

    def finish(self) -> dict[str, int]:
        """A year with closed months is a year the ledger was kept: its lines for all."""
        follow.fill_years(self.years, self.by)
        return super().finish()

    def key_of(self, row: MonthClose) -> tuple[int, Any]:
        return (row.org_id, row.month)

    def create(self, record: Record, owner: Org) -> MonthClose | None:
        v = record.values
        saved = self.write(
            record, close_month, column="org", org=owner, month=v["month"], on=v.get("closed_on")
        )
        if saved is not None:
            self.years.add(saved.month.year)
        return saved


class CloseImporter(SheetImporter):
    kind = "dues_closes"
    title = "党费结账"
    sheet_names = ("党费月结账", "结账记录", "dues_closes")
    columns = CLOSE_COLUMNS
    order = ORDER + 5
    sheet = _Closes


class _Remittances(OrgRecordSheet):
    columns = REMITTANCE_COLUMNS
    model = Remittance
    field = "period"
    compared_fields = ("amount", "remitted_on", "note")

    def key_of(self, row: Remittance) -> tuple[int, Any]:
        return (row.org_id, row.period)

    def create(self, record: Record, owner: Org) -> Remittance | None:
        v = record.values
        return self.write(
            record,
            record_remittance,
            column="org",
            org=owner,
            period=v["period"],
            amount=v["amount"],
            remitted_on=v.get("remitted_on"),
            note=v.get("note", ""),
        )


class RemittanceImporter(SheetImporter):
    kind = "dues_remittances"
    title = "党费上缴"
    sheet_names = ("党费上缴记录", "上缴党费", "dues_remittances")
    columns = REMITTANCE_COLUMNS
    order = ORDER + 6
    sheet = _Remittances
