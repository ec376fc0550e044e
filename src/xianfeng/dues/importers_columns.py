"""The columns of the dues import sheets (PLAT-03 with DUES-01) and their cell cleaners:
党费类别 (dues kinds from a date), 党费基数申报 (declared bases), 党费减免 (reductions and
waivers), 按季交纳 (quarterly arrangements), 党费交纳记录 (payments, reversals and
voluntary extra payments), 党费结账 (closed months), 党费上缴 (remittances) and 党费台账
(the treasurer's yearly ledger, read to check it against the recorded payments)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from xianfeng.accounts.importers import clean_moment
from xianfeng.core.importing import Column
from xianfeng.lib.cells import CellError, choice_cleaner, clean_date, clean_decimal, clean_text
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.importers_support import (
    MONEY_LIMIT,
    NAME_NOTE,
    clean_long_text,
    clean_money,
    clean_year,
    member_column,
)

from .models import DuesKind, PaymentKind, ReductionState

MASKED = "***"  # a base in an export for a user without the identifier right
MONTHS = tuple(range(1, 13))
_CENT = Decimal("0.01")
MEMBER_ALIASES = ("党员", "身份证号", "党员编号或身份证号")
_PERIOD = re.compile(r"^(\d{4})(?:年)?(?:-?(Q[1-4]))?$")
_MONTH_PERIOD = re.compile(r"^(\d{4})(?:[-./]|年)(\d{1,2})(?:月)?(?:起)?$")
PERIOD_FORMS = "2025（全年）、2025-Q1（季度）或 2025-07（自该月起至年底）"

KIND_ALIASES = {
    "在职": DuesKind.SALARIED,
    "工资收入": DuesKind.SALARIED,
    "在职职工": DuesKind.SALARIED,
    "个体": DuesKind.SELF_EMPLOYED,
    "个体经营": DuesKind.SELF_EMPLOYED,
    "其他收入": DuesKind.SELF_EMPLOYED,
    "离退休": DuesKind.RETIRED,
    "退休": DuesKind.RETIRED,
    "离休": DuesKind.RETIRED,
    "农民党员": DuesKind.FARMER,
    "学生": DuesKind.MINIMUM,
    "下岗失业": DuesKind.MINIMUM,
    "失业": DuesKind.MINIMUM,
    "低保": DuesKind.MINIMUM,
    "领取最低生活保障": DuesKind.MINIMUM,
}
PAYMENT_ALIASES = {
    "交纳": PaymentKind.DUES,
    "按月交纳": PaymentKind.DUES,
    "补交": PaymentKind.DUES,
    "预交": PaymentKind.DUES,
    "冲销": PaymentKind.REVERSAL,
    "冲正记录": PaymentKind.REVERSAL,
    "自愿多交": PaymentKind.EXTRA,
    "多交党费": PaymentKind.EXTRA,
}


def clean_declared_period(value: Any) -> str:
    """A declaration's period: 2025 (the year), 2025-Q1 (a quarter; 2025Q1, 2025年 too) or
    2025-07 (from that month to the year's end; 2025-7, 2025年7月, 2025年7月起, or a date
    cell: its month)."""
    if isinstance(value, dt.date):  # Excel turns a typed 2025-07 into a date
        return f"{value.year}-{value.month:02d}"
    text = clean_text(value).upper().replace(" ", "")
    if not text:
        return ""
    match = _PERIOD.match(text)
    if match:
        return f"{match[1]}-{match[2]}" if match[2] else match[1]
    month = _MONTH_PERIOD.match(text)
    if not month:
        raise CellError(f"申报期间应写作 {PERIOD_FORMS}，实际为“{text}”")
    if not 1 <= int(month[2]) <= 12:
        raise CellError(f"申报期间应写作 {PERIOD_FORMS}，月份应为 01–12，实际为“{text}”")
    return f"{month[1]}-{int(month[2]):02d}"


def clean_base(value: Any) -> Decimal | str | None:
    """A monthly base in yuan (not negative, at most two decimals), or *** (masked)."""
    if clean_text(value) and set(clean_text(value)) == {"*"}:
        return MASKED
    return clean_money(value)


def clean_signed_money(value: Any) -> Decimal | None:
    """Yuan with at most two decimals; a reversal's amount may be negative."""
    number = clean_decimal(value, places=6)
    if number is None:
        return None
    shown = clean_text(value)
    if number != number.quantize(_CENT):
        raise CellError(f"金额最多保留两位小数（精确到分），实际为“{shown}”")
    if abs(number) >= MONEY_LIMIT:
        raise CellError(f"金额“{shown}”过大，请核对（单位为元）")
    return number.quantize(_CENT)


