"""The columns of recruitment's import sheets (PLAT-03), shared by the importers and the
exports (every export is written in its sheet's columns, so it re-imports as it is):
发展党员人员, 发展环节, 培养联系人, 入党介绍人 (the pipeline), 人才库, 培养档案, 培养记录
and 年度目标.

People are named by ID number (a masked number, as a masked export writes it, together
with the name finds a person already on file, never a new one), orgs by code or full name
path, members by member code or ID number, choices by their Chinese labels.
"""

from __future__ import annotations

import re
from typing import Any

from xianfeng.core.importing import Column
from xianfeng.lib.cells import (
    CellError,
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_decimal,
    clean_id_text,
    clean_int,
    clean_text,
)
from xianfeng.lib.idcard import mask_id_number
from xianfeng.members.codes import Education, Gender
from xianfeng.members.importers import EDUCATION_ALIASES, GENDER_ALIASES
from xianfeng.orgs.importers_support import (
    ID_ALIASES,
    NAME_NOTE,
    clean_long_text,
    clean_year,
    date_column,
    member_column,
    org_column,
)
from xianfeng.orgs.models import Sector

from .models import (
    CultivationStatus,
    EntryKind,
    StepKind,
    TalentKind,
    TalentStatus,
    TargetKind,
    Track,
)

READ_ONLY = "导出时附带，导入时不读取"
ID_NOTE = (
    "18位身份证号（请把该列设为“文本”格式）；脱敏导出的号码（含*）与姓名一起只能匹配已登记的人员"
)
LIST_SEPARATOR = "、"
RECORDER_NOTE = "导出时附带；命令行导入时按此恢复录入人"
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def labels(model_choices: Any) -> list[str]:
    return [str(label) for label in model_choices.labels]


def choices(model_choices: Any, **aliases: str) -> Any:
    return choice_cleaner(model_choices.choices, aliases=aliases or None)


def masked_text(text: str) -> str:
    """A message with every full ID number in it masked (issue 12: no clear numbers)."""
    return _ID_IN_TEXT.sub(lambda found: mask_id_number(found.group(0)), text)


def clean_person_number(value: Any) -> str:
    """An ID-number cell of a person: a full number, or a masked one as exported."""
    return clean_id_text(value)


def clean_count(value: Any) -> int | None:
    return clean_int(value, min=0, max=100_000)


def clean_months(value: Any) -> int | None:
    return clean_int(value, min=0, max=120)


def clean_days(value: Any) -> Any:
    number = clean_decimal(value, places=1)
    if number is not None and number < 0:
        raise CellError(f"不能为负数，实际为“{clean_text(value)}”")
    return number


def clean_value(value: Any) -> int | None:
    return clean_int(value, min=0, max=10_000_000)


def clean_tags(value: Any) -> list[str]:
    """Tags separated by 、 (or commas, semicolons)."""
    text = clean_text(value)
    for separator in ",，;；":
        text = text.replace(separator, LIST_SEPARATOR)
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def tags_text(tags: Any) -> str:
    return LIST_SEPARATOR.join(str(tag) for tag in tags or [])


def flag_text(flag: Any) -> str:
    return "是" if flag else ""


def clean_flag(value: Any) -> bool:
    return bool(clean_bool(value))


def training_columns() -> tuple[Column, ...]:
    """The training class a row names (study's 培训班: org, name, first day)."""
    note = "参加本系统登记的培训班时填写（举办党组织编码、培训班名称、开班日期）"
    return (
        Column("class_org", "培训班举办党组织", aliases=("举办党组织",), text=True, note=note),
        Column("class_title", "培训班名称", aliases=("培训班",), note=note),
        Column("class_starts", "培训班开班日期", clean_date, ("开班日期",), note=note),
    )


def _person_columns(label: str = "身份证号") -> tuple[Column, ...]:
    return (
        Column(
            "person",
            label,
            clean_person_number,
            ("人员身份证号", "公民身份号码", "身份证号码"),
            required=True,
            text=True,
            note=ID_NOTE,
        ),
        Column(
            "person_name",
            "姓名",
            aliases=("人员姓名",),
            note="可留空；填写时须与登记的姓名一致（脱敏号码须填写）",
        ),
    )


# --------------------------------------------------------------------------- pipeline

