"""Dual-lead members (MEM-03), tags (MEM-04) and penalties export in their import columns
and re-import equal (round trip, PLAT-03); re-importing writes nothing; rows are keyed by
member code; a bad row fails the whole file with its row error; penalties are exported to
admins and officers only."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.members import discipline, talents
from xianfeng.members.models import Discipline, DualLead, MemberTag

pytestmark = pytest.mark.django_db
D = dt.date
KINDS = ("dual_leads", "member_tags", "disciplines")


def build(tree) -> None:
    a, a2 = tree.member_a, tree.member_a2
    talents.record_dual_lead(
        member=a,
        year=2024,
        type="innovation",
        evidence="引进新品种\n带动5户",
        recognized_on=D(2024, 12, 1),
        by=None,
    )
    talents.record_dual_lead(
        member=a2,
        year=2025,
        type="entrepreneurship",
        evidence="创办合作社",
        recognized_on=D(2025, 11, 1),
        by=None,
    )
    ended = talents.add_member_tag(
        member=a, kind="skill", tag="养殖技术", since=D(2020, 1, 1), by=None
    )
    talents.end_member_tag(member_tag=ended, until=D(2023, 1, 1), by=None)
    talents.add_member_tag(
        member=a, kind="talent", tag="致富能手", since=D(2023, 5, 1), note="县级", by=None
    )
    for kind, until in [
        ("warning", D(2024, 9, 1)),
        ("warning", D(2024, 10, 1)),
        ("expulsion", None),
    ]:
        discipline.record_discipline(
            member=a2,
            kind=kind,
            decided_on=D(2024, 3, 1),
            effective_until=until,
            reason="违纪",
            by=None,
        )


def snapshot() -> dict[str, list]:
    return {
        "dual": sorted(
            DualLead.objects.values_list(
                "member__code", "year", "type", "evidence", "recognized_on"
            )
        ),
        "tags": sorted(
            MemberTag.objects.values_list("member__code", "kind", "tag", "since", "until", "note")
        ),
        "penalties": sorted(
            Discipline.objects.values_list(
                "member__code", "kind", "decided_on", "effective_until", "decided_by", "reason"
            ),
            key=repr,
        ),
    }


def export_all(tmp_path, tree, user=None) -> dict[str, object]:
    files = {}
    for kind in KINDS:
        files[kind] = tmp_path / f"{kind}.xlsx"
        export(kind=kind, target=files[kind], user=user, org=tree.county_a)
    return files


def test_mem_03_04_round_trip_into_empty_tables_and_reimport_writes_nothing(tmp_path, tree):
    build(tree)
    files = export_all(tmp_path, tree)
    before = snapshot()
    DualLead.objects.all().delete()
    MemberTag.objects.all().delete()
    Discipline.objects.all().delete()
    for kind in KINDS:
        result = run_import(files[kind], by=tree.users["county_officer"])
        assert result.counts[kind]["created"] > 0, kind
    assert snapshot() == before
    for kind in KINDS:
        counts = run_import(files[kind]).counts[kind]
        assert (counts["created"], counts["updated"]) == (0, 0), kind


def test_mem_03_04_import_updates_what_differs(tmp_path, tree):
    build(tree)
    files = export_all(tmp_path, tree)
    before = snapshot()
    DualLead.objects.filter(year=2024).update(type="excellence")
    MemberTag.objects.filter(tag="致富能手").update(note="")
    Discipline.objects.filter(effective_until=D(2024, 10, 1)).update(decided_by="某机关")
    for kind in KINDS:
        assert run_import(files[kind]).counts[kind]["updated"] == 1, kind
    assert snapshot() == before


def test_mem_04_import_row_errors_fail_the_whole_file(tmp_path, tree):
    head = ["党员编号", "姓名", "类别", "标签", "认定日期", "失效日期", "说明"]
    rows = [
        head,
        ["MA1", "张三", "实用技术", "种植技术", "2024-01-01", "", ""],
        ["MA1", "张三", "实用技术", "不存在的技术", "2024-01-01", "", ""],
        ["MB1", "", "人才标签", "致富能手", "2024-01-01", "", ""],
    ]
    path = xlsx(tmp_path / "tags.xlsx", {"党员标签": rows})
    with pytest.raises(ImportFailed) as failed:
        run_import(path, by=tree.users["secretary"])
    got = [(e.row, e.column) for e in failed.value.errors]
    assert got == [(3, "标签"), (4, "党员编号")]
    assert not MemberTag.objects.exists()


def test_discipline_import_requires_the_period_except_expulsion(tmp_path, tree):
    head = [
        "党员编号",
        "姓名",
        "处分种类",
        "处分决定日期",
        "影响期截止日期",
        "决定机关",
        "处分事由",
    ]
    rows = [head, ["MA1", "", "严重警告", "2024-01-01", "", "", ""]]
    path = xlsx(tmp_path / "d.xlsx", {"党纪处分记录": rows})
    with pytest.raises(ImportFailed) as failed:
        run_import(path)
    assert [e.message for e in failed.value.errors] == ["严重警告须填写影响期截止日期"]


def test_discipline_export_holds_nothing_for_viewers(tmp_path, tree):
    build(tree)
    target = tmp_path / "viewer.xlsx"
    export(kind="disciplines", target=target, user=tree.users["county_viewer"], org=tree.county_a)
    assert len(list(load_workbook(target).active.iter_rows())) == 1
    export(kind="disciplines", target=target, user=tree.users["county_officer"], org=tree.county_a)
    assert len(list(load_workbook(target).active.iter_rows())) == 4
