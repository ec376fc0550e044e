"""Importing policy attachments and the holiday calendar (PLAT-04; issue 13 round trip).

政策挂接: one row per org with a policy of its own — a shipped policy attached as it is
(挂接内置政策), adopted by reference (引用内置政策, follows the shipped file's updates), or a
file of the org's own (本地文件, its TOML text in the row; a local copy of a shipped
policy is such a file). Written only through `compliance.domain`, so only admins of an
org above change an org's policy (`can_change_policy`; the root's from the command line).

节假日调整 and 已核对年份 correct the statutory calendar for every org alike: only the
command line or a superuser changes them; anyone may re-import them unchanged.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import CellError, choice_cleaner, clean_bool, clean_date, clean_int
from xianfeng.orgs.importers_support import Sheet, SheetImporter

from . import domain
from .models import CalendarYear, HolidayOverride, Policy
from .policy import PolicyError, parse_policy, shipped_files

ATTACHED = "attached"
FOLLOWS = "follows"
OWN = "own"
MODES = [(ATTACHED, "挂接内置政策"), (FOLLOWS, "引用内置政策"), (OWN, "本地文件")]
MODE_LABELS = dict(MODES)


def clean_file_text(value: Any) -> str:
    """A policy file kept as it is (line breaks and spaces matter in TOML)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CellError("政策文件应为文本（TOML）")
    return value.replace("\r\n", "\n")


@cache
def shipped_codes() -> frozenset[str]:
    return frozenset(
        parse_policy(path.read_text(encoding="utf-8")).code for path in shipped_files()
    )


POLICY_COLUMNS = (
    Column(
        "org",
        "党组织",
        aliases=("组织编码", "党组织编码", "适用组织"),
        required=True,
        text=True,
        note="填组织编码，或完整名称路径",
    ),
    Column(
        "mode",
        "方式",
        choice_cleaner(MODES, aliases={"挂接": ATTACHED, "引用": FOLLOWS, "本地副本": OWN}),
        required=True,
        choices=[label for _key, label in MODES],
    ),
    Column(
        "code",
        "政策编码",
        aliases=("编码",),
        required=True,
        text=True,
        note="内置政策的编码（如 004-gaibei）；本地文件填文件中的 code",
    ),
    Column(
        "text",
        "政策文件",
        clean_file_text,
        ("政策文件（TOML）",),
        note="仅“本地文件”填写：完整的 TOML 文本",
    ),
)


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or "无权修改该组织的政策"
    return "；".join(error.messages)


class _Policies(Sheet):
    columns = POLICY_COLUMNS

    def one(self, record: Record) -> str:
        org = self.org(record, scoped=False)
        if org is None or not self.unique(record, org.pk, "org"):
            return "error"
        v = record.values
        current = Policy.objects.filter(org=org).select_related("follows").first()
        write = self._plan(record, org, current)
        if write is None:
            return "error"
        if write == "unchanged":
            return "unchanged"
        try:
            if current is not None and current.code != self._code_after(record, org):
                domain.detach_policy(org=org, by=self.by)
            write()
        except (ValidationError, PermissionDenied) as error:
            return self.reject(record, "mode" if v["mode"] != OWN else "text", _refusal(error))
        return "created" if current is None else "updated"

    def _code_after(self, record: Record, org: Any) -> str:
        v = record.values
        return domain.own_code(org) if v["mode"] == FOLLOWS else v["code"]

    def _plan(self, record: Record, org: Any, current: Policy | None) -> Any:
        """The write the row asks for: a callable, "unchanged", or None (row error)."""
        v = record.values
        mode, code = v["mode"], v["code"]
        if mode != OWN and code not in shipped_codes() - {"national"}:
            choices = "、".join(sorted(shipped_codes() - {"national"}))
            return self.fail(record, "code", f"没有编码为“{code}”的内置政策；可选：{choices}")
        if mode == ATTACHED:
            if current is not None and current.code == code:
                return "unchanged"
            policy = Policy.objects.get(code=code)
            return lambda: domain.attach_policy(policy=policy, org=org, by=self.by)
        if mode == FOLLOWS:
            mine = current is not None and current.code == domain.own_code(org)
            if mine and current is not None and getattr(current.follows, "code", "") == code:
                return "unchanged"
            return lambda: domain.adopt_policy(org=org, code=code, by=self.by)
        return self._own(record, org, current)

    def _own(self, record: Record, org: Any, current: Policy | None) -> Any:
        v = record.values
        text, code = v.get("text", ""), v["code"]
        if not text:
            return self.fail(record, "text", "“本地文件”须填写政策文件")
        try:
            parsed = parse_policy(text)
        except PolicyError as error:
            return self.fail(record, "text", str(error))
        if parsed.code != code:
            return self.fail(record, "code", f"与政策文件中的编码“{parsed.code}”不一致")
        if code in shipped_codes():
            return self.fail(record, "code", "本地文件的编码不能与内置政策相同")
        taken = Policy.objects.filter(code=code).exclude(org=org).exclude(org__isnull=True)
        if taken.exists():
            return self.fail(record, "code", f"编码 {code} 已被另一份政策使用")
        same = current is not None and current.code == code and current.follows is None
        if same and current is not None and current.text == text:
            return "unchanged"
        return lambda: domain.save_policy(text=text, org=org, by=self.by)