_GENDER = choice_cleaner(Gender.choices, aliases=GENDER_ALIASES)
_EDUCATION = choice_cleaner(Education.choices, aliases=EDUCATION_ALIASES)
_SECTOR = choice_cleaner(Sector.choices)

PEOPLE_COLUMNS = (
    org_column(label="所在党组织", aliases=("党组织", "所在党支部", "党组织编码", "组织编码")),
    Column("name", "姓名", aliases=("人员姓名",), required=True),
    Column(
        "id_number",
        "身份证号",
        clean_person_number,
        ("公民身份号码", "身份证号码", "证件号码"),
        required=True,
        text=True,
        note=ID_NOTE,
    ),
    Column("gender", "性别", _GENDER, choices=["男", "女"], note="可留空，按身份证号推定"),
    date_column("birth_date", "出生日期", ("出生年月",), note="可留空，按身份证号推定"),
    Column("education", "学历", _EDUCATION, ("文化程度", "最高学历"), choices=labels(Education)),
    Column("occupation", "职业（岗位）", aliases=("职业", "工作岗位", "岗位")),
    Column("sector", "所在领域", _SECTOR, ("领域",), choices=labels(Sector)),
    Column("phone", "联系电话", aliases=("手机号码", "手机", "电话"), text=True),
    date_column("applied_on", "递交申请日期", ("申请日期", "入党申请日期"), required=True),
    Column("volunteer_book_no", "入党志愿书编号", aliases=("志愿书编号",), text=True),
    Column(
        "talent",
        "来自人才库",
        clean_flag,
        ("人才库人员",),
        note="填“是”时关联人才库中同一身份证号（无身份证号时同组织同姓名）的人员",
    ),
    Column("stage", "发展阶段", note=READ_ONLY),
)

STEP_COLUMNS = (
    *_person_columns(),
    Column(
        "kind",
        "环节",
        choices(StepKind),
        ("发展环节", "步骤"),
        required=True,
        choices=labels(StepKind),
    ),
    date_column("on", "日期", ("办理日期", "环节日期"), required=True),
    org_column(
        "org",
        "决定（办理）党组织",
        ("办理党组织", "决定党组织", "党组织"),
        required=False,
        note="可留空（本人所在党组织）；上级党委决定的环节填党委编码",
    ),
    Column("decided_by", "决定人（谈话人、审查人）", aliases=("决定人", "谈话人", "审查人")),
    Column(
        "conclusion",
        "内容或结论",
        clean_long_text,
        ("内容", "结论", "终止原因"),
        note="政治审查结论、入党志愿书编号、终止原因等",
    ),
    date_column("ends_on", "截止日期", ("公示截止日期",), note="公示的截止日期"),
    Column("voters", "应到有表决权的正式党员", clean_count, ("应到人数",)),
    Column("present", "实到有表决权的正式党员", clean_count, ("实到人数",)),
    Column("in_favour", "赞成票", clean_count, ("赞成票数",)),
    Column("days", "培训天数", clean_days, ("天数",)),
    Column("hours", "培训学时", clean_days, ("学时",)),
    Column("months", "延长月数", clean_months, ("月数",)),
    Column("special", "特殊情况", clean_flag, note="党委审批的特殊情况填“是”"),
    *training_columns(),
    org_column(
        "to_org", "转入党组织", ("转入组织",), required=False, note="培养档案转接的转入党组织"
    ),
    Column("entered_by", "录入账号", note=RECORDER_NOTE, text=True),
)

_MEMBER_ALIASES = ("党员编号", *ID_ALIASES)

MENTOR_COLUMNS = (
    *_person_columns(),
    member_column("member", "培养联系人党员编号", ("培养联系人编号", *_MEMBER_ALIASES[:1])),
    Column("member_name", "培养联系人", aliases=("培养联系人姓名",), note=NAME_NOTE),
    date_column("started_on", "确定日期", ("开始日期",), required=True),
    date_column("ended_on", "结束日期", ("终止日期",), note="仍在培养的留空"),
)

INTRODUCER_COLUMNS = (
    *_person_columns(),
    member_column("member", "入党介绍人党员编号", ("介绍人编号", *_MEMBER_ALIASES[:1])),
    Column("member_name", "入党介绍人", aliases=("介绍人姓名", "介绍人"), note=NAME_NOTE),
    date_column("chosen_on", "确定日期", ("日期",), required=True),
)

# --------------------------------------------------------------------------- talent, cultivation, targets

