"""The columns of the study sheets and the cleaners of their cells."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from xianfeng.core.importing import Column
from xianfeng.lib.cells import (
    CellError,
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_decimal,
    clean_int,
    clean_text,
)
from xianfeng.orglife.importers import KIND_ALIASES, clean_number
from xianfeng.orglife.models import MeetingKind
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    ORG_NOTE,
    clean_member_ref,
    clean_year,
)

from ..importers import clean_hours
from ..models import CourseKind, EnrollmentStatus, PlanKind, TrainingKind, TrainingStatus


def clean_body(value: Any) -> str:
    """Multi-line text kept as written (only Windows line ends made plain)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return clean_text(value)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def clean_amount(value: Any) -> Decimal | None:
    """A positive number with at most one decimal place (days, a class's hours)."""
    if isinstance(value, str):
        value = value.replace("学时", "").replace("天", "").strip()
    number = clean_decimal(value, places=6)
    if number is None:
        return None
    if number <= 0 or number != number.quantize(Decimal("0.1")):
        raise CellError(f"应为大于0、最多一位小数的数，实际为“{clean_text(value)}”")
    return number.quantize(Decimal("0.1"))


def clean_tags(value: Any) -> list[str]:
    text = clean_text(value).replace("，", ",").replace("、", ",")
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def clean_position(value: Any) -> int | None:
    return clean_int(value, min=0, max=32767)


def _choices(choices: Any, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "clean": choice_cleaner(choices, aliases=aliases),
        "choices": [str(label) for _code, label in choices],
    }


def _org(key: str, label: str, aliases: tuple[str, ...] = (), required: bool = True) -> Column:
    return Column(key, label, aliases=aliases, required=required, note=ORG_NOTE, text=True)


def _member(key: str, label: str, aliases: tuple[str, ...], required: bool = True) -> Column:
    return Column(
        key, label, clean_member_ref, aliases, required=required, note=MEMBER_NOTE, text=True
    )


COURSE_NOTE = "与“课程”工作表中的课程名称一致"
COURSE_ORG_NOTE = "可留空；多个组织发布了同名课程时填发布组织"
_COURSE = (
    Column("course", "课程", aliases=("课程名称",), required=True, note=COURSE_NOTE),
    _org("course_org", "课程发布组织", required=False),
)

COURSE_COLUMNS = (
    _org("org", "发布组织", ("发布党组织", "党组织编码")),
    Column("title", "课程名称", aliases=("课程",), required=True),
    Column("kind", "课程类型", required=True, **_choices(CourseKind.choices)),
    Column("hours", "认定学时", clean_hours, ("学时",), required=True, note="大于0，最多一位小数"),
    Column("tags", "标签", clean_tags, note="多个标签用逗号分隔"),
    Column("summary", "内容简介", clean_body, ("简介",)),
    Column("body", "正文", clean_body, note="图文课程的正文"),
    Column("file_name", "原文件名", note="课件文件不随表格导入导出（由备份携带），此列仅作记录"),
    Column("published_on", "发布日期", clean_date, required=True),
    Column("active", "在用", clean_bool, ("是否在用",), note="留空为“是”", choices=["是", "否"]),
)
MUST_LEARN_COLUMNS = (
    _org("org", "发布组织", ("发布党组织", "党组织编码")),
    Column("year", "年度", clean_year, ("清单年度",), required=True),
    Column("title", "清单名称", aliases=("名称",), note="留空为“某年度必学必知必会清单”"),
    Column("published_on", "发布日期", clean_date, required=True),
    Column("note", "说明", clean_body),
    Column("position", "序号", clean_position, note="课程在清单中的顺序"),
    *_COURSE,
)
CLASS_KEY = (
    _org("org", "主办党组织", ("主办组织", "党组织编码")),
    Column("title", "培训班名称", aliases=("培训班",), required=True),
    Column("starts_on", "开始日期", clean_date, ("开班日期",), required=True),
)
CLASS_COLUMNS = (
    *CLASS_KEY,
    Column("kind", "培训类型", required=True, **_choices(TrainingKind.choices)),
    Column("organizer", "承办单位"),
    Column("status", "状态", note="留空为“已举办”", **_choices(TrainingStatus.choices)),
    Column("ends_on", "结束日期", clean_date, ("结业日期",), required=True),
    Column("days", "培训天数", clean_amount, ("天数",), required=True, note="可为半天，如 2.5"),
    Column("hours", "认定学时", clean_amount, ("学时",), required=True),
    Column("place", "地点", aliases=("培训地点",)),
    Column("content", "培训内容", clean_body),
)
ENROLLMENT_COLUMNS = (
    *CLASS_KEY,
    _member("member", "党员编号", ("身份证号", "公民身份号码", "党员编号或身份证号")),
    Column("name", "姓名", aliases=("党员姓名", "学员姓名"), note=NAME_NOTE),
    Column("status", "参训情况", note="留空为“已报名”", **_choices(EnrollmentStatus.choices)),
    Column("hours", "认定学时", clean_hours, note="参训但少于培训班学时的填写；留空按培训班学时"),
    Column("note", "备注"),
)
PLAN_KEY = (
    Column("kind", "计划类型", required=True, **_choices(PlanKind.choices)),
    _org("org", "党组织", ("党组织编码",)),
    _member("member", "制定人", ("制定人编号",), required=False),
    Column("year", "年度", clean_year, ("计划年度",), required=True),
)
PLAN_COLUMNS = (
    *PLAN_KEY,
    Column("name", "制定人姓名", note=NAME_NOTE),
    Column("title", "计划名称", required=True),
    Column("content", "计划内容", clean_body),
    Column("adopted_on", "制定日期", clean_date, required=True),
)
_MEETING_KIND = _choices(MeetingKind.choices, KIND_ALIASES)
NUMBER_NOTE = (
    "同一组织同一天有类型和主题都相同的几次会议时，与“组织生活”工作表的同日序号一致；留空为1"
)
PLAN_ITEM_COLUMNS = (
    *PLAN_KEY,
    Column("period", "安排期间", required=True, note="季度（如 2025-Q3）或月份（如 2025-06）"),
    Column("title", "学习内容", required=True),
    Column("content", "具体安排", clean_body),
    Column("course", "课程", note=COURSE_NOTE),
    _org("course_org", "课程发布组织", required=False),
    Column("planned_hours", "计划学时", clean_hours),
    Column("done_on", "完成日期", clean_date, note="未完成的留空"),
    Column("done_note", "完成情况"),
    _org("meeting_org", "会议党组织", required=False),
    Column("meeting_kind", "会议类型", **_MEETING_KIND),
    Column("meeting_on", "会议日期", clean_date),
    Column("meeting_topic", "会议主题"),
    Column("meeting_number", "会议同日序号", clean_number, note=NUMBER_NOTE),
)
CREDIT_COLUMNS = (
    _org("org", "党组织", ("党组织编码",)),
    Column("kind", "会议类型", required=True, **_MEETING_KIND),
    Column("held_on", "召开日期", clean_date, ("会议日期",), required=True),
    Column("topic", "主题", aliases=("会议主题",), required=True),
    Column("number", "同日序号", clean_number, note=NUMBER_NOTE),
    Column("hours", "认定学时", clean_hours, ("学时",), required=True),
    Column("note", "说明", aliases=("备注",)),
)