class PolicyImporter(SheetImporter):
    kind = "policies"
    title = "政策挂接"
    sheet_names = ("政策", "政策参数", "policies")
    columns = POLICY_COLUMNS
    order = 95  # after orgs (and accounts: a change tells the admins above)
    sheet = _Policies


# --------------------------------------------------------------------------- calendar

CALENDAR_ONLY = "节假日安排适用于全部组织，只能由超级管理员或在命令行中修改"

HOLIDAY_COLUMNS = (
    Column("date", "日期", clean_date, required=True, note="调整的那一天"),
    Column(
        "is_workday",
        "是否工作日",
        clean_bool,
        ("工作日",),
        required=True,
        note="“是”：这天上班（如调休上班日）；“否”：这天放假",
        choices=["是", "否"],
    ),
    Column("note", "说明", aliases=("备注",)),
)
YEAR_COLUMNS = (
    Column(
        "year",
        "年份",
        lambda value: clean_int(value, min=1949, max=2200),
        required=True,
        note="已核对国务院办公厅放假安排的年份",
    ),
    Column("note", "备注", aliases=("说明",)),
)


class _Calendar(Sheet):
    """Rows keyed by one value; a change needs the command line or a superuser."""

    def may_change(self) -> bool:
        return self.by is None or bool(self.by.is_active and self.by.is_superuser)

    def settle(self, record: Record, stored: Any, fields: dict[str, Any], write: Any) -> str:
        if stored is not None and all(getattr(stored, k) == v for k, v in fields.items()):
            return "unchanged"
        if not self.may_change():
            return self.reject(record, self.columns[0].key, CALENDAR_ONLY)
        try:
            write()
        except (ValidationError, PermissionDenied) as error:
            return self.reject(record, self.columns[0].key, _refusal(error))
        return "created" if stored is None else "updated"


class _Holidays(_Calendar):
    columns = HOLIDAY_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        day: dt.date = v["date"]
        if not self.unique(record, day, "date"):
            return "error"
        fields = {"is_workday": v["is_workday"], "note": v.get("note", "")}
        stored = HolidayOverride.objects.filter(date=day).first()
        write = lambda: domain.override_day(date=day, by=self.by, **fields)  # noqa: E731
        return self.settle(record, stored, fields, write)


class _Years(_Calendar):
    columns = YEAR_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        if not self.unique(record, v["year"], "year"):
            return "error"
        fields = {"confirmed": True, "note": v.get("note", "")}
        stored = CalendarYear.objects.filter(year=v["year"]).first()
        write = lambda: domain.confirm_year(year=v["year"], note=fields["note"], by=self.by)  # noqa: E731
        return self.settle(record, stored, fields, write)


class HolidayImporter(SheetImporter):
    kind = "holidays"
    title = "节假日调整"
    sheet_names = ("节假日", "holidays")
    columns = HOLIDAY_COLUMNS
    order = 96
    sheet = _Holidays


class CalendarYearImporter(SheetImporter):
    kind = "calendar_years"
    title = "已核对年份"
    sheet_names = ("日历年份", "calendar_years")
    columns = YEAR_COLUMNS
    order = 97
    sheet = _Years