TALENT_COLUMNS = (
    org_column(label="所在党组织", aliases=("党组织", "党组织编码", "组织编码")),
    Column("name", "姓名", required=True),
    Column(
        "id_number",
        "身份证号",
        clean_person_number,
        ("公民身份号码", "身份证号码"),
        text=True,
        note="可留空；" + ID_NOTE,
    ),
    Column("gender", "性别", _GENDER, choices=["男", "女"]),
    date_column("birth_date", "出生日期", ("出生年月",)),
    Column("phone", "联系电话", aliases=("手机号码", "手机", "电话"), text=True),
    Column(
        "kind",
        "人才类别",
        choices(TalentKind),
        ("类别",),
        required=True,
        choices=labels(TalentKind),
    ),
    Column("tags", "人才标签", clean_tags, ("标签",), note="多个标签用“、”分隔"),
    Column("occupation", "职业（经营项目）", aliases=("职业", "经营项目")),
    Column("sector", "所在领域", _SECTOR, ("领域",), choices=labels(Sector)),
    date_column("surveyed_on", "摸底日期", ("调查日期",), required=True),
    Column(
        "status",
        "状态",
        choices(TalentStatus),
        note="留空为在库；已递交入党申请的状态由发展党员记录决定",
        choices=labels(TalentStatus),
    ),
    Column("note", "备注", aliases=("说明",)),
)

_TRACK = choices(Track)
_SUBJECT_NOTE = (
    "把党员培养成人才、后备干部的填党员编号；把人才培养成党员的填人才库人员身份证号或姓名"
)

CULTIVATION_COLUMNS = (
    org_column(label="所在党组织", aliases=("党组织", "党组织编码", "组织编码")),
    Column("track", "培养方向", _TRACK, ("方向", "培养类别"), required=True, choices=labels(Track)),
    Column(
        "subject",
        "培养对象",
        aliases=("培养对象编号",),
        required=True,
        text=True,
        note=_SUBJECT_NOTE,
    ),
    Column("subject_name", "培养对象姓名", aliases=("姓名",), note=NAME_NOTE),
    member_column("pair", "结对领导党员编号", ("结对领导编号",), required=False),
    Column("pair_name", "结对领导", aliases=("结对领导姓名",), note=NAME_NOTE),
    Column("goal", "培养目标", aliases=("目标",)),
    date_column("started_on", "列入培养日期", ("开始日期", "列入日期"), required=True),
    Column(
        "status",
        "状态",
        choices(CultivationStatus),
        note="留空为培养中",
        choices=labels(CultivationStatus),
    ),
    date_column("status_since", "状态起始日期", ("状态日期",), note="已成才、已终止的日期"),
    Column("note", "备注", aliases=("说明",)),
)

ENTRY_COLUMNS = (
    org_column(label="所在党组织", aliases=("党组织", "党组织编码", "组织编码")),
    Column("track", "培养方向", _TRACK, ("方向",), required=True, choices=labels(Track)),
    Column("subject", "培养对象", required=True, text=True, note=_SUBJECT_NOTE),
    Column("subject_name", "培养对象姓名", note=NAME_NOTE),
    date_column("started_on", "列入培养日期", ("开始日期",), required=True, note="与培养档案一致"),
    date_column("on", "日期", ("记录日期",), required=True),
    Column(
        "kind", "类别", choices(EntryKind), ("记录类别",), required=True, choices=labels(EntryKind)
    ),
    Column("title", "内容", aliases=("培养内容", "标题"), required=True),
    Column("hours", "学时", clean_days),
    *training_columns(),
    Column("note", "备注", aliases=("说明",)),
    Column("entered_by", "录入账号", note=RECORDER_NOTE, text=True),
)

TARGET_COLUMNS = (
    org_column(label="党组织", aliases=("党组织编码", "组织编码", "承担党组织")),
    Column("year", "年度", clean_year, ("年份",), required=True),
    Column(
        "kind",
        "指标",
        choices(TargetKind),
        ("目标类别", "指标类别"),
        required=True,
        choices=labels(TargetKind),
    ),
    Column("value", "目标数", clean_value, ("目标值", "数量"), required=True),
    org_column(
        "set_by",
        "下达党组织",
        ("下达组织",),
        required=False,
        note="可留空：上级党组织（最上级党组织为本组织）",
    ),
    Column("note", "备注", aliases=("说明",)),
)