def clean_remittance_period(value: Any) -> str:
    """A remittance's period: 2025, 2025-H1, 2025-Q1 or 2025-06 (its label)."""
    text = clean_text(value).upper().replace(" ", "")
    if not text:
        return ""
    try:
        return parse_period(text).label
    except ValueError as error:
        raise CellError(str(error)) from None


def clean_month(value: Any) -> Any:
    """A month written 2025-06 (or any date: its month) as the month's first day."""
    day = clean_date(value)
    return day.replace(day=1) if day else None


def name_column() -> Column:
    return Column("name", "姓名", aliases=("党员姓名",), note=NAME_NOTE)


def note_column() -> Column:
    return Column("note", "说明", clean_long_text, ("备注",))


def month_column(key: str, label: str, aliases: tuple[str, ...] = (), **options: Any) -> Column:
    return Column(key, label, clean_month, aliases, text=True, **options)


def org_ref(key: str, label: str, aliases: tuple[str, ...] = (), **options: Any) -> Column:
    """An org by code or full name path (`Sheet.org`)."""
    options.setdefault("note", "填组织编码，或完整名称路径")
    return Column(key, label, aliases=aliases, text=True, **options)


KIND_COLUMNS = (
    member_column("member", "党员编号", MEMBER_ALIASES),
    name_column(),
    Column(
        "kind",
        "党费类别",
        choice_cleaner(DuesKind.choices, aliases=KIND_ALIASES),
        ("类别", "交纳类别"),
        required=True,
        choices=[str(label) for label in DuesKind.labels],
    ),
    Column(
        "started_on",
        "起始日期",
        clean_date,
        ("生效日期", "变更日期"),
        required=True,
        note="退休、下岗失业等自该日起按新类别计算（该日所在月份起）",
    ),
    note_column(),
)
DECLARATION_COLUMNS = (
    member_column("member", "党员编号", MEMBER_ALIASES),
    name_column(),
    Column(
        "period",
        "申报期间",
        clean_declared_period,
        ("年度", "申报年度", "期间"),
        required=True,
        note="全年写 2025；个体经营等其他收入的党员可按季度写 2025-Q1；"
        "自某月起至年底（如退休后的离退休费）写 2025-07",
        text=True,
    ),
    Column(
        "base",
        "月缴费基数（元）",
        clean_base,
        ("月缴费基数", "缴费基数", "基数", "月收入基数", "基数（元）"),
        required=True,
        note="每月税后收入（离退休党员为离退休费），单位为元，最多两位小数",
    ),
    Column("declared_on", "申报日期", clean_date, ("填报日期",), note="留空为今天"),
    note_column(),
)
PAYMENT_COLUMNS = (
    member_column("member", "党员编号", MEMBER_ALIASES),
    name_column(),
    Column(
        "month",
        "所属月份",
        clean_month,
        ("月份", "交纳月份", "党费月份"),
        note="写作 2025-06；自愿多交党费可留空（记入交纳日期所在月份）",
        text=True,
    ),
    Column(
        "amount",
        "金额（元）",
        clean_signed_money,
        ("金额", "交纳金额", "实交金额", "实交（元）"),
        note="留空为该月应交金额；冲正为负数",
    ),
    Column("paid_on", "交纳日期", clean_date, ("缴纳日期", "日期"), required=True),
    Column(
        "kind",
        "类别",
        choice_cleaner(PaymentKind.choices, aliases=PAYMENT_ALIASES),
        ("交纳类别", "款项类别"),
        note="留空为党费；冲正须在“说明”中写明原因",
        choices=[str(label) for label in PaymentKind.labels],
    ),
    note_column(),
    Column(
        "org",
        "记账党组织",
        aliases=("记账组织",),
        note="该笔记在哪个党组织的台账上（组织编码）；导出文件带出，手工填写可留空",
        text=True,
    ),
    Column(
        "entered_at",
        "录入时间",
        clean_moment,
        note="导出文件带出，手工填写请留空：带录入时间的行是按原样恢复的历史记录"
        "（不再与当前应交金额比较）",
    ),
)
LEDGER_COLUMNS = (
    Column("org", "党组织", aliases=("所在党组织",), note="仅供阅读，核对时不使用"),
    member_column("member", "党员编号", MEMBER_ALIASES),
    name_column(),
    Column(
        "year",
        "年度",
        clean_year,
        required=True,
        note="本表只用于核对：逐月比对已交金额，不写入数据；交纳请用“党费交纳记录”表",
    ),
    *(Column(f"m{month}", f"{month}月", clean_money, note="已交金额（元）") for month in MONTHS),
    Column("due_total", "应交合计", clean_signed_money, note="仅供阅读"),
    Column("paid_total", "已交合计", clean_signed_money, note="仅供阅读"),
    Column("owing", "欠交", clean_signed_money, note="仅供阅读"),
    Column("note", "说明", aliases=("备注",), note="仅供阅读"),
)
REDUCTION_STATE_ALIASES = {
    "待批": ReductionState.PROPOSED,
    "已提出": ReductionState.PROPOSED,
    "批准": ReductionState.APPROVED,
    "同意": ReductionState.APPROVED,
    "不批准": ReductionState.REFUSED,
    "不同意": ReductionState.REFUSED,
}
REDUCTION_COLUMNS = (
    member_column("member", "党员编号", MEMBER_ALIASES),
    name_column(),
    month_column("first_month", "起始月份", ("减免起始月份",), required=True, note="写作 2025-03"),
    month_column("last_month", "截止月份", ("减免截止月份",), required=True),
    Column(
        "monthly_amount",
        "减免后每月应交（元）",
        clean_money,
        ("每月应交（元）", "减免后应交"),
        required=True,
        note="免交填 0",
    ),
    Column("reason", "理由", clean_long_text, ("减免理由",), required=True),
    org_ref("proposed_by_org", "提出组织", ("提出支部",), note="组织编码；留空为党员所在组织"),
    Column("proposed_on", "提出日期", clean_date, note="留空为今天"),
    Column(
        "state",
        "状态",
        choice_cleaner(ReductionState.choices, aliases=REDUCTION_STATE_ALIASES),
        ("审批状态",),
        note="留空为待审批；已批准、未批准的须填审批组织和审批日期（只有上级党委可以审批）",
        choices=[str(label) for label in ReductionState.labels],
    ),
    org_ref("decided_by_org", "审批组织", ("审批党委",), note="提出组织的上级党组织编码"),
    Column("decided_on", "审批日期", clean_date),
    Column("decision_note", "审批意见", clean_long_text),
)
ARRANGEMENT_COLUMNS = (
    member_column("member", "党员编号", MEMBER_ALIASES),
    name_column(),
    month_column("first_month", "起始月份", required=True, note="自该月起按季交纳，写作 2025-01"),
    month_column("last_month", "截止月份", note="留空为长期"),
    Column("agreed_on", "支部同意日期", clean_date, ("同意日期",), required=True),
    note_column(),
)
CLOSE_COLUMNS = (
    org_ref("org", "党组织", ("党支部", "组织编码"), required=True),
    month_column("month", "月份", ("结账月份",), required=True, note="写作 2025-06"),
    Column("closed_on", "结账日期", clean_date, note="留空为今天"),
)
REMITTANCE_COLUMNS = (
    org_ref("org", "党组织", ("上缴组织", "组织编码"), required=True),
    Column(
        "period",
        "期间",
        clean_remittance_period,
        ("上缴期间",),
        required=True,
        note="全年 2025、半年 2025-H1、季度 2025-Q1 或月 2025-06",
        text=True,
    ),
    Column("amount", "上缴金额（元）", clean_money, ("上缴金额", "金额"), required=True),
    Column("remitted_on", "上缴日期", clean_date, note="留空为今天"),
    note_column(),
)
