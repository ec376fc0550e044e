"""DUES-01 with PLAT-03: the dues sheets (党费类别, 党费基数申报, 党费交纳记录, 党费台账)
imported all or nothing through the domain, their refusals as row errors naming the
column, a re-import writing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.dues.sheets import (
    ARRANGEMENTS,
    BASES,
    CLOSES,
    EXPORTED_PAYMENTS,
    KINDS,
    LAST,
    PAYMENTS,
    REDUCTIONS,
    REMITTANCES,
    THIS,
    declare_both_years,
    month,
    xlsx,
)
from tests.factories import make_id, make_member
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.core.workbooks import write_template
from xianfeng.dues.domain.payments import record_payment
from xianfeng.dues.models import Declaration, Due, KindSpell, Payment
from xianfeng.lib.dates import add_months, today
from xianfeng.lib.idcard import mask_id_number
from xianfeng.members.domain import set_member_status

pytestmark = pytest.mark.django_db
M = Decimal
Y = THIS.year


def run(tmp_path, sheets, by=None, name="dues.xlsx"):
    return run_import(xlsx(tmp_path / name, sheets), filename=name, by=by)


def refused(tmp_path, sheets, by=None) -> list[tuple[str, str]]:
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, sheets, by=by)
    return [(e.column, e.message) for e in failed.value.errors]


def nothing_written() -> bool:
    return not (
        Payment.objects.exists() or Declaration.objects.exists() or KindSpell.objects.exists()
    )


def test_dues_01_import_kinds_bases_and_payments_fills_the_ledger(tmp_path, tree):
    member = tree.member_a
    sheets = {
        "党费类别": [KINDS, ["MA1", "张三", "离退休", f"{Y}-01-01", "2026年退休"]],
        "党费基数申报": [BASES, ["MA1", "张三", str(Y), "5000.01", "", "离退休费"]],
        "党费交纳记录": [PAYMENTS, ["MA1", "张三", month(THIS), "", today(), "", "现金"]],
    }
    result = run(tmp_path, sheets, by=tree.users["secretary"])

    assert result.counts["dues_kinds"]["created"] == 1
    assert result.counts["dues_declarations"]["created"] == 1
    assert result.counts["dues_payments"]["created"] == 1
    due = Due.objects.get(member=member, month=THIS)
    assert (due.kind, due.amount, due.paid, due.settled) == (
        "retired",
        M("50.00"),
        M("50.00"),
        True,
    )
    payment = Payment.objects.get()
    assert (payment.amount, payment.paid_on, payment.note) == (M("50.00"), today(), "现金")
    assert payment.entered_by == tree.users["secretary"]

    again = run(tmp_path, sheets, by=tree.users["secretary"], name="again.xlsx")
    assert {kind: c["created"] + c["updated"] for kind, c in again.counts.items()} == {
        "dues_kinds": 0,
        "dues_declarations": 0,
        "dues_payments": 0,
    }
    assert Payment.objects.count() == 1


def test_dues_01_payments_sheet_takes_reversals_and_extra_dues(tmp_path, tree):
    declare_both_years(tree.member_a, "3000")
    sheets = {
        "党费交纳记录": [
            PAYMENTS,
            ["MA1", "", month(LAST), "15", today(), "", ""],
            ["MA1", "", month(LAST), "-15", today(), "冲正", "重复录入"],
            ["MA1", "", month(LAST), "15.00", today(), "党费", "补录"],
            ["MA1", "", "", "100", today(), "自愿多交党费", "七一"],
        ]
    }
    result = run(tmp_path, sheets)

    assert result.counts["dues_payments"]["created"] == 4
    kinds = list(Payment.objects.order_by("pk").values_list("kind", "amount", "reverses"))
    first = Payment.objects.order_by("pk").first()
    assert kinds == [
        ("dues", M("15.00"), None),
        ("reversal", M("-15.00"), first.pk),
        ("dues", M("15.00"), None),
        ("extra", M("100.00"), None),
    ]
    assert Due.objects.get(member=tree.member_a, month=LAST).paid == M("15.00")
    again = run(tmp_path, sheets, name="again.xlsx")
    assert again.counts["dues_payments"] == {"created": 0, "updated": 0, "unchanged": 4}


def _left_last_month(tree):
    member = make_member(tree.branch_a, code="MA7", name="赵六", joined_on=dt.date(2010, 7, 1))
    set_member_status(member=member, status="left", on=LAST, reason="deceased")
    return member


BAD_ROWS = [
    # (what, the sheet's rows, column, message)
    ("negative base", {"党费基数申报": [BASES, ["MA1", "", str(Y), "-5", "", ""]]}, "月缴费基数（元）", "不能为负数"),
    ("text base", {"党费基数申报": [BASES, ["MA1", "", str(Y), "三千", "", ""]]}, "月缴费基数（元）", "应填数字"),
    ("three decimals", {"党费基数申报": [BASES, ["MA1", "", str(Y), "3000.125", "", ""]]}, "月缴费基数（元）", "两位小数"),
    ("bad period", {"党费基数申报": [BASES, ["MA1", "", "2025-13", "3000", "", ""]]}, "申报期间", "申报期间应写作"),
    ("unknown kind", {"党费类别": [KINDS, ["MA1", "", "公务员", f"{Y}-01-01", ""]]}, "党费类别", "公务员"),
    ("before joining", {"党费交纳记录": [PAYMENTS, ["MA1", "", "2009-01", "1", today(), "", ""]]}, "所属月份", "不需交纳"),
    ("paid twice in the file", {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "", today(), "", ""], ["MA1", "", month(THIS), "", today(), "", ""]]}, "所属月份", "与第 2 行重复"),
    ("back payment too late", {"党费交纳记录": [PAYMENTS, ["MA1", "", month(add_months(THIS, -8)), "15", today(), "", ""]]}, "所属月份", "补交党费一般不超过6个月"),
    ("not what is owed", {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "20", today(), "", ""]]}, "金额（元）", "本次最多应交15.00元"),
    ("paid in the future", {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "", today() + dt.timedelta(days=1), "", ""]]}, "交纳日期", "不能晚于今天"),
    ("amount with three decimals", {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "15.001", today(), "", ""]]}, "金额（元）", "两位小数"),
    ("reversal of nothing", {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "-15", today(), "冲正", "错"]]}, "所属月份", "没有找到可冲正"),
    ("name differs", {"党费基数申报": [BASES, ["MA1", "李四", str(Y), "3000", "", ""]]}, "姓名", "姓名与该党员编号"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sheets", "column", "message"),
    [row[1:] for row in BAD_ROWS],
    ids=[row[0] for row in BAD_ROWS],
)
def test_dues_01_bad_row_is_its_column_error_and_nothing_is_written(
    tmp_path, tree, sheets, column, message
):
    if "党费交纳记录" in sheets:
        declare_both_years(tree.member_a, "3000")
    declared = Declaration.objects.count()

    errors = refused(tmp_path, sheets)

    assert any(c == column and message in m for c, m in errors), errors
    assert Declaration.objects.count() == declared
    assert not Payment.objects.exists() and not KindSpell.objects.exists()


def test_dues_01_month_after_leaving_refused(tmp_path, tree):
    member = _left_last_month(tree)
    sheets = {"党费交纳记录": [PAYMENTS, [member.code, "", month(LAST), "1", today(), "", ""]]}
    errors = refused(tmp_path, sheets)
    assert errors == [
        ("所属月份", f"赵六{LAST.year}年{LAST.month}月不需交纳党费（入党前、离开后或停止党籍期间）")
    ]
    assert not Payment.objects.exists()


def test_dues_01_month_already_paid_refused(tmp_path, tree):
    declare_both_years(tree.member_a, "3000")
    record_payment(member=tree.member_a, month=THIS, paid_on=today() - dt.timedelta(days=1))
    sheets = {"党费交纳记录": [PAYMENTS, ["MA1", "", month(THIS), "", today(), "", ""]]}
    errors = refused(tmp_path, sheets)
    assert errors == [("所属月份", f"张三{Y}年{THIS.month}月的党费已交清，不能重复交纳")]
    assert Payment.objects.count() == 1


def test_dues_01_one_bad_row_fails_the_file(tmp_path, tree):
    sheets = {
        "党费基数申报": [
            BASES,
            ["MA1", "", str(Y), "3000", "", ""],
            ["MA2", "", str(Y), "-1", "", ""],
        ]
    }
    assert len(refused(tmp_path, sheets)) == 1
    assert nothing_written()


def test_dues_01_id_numbers_masked_in_errors(tmp_path, tree):
    number = make_id()
    sheets = {"党费基数申报": [BASES, [number, "", str(Y), "3000", "", ""]]}
    [(column, message)] = refused(tmp_path, sheets)
    assert column == "党员编号"
    assert number not in message and mask_id_number(number) in message


def test_dues_01_member_by_id_number_imports(tmp_path, tree):
    from xianfeng.lib.cipher import get_cipher

    number = get_cipher().decrypt(tree.member_a.id_number_cipher)
    run(tmp_path, {"党费基数申报": [BASES, [number, "张三", str(Y), "3000", "", ""]]})
    assert Declaration.objects.get().member == tree.member_a


def test_dues_01_import_respects_scope_and_rights(tmp_path, tree):
    sheets = {"党费基数申报": [BASES, ["MB1", "", str(Y), "3000", "", ""]]}
    assert refused(tmp_path, sheets, by=tree.users["secretary"]) == [
        ("党员编号", "找不到党员编号为“MB1”的党员")
    ]
    sheets = {"党费基数申报": [BASES, ["MA1", "", str(Y), "3000", "", ""]]}
    assert refused(tmp_path, sheets, by=tree.users["county_viewer"]) == [
        ("党员编号", "您对“青山村党支部”只有查看权限")
    ]
    assert nothing_written()


def test_dues_01_masked_base_matches_the_stored_one_only(tmp_path, tree):
    sheets = {"党费基数申报": [BASES, ["MA1", "", str(Y), "***", "", ""]]}
    [(column, message)] = refused(tmp_path, sheets)
    assert column == "月缴费基数（元）" and "已脱敏" in message
    declare_both_years(tree.member_a, "3000")
    result = run(tmp_path, sheets)
    assert result.counts["dues_declarations"]["unchanged"] == 1


def test_dues_01_changed_base_updates_the_declaration_and_the_ledger(tmp_path, tree):
    declare_both_years(tree.member_a, "3000")
    result = run(tmp_path, {"党费基数申报": [BASES, ["MA1", "", str(Y), "5000.01", "", ""]]})
    assert result.counts["dues_declarations"]["updated"] == 1
    assert Due.objects.get(member=tree.member_a, month=THIS).amount == M("75.00")


def test_dues_01_template_offers_the_dues_sheets(tmp_path, db):
    target = tmp_path / "template.xlsx"
    write_template(target)
    book = load_workbook(target)
    names = ("党费类别", "党费基数申报", "党费减免", "按季交纳", "党费交纳记录", "党费结账")
    names += ("党费上缴", "党费台账")
    headers = {name: [cell.value for cell in book[name][1]] for name in names}
    assert headers["党费类别"] == KINDS
    assert headers["党费基数申报"] == BASES
    assert headers["党费减免"] == REDUCTIONS
    assert headers["按季交纳"] == ARRANGEMENTS
    assert headers["党费交纳记录"] == EXPORTED_PAYMENTS
    assert headers["党费结账"] == CLOSES
    assert headers["党费上缴"] == REMITTANCES
    assert headers["党费台账"][:4] == ["党组织", "党员编号", "姓名", "年度"]
    assert headers["党费台账"][4:16] == [f"{m}月" for m in range(1, 13)]
    notes = [row[1] for row in book["填写说明"].iter_rows(values_only=True) if row[0] == "党费类别"]
    assert "党费类别" in notes


def _declaration_rows(members, base: str) -> list[list]:
    return [[m.code, "", str(Y), base, "", "工资"] for m in members]


def test_dues_01_declarations_written_set_wise_whatever_the_rows(tmp_path, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 2, 6):  # the first warms what is read once per user
        members = [make_member(tree.branch_a) for _ in range(size)]
        with CaptureQueriesContext(connection) as queries:
            sheets = {"党费基数申报": [BASES, *_declaration_rows(members, "3000")]}
            run(tmp_path, sheets, by=tree.users["secretary"], name=f"{size}.xlsx")
        counts.append(len(queries))
    assert counts[1] == counts[2], counts
    assert Declaration.objects.count() == 9
    assert Due.objects.get(member=members[-1], month=THIS).amount == M("15.00")


def test_dues_01_declarations_import_writes_history_as_the_page_does(tmp_path, tree):
    secretary = tree.users["secretary"]
    members = [tree.member_a, make_member(tree.branch_a)]
    run(tmp_path, {"党费基数申报": [BASES, *_declaration_rows(members, "3000")]}, by=secretary)
    changed = [BASES, *_declaration_rows(members[:1], "5000.01")]
    result = run(tmp_path, {"党费基数申报": changed}, by=secretary, name="again.xlsx")

    assert result.counts["dues_declarations"] == {"created": 0, "updated": 1, "unchanged": 0}
    fields = ("member__code", "period", "monthly_base", "note", "entered_by", "declared_on")
    history = Declaration.history.order_by("history_id").values_list(
        *fields, "history_type", "history_user"
    )
    rows = [(m.code, str(Y), M("3000.00"), "工资", secretary.pk, today()) for m in members]
    assert list(history) == [
        (*rows[0], "+", secretary.pk),
        (*rows[1], "+", secretary.pk),
        (*rows[0][:2], M("5000.01"), *rows[0][3:], "~", secretary.pk),
    ]
    stored = Declaration.objects.get(member=tree.member_a)
    assert (stored.monthly_base, stored.entered_by) == (M("5000.01"), secretary)
    assert Due.objects.get(member=tree.member_a, month=THIS).amount == M("75.00")


def test_dues_01_every_refused_declaration_named_nothing_written(tmp_path, tree):
    farmer = make_member(tree.branch_a, category="rural", name="赵农")
    sheets = {
        "党费基数申报": [
            BASES,
            ["MA1", "", str(Y), "3000", "", ""],
            [farmer.code, "", str(Y), "3000", "", ""],
            ["MA1", "", f"{Y}-Q2", "3000", "", ""],
            ["MA1", "", f"{Y}-07", "4000", "", ""],
        ]
    }
    errors = refused(tmp_path, sheets)
    assert [column for column, _message in errors] == ["申报期间", "申报期间"]
    assert "农民党员按固定数额交纳党费" in errors[0][1] and "按季度申报仅适用于" in errors[1][1]
    assert nothing_written()
