"""Restoring supervision from its exports (issue 16, round trip): every kind exported, the
records deleted, the files imported — every record back equal (items in their state with
their timelines, extensions, file metadata, re-inspections naming the restored items,
inspections with targets and notices, calendar, progress reports, projects, admonitions,
proposals, duty reports); a second import writes nothing; exported rows are checked
(state against dates, numbers, scope) and hand-typed rows still only create open items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from tests.supervision.test_import import HEAD, _later, _life, _row
from xianfeng.bench import roundtrip
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.dates import today
from xianfeng.supervision import models as m
from xianfeng.supervision import restore
from xianfeng.supervision.sheets import IMPORTERS

pytestmark = pytest.mark.django_db

KINDS = [importer.kind for importer in IMPORTERS]
ZONE = dt.timezone(dt.timedelta(hours=8))


def _records(tree) -> None:
    """One of every supervision record beside the items of `_life`."""
    _life(tree)
    day = today() - dt.timedelta(days=30)
    officer = tree.users["county_officer"]
    accepted = m.Item.objects.get(title="已销号")
    m.Extension.objects.create(
        item=m.Item.objects.get(title="整改中"), deadline=_later(60), reason="材料待补"
    )
    m.ItemFile.objects.create(item=accepted, file="x.pdf", name="照片.pdf", size=123)
    m.Reinspection.objects.create(
        org=tree.town_a,
        date=day,
        months=6,
        share=Decimal("0.2"),
        seed=7,
        sample=[accepted.pk],
        reopened=[],
        by=officer,
    )
    inspection = m.Inspection.objects.create(
        org=tree.town_a, kind="spot", period="2026-H1", title="抽查", date=day, seed=5
    )
    m.InspectionTarget.objects.create(inspection=inspection, org=tree.branch_a, stratum="村")
    notice = m.InspectionNotice.objects.create(
        org=tree.town_a,
        inspection=inspection,
        number="督〔2026〕1号",
        date=day,
        title="通报",
        body="正文",
    )
    notice.recipients.set([tree.branch_a, tree.branch_a2])
    m.Item.objects.filter(title="整改中").update(origin="inspection", inspection=inspection)
    m.CalendarEntry.objects.create(
        org=tree.town_a, year=day.year, kind="quarterly_progress", period="2026-Q4",
        date=_later(10), title="季度推进",
    )  # fmt: skip
    m.ProgressReport.objects.create(
        org=tree.branch_a, period="2026-Q1", work_done="推进", submitted_on=day, items_closed=2
    )
    member = m.Item.objects.get(title="待整改").responsible
    m.Project.objects.create(
        org=tree.branch_a, secretary=member, year=day.year, title="项目", goal="目标",
        milestones=[{"title": "方案", "due": "2026-03-31", "done": True}], registered_on=day,
    )  # fmt: skip
    talks = [
        m.Admonition.objects.create(
            org=tree.branch_a,
            member=member,
            date=day - dt.timedelta(days=n),
            by_org=tree.town_a,
            talker="组织委员",
            reason="整改逾期",
        )  # fmt: skip
        for n in (0, 90)
    ]
    m.AdjustmentProposal.objects.create(
        org=tree.branch_a, member=member, admonition=talks[0], raised_on=day
    )
    m.DutyReport.objects.create(
        org=tree.branch_a, secretary=member, year=day.year - 1, date=day, summary="述职",
        ratings={"好": 3, "较好": 1}, result="好",
    )  # fmt: skip


def _supervision() -> dict:
    return {k: t for k, t in roundtrip.snapshot().items() if k.startswith("supervision.")}


def _export_all(tmp_path, user=None) -> list:
    paths = []
    for n, kind in enumerate(KINDS):
        path = tmp_path / f"{n:02d}-{kind}.xlsx"
        export(kind=kind, target=path, user=user)
        paths.append(path)
    return paths


def _delete_all() -> None:
    for model in (m.AdjustmentProposal, m.Admonition, m.Reinspection, m.Item, m.InspectionNotice):
        model.objects.all().delete()
    for model in (m.Inspection, m.CalendarEntry, m.ProgressReport, m.Project, m.DutyReport):
        model.objects.all().delete()


def _sample_numbers() -> list[list[str]]:
    numbers = restore.item_numbers()
    return [[numbers[pk] for pk in r.sample] for r in m.Reinspection.objects.all()]


def test_task_01_restore_brings_back_every_supervision_record(tmp_path, tree):
    _records(tree)
    before, samples = _supervision(), _sample_numbers()
    empty = {label for label, table in before.items() if not table.count()}
    assert empty == {"supervision.DutyTemplate", "supervision.DutyTemplateItem"}
    paths = _export_all(tmp_path)
    _delete_all()

    for path in paths:
        try:
            run_import(path, by=tree.users["city_admin"])
        except ImportFailed as failed:
            raise AssertionError([path.name, failed.errors]) from None

    assert roundtrip.diff(before, _supervision()) == {}
    assert _sample_numbers() == samples
    notice = m.InspectionNotice.objects.get()
    assert sorted(notice.recipients.values_list("code", flat=True)) == ["CA-T1-B1", "CA-T1-B2"]
    steps = m.Step.objects.filter(item__title="已退回后再提交").order_by("at", "pk")
    assert [s.action for s in steps] == ["created", "submitted", "returned", "submitted"]

    history = roundtrip.history_rows()
    counts = [run_import(path, by=None).counts for path in paths]
    assert all(set(c["created"] for c in count.values()) <= {0} for count in counts), counts
    assert roundtrip.history_rows() == history


def test_task_01_restore_export_is_refused_out_of_the_importers_scope(tmp_path, tree):
    _records(tree)
    paths = _export_all(tmp_path)
    _delete_all()
    items = next(p for p in paths if p.name.endswith("supervision_items.xlsx"))

    with pytest.raises(ImportFailed) as failed:
        run_import(items, by=tree.users["outsider"])

    assert {e.message for e in failed.value.errors} == {
        "找不到党组织“CA-T1-B1”（请填编码或完整名称路径）",
        "找不到党组织“CA-T1-B1-G1”（请填编码或完整名称路径）",
        "找不到党组织“CA-T1-B2”（请填编码或完整名称路径）",
    }
    assert not m.Item.objects.exists()


def _exported_item(tmp_path, tree) -> tuple[list, list]:
    _life(tree)
    path = tmp_path / "items.xlsx"
    export(kind="supervision_items", target=path, user=None)
    rows = [list(r) for r in load_workbook(path).worksheets[0].iter_rows(values_only=True)]
    m.Item.objects.all().delete()
    header = rows[0]
    accepted = next(r for r in rows[1:] if r[header.index("标题")] == "已销号")
    return header, accepted


CASES = [
    ("accepted_without_time", {"销号时间": None}, "销号时间", "已销号的事项须有销号时间"),
    ("reviewer_below", {"验收组织": "CA-T1-B1-G1"}, "验收组织", "验收组织应为责任组织本身"),
    ("number_of_other_org", {"事项编号": "CA-T1-B1-20260101-1"}, "事项编号", "事项编号应为"),
    ("number_out_of_sequence", {"事项编号": "#2"}, "事项编号", "应从1起依次编号"),
    ("unknown_account", {"验收人": "ghost"}, "验收人", "找不到用户名为“ghost”的账号"),
    ("outside_account", {"验收人": "outsider"}, "验收人", "找不到用户名为“outsider”的账号"),
    ("deadline_before_creation", {"整改时限": "2000-01-01"}, "整改时限", "不能早于创建日期"),
]


@pytest.mark.parametrize(("case", "changes", "column", "message"), CASES, ids=[c[0] for c in CASES])
def test_task_01_restore_row_checks(tmp_path, tree, case, changes, column, message):
    header, row = _exported_item(tmp_path, tree)
    values = dict(zip(header, row, strict=True))
    for key, value in changes.items():
        if value == "#2":
            value = values["事项编号"][:-1] + "2"
        values[key] = value
    with pytest.raises(ImportFailed) as failed:
        run_import(
            xlsx(tmp_path / "bad.xlsx", {"清单事项": [header, [values[h] for h in header]]}),
            by=tree.users["county_officer"],
        )
    errors = [(e.column, e.message) for e in failed.value.errors]
    assert any(c == column and message in text for c, text in errors), (case, errors)
    assert not m.Item.objects.exists()


def test_task_01_restore_keeps_state_and_hand_typed_rows_stay_open(tmp_path, tree):
    header, row = _exported_item(tmp_path, tree)
    run_import(xlsx(tmp_path / "one.xlsx", {"清单事项": [header, row]}), by=None)
    item = m.Item.objects.get()
    assert item.status == m.ItemStatus.ACCEPTED and item.accepted_by.username == "county_officer"
    with pytest.raises(ImportFailed) as failed:
        run_import(
            xlsx(tmp_path / "typed.xlsx", {"清单事项": [[*HEAD, "状态"], [*_row(), "已销号"]]}),
            by=tree.users["secretary"],
        )
    assert [e.message for e in failed.value.errors] == [
        "导入只能新建待整改的事项，其他状态须在系统中办理"
    ]


def test_task_01_item_numbers_count_an_orgs_items_of_a_day_in_order(tree):
    _life(tree)
    numbers = sorted(restore.item_numbers().values())
    day = (today() - dt.timedelta(days=40)).strftime("%Y%m%d")
    assert numbers == sorted(
        [f"CA-T1-B1-{day}-1", f"CA-T1-B1-{day}-2", f"CA-T1-B1-G1-{day}-1", f"CA-T1-B2-{day}-1"]
    )
    assert restore.split_number(f"CA-T1-B1-{day}-2")[0] == "CA-T1-B1"
    assert restore.split_number("CA-T1-B1") is None
