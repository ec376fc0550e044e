"""A member's history round-trips (issue 13 §6): status history (党籍状态历史), placement
history (组织关系历史), transfers (组织关系转接) and temporary memberships (临时党组织成员)
export in their import columns and re-import equal, by natural keys; re-importing writes
nothing; out-of-scope codes read like missing ones; bad cells are row errors."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.test_importing import xlsx
from tests.factories import make_id, make_member, make_org
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.members import domain
from xianfeng.members.models import (
    Member,
    Placement,
    StatusSpell,
    TemporaryMembership,
    Transfer,
)

pytestmark = pytest.mark.django_db
D = dt.date
KINDS = ("members", "status_history", "placements", "transfers", "temporary_members")
HISTORY = ("status_history", "placements", "transfers", "temporary_members")


def build_history(tree) -> None:
    """Suspension and return, a received, a cancelled and an open transfer, a death, a
    temporary org listing — all through the domain."""
    a, a2 = tree.member_a, tree.member_a2
    domain.set_member_status(member=a, status="suspended", on=D(2020, 1, 1), note="长期不参加")
    domain.set_member_status(member=a, status="full", on=D(2021, 1, 1), note="恢复党籍")
    moved = domain.send_transfer(member=a2, to_org=tree.branch_a, sent_on=D(2022, 3, 1))
    domain.receive_transfer(transfer=moved, received_on=D(2022, 3, 10))
    cancelled = domain.send_transfer(
        member=a, to_org=tree.branch_a2, sent_on=D(2023, 5, 1), reason="外出务工", letter_no="1"
    )
    domain.cancel_transfer(transfer=cancelled, note="不再外出")
    leaving = make_member(tree.branch_a2, code="MA3", name="赵六")
    domain.send_transfer(member=leaving, to_org=tree.branch_b, sent_on=D(2024, 6, 1))
    gone = make_member(tree.branch_a, code="MA4", name="钱七")
    domain.set_member_status(member=gone, status="left", on=D(2024, 2, 2), reason="deceased")
    temporary = make_org(
        tree.town_a, kind="temporary_org", code="CA-T1-L1", name="培训班临时党支部"
    )
    domain.add_to_temporary_org(org=temporary, member=a, started_on=D(2024, 9, 1))
    listing = TemporaryMembership.objects.get(member=a)
    listing.ended_on = D(2024, 9, 30)
    listing.save()


def snapshot() -> dict[str, list]:
    return {
        "members": sorted(
            Member.objects.values_list("code", "org__code", "status", "status_since", "left_reason")
        ),
        "spells": sorted(
            StatusSpell.objects.values_list(
                "member__code", "status", "started_on", "ended_on", "reason", "note"
            ),
            key=repr,
        ),
        "placements": sorted(
            Placement.objects.values_list("member__code", "org__code", "started_on", "ended_on"),
            key=repr,
        ),
        "transfers": sorted(
            Transfer.objects.values_list(
                "member__code",
                "from_org__code",
                "to_org__code",
                "sent_on",
                "status",
                "received_on",
                "reason",
                "letter_no",
                "answer_note",
            ),
            key=repr,
        ),
        "temporary": sorted(
            TemporaryMembership.objects.values_list(
                "org__code", "member__code", "started_on", "ended_on"
            )
        ),
    }


def history_counts() -> dict[str, int]:
    return {
        "member": Member.history.count(),
        "transfer": Transfer.history.count(),
        "temporary": TemporaryMembership.history.count(),
    }


def export_all(tmp_path, tree) -> dict[str, object]:
    files = {}
    for kind in KINDS:
        files[kind] = tmp_path / f"{kind}.xlsx"
        export(kind=kind, target=files[kind], user=None, org=tree.county_a, unmasked=True)
    return files


def wipe_members(org) -> None:
    from xianfeng.accounts.models import User

    User.objects.filter(member__isnull=False).update(member=None)
    Transfer.objects.all().delete()
    TemporaryMembership.objects.all().delete()
    Member.objects.filter(org__path__startswith=org.path).delete()


def test_history_round_trips_into_an_empty_registry(tmp_path, tree):
    build_history(tree)
    files = export_all(tmp_path, tree)
    before = snapshot()
    wipe_members(tree.county_a)
    assert not Member.objects.filter(code__startswith="MA").exists()
    for kind in KINDS:
        run_import(files[kind])
    assert snapshot() == before


def test_history_round_trips_after_wiping_only_history(tmp_path, tree):
    build_history(tree)
    files = export_all(tmp_path, tree)
    before = snapshot()
    Transfer.objects.all().delete()
    TemporaryMembership.objects.all().delete()
    StatusSpell.objects.filter(member__code__startswith="MA").delete()
    Placement.objects.filter(member__code__startswith="MA").delete()
    for kind in HISTORY:
        result = run_import(files[kind])
        assert result.counts[kind]["created"] > 0, kind
    assert snapshot() == before


def test_reimport_writes_nothing(tmp_path, tree):
    build_history(tree)
    files = export_all(tmp_path, tree)
    before, logged = snapshot(), history_counts()
    for kind in KINDS:
        counts = run_import(files[kind]).counts[kind]
        assert (counts["created"], counts["updated"]) == (0, 0), kind
        assert counts["unchanged"] > 0, kind
    assert snapshot() == before
    assert history_counts() == logged


STATUS = ["党员编号", "姓名", "党籍状态", "起始日期", "结束日期", "出党原因", "变更理由"]
PLACES = ["党员编号", "姓名", "党组织", "起始日期", "结束日期"]
TRANSFERS = ["党员编号", "姓名", "转出党组织", "接收党组织", "转出日期", "转接状态", "接收日期"]
TEMPORARY = ["临时党组织", "党员编号", "姓名", "加入日期", "退出日期"]

BAD_CASES = [
    # (sheet, header, row, column, message fragment)
    ("党籍状态历史", STATUS, ["MA1", "", "正式党员", "2011-13-01", ""], "起始日期", ""),
    ("党籍状态历史", STATUS, ["MA1", "", "半正式", "2011-07-01", ""], "党籍状态", "半正式"),
    ("党籍状态历史", STATUS, ["MA1", "", "预备党员", "2010-07-01", ""], "党籍状态", "最后一条"),
    ("党籍状态历史", STATUS, ["MA1", "李四", "正式党员", "2011-07-01", ""], "姓名", "不一致"),
    ("党籍状态历史", STATUS, ["MZZ", "", "正式党员", "2011-07-01", ""], "党员编号", "MZZ"),
    ("组织关系历史", PLACES, ["MA1", "", "CA-T1", "2010-07-01", ""], "党组织", "党支部"),
    ("组织关系历史", PLACES, ["MA1", "", "CA-T1-B2", "2010-07-01", ""], "党组织", "当前所在"),
    ("组织关系历史", PLACES, ["MA1", "", "NOPE", "2010-07-01", ""], "党组织", "找不到"),
    (
        "组织关系转接",
        TRANSFERS,
        ["MA1", "", "CA-T1-B1", "CA-T1-B2", "2020-01-01", "已接收", ""],
        "接收日期",
        "须填写接收日期",
    ),
    (
        "组织关系转接",
        TRANSFERS,
        ["MA1", "", "CA-T1-B1", "CA-T1-B2", "2020-01-01", "在路上", ""],
        "转接状态",
        "在路上",
    ),
    (
        "组织关系转接",
        TRANSFERS,
        ["MA1", "", "CA-T1-B1", "CA-T1-B2", "2020-02-01", "已接收", "2020-01-01"],
        "接收日期",
        "早于",
    ),
    ("临时党组织成员", TEMPORARY, ["CA-T1-B2", "MA1", "", "2024-01-01", ""], "临时党组织", "临时"),
    (
        "临时党组织成员",
        TEMPORARY,
        ["CA-T1-L9", "MA1", "", "2024-01-01", ""],
        "临时党组织",
        "找不到",
    ),
]


@pytest.mark.parametrize(("sheet", "header", "row", "column", "fragment"), BAD_CASES)
def test_bad_rows_are_row_errors(tmp_path, tree, sheet, header, row, column, fragment):
    make_org(tree.town_a, kind="temporary_org", code="CA-T1-L1", name="临时党支部")
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        run_import(xlsx(tmp_path / "bad.xlsx", {sheet: [header, row]}))
    errors = failure.value.errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [(sheet, 2, column)], errors
    assert fragment in errors[0].message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("sheet", "header", "row"),
    [
        ("党籍状态历史", STATUS, ["{code}", "", "正式党员", "2011-07-01", ""]),
        ("组织关系历史", PLACES, ["{code}", "", "CA-T1-B1", "2010-07-01", ""]),
        ("组织关系转接", TRANSFERS, ["{code}", "", "CA-T1-B1", "CA-T1-B2", "2020-01-01", "已撤回"]),
        ("临时党组织成员", TEMPORARY, ["CA-T1-L1", "{code}", "", "2024-01-01", ""]),
    ],
)
def test_out_of_scope_member_reads_like_a_missing_one(tmp_path, tree, sheet, header, row):
    make_org(tree.town_a, kind="temporary_org", code="CA-T1-L1", name="临时党支部")
    officer = tree.users["county_officer"]
    messages = []
    for code in ("MB1", "MZZ"):  # MB1 exists in the other county
        cells = [cell.replace("{code}", code) for cell in row]
        with pytest.raises(ImportFailed) as failure:
            run_import(xlsx(tmp_path / f"{code}.xlsx", {sheet: [header, cells]}), by=officer)
        messages.append([(e.column, e.message.replace(code, "…")) for e in failure.value.errors])
    assert messages[0] == messages[1]


def test_replaced_history_must_end_in_the_current_state(tmp_path, tree):
    sheets = {
        "党籍状态历史": [
            STATUS,
            ["MA1", "", "预备党员", "2010-07-01", "2011-07-01"],
            ["MA1", "", "正式党员", "2011-07-01", "2015-01-01"],
            ["MA1", "", "失联", "2015-01-01", "2016-01-01"],
            ["MA1", "", "正式党员", "2016-01-01", ""],
        ]
    }
    result = run_import(xlsx(tmp_path / "ok.xlsx", sheets))
    assert result.counts["status_history"] == {"created": 3, "updated": 0, "unchanged": 1}
    tree.member_a.refresh_from_db()
    assert tree.member_a.status_since == D(2016, 1, 1)
    overlapping = {
        "党籍状态历史": [
            STATUS,
            ["MA1", "", "预备党员", "2010-07-01", "2011-07-01"],
            ["MA1", "", "正式党员", "2011-01-01", ""],
        ]
    }
    with pytest.raises(ImportFailed) as failure:
        run_import(xlsx(tmp_path / "bad.xlsx", overlapping))
    assert "重叠" in failure.value.errors[0].message


def test_member_who_left_a_dissolved_branch_round_trips(tmp_path, tree):
    from xianfeng.orgs.domain import dissolve_org

    branch = make_org(tree.town_a, kind="branch", code="CA-T1-B9", name="已撤销村党支部")
    gone = make_member(branch, code="MX1", name="孙八")
    domain.set_member_status(member=gone, status="left", on=D(2024, 2, 2), reason="deceased")
    dissolve_org(org=branch, on=D(2024, 3, 1))
    files = export_all(tmp_path, tree)
    before = snapshot()
    Member.objects.filter(code="MX1").delete()
    for kind in ("members", "status_history", "placements"):
        run_import(files[kind])
    assert snapshot() == before
    new = {"党员": [["党员编号", "姓名", "身份证号", "所在党组织", "入党日期", "转正日期"]]}
    new["党员"].append(["MX2", "周九", make_id(), "CA-T1-B9", "2010-07-01", "2011-07-01"])
    with pytest.raises(ImportFailed) as failure:
        run_import(xlsx(tmp_path / "new.xlsx", new))
    assert "已撤销" in failure.value.errors[0].message
