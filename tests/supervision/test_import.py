"""Importing and exporting the lists (PLAT-03 with TASK-01, TASK-03): items typed by hand
in Excel and the rows of the duty-list templates; exports in the import sheets' columns
that re-import without duplicating (natural keys: org + kind + title + 创建日期 for items,
org + year + level + title for template rows); all-or-nothing with row-level Chinese
errors; every org and member code resolved through the importer's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.dates import today
from xianfeng.supervision.domain import items as domain
from xianfeng.supervision.models import DutyTemplate, DutyTemplateItem, Item, ItemStatus

pytestmark = pytest.mark.django_db

HEAD = ["责任组织", "清单类型", "标题", "具体内容", "整改时限", "责任人党员编号"]
DUTY_HEAD = ["发布组织", "年度", "责任层级", "责任事项", "具体要求", "完成时限", "序号"]


def _later(days: int = 30) -> dt.date:
    return today() + dt.timedelta(days=days)


def _row(**changes) -> list:
    row = {
        "责任组织": "CA-T1-B1",
        "清单类型": "问题清单",
        "标题": "三会一课记录不全",
        "具体内容": "补齐记录",
        "整改时限": _later().isoformat(),
        "责任人党员编号": "MA1",
    }
    row.update(changes)
    return [row[h] for h in HEAD]


def _import(tmp_path, sheets: dict, user=None, name: str = "in.xlsx"):
    return run_import(xlsx(tmp_path / name, sheets), by=user)


def _errors(tmp_path, sheets: dict, user=None) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportFailed) as failed:
        _import(tmp_path, sheets, user, "bad.xlsx")
    return [(e.row, e.column, e.message) for e in failed.value.errors]


def _rows(path) -> list[list]:
    sheet = load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_task_01_import_typed_items_and_again_creates_nothing(tmp_path, tree):
    secretary = tree.users["secretary"]
    sheets = {
        "清单事项": [HEAD, _row(), _row(标题="党费收缴台账", 清单类型="任务", 责任人党员编号="")]
    }
    result = _import(tmp_path, sheets, secretary)
    assert result.counts["supervision_items"]["created"] == 2
    item = Item.objects.get(title="三会一课记录不全")
    assert (item.kind, item.status, item.responsible.code) == ("problem", "open", "MA1")
    assert item.responsible_user == tree.users["member"]
    assert item.created_by == secretary and item.created_on == today()
    assert item.steps.get().action == "created"
    assert item.history.first().history_user == secretary
    again = _import(tmp_path, sheets, secretary, "again.xlsx")
    assert again.counts["supervision_items"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert Item.objects.count() == 2


BAD_ROWS = [
    # (case, row changes, column, message fragment)
    ("org unknown", {"责任组织": "NOPE"}, "责任组织", "找不到党组织"),
    ("org out of scope", {"责任组织": "CB-T1-B1"}, "责任组织", "找不到党组织"),
    ("kind unknown", {"清单类型": "愿望清单"}, "清单类型", "问题清单"),
    ("title missing", {"标题": ""}, "标题", "不能为空"),
    ("deadline missing", {"整改时限": ""}, "整改时限", "不能为空"),
    ("deadline in the past", {"整改时限": "2020-01-01"}, "整改时限", "不能早于创建日期"),
    ("deadline not a date", {"整改时限": "下个月"}, "整改时限", "日期"),
    ("member unknown", {"责任人党员编号": "NOSUCH9"}, "责任人党员编号", "找不到党员"),
    ("member out of scope", {"责任人党员编号": "MB1"}, "责任人党员编号", "找不到党员"),
    ("member of another branch", {"责任人党员编号": "MA2"}, "责任人党员编号", "找不到党员"),
    ("member above the org", {"责任组织": "CA-T1-B1-G1"}, "责任人党员编号", "没有找到本组织"),
]


@pytest.mark.parametrize(
    ("case", "changes", "column", "message"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS]
)
def test_task_01_import_bad_row_refuses_the_whole_file(
    tmp_path, tree, case, changes, column, message
):
    sheets = {"清单事项": [HEAD, _row(标题="好的一行"), _row(**changes)]}
    errors = _errors(tmp_path, sheets, tree.users["secretary"])
    assert [(row, col) for row, col, _m in errors] == [(3, column)], (case, errors)
    assert message in errors[0][2], (case, errors)
    assert not Item.objects.exists()


def test_task_01_import_refusals_of_status_origin_and_duplicates(tmp_path, tree):
    head = [*HEAD, "状态", "来源"]
    sheets = {
        "清单事项": [
            head,
            [*_row(), "已销号", ""],
            [*_row(标题="检查发现"), "", "检查发现"],
            [*_row(标题="重复"), "", ""],
            [*_row(标题="重复"), "", ""],
        ]
    }
    errors = _errors(tmp_path, sheets, tree.users["secretary"])
    assert [(row, col) for row, col, _m in errors] == [(2, "状态"), (3, "来源"), (5, "标题")]
    assert "与第 4 行重复" in errors[2][2]


def test_task_01_import_viewer_cannot_write(tmp_path, tree):
    errors = _errors(tmp_path, {"清单事项": [HEAD, _row()]}, tree.users["county_viewer"])
    assert errors == [(2, "责任组织", "您对“青山村党支部”只有查看权限")]


def _life(tree) -> None:
    """Items in every state, one returned, made through the domain."""
    admin, officer = tree.users["city_admin"], tree.users["county_officer"]
    start = today() - dt.timedelta(days=40)

    def item(title, org=tree.branch_a, **extra):
        return domain.create_item(
            org, kind="problem", title=title, deadline=_later(), created_on=start, by=admin, **extra
        )

    item("待整改", responsible="MA1", description="第一行\n第二行")
    domain.start_item(item("整改中", tree.group_a), by=admin)
    submitted = item("已退回后再提交")
    domain.submit_item(submitted, evidence="已整改", by=admin)
    domain.return_item(submitted, reason="材料不全", by=officer)
    domain.submit_item(submitted, evidence="已补充", by=admin)
    accepted = item("已销号", tree.branch_a2)
    domain.submit_item(accepted, evidence="已整改", by=admin)
    domain.accept_item(accepted, by=officer, note="同意")


def test_task_01_export_reimports_as_it_is(tmp_path, tree):
    _life(tree)
    path = tmp_path / "items.xlsx"
    record = export(kind="supervision_items", target=path, user=tree.users["county_officer"])
    assert record.rows == 4
    rows = _rows(path)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["责任组织", "责任组织名称", "清单类型", "标题", "具体内容", "来源"]
    by_title = {row[3]: dict(zip(header, row, strict=True)) for row in body}
    assert by_title["待整改"]["责任人党员编号"] == "MA1"
    assert by_title["待整改"]["责任人"] == "张三"
    assert by_title["待整改"]["具体内容"] == "第一行\n第二行"
    assert by_title["已退回后再提交"]["状态"] == "待验收"
    assert by_title["已退回后再提交"]["退回次数"] == 1
    assert by_title["已销号"]["验收组织"] == "CA-T1"
    assert by_title["已销号"]["销号时间"] is not None
    assert by_title["整改中"]["责任组织"] == "CA-T1-B1-G1"
    before = list(Item.objects.order_by("pk").values())
    result = run_import(path, by=tree.users["county_officer"])
    assert result.counts["supervision_items"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert list(Item.objects.order_by("pk").values()) == before
    second = tmp_path / "again.xlsx"
    export(kind="supervision_items", target=second, user=tree.users["county_officer"])
    assert _rows(second) == rows


def test_task_01_export_into_an_empty_list_recreates_open_items(tmp_path, tree):
    """Export → delete → import → export: the same rows (open items typed by hand)."""
    admin = tree.users["city_admin"]
    for title, org, member in [("甲", tree.branch_a, "MA1"), ("乙", tree.group_a, "")]:
        domain.create_item(
            org, kind="task", title=title, deadline=_later(), by=admin, responsible=member
        )
    path = tmp_path / "items.xlsx"
    export(kind="supervision_items", target=path, user=None)
    Item.objects.all().delete()
    result = run_import(path, by=admin)
    assert result.counts["supervision_items"]["created"] == 2
    again = tmp_path / "again.xlsx"
    export(kind="supervision_items", target=again, user=None)
    assert _rows(again) == _rows(path)


def test_task_01_export_holds_only_the_scope(tmp_path, tree):
    _life(tree)
    domain.create_item(tree.branch_b, kind="task", title="外县事项", deadline=_later(), by=None)
    path = tmp_path / "items.xlsx"
    export(kind="supervision_items", target=path, user=tree.users["secretary"])
    titles = {row[3] for row in _rows(path)[1:]}
    assert titles == {"待整改", "整改中", "已退回后再提交"}


def test_task_01_reimport_disagreeing_row_is_an_error(tmp_path, tree):
    _life(tree)
    path = tmp_path / "items.xlsx"
    export(kind="supervision_items", target=path, user=None)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("标题")].value == "待整改":
            row[header.index("整改时限")].value = _later(90)
    book.save(path)
    with pytest.raises(ImportFailed) as failed:
        run_import(path, by=None)
    [error] = failed.value.errors
    assert (error.column, "延期请在系统中申请" in error.message) == ("整改时限", True)


# --------------------------------------------------------------------------- duty lists


def _duty(**changes) -> list:
    row = {
        "发布组织": "CA-T1",
        "年度": 2026,
        "责任层级": "书记",
        "责任事项": "落实第一责任人职责",
        "具体要求": "每季度研究党建工作",
        "完成时限": "2026-12-31",
        "序号": 1,
    }
    row.update(changes)
    return [row[h] for h in DUTY_HEAD]


def test_task_03_duty_template_rows_import_export_round_trip(tmp_path, tree):
    officer = tree.users["county_officer"]
    rows = [
        DUTY_HEAD,
        _duty(),
        _duty(责任层级="班子成员", 责任事项="落实一岗双责", 序号=2),
        _duty(责任层级="专兼职党务干部", 责任事项="规范党务台账", 序号=3),
    ]
    result = _import(tmp_path, {"责任清单模板": rows}, officer)
    assert result.counts["duty_templates"]["created"] == 3
    template = DutyTemplate.objects.get()
    assert (template.org, template.year, template.title) == (
        tree.town_a,
        2026,
        "2026年度党建工作责任清单",
    )
    assert template.created_by == officer
    assert list(template.items.values_list("level", flat=True)) == [
        "secretary",
        "committee",
        "staff",
    ]
    path = tmp_path / "duty.xlsx"
    export(kind="duty_templates", target=path, user=officer)
    exported = _rows(path)
    assert exported[0] == [
        "发布组织",
        "年度",
        "模板名称",
        "责任层级",
        "责任事项",
        "具体要求",
        "完成时限",
        "序号",
        "发布时间",
        "创建人",
    ]
    assert exported[1][:5] == [
        "CA-T1",
        2026,
        "2026年度党建工作责任清单",
        "书记",
        "落实第一责任人职责",
    ]
    again = run_import(path, by=officer)
    assert again.counts["duty_templates"] == {"created": 0, "updated": 0, "unchanged": 3}
    DutyTemplate.objects.all().delete()
    run_import(path, by=officer)
    second = tmp_path / "again.xlsx"
    export(kind="duty_templates", target=second, user=officer)
    assert _rows(second) == exported


DUTY_BAD = [
    ("org out of scope", {"发布组织": "CB-T1"}, "发布组织", "找不到党组织"),
    ("level unknown", {"责任层级": "群众"}, "责任层级", "书记"),
    ("due outside the year", {"完成时限": "2027-01-31"}, "完成时限", "2026年内"),
    ("year not a number", {"年度": "今年"}, "年度", "整数"),
]


@pytest.mark.parametrize(
    ("case", "changes", "column", "message"), DUTY_BAD, ids=[c[0] for c in DUTY_BAD]
)
def test_task_03_duty_bad_row_refuses_the_file(tmp_path, tree, case, changes, column, message):
    rows = [DUTY_HEAD, _duty(责任事项="好的一行"), _duty(**changes)]
    errors = _errors(tmp_path, {"责任清单模板": rows}, tree.users["county_officer"])
    assert [(row, col) for row, col, _m in errors] == [(3, column)], (case, errors)
    assert message in errors[0][2], (case, errors)
    assert not DutyTemplate.objects.exists() and not DutyTemplateItem.objects.exists()


def test_task_03_published_template_takes_no_new_rows(tmp_path, tree):
    officer = tree.users["county_officer"]
    _import(tmp_path, {"责任清单模板": [DUTY_HEAD, _duty()]}, officer)
    DutyTemplate.objects.update(published_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    errors = _errors(
        tmp_path, {"责任清单模板": [DUTY_HEAD, _duty(), _duty(责任事项="新增")]}, officer
    )
    assert errors == [(3, "责任事项", "该年度责任清单已发布，不能再导入新的责任事项")]


def test_task_01_item_statuses_are_not_imported(tmp_path, tree):
    """An export's 状态 of an existing item is for reading: importing it changes nothing."""
    _life(tree)
    path = tmp_path / "items.xlsx"
    export(kind="supervision_items", target=path, user=None)
    Item.objects.filter(title="待整改").update(status=ItemStatus.IN_PROGRESS)
    result = run_import(path, by=None)
    assert result.counts["supervision_items"]["unchanged"] == 4
    assert Item.objects.get(title="待整改").status == ItemStatus.IN_PROGRESS
