"""DUES-01 with PLAT-03: every dues record survives export → empty → import (a backup
loses nothing) — reductions with their decision, quarterly arrangements, closed months,
remittances and every ledger entry restored as it was entered, the ledger's lines paid
and settled as before; the record sheets' refusals name their column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.dues.helpers import kept_totals_mismatches
from tests.dues.sheets import (
    ARRANGEMENTS,
    CLOSES,
    EXPORTED_PAYMENTS,
    LAST,
    PAYMENTS,
    REDUCTIONS,
    REMITTANCES,
    THIS,
    month,
    xlsx,
)
from tests.factories import make_member
from xianfeng.accounts.importers import moment_text
from xianfeng.bench import roundtrip
from xianfeng.core.exports import export, export_kinds
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.dues import ledger
from xianfeng.dues.domain.declarations import declare_base, set_dues_kind
from xianfeng.dues.domain.payments import (
    close_month,
    record_extra,
    record_payment,
    reverse_payment,
)
from xianfeng.dues.domain.reductions import arrange_quarterly, decide_reduction, propose_reduction
from xianfeng.dues.domain.remittances import record_remittance
from xianfeng.dues.models import (
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
from xianfeng.lib.dates import add_months, today
from xianfeng.members.domain import set_member_status

pytestmark = pytest.mark.django_db
M = Decimal
Y = THIS.year
KINDS = [kind for kind in export_kinds() if kind.startswith("dues_")]
DUES_MODELS = [
    "dues.KindSpell",
    "dues.Declaration",
    "dues.Reduction",
    "dues.Arrangement",
    "dues.Payment",
    "dues.MonthClose",
    "dues.Remittance",
]


# --------------------------------------------------------------------------- helpers


def backup(tmp_path) -> list:
    """Every dues kind exported unmasked, in import order."""
    files = [tmp_path / f"{n:02d}-{kind}.xlsx" for n, kind in enumerate(KINDS)]
    for kind, path in zip(KINDS, files, strict=True):
        export(kind=kind, target=path, user=None, unmasked=True)
    return files


def empty_the_dues() -> None:
    Payment.objects.filter(reverses__isnull=False).delete()
    for model in (
        Payment,
        MonthTotal,
        Due,
        MonthClose,
        Reduction,
        Arrangement,
        Declaration,
        KindSpell,
    ):
        model.objects.all().delete()
    Remittance.objects.all().delete()


def restore(files) -> list[dict]:
    return [run_import(path, filename=path.name).counts for path in files]


def lines() -> set[tuple]:
    rows = Due.objects.filter(month__year__in={LAST.year, Y}).values_list(
        "member__code", "month", "org__code", "amount", "paid", "settled", "reduction__reason"
    )
    return set(rows)


def dues_snapshot() -> dict:
    shot = roundtrip.snapshot()
    return {label: shot[label] for label in DUES_MODELS}


def run(tmp_path, sheets, by=None, name="dues.xlsx"):
    return run_import(xlsx(tmp_path / name, sheets), filename=name, by=by)


def refused(tmp_path, sheets, by=None) -> list[tuple[str, str]]:
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, sheets, by=by)
    return [(e.column, e.message) for e in failed.value.errors]


def the_branchs_year(tree) -> None:
    """Bases, payments (one reversed and paid again, an extra), a waiver approved by the
    town and one refused, a proposal waiting, a quarterly arrangement, a closed month, the
    town's remittance; everyone's lines computed (the nightly refresh)."""
    yesterday = today() - dt.timedelta(days=1)
    member, other = tree.member_a, tree.member_a2
    for year in sorted({LAST.year, Y}):
        declare_base(member=member, period=str(year), monthly_base="3000", note="工资")
    wrong = record_payment(member=member, month=LAST, paid_on=yesterday)
    reverse_payment(payment=wrong, note="录错月份", on=yesterday)
    record_payment(member=member, month=LAST, amount="10", paid_on=today(), note="先交一部分")
    record_payment(member=member, month=LAST, paid_on=today())
    record_extra(member=member, amount="100", paid_on=today(), note="七一")
    waiver = propose_reduction(
        member=other, first_month=LAST, last_month=THIS, monthly_amount="0", reason="重病"
    )
    decide_reduction(reduction=waiver, approve=True, note="同意免交")
    refusal = propose_reduction(
        member=member, first_month=THIS, last_month=THIS, monthly_amount="1", reason="困难"
    )
    decide_reduction(reduction=refusal, approve=False, by=tree.users["county_officer"])
    propose_reduction(
        member=member, first_month=THIS, last_month=THIS, monthly_amount="5", reason="再申请"
    )
    arrange_quarterly(member=member, first_month=LAST, agreed_on=yesterday, note="外出经商")
    close_month(org=tree.branch_a, month=LAST)
    record_remittance(org=tree.town_a, period=f"{LAST.year}-{LAST.month:02d}", amount="25.00")
    for year in sorted({LAST.year, Y}):
        ledger.refresh(year)


# --------------------------------------------------------------------------- round trip


def test_dues_01_every_record_kind_restores_as_it_was(tmp_path, tree):
    the_branchs_year(tree)
    before, owed = dues_snapshot(), lines()
    files = backup(tmp_path)

    empty_the_dues()
    results = restore(files)

    assert roundtrip.diff(before, dues_snapshot()) == {}
    assert lines() == owed  # what each month owes, what was paid, settled or not
    created = {kind: c["created"] for r in results for kind, c in r.items()}
    assert created["dues_reductions"] == 3
    assert created["dues_arrangements"] == created["dues_closes"] == 1
    assert created["dues_remittances"] == 1
    assert created["dues_payments"] == 5
    assert kept_totals_mismatches() == []
    again = restore(files)
    assert not any(c["created"] + c["updated"] for r in again for c in r.values())
    assert roundtrip.diff(before, dues_snapshot()) == {}


def test_dues_01_restored_entries_keep_their_org_and_entry_time(tmp_path, tree):
    the_branchs_year(tree)
    entered = set(Payment.objects.values_list("kind", "amount", "org__code", "entered_at"))
    files = backup(tmp_path)

    empty_the_dues()
    restore(files)

    assert set(Payment.objects.values_list("kind", "amount", "org__code", "entered_at")) == (
        entered
    )


def test_dues_01_decided_reduction_restored_as_decided(tmp_path, tree):
    the_branchs_year(tree)
    files = backup(tmp_path)

    empty_the_dues()
    restore(files)

    waiver = Reduction.objects.get(member=tree.member_a2)
    assert (waiver.state, waiver.decided_by_org, waiver.decided_on) == (
        "approved",
        tree.town_a,
        today(),
    )
    assert waiver.decision_note == "同意免交"
    line = Due.objects.get(member=tree.member_a2, month=THIS)
    assert (line.amount, line.reduction, line.settled) == (M("0.00"), waiver, True)
    refused_one = Reduction.objects.get(member=tree.member_a, state="refused")
    assert refused_one.decided_by_org == tree.county_a  # the approver's own org


# --------------------------------------------------------------------------- what happened


def _restored(tmp_path, tree, *kinds: str) -> list:
    paths = []
    for kind in kinds:
        path = tmp_path / f"{kind}.xlsx"
        export(kind=kind, target=path, user=None, unmasked=True)
        paths.append(path)
    return paths


def test_dues_01_payment_made_before_the_base_was_lowered_restores_overpaid(tmp_path, tree):
    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="5000.01")  # 75.00 a month
    record_payment(member=member, month=THIS, paid_on=today())
    declare_base(member=member, period=str(Y), monthly_base="3000")  # corrected: 15.00
    before = Due.objects.get(member=member, month=THIS)
    assert (before.amount, before.paid, before.settled) == (M("15.00"), M("75.00"), True)
    files = _restored(tmp_path, tree, "dues_declarations", "dues_payments")

    empty_the_dues()
    restore(files)

    after = Due.objects.get(member=member, month=THIS)
    assert (after.amount, after.paid, after.settled) == (M("15.00"), M("75.00"), True)
    assert Payment.objects.get().amount == M("75.00")


def test_dues_01_same_payment_typed_by_hand_is_refused_for_more_than_owed(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    sheets = {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "75", today(), "", ""]]}
    assert refused(tmp_path, sheets) == [
        (
            "金额（元）",
            f"张三{Y}年{THIS.month}月应交15.00元，已交0.00元，本次最多应交15.00元；"
            "多交部分请登记为自愿多交党费",
        )
    ]


def test_dues_01_waiver_approved_after_the_payment_restores_the_paid_month(tmp_path, tree):
    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="3000")
    record_payment(member=member, month=THIS, paid_on=today())
    waiver = propose_reduction(
        member=member, first_month=THIS, last_month=THIS, monthly_amount="0", reason="受灾"
    )
    decide_reduction(reduction=waiver, approve=True)
    files = _restored(tmp_path, tree, "dues_declarations", "dues_reductions", "dues_payments")

    empty_the_dues()
    restore(files)

    line = Due.objects.get(member=member, month=THIS)
    assert (line.amount, line.paid, line.settled) == (M("0.00"), M("15.00"), True)
    assert line.reduction == Reduction.objects.get()


def test_dues_01_partial_payments_reimport_in_file_order(tmp_path, tree):
    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="3000")  # 15.00
    record_payment(member=member, month=THIS, amount="10", paid_on=today())
    declare_base(member=member, period=str(Y), monthly_base="5000.01")  # raised: 75.00
    record_payment(member=member, month=THIS, paid_on=today())  # the rest: 65.00
    files = _restored(tmp_path, tree, "dues_declarations", "dues_payments")

    empty_the_dues()
    restore(files)

    assert list(Payment.objects.order_by("pk").values_list("amount", flat=True)) == [
        M("10.00"),
        M("65.00"),
    ]
    line = Due.objects.get(member=member, month=THIS)
    assert (line.amount, line.paid, line.settled) == (M("75.00"), M("75.00"), True)


def test_dues_01_month_paid_in_parts_by_hand_once_settled_not_again(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    rows = [
        ["MA1", "", month(THIS), "10", today(), "", ""],
        ["MA1", "", month(THIS), "5", today(), "", ""],
    ]
    more = [*rows, ["MA1", "", month(THIS), "1", today(), "", ""]]
    errors = refused(tmp_path, {"党费交纳记录": [PAYMENTS, *more]})
    assert errors == [("所属月份", "与第 3 行重复：同一党员同一月份的党费只交纳一次")]
    assert not Payment.objects.exists()

    result = run(tmp_path, {"党费交纳记录": [PAYMENTS, *rows]})

    assert result.counts["dues_payments"]["created"] == 2
    line = Due.objects.get(member=tree.member_a, month=THIS)
    assert (line.paid, line.settled) == (M("15.00"), True)


def test_dues_01_month_paid_ahead_before_leaving_restores_its_kept_line(tmp_path, tree):
    member = tree.member_a
    after = add_months(THIS, 1)
    for year in sorted({Y, after.year}):
        declare_base(member=member, period=str(year), monthly_base="3000")
    for paid in (THIS, after):
        record_payment(member=member, month=paid, paid_on=today())
    set_member_status(member=member, status="left", on=today(), reason="deceased")
    ledger.refresh(after.year, [member.pk])  # what follow does once the write commits
    kept = Due.objects.get(member=member, month=after)
    assert (kept.amount, kept.paid, kept.settled) == (M("0.00"), M("15.00"), True)
    files = _restored(tmp_path, tree, "dues_declarations", "dues_payments")

    empty_the_dues()
    restore(files)

    line = Due.objects.get(member=member, month=after)
    assert (line.amount, line.paid, line.settled, line.org) == (
        M("0.00"),
        M("15.00"),
        True,
        tree.branch_a,
    )


def test_dues_01_restored_year_brings_the_lines_of_members_who_paid_nothing(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    record_payment(member=tree.member_a, month=THIS, paid_on=today())
    files = _restored(tmp_path, tree, "dues_payments")
    empty_the_dues()

    restore(files)

    others = Due.objects.filter(member=tree.member_b, month__year=Y)
    assert others.count() == 12 and not others.filter(settled=True).exists()


# --------------------------------------------------------------------------- refusals


def _restore_row(**cells) -> list:
    row = {
        "member": "MA1",
        "name": "",
        "month": month(THIS),
        "amount": "15",
        "paid_on": today(),
        "kind": "",
        "note": "",
        "org": "",
        "entered_at": moment_text(dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=1)),
    }
    row.update(cells)
    return list(row.values())


RESTORED_PAYMENT_ROWS = [
    # (what, cells, column, message)
    ("entered in the future", {"entered_at": moment_text(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=1))}, "录入时间", "录入时间不能晚于现在"),
    ("beyond the back-payment window", {"month": month(add_months(THIS, -8))}, "所属月份", "补交党费一般不超过6个月"),
    ("before joining", {"month": "2009-01"}, "所属月份", "尚未入党"),
    ("no amount", {"amount": ""}, "金额（元）", "须填写金额"),
    ("a reversal of nothing", {"amount": "-15", "kind": "冲正", "note": "错"}, "所属月份", "没有找到可冲正"),
    ("an org out of sight", {"org": "CB-T1-B1"}, "记账党组织", "找不到党组织"),
    ("paid in the future", {"paid_on": today() + dt.timedelta(days=1)}, "交纳日期", "不能晚于今天"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [row[1:] for row in RESTORED_PAYMENT_ROWS],
    ids=[row[0] for row in RESTORED_PAYMENT_ROWS],
)
def test_dues_01_restored_entry_refused_in_its_column(tmp_path, tree, cells, column, message):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    sheets = {"党费交纳记录": [EXPORTED_PAYMENTS, _restore_row(**cells)]}

    errors = refused(tmp_path, sheets, by=tree.users["secretary"])

    assert any(c == column and message in m for c, m in errors), errors
    assert not Payment.objects.exists()


def test_dues_01_typed_row_booked_elsewhere_is_refused(tmp_path, tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    row = ["MA1", "", month(THIS), "", today(), "", "", "CA-T1-B2", ""]
    errors = refused(tmp_path, {"党费交纳记录": [EXPORTED_PAYMENTS, row]})
    assert errors == [
        ("记账党组织", "该笔应记在“青山村党支部”（CA-T1-B1）的台账上，与填写的不一致")
    ]


def _reduction(**cells) -> list:
    row = {
        "member": "MA1",
        "name": "张三",
        "first": month(LAST),
        "last": month(THIS),
        "amount": "0",
        "reason": "重病",
        "proposer": "",
        "proposed_on": today() - dt.timedelta(days=3),
        "state": "已批准",
        "decider": "CA-T1",
        "decided_on": today(),
        "note": "同意",
    }
    row.update(cells)
    return list(row.values())


REDUCTION_ROWS = [
    # (what, cells, user, column, message)
    ("decided by the branch itself", {}, "secretary", "状态", "提出减免的支部不能自行批准"),
    ("deciding org not above", {"decider": "CA-T1-B2"}, "county_officer", "审批组织", "审批组织应为“青山村党支部”的上级党组织"),
    ("decided before proposed", {"decided_on": today() - dt.timedelta(days=5)}, "county_officer", "审批日期", "审批日期不能早于提出日期"),
    ("decided without a day", {"decided_on": ""}, "county_officer", "审批日期", "须填写审批组织和审批日期"),
    ("proposed with a decision", {"state": "待审批"}, "county_officer", "状态", "待审批的申请不应有审批组织或审批日期"),
    ("months in the wrong order", {"first": month(THIS), "last": month(LAST)}, "county_officer", "截止月份", "不能早于"),
    ("deciding org unknown", {"decider": "XX"}, "county_officer", "审批组织", "找不到党组织“XX”"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "user", "column", "message"),
    [row[1:] for row in REDUCTION_ROWS],
    ids=[row[0] for row in REDUCTION_ROWS],
)
def test_dues_01_reduction_row_refused_in_its_column(tmp_path, tree, cells, user, column, message):
    sheets = {"党费减免": [REDUCTIONS, _reduction(**cells)]}

    errors = refused(tmp_path, sheets, by=tree.users[user])

    assert any(c == column and message in m for c, m in errors), errors
    assert not Reduction.objects.exists()


def test_dues_01_reduction_typed_by_hand_is_proposed_today_by_the_members_branch(tmp_path, tree):
    row = _reduction(proposed_on="", state="", decider="", decided_on="", note="")
    run(tmp_path, {"党费减免": [REDUCTIONS, row]}, by=tree.users["secretary"])
    reduction = Reduction.objects.get()
    assert (reduction.state, reduction.proposed_by_org, reduction.proposed_on) == (
        "proposed",
        tree.branch_a,
        today(),
    )
    assert not Due.objects.filter(reduction=reduction).exists()  # not yet approved


def test_dues_01_stored_record_differing_is_an_error_in_its_column(tmp_path, tree):
    yesterday = today() - dt.timedelta(days=1)
    close_month(org=tree.branch_a, month=LAST, on=yesterday)
    arrange_quarterly(member=tree.member_a, first_month=LAST, agreed_on=today())
    record_remittance(org=tree.town_a, period=str(LAST.year), amount="100")
    differs = "不一致（修改请在页面上办理）"

    closes = {"党费结账": [CLOSES, ["CA-T1-B1", month(LAST), today()]]}
    assert refused(tmp_path, closes) == [("结账日期", f"与系统中已登记的“{yesterday}”{differs}")]
    arranged = {"按季交纳": [ARRANGEMENTS, ["MA1", "", month(LAST), "", today(), "另有说明"]]}
    assert refused(tmp_path, arranged) == [("说明", f"与系统中已登记的“（空）”{differs}")]
    remitted = {"党费上缴": [REMITTANCES, ["CA-T1", str(LAST.year), "120", "", ""]]}
    assert refused(tmp_path, remitted) == [("上缴金额（元）", f"与系统中已登记的“100.00”{differs}")]


CLOSE_ROWS = [
    # (what, row, user, column, message)
    ("not a branch", ["CA-T1", month(LAST), ""], None, "党组织", "不是党支部"),
    ("closed before the month began", ["CA-T1-B1", month(THIS), LAST], None, "结账日期", "结账日期不能早于"),
    ("closed in the future", ["CA-T1-B1", month(LAST), today() + dt.timedelta(days=1)], None, "结账日期", "不能晚于今天"),
    ("a month not begun", ["CA-T1-B1", month(add_months(THIS, 1)), ""], None, "月份", "尚未开始"),
    ("by a viewer", ["CA-T1-B1", month(LAST), ""], "county_viewer", "党组织", "党费收缴"),
    ("out of sight", ["CB-T1-B1", month(LAST), ""], "secretary", "党组织", "找不到党组织"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "user", "column", "message"),
    [row[1:] for row in CLOSE_ROWS],
    ids=[row[0] for row in CLOSE_ROWS],
)
def test_dues_01_close_row_refused_in_its_column(tmp_path, tree, row, user, column, message):
    by = tree.users[user] if user else None
    errors = refused(tmp_path, {"党费结账": [CLOSES, row]}, by=by)
    assert any(c == column and message in m for c, m in errors), errors
    assert not MonthClose.objects.exists()


def test_dues_01_close_typed_without_a_day_is_closed_today(tmp_path, tree):
    path = "示范市委/东县县委/青山镇党委/青山村党支部"
    run(tmp_path, {"党费结账": [CLOSES, [path, month(LAST), ""]]}, by=tree.users["secretary"])
    close = MonthClose.objects.get()
    assert (close.org, close.month, close.closed_on) == (tree.branch_a, LAST, today())
    assert close.closed_by == tree.users["secretary"]


REMITTANCE_ROWS = [
    # (what, rows, column, message)
    ("overlapping in the file", [["CA-T1", str(LAST.year), "100", "", ""], ["CA-T1", f"{LAST.year}-Q1", "10", "", ""]], "期间", "不能重复登记"),
    ("bad period", [["CA-T1", "2025-Q5", "100", "", ""]], "期间", "期间格式应为"),
    ("no amount", [["CA-T1", str(LAST.year), "0", "", ""]], "上缴金额（元）", "应大于0"),
    ("before the period began", [["CA-T1", str(Y + 1), "10", today(), ""]], "上缴日期", "不能早于"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "column", "message"),
    [row[1:] for row in REMITTANCE_ROWS],
    ids=[row[0] for row in REMITTANCE_ROWS],
)
def test_dues_01_remittance_row_refused_in_its_column(tmp_path, tree, rows, column, message):
    errors = refused(tmp_path, {"党费上缴": [REMITTANCES, *rows]})
    assert any(c == column and message in m for c, m in errors), errors
    assert not Remittance.objects.exists()


def test_dues_01_arrangement_months_in_the_wrong_order_refused(tmp_path, tree):
    row = ["MA1", "", month(THIS), month(LAST), today(), ""]
    errors = refused(tmp_path, {"按季交纳": [ARRANGEMENTS, row]})
    assert errors == [("截止月份", "“截止月份”不能早于“起始月份”")]
    assert not Arrangement.objects.exists()


def test_dues_01_member_self_employed_from_mid_quarter_declares_that_quarter(tmp_path, tree):
    joined = dt.date(Y - 1, 5, 10)
    member = make_member(tree.branch_a, code="MA8", name="周九", category="rural", joined_on=joined)
    set_dues_kind(member=member, kind="self_employed", started_on=joined)
    ledger.refresh(Y - 1, [member.pk])  # last year's lines (the roster followed)

    declare_base(member=member, period=f"{Y - 1}-Q2", monthly_base="4000")  # May on
    declare_base(member=member, period=str(Y - 1), monthly_base="4000")

    with pytest.raises(ValidationError, match="按季度申报仅适用于"):
        declare_base(member=tree.member_a, period=f"{Y}-Q1", monthly_base="4000")
    assert Due.objects.get(member=member, month=dt.date(Y - 1, 5, 1)).amount == M("40.00")


def test_dues_01_kind_from_joining_recomputes_the_years_kept_not_every_year_since(tree):
    member = tree.member_a  # joined 2010
    ledger.refresh(Y - 1, [member.pk])

    set_dues_kind(member=member, kind="retired", started_on=member.joined_on)
    declare_base(member=member, period="2015", monthly_base="3000")

    years = {day.year for day in Due.objects.filter(member=member).dates("month", "year")}
    assert years == {Y - 1, Y}
    assert set(Due.objects.filter(member=member).values_list("kind", flat=True)) == {"retired"}
