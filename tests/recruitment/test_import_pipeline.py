"""Importing the record of member development (PLAT-03 with DEV-01, DEV-02): people,
steps, mentors and introducers typed in Excel, replayed in date order through the
pipeline's domain (every time rule holds on import), all-or-nothing with row errors that
cite the rule and never show a full ID number; references resolved in the importing
user's scope; a re-import writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.test_importing import xlsx
from tests.factories import make_id, make_member
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.recruitment.models import Mentor, Person, Stage, Step

pytestmark = pytest.mark.django_db

PEOPLE = ["所在党组织", "姓名", "身份证号", "学历", "职业（岗位）", "递交申请日期"]
STEPS = ["身份证号", "姓名", "环节", "日期", "决定（办理）党组织", "决定人（谈话人、审查人）"]
MENTORS = ["身份证号", "姓名", "培养联系人党员编号", "确定日期", "结束日期"]
INTRODUCERS = ["身份证号", "姓名", "入党介绍人党员编号", "确定日期"]
NUMBER = make_id(dt.date(1995, 6, 1))
MASKED = NUMBER[:14] + "****"


def _people(*rows: list) -> list[list]:
    return [PEOPLE, *rows]


def _person(**changes) -> list:
    row = {
        "所在党组织": "CA-T1-B1",
        "姓名": "赵六",
        "身份证号": NUMBER,
        "学历": "本科",
        "职业（岗位）": "农民",
        "递交申请日期": "2024-01-10",
    }
    row.update(changes)
    return [row[h] for h in PEOPLE]


def _step(kind: str, on: str, org: str = "", by: str = "", number: str = NUMBER) -> list:
    return [number, "赵六", kind, on, org, by]


ACTIVIST_STEPS = [
    _step("递交入党申请书", "2024-01-10"),
    _step("派人谈话", "2024-01-25", by="王书记"),
    _step("确定为入党积极分子", "2024-03-01"),
    _step("积极分子报上级党委备案", "2024-03-10", org="CA-T1"),
]


def _book(steps: list[list], mentors: list[list] | None = None, people=None) -> dict:
    book = {
        "发展党员人员": _people(*(people or [_person()])),
        "发展环节": [STEPS, *steps],
    }
    book["培养联系人"] = [MENTORS, *(mentors or [[NUMBER, "赵六", "MA1", "2024-03-01", ""]])]
    return book


def _import(tmp_path, sheets: dict, user=None, name: str = "in.xlsx"):
    return run_import(xlsx(tmp_path / name, sheets), by=user)


def _errors(tmp_path, sheets: dict, user=None) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ImportFailed) as failed:
        _import(tmp_path, sheets, user, "bad.xlsx")
    return [(e.sheet, e.row, e.column, e.message) for e in failed.value.errors]


def test_dev01_import_people_steps_and_mentors_then_again_writes_nothing(tmp_path, tree):
    officer = tree.users["county_officer"]
    result = _import(tmp_path, _book(ACTIVIST_STEPS), officer)

    assert result.counts["recruitment_people"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert result.counts["recruitment_steps"]["created"] == 4
    assert result.counts["recruitment_mentors"]["created"] == 1
    person = Person.objects.get()
    assert (person.stage, person.activist_on, person.org) == (
        Stage.ACTIVIST,
        dt.date(2024, 3, 1),
        tree.branch_a,
    )
    assert person.education == "20" and person.id_number_masked == MASKED
    kinds = list(person.steps.order_by("on").values_list("kind", "org__code", "decided_by"))
    assert kinds == [
        ("application", "CA-T1-B1", ""),
        ("talk", "CA-T1-B1", "王书记"),
        ("activist", "CA-T1-B1", ""),
        ("activist_filed", "CA-T1", ""),
    ]
    assert Step.objects.get(kind="talk").entered_by == officer
    assert person.history.earliest().history_user == officer
    assert Mentor.objects.get().member == tree.member_a

    again = _import(tmp_path, _book(ACTIVIST_STEPS), officer, "again.xlsx")
    assert {kind: counts["unchanged"] for kind, counts in again.counts.items()} == {
        "recruitment_people": 1,
        "recruitment_steps": 4,
        "recruitment_mentors": 1,
    }
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0
    assert Step.objects.count() == 4


def test_dev01_import_applies_rows_in_date_order_whatever_the_file_order(tmp_path, tree):
    steps = list(reversed(ACTIVIST_STEPS))
    book = {
        "培养联系人": [MENTORS, [NUMBER, "赵六", "MA1", "2024-03-01", ""]],
        "发展环节": [STEPS, *steps],
        "发展党员人员": _people(_person()),
    }
    _import(tmp_path, book, tree.users["county_officer"])
    assert Person.objects.get().stage == Stage.ACTIVIST
    assert Step.objects.count() == 4


def test_dev01_import_candidate_too_early_refuses_the_whole_file_with_the_rule(tmp_path, tree):
    steps = [*ACTIVIST_STEPS, _step("确定为发展对象", "2025-02-28")]
    errors = _errors(tmp_path, _book(steps), tree.users["county_officer"])

    assert [(sheet, row, column) for sheet, row, column, _m in errors] == [("发展环节", 6, "日期")]
    message = errors[0][3]
    assert "一年以上" in message and "2025年3月1日" in message, message
    assert "发展党员工作细则" in message, message
    assert not Person.objects.exists() and not Step.objects.exists()


def test_dev01_import_candidate_on_the_anniversary_is_taken(tmp_path, tree):
    steps = [*ACTIVIST_STEPS, _step("确定为发展对象", "2025-03-01")]
    _import(tmp_path, _book(steps), tree.users["county_officer"])
    assert Person.objects.get().stage == Stage.ADMISSION_CANDIDATE


def test_dev01_import_introducers_record_their_step(tmp_path, tree):
    second = make_member(tree.branch_a, code="MA9", name="孙七")
    steps = [
        *ACTIVIST_STEPS,
        _step("确定为发展对象", "2025-03-01"),
        _step("上级党委同意", "2025-03-10", org="CA-T1"),
        _step("确定入党介绍人", "2025-03-24"),
    ]
    book = _book(steps)
    book["入党介绍人"] = [
        INTRODUCERS,
        [NUMBER, "赵六", "MA1", "2025-03-24"],
        [NUMBER, "赵六", second.code, "2025-03-24"],
    ]
    result = _import(tmp_path, book, tree.users["county_officer"])
    person = Person.objects.get()
    assert set(person.introducers.values_list("member__code", flat=True)) == {"MA1", "MA9"}
    assert person.steps.filter(kind="introducers").count() == 1
    assert result.counts["recruitment_introducers"]["created"] == 2
    assert result.counts["recruitment_steps"]["created"] == 7


BAD = [
    # (case, sheets changed, sheet, column, message fragment)
    (
        "unknown step",
        {"发展环节": [STEPS, _step("入党宣誓前谈心", "2024-01-25")]},
        "发展环节",
        "环节",
        "递交入党申请书",
    ),
    (
        "org out of scope",
        {"发展党员人员": _people(_person(所在党组织="CB-T1-B1"))},
        "发展党员人员",
        "所在党组织",
        "找不到党组织",
    ),
    (
        "mentor out of scope",
        {"培养联系人": [MENTORS, [NUMBER, "赵六", "MB1", "2024-03-01", ""]]},
        "培养联系人",
        "培养联系人党员编号",
        "找不到党员",
    ),
    (
        "person not registered",
        {"发展党员人员": _people(_person(身份证号=make_id(dt.date(1990, 1, 1))))},
        "发展环节",
        "身份证号",
        "****",
    ),
    (
        "activist before the application",
        {"发展党员人员": _people(_person(递交申请日期="2024-03-05"))},
        "发展环节",
        "日期",
        "",
    ),
    (
        "under eighteen",
        {
            "发展党员人员": _people(_person(身份证号=make_id(dt.date(2008, 6, 1)))),
            "发展环节": [STEPS],
            "培养联系人": [MENTORS],
        },
        "发展党员人员",
        "",
        "",
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "sheet", "column", "fragment"), BAD, ids=[b[0] for b in BAD]
)
def test_dev01_import_bad_rows_refuse_the_file(
    tmp_path, tree, case, changes, sheet, column, fragment
):
    book = _book(ACTIVIST_STEPS)
    book.update(changes)
    errors = _errors(tmp_path, book, tree.users["county_officer"])
    assert errors, case
    assert (errors[0][0], errors[0][2] if column else "") == (sheet, column), (case, errors)
    assert fragment in errors[0][3], (case, errors)
    for _sheet, _row, _column, message in errors:
        assert NUMBER not in message and NUMBER[:17] not in message, (case, message)
    assert not Person.objects.exists()


def test_dev01_import_committee_step_by_a_branch_secretary_is_refused(tmp_path, tree):
    errors = _errors(tmp_path, _book(ACTIVIST_STEPS), tree.users["secretary"])
    assert [(sheet, row) for sheet, row, _c, _m in errors] == [("发展环节", 5)]  # 报上级党委备案
    assert not Person.objects.exists()


def test_dev01_import_masked_number_matches_the_stored_person_only(tmp_path, tree):
    officer = tree.users["county_officer"]
    _import(tmp_path, _book(ACTIVIST_STEPS), officer)
    masked_steps = [
        _step(kind, on, org, by, MASKED) for _n, _x, kind, on, org, by in ACTIVIST_STEPS
    ]
    book = _book(
        masked_steps, [[MASKED, "赵六", "MA1", "2024-03-01", ""]], [_person(身份证号=MASKED)]
    )
    again = _import(tmp_path, book, officer, "masked.xlsx")
    assert again.counts["recruitment_steps"] == {"created": 0, "updated": 0, "unchanged": 4}
    Person.objects.all().delete()
    errors = _errors(tmp_path, book, officer)
    assert errors[0][:3] == ("发展党员人员", 2, "身份证号")
    assert "完整的身份证号" in errors[0][3]


def test_dev01_import_people_row_updates_editable_fields(tmp_path, tree):
    officer = tree.users["county_officer"]
    _import(tmp_path, _book(ACTIVIST_STEPS), officer)
    book = _book(ACTIVIST_STEPS, people=[_person(**{"职业（岗位）": "个体户"})])
    result = _import(tmp_path, book, officer, "changed.xlsx")
    assert result.counts["recruitment_people"]["updated"] == 1
    assert Person.objects.get().occupation == "个体户"
    moved = _book(ACTIVIST_STEPS, people=[_person(所在党组织="CA-T1-B2")])
    errors = _errors(tmp_path, moved, officer)
    assert errors[0][2] == "所在党组织" and "转接" in errors[0][3]


FULL_HEAD = [
    *STEPS,
    "截止日期",
    "应到有表决权的正式党员",
    "实到有表决权的正式党员",
    "赞成票",
    "培训天数",
    "内容或结论",
]


def _full(
    kind: str, on: str, org: str = "", ends: str = "", votes=(None, None, None), days=None, text=""
):
    return [*_step(kind, on, org), ends, *votes, days, text]


FULL_PATH = [
    _full("递交入党申请书", "2024-01-10"),
    _full("派人谈话", "2024-01-25"),
    _full("确定为入党积极分子", "2024-03-01"),
    _full("积极分子报上级党委备案", "2024-03-10", "CA-T1"),
    _full("培养考察", "2024-09-01", text="表现良好"),
    _full("确定为发展对象", "2025-03-01"),
    _full("上级党委同意", "2025-03-10", "CA-T1"),
    _full("发展对象公示", "2025-03-17", ends="2025-03-21"),
    _full("确定入党介绍人", "2025-03-24"),
    _full("政治审查", "2025-03-25", text="政治审查合格"),
    _full("短期集中培训", "2025-03-26", days=3),
    _full("基层党委预审", "2025-04-01", "CA-T1"),
    _full("填写入党志愿书", "2025-04-05", text="ZY2025-001"),
    _full("支部大会讨论接收", "2025-04-20", votes=(10, 8, 7)),
    _full("党委审批接收", "2025-05-10", "CA-T1"),
    _full("入党宣誓", "2025-05-20"),
    _full("提出转正申请", "2026-03-10"),
    _full("转正公示", "2026-03-16", ends="2026-03-20"),
    _full("支部大会讨论转正", "2026-04-20", votes=(10, 9, 9)),
    _full("党委审批转正", "2026-05-10", "CA-T1"),
]


def test_dev01_import_the_whole_path_admits_and_converts_the_member(tmp_path, tree):
    make_member(tree.branch_a, code="MA9", name="孙七")
    book = _book([])
    book["发展环节"] = [FULL_HEAD, *FULL_PATH]
    book["入党介绍人"] = [
        INTRODUCERS,
        [NUMBER, "赵六", "MA1", "2025-03-24"],
        [NUMBER, "赵六", "MA9", "2025-03-24"],
    ]
    result = _import(tmp_path, book, tree.users["county_officer"])

    assert result.counts["recruitment_steps"]["created"] == len(FULL_PATH)
    person = Person.objects.get()
    assert (person.stage, person.volunteer_book_no) == (Stage.FULL, "ZY2025-001")
    member = person.member
    assert (member.status, member.joined_on, member.full_on) == (
        "full",
        dt.date(2025, 4, 20),
        dt.date(2026, 4, 20),
    )
    again = _import(tmp_path, book, tree.users["county_officer"], "again.xlsx")
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0
