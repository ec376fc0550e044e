"""DUES-01 with PLAT-03: the dues exports — kinds, declared bases (masked without the
identifier right), every ledger entry, the treasurer's ledger layout — and the round
trip: exported, emptied and imported again, the same ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.dues.sheets import EXPORTED_PAYMENTS, LAST, THIS, rows_of
from tests.factories import make_member
from xianfeng.accounts.importers import moment_text
from xianfeng.core.exports import export, export_kinds
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.dues import ledger
from xianfeng.dues.domain.declarations import declare_base, set_dues_kind
from xianfeng.dues.domain.payments import record_extra, record_payment, reverse_payment
from xianfeng.dues.exports import ledger_rows, write_ledger
from xianfeng.dues.models import Declaration, Due, KindSpell, Payment
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db
M = Decimal
Y = THIS.year
KINDS = [
    "dues_kinds",
    "dues_declarations",
    "dues_reductions",
    "dues_arrangements",
    "dues_payments",
    "dues_closes",
    "dues_remittances",
    "dues_ledger",
]


def _ledger_of_the_county(tree):
    """Three members: a salaried one with a reversed and repaid month and an extra payment,
    a retired one, a student."""
    yesterday = today() - dt.timedelta(days=1)
    for year in sorted({LAST.year, Y}):
        declare_base(member=tree.member_a, period=str(year), monthly_base="3000", note="工资")
    first = record_payment(member=tree.member_a, month=LAST, paid_on=yesterday, note="现金")
    reverse_payment(payment=first, note="录错月份", on=yesterday)
    record_payment(member=tree.member_a, month=LAST, paid_on=today())
    record_payment(member=tree.member_a, month=THIS, paid_on=today())
    record_extra(member=tree.member_a, amount="100", paid_on=today(), note="七一")
    retired = tree.member_a2
    set_dues_kind(member=retired, kind="retired", started_on=dt.date(LAST.year, 1, 1))
    for year in sorted({LAST.year, Y}):
        declare_base(member=retired, period=str(year), monthly_base="5000.01")
    record_payment(member=retired, month=THIS, paid_on=today())
    student = make_member(tree.branch_a, code="MA5", name="钱七", category="student")
    record_payment(member=student, month=THIS, paid_on=today())
    for year in sorted({LAST.year, Y}):  # the nightly refresh: everyone's lines
        ledger.refresh(year)


def _ledger_snapshot() -> dict[str, set]:
    payments = Payment.objects.values_list(
        "member__code", "month", "kind", "amount", "paid_on", "note", "org__code"
    )
    reversals = Payment.objects.filter(reverses__isnull=False).values_list(
        "member__code", "reverses__month", "reverses__amount", "reverses__paid_on"
    )
    dues = Due.objects.filter(month__year__in={LAST.year, Y}).values_list(
        "member__code", "month", "org__code", "kind", "base", "amount", "paid", "settled"
    )
    kinds = KindSpell.objects.values_list("member__code", "kind", "started_on", "note")
    bases = Declaration.objects.values_list(
        "member__code", "period", "monthly_base", "declared_on", "note"
    )
    return {
        "payments": set(payments),
        "reversals": set(reversals),
        "dues": set(dues),
        "kinds": set(kinds),
        "bases": set(bases),
    }


def _empty_the_ledger() -> None:
    Payment.objects.filter(reverses__isnull=False).delete()
    for model in (Payment, Due, Declaration, KindSpell):
        model.objects.all().delete()


def test_dues_01_exports_registered_in_import_order():
    kinds = list(export_kinds())
    assert [kind for kind in kinds if kind.startswith("dues")] == KINDS
    assert kinds.index("dues_kinds") > kinds.index("members")
    assert export_kinds()["dues_ledger"] == "党费台账"


def test_dues_01_export_import_round_trip_gives_the_same_ledger(tmp_path, tree):
    _ledger_of_the_county(tree)
    before = _ledger_snapshot()
    member_years = {(d.member_id, d.month.year) for d in Due.objects.all()}
    files = [tmp_path / f"{n}-{kind}.xlsx" for n, kind in enumerate(KINDS)]
    for kind, path in zip(KINDS, files, strict=True):
        export(kind=kind, target=path, user=None, unmasked=True)

    _empty_the_ledger()
    results = [run_import(path, filename=path.name).counts for path in files]

    assert _ledger_snapshot() == before
    assert results[KINDS.index("dues_payments")]["dues_payments"]["created"] == 7
    assert results[-1]["dues_ledger"]["unchanged"] == len(member_years)
    again = [run_import(path, filename=path.name).counts for path in files]
    assert not any(c["created"] + c["updated"] for r in again for c in r.values())
    assert _ledger_snapshot() == before


def test_dues_01_payments_export_in_the_sheet_columns(tmp_path, tree):
    _ledger_of_the_county(tree)
    path = tmp_path / "payments.xlsx"
    export(kind="dues_payments", target=path, user=tree.users["secretary"])
    rows = rows_of(path)
    assert rows[0] == EXPORTED_PAYMENTS
    mine = [row for row in rows[1:] if row[0] == "MA1"]
    label = f"{LAST.year}-{LAST.month:02d}"
    assert [(r[2], r[3], r[5], r[6]) for r in mine[:3]] == [
        (label, 15, "党费", "现金"),
        (label, -15, "冲正", "录错月份"),
        (label, 15, "党费", None),
    ]
    assert {row[7] for row in mine} == {tree.branch_a.code}  # the ledger it was booked to
    entered = Payment.objects.filter(member=tree.member_a).order_by("pk")[0].entered_at
    assert mine[0][8] == moment_text(entered)  # restored as entered
    assert {row[0] for row in rows[1:]} == {"MA1", "MA5"}  # 李四 is in another branch


def test_dues_01_ledger_in_the_treasurers_layout(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    record_payment(member=tree.member_a, month=THIS, paid_on=today())
    unknown = make_member(tree.branch_a, code="MA6", name="孙八")
    record_payment(member=unknown, month=THIS, amount="20", paid_on=today())
    path = tmp_path / "ledger.xlsx"

    write_ledger(path, Org.objects.filter(pk=tree.branch_a.pk), Y)

    rows = rows_of(path)
    assert rows[0] == [
        "党组织",
        "党员编号",
        "姓名",
        "年度",
        *[f"{m}月" for m in range(1, 13)],
        "应交合计",
        "已交合计",
        "欠交",
        "说明",
    ]
    by_code = {row[1]: row for row in rows[1:]}
    zhang = by_code["MA1"]
    assert zhang[:4] == ["青山村党支部", "MA1", "张三", Y]
    assert zhang[3 + THIS.month] == 15
    assert [v for i, v in enumerate(zhang[4:16], start=1) if i != THIS.month] == [None] * 11
    assert zhang[16:] == [15 * THIS.month, 15, 15 * (THIS.month - 1), None]
    sun = by_code["MA6"]
    assert sun[16:18] == [0, 20]
    assert sun[19] == f"{THIS.month}个月未申报基数，应交未计入"


def test_dues_01_ledger_owes_nothing_for_months_not_yet_begun(tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    orgs = Org.objects.filter(pk=tree.branch_a.pk)
    [row] = list(ledger_rows(orgs, Y, as_of=dt.date(Y, 3, 15)))
    assert (row["due_total"], row["paid_total"], row["owing"]) == (M("45.00"), 0, M("45.00"))
    [row] = list(ledger_rows(orgs, Y, as_of=dt.date(Y + 1, 1, 1)))
    assert row["due_total"] == M("180.00")


def test_dues_01_ledger_reimport_names_the_month_that_differs(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    record_payment(member=tree.member_a, month=THIS, paid_on=today())
    path = tmp_path / "ledger.xlsx"
    export(kind="dues_ledger", target=path, user=tree.users["secretary"])
    counts = run_import(path, filename="ledger.xlsx").counts["dues_ledger"]
    assert counts == {"created": 0, "updated": 0, "unchanged": 1}  # this year
    book = load_workbook(path)
    book.active.cell(row=2, column=4 + THIS.month, value=99)
    book.save(path)

    with pytest.raises(ImportFailed) as failed:
        run_import(path, filename="ledger.xlsx")
    [error] = failed.value.errors
    assert error.column == f"{THIS.month}月"
    assert error.message.startswith(f"台账记为99.00元，系统中{Y}年{THIS.month}月已交15.00元")


def test_dues_01_bases_masked_without_the_identifier_right(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    officer = tree.users["county_officer"]
    path = tmp_path / "masked.xlsx"
    export(kind="dues_declarations", target=path, user=officer)
    rows = rows_of(path)
    assert rows[0][:4] == ["党员编号", "姓名", "申报期间", "月缴费基数（元）"]
    assert rows[1][:4] == ["MA1", "张三", str(Y), "***"]

    officer.can_view_identifiers = True
    officer.save()
    export(kind="dues_declarations", target=path, user=officer)
    assert rows_of(path)[1][3] == 3000
    export(kind="dues_declarations", target=path, user=None)
    assert rows_of(path)[1][3] == 3000


def test_dues_01_exports_hold_only_the_scope(tmp_path, tree):
    for member in (tree.member_a, tree.member_b):
        declare_base(member=member, period=str(Y), monthly_base="3000")
    path = tmp_path / "bases.xlsx"
    export(kind="dues_declarations", target=path, user=tree.users["outsider"])
    assert [row[0] for row in rows_of(path)[1:]] == ["MB1"]
    export(kind="dues_ledger", target=path, user=tree.users["secretary"])
    assert {row[1] for row in rows_of(path)[1:]} == {"MA1"}
