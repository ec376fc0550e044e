"""Importing the records kept about orgs (PLAT-03): leadership seats and elections (ORG-04),
leaders' contact points and their visits (ORG-07), activity venues and party-affairs staff
(ORG-08), party-activity budgets and spending (ORG-09).

Every sheet names its org by code or full name path, as the member sheet does, and a member
by member code or ID number (masked in every error). Rows are written through
`orgs.domain` as they are read (elections and contact points at the end of their sheet,
oldest first), inside the import's single transaction. A row matching a stored record
writes nothing when it changes nothing, so re-importing a file, or an export, changes
nothing. Rows may only write into orgs the importing user may edit, and name only members
the user can see.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Column, Errors, Progress, Record
from xianfeng.lib.cells import (
    ID_AS_NUMBER_MESSAGE,
    CellError,
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_decimal,
    clean_int,
    clean_text,
    text_key,
)
from xianfeng.lib.cipher import lookup_hash
from xianfeng.lib.idcard import IdNumberError, mask_id_number, parse_id_number

from . import domain
from .importers import _full_names, _name_index, _path_key
from .models import (
    LEADERSHIP_KINDS,
    VENUE_ITEMS,
    ContactPoint,
    Org,
    SeatRole,
    VisitKind,
)

# --------------------------------------------------------------------------- cells

MONEY_LIMIT = Decimal("10000000000")  # 12 digits, 2 of them decimals (Budget.amount)
_CENT = Decimal("0.01")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+").fullmatch


def clean_member_ref(value: Any) -> str:
    """A member code or an ID number; numbers Excel has mangled are refused."""
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if number and abs(value) >= 10**14:
        raise CellError(ID_AS_NUMBER_MESSAGE)
    text = clean_text(value)
    if _SCIENTIFIC(text):
        raise CellError(ID_AS_NUMBER_MESSAGE)
    if len(text) == 18 and text.endswith("x"):
        text = text[:-1] + "X"
    return text


def clean_money(value: Any) -> Decimal | None:
    """Yuan with at most two decimals (fen), not negative: "1,234.50", "￥12.5", "12.5元"."""
    number = clean_decimal(value, places=6)  # float noise (0.30000000000000004) ends here
    if number is None:
        return None
    shown = clean_text(value)
    if number != number.quantize(_CENT):
        raise CellError(f"金额最多保留两位小数（精确到分），实际为“{shown}”")
    if number < 0:
        raise CellError(f"金额不能为负数，实际为“{shown}”")
    if number >= MONEY_LIMIT:
        raise CellError(f"金额“{shown}”过大，请核对（单位为元）")
    return number.quantize(_CENT)


def clean_payment(value: Any) -> Decimal | None:
    number = clean_money(value)
    if number is not None and number == 0:
        raise CellError("支出金额应大于0")
    return number


def clean_area(value: Any) -> Decimal | None:
    number = clean_decimal(value, places=1)
    if number is not None and number <= 0:
        raise CellError(f"面积应大于0，实际为“{clean_text(value)}”")
    return number


def clean_year(value: Any) -> int | None:
    return clean_int(value, min=2000, max=2100)


def clean_term_years(value: Any) -> int | None:
    return clean_int(value, min=0, max=10)


def clean_long_text(value: Any) -> str:
    """Multi-line text (a visit's summary): each line cleaned, line breaks kept."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else clean_text(value)
    lines = [
        clean_text(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return "\n".join(lines).strip("\n")


_FULL_TIME = choice_cleaner(
    [("1", "专职"), ("0", "兼职")], aliases={"专": "1", "全职": "1", "兼": "0", "兼任": "0"}
)


def clean_full_time(value: Any) -> bool | None:
    code = _FULL_TIME(value)
    return None if code == "" else code == "1"


_ROLE_WORDS = {
    "secretary": "党委书记 党支部书记 支部书记 党总支书记 总支书记",
    "deputy_secretary": "党委副书记 党支部副书记 支部副书记 党总支副书记 总支副书记",
    "committee_member": "党委委员 支部委员 支委 支委委员 党总支委员 总支委员 委员会委员",
}
ROLE_ALIASES = {word: role for role, words in _ROLE_WORDS.items() for word in words.split()}
VISIT_ALIASES = {
    "走访": "visit",
    "调研": "visit",
    "汇报": "report",
    "解决": "problem",
    "协调解决问题": "problem",
    "指导": "guidance",
}

# --------------------------------------------------------------------------- columns

ORG_NOTE = "填组织编码，或完整名称路径如“示范市委/东县县委/青山镇党委”"
MEMBER_NOTE = "填党员编号或18位身份证号（身份证号列请设为“文本”格式）"
NAME_NOTE = "可留空；填写时须与该党员登记的姓名一致（用于核对）"
ORG_ALIASES = ("党组织编码", "组织编码", "所在党组织", "组织", "组织名称")


def _org(
    key: str = "org",
    label: str = "党组织",
    aliases: tuple[str, ...] = ORG_ALIASES,
    required: bool = True,
    note: str = ORG_NOTE,
) -> Column:
    return Column(key, label, aliases=aliases, required=required, note=note, text=True)


def _member(key: str, label: str, aliases: tuple[str, ...], required: bool = True) -> Column:
    return Column(
        key, label, clean_member_ref, aliases, required=required, note=MEMBER_NOTE, text=True
    )


def _date(key: str, label: str, aliases: tuple[str, ...] = (), **options: Any) -> Column:
    return Column(key, label, clean_date, aliases, **options)


_YES_NO = ["是", "否"]
_ID_ALIASES = ("身份证号", "公民身份号码", "身份证号码", "党员编号或身份证号")

SEAT_COLUMNS = (
    _org(),
    Column(
        "role",
        "职务",
        choice_cleaner(SeatRole.choices, aliases=ROLE_ALIASES),
        ("班子职务", "职位", "任职职务"),
        required=True,
        choices=[str(label) for label in SeatRole.labels],
    ),
    Column(
        "title",
        "分工",
        aliases=("职责分工", "委员分工"),
        note="委员的分工，如组织委员、宣传委员、纪检委员",
    ),
    _member("member", "党员编号", ("任职党员", *_ID_ALIASES)),
    Column("name", "姓名", aliases=("党员姓名", "任职人"), note=NAME_NOTE),
    _date("started_on", "任职日期", ("任职时间", "任职开始日期"), required=True),
    _date("ended_on", "离任日期", ("离任时间", "免职日期", "卸任日期"), note="在任的留空"),
)
TERM_COLUMNS = (
    _org(),
    _date("elected_on", "选举日期", ("换届日期", "换届选举日期", "选举时间"), required=True),
    Column(
        "years",
        "任期（年）",
        clean_term_years,
        ("任期", "任期年限", "届期"),
        note="本次选举确定的任期；留空或0表示按政策参数确定",
    ),
    _date(
        "approved_extension_until",
        "经批准延期至",
        ("延期至", "批准延期至", "延期截止日期"),
        note="经上级党组织批准延期换届的，填延期截止日",
    ),
    Column("note", "备注", aliases=("届次", "说明")),
)
_LEADER = ("联系领导编号", "联系领导党员编号", "领导党员编号", "党员编号", *_ID_ALIASES)
_TARGET = ("联系党组织", "联系点党组织", "联系点", "联系的党组织编码")
_LEADERSHIP_ORG = ("班子党组织", "领导班子所在党组织", "所在班子", "党组织")
CONTACT_POINT_COLUMNS = (
    _org("org", "班子所在党组织", _LEADERSHIP_ORG, note="联系领导所在班子的党组织；" + ORG_NOTE),
    _member("leader", "联系领导", _LEADER),
    Column("leader_name", "联系领导姓名", aliases=("领导姓名", "姓名"), note=NAME_NOTE),
    _org("target", "联系的党组织", _TARGET, note="本组织下级的党组织（通常为党支部）；" + ORG_NOTE),
    _date("started_on", "建立日期", ("开始日期", "建立时间"), required=True),
    _date("ended_on", "结束日期", ("终止日期", "结束时间"), note="仍在联系的留空"),
    Column("note", "备注", aliases=("说明",)),
)
VISIT_COLUMNS = (
    _member("leader", "联系领导", _LEADER),
    Column("leader_name", "联系领导姓名", aliases=("领导姓名", "姓名"), note=NAME_NOTE),
    _org("target", "联系的党组织", _TARGET),
    _org(
        "org",
        "班子所在党组织",
        _LEADERSHIP_ORG,
        required=False,
        note="可留空；同一领导与同一组织有多个联系点时用于区分",
    ),
    _date("visited_on", "日期", ("活动日期", "走访日期", "时间"), required=True),
    Column(
        "kind",
        "方式",
        choice_cleaner(VisitKind.choices, aliases=VISIT_ALIASES),
        ("活动方式", "形式", "类型"),
        note="留空为走访调研",
        choices=[str(label) for label in VisitKind.labels],
    ),
    Column("summary", "内容", clean_long_text, ("活动内容", "内容摘要", "情况")),
)
VENUE_FLAGS = {**VENUE_ITEMS, "has_disclosure_board": "有党务公开栏", "shared": "供下属党组织共用"}
_FLAG_ALIASES = {"has_disclosure_board": ("党务公开栏",), "shared": ("共建共用", "共用")}
VENUE_COLUMNS = (
    _org(),
    Column("name", "阵地名称", aliases=("名称", "场所名称", "活动阵地名称"), required=True),
    Column("address", "地址", aliases=("详细地址", "所在地址")),
    Column("area_m2", "面积（平方米）", clean_area, ("面积", "使用面积", "面积（㎡）")),
    *(
        Column(
            key,
            label,
            clean_bool,
            _FLAG_ALIASES.get(key, (label.removeprefix("有"),)),
            choices=_YES_NO,
        )
        for key, label in VENUE_FLAGS.items()
    ),
    _date("checked_on", "核查日期", ("核查时间",)),
    _date("closed_on", "停用日期", ("停用时间",), note="仍在使用的留空"),
)
STAFF_COLUMNS = (
    _org(),
    Column("name", "姓名", aliases=("干部姓名",), note="填了党员编号的可留空"),
    _member("member", "党员编号", _ID_ALIASES, required=False),
    Column("position", "岗位", aliases=("岗位名称", "党务岗位")),
    Column(
        "full_time",
        "专职或兼职",
        clean_full_time,
        ("专兼职", "专职/兼职", "专职兼职", "性质"),
        required=True,
        choices=["专职", "兼职"],
    ),
    _date("started_on", "到岗日期", ("上岗日期", "开始日期", "到岗时间"), required=True),
    _date("ended_on", "离岗日期", ("离岗时间", "结束日期"), note="在岗的留空"),
)
BUDGET_COLUMNS = (
    _org(),
    Column("year", "年度", clean_year, ("预算年度", "年份"), required=True),
    Column(
        "amount",
        "预算金额（元）",
        clean_money,
        ("预算金额", "金额", "金额（元）", "预算（元）"),
        required=True,
        note="单位为元，最多两位小数",
    ),
    Column("note", "备注", aliases=("说明",)),
)
SPENDING_COLUMNS = (
    _org(),
    _date("spent_on", "支出日期", ("日期", "支出时间"), required=True),
    Column(
        "amount",
        "金额（元）",
        clean_payment,
        ("金额", "支出金额", "支出金额（元）"),
        required=True,
        note="单位为元，最多两位小数",
    ),
    Column("purpose", "用途", aliases=("支出用途", "事由", "摘要"), required=True),
)

# --------------------------------------------------------------------------- machinery


def _looks_like_id(text: str) -> bool:
    return len(text) in (15, 18) and text[:15].isdigit()


class _Sheet:
    """One import of one sheet kind: org and member look-ups, scope, errors and counts.

    `one(record)` handles a row and returns "created", "updated", "unchanged" or "error".
    """

    columns: tuple[Column, ...] = ()
    member_keys: tuple[str, ...] = ()
    fields: dict[str, str] = {}  # a domain error's field → this sheet's column key

    def __init__(self, errors: Errors, by: Any):
        self.errors, self.by = errors, by
        self.labels = {column.key: column.label for column in self.columns}
        orgs = list(Org.objects.all())
        self.org_by_code = {org.code: org for org in orgs}
        self.org_by_name = _name_index(orgs, _full_names({org.path: org for org in orgs}))
        self.members: dict[str, Any] = {}
        self.seen: dict[Any, int] = {}
        self.outcomes: Counter[str] = Counter()
        self.cache: dict[Any, Any] = {}

    def feed(self, records: list[Record]) -> None:
        self._load_members(records)
        for record in records:
            self.outcomes[self.one(record)] += 1

    def finish(self) -> dict[str, int]:
        return {key: self.outcomes[key] for key in ("created", "updated", "unchanged")}

    def one(self, record: Record) -> str:
        raise NotImplementedError

    # look-ups --------------------------------------------------------------------------

    def org(self, record: Record, key: str = "org", *, scoped: bool = True) -> Org | None:
        """The org a cell names, inside the user's scope (an org outside it reads exactly
        like one that does not exist); `scoped`: the user must also be able to edit it."""
        ref = record.values[key]
        org = self.org_by_code.get(ref) or self.org_by_name.get(_path_key(ref))
        if org is None or not is_within_scope(self.by, org.path):
            return self.fail(record, key, f"找不到党组织“{ref}”（请填编码或完整名称路径）")
        if scoped and not self.may_edit(org):
            return self.fail(record, key, f"您对“{org.name}”只有查看权限")
        return org

    def may_edit(self, org: Org) -> bool:
        return self.by is None or can_edit_org(self.by, org)

    def _load_members(self, records: list[Record]) -> None:
        from xianfeng.members.models import Member

        refs = {r.values.get(k) or "" for r in records for k in self.member_keys}
        refs -= {""} | set(self.members)
        found: dict[str, Any] = {}
        members = Member.objects.select_related("org")
        for batch in _batches(sorted(refs)):
            found |= {m.code: m for m in members.filter(code__in=batch)}
        digests = {}
        for ref in refs - set(found):
            number = _id_number(ref)
            if number:
                digests[lookup_hash(number)] = ref
        for batch in _batches(sorted(digests)):
            for member in members.filter(id_number_hmac__in=batch):
                found[digests[member.id_number_hmac]] = member
        self.members |= {ref: found.get(ref) for ref in refs}

    def member(self, record: Record, key: str, name_key: str = "") -> Any:
        """The member a cell names (code or ID number), checked against the name column."""
        ref = record.values[key]
        member = self.members.get(ref)
        if member is None or not is_within_scope(self.by, member.org.path):
            return self.fail(record, key, _unknown_member(ref))  # out of sight: not found
        name = record.values.get(name_key, "") if name_key else ""
        if name and text_key(name) != text_key(member.name):
            return self.fail(record, name_key, "姓名与该党员编号（身份证号）登记的姓名不一致")
        return member

    # checks ----------------------------------------------------------------------------

    def in_order(self, record: Record, start: str, end: str) -> bool:
        started, ended = record.values.get(start), record.values.get(end)
        if started and ended and ended < started:
            message = f"“{self.labels[end]}”不能早于“{self.labels[start]}”"
            return self.errors.add(record, None, self.labels[end], message)
        return True

    def unique(self, record: Record, key: Any, column: str) -> bool:
        first = self.seen.setdefault(key, record.row)
        if first != record.row:
            return self.errors.add(record, None, self.labels[column], f"与第 {first} 行重复")
        return True

    def differs(self, record: Record, key: str, stored: Any, shown: Any = None) -> bool:
        """A row disagreeing with the stored record on a field import does not change."""
        value = record.values.get(key)
        if value in (None, "") or value == _comparable(stored):
            return False
        current = stored if shown is None else shown
        self.errors.add(
            record,
            None,
            self.labels[key],
            f"与系统中已登记的“{current if current not in (None, '') else '（空）'}”不一致"
            "（修改请在页面上办理）",
        )
        return True

    # writes ----------------------------------------------------------------------------

    def call(self, record: Record, action: Callable[..., Any], **kwargs: Any) -> Any:
        """Run a domain function; its refusal becomes this row's error (None returned)."""
        try:
            return action(by=self.by, **kwargs)
        except ValidationError as error:
            self.report(record, error)
            return None

    def report(self, record: Record, error: ValidationError) -> None:
        messages = getattr(error, "message_dict", None) or {NON_FIELD_ERRORS: error.messages}
        for field, texts in messages.items():
            key = self.fields.get(field, field)
            column = self.labels.get(key, "")
            for text in texts:
                self.errors.add(record, None, column, text)

    def fail(self, record: Record, key: str, message: str) -> Any:
        """Report a row error in column `key`; None, for look-ups that found nothing."""
        self.errors.add(record, None, self.labels.get(key, key), message)
        return None

    def reject(self, record: Record, key: str, message: str) -> str:
        self.errors.add(record, None, self.labels.get(key, key), message)
        return "error"

    def stored(self, owner: Model, load: Callable[[Any], Any]) -> Any:
        """The stored records of `owner` (an org, a contact point), loaded once per import."""
        key = (owner._meta.label, owner.pk)
        if key not in self.cache:
            self.cache[key] = load(owner)
        return self.cache[key]


def _comparable(stored: Any) -> Any:
    """A stored value as the import's cleaning would have produced it."""
    return clean_text(stored) if isinstance(stored, str) else stored


def _batches(items: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _id_number(ref: str) -> str:
    if not _looks_like_id(ref):
        return ""
    try:
        return parse_id_number(ref).number
    except IdNumberError:
        return ""


def _unknown_member(ref: str) -> str:
    if len(ref) > 14 and ref[:14].isdigit() and not _looks_like_id(ref):
        # a mistyped ID number: shown masked like any other (issue 12, no clear numbers)
        return f"找不到党员编号或身份证号为“{mask_id_number(ref)}”的党员"
    if not _looks_like_id(ref):
        return f"找不到党员编号为“{ref}”的党员"
    try:
        parsed = parse_id_number(ref)
    except IdNumberError as error:
        return str(error)
    return f"找不到身份证号为 {parsed.masked} 的党员"


class SheetImporter:
    """The Importer protocol for a `_Sheet` subclass."""

    kind = ""
    title = ""
    sheet_names: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    order = 30
    sheet: type[_Sheet] = _Sheet

    def begin(self, *, by: Any, errors: Errors, progress: Progress | None) -> _Sheet:
        return self.sheet(errors, by)

    def apply(
        self, records: list[Record], *, by: Any, errors: Errors, progress: Progress | None
    ) -> dict[str, int]:
        run = self.begin(by=by, errors=errors, progress=progress)
        run.feed(records)
        return run.finish()


class _Chronological(_Sheet):
    """Rows checked as they are read, written at the end oldest first: the domain refuses
    some history out of order (an extension once a later election exists, a contact point
    while a later one of the same pair is open), so the file's order must not matter."""

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.pending: list[tuple[Any, Record]] = []

    def one(self, record: Record) -> str:
        found = self.check(record)
        if found is None:
            return "error"
        self.pending.append((found, record))
        return "pending"

    def finish(self) -> dict[str, int]:
        for found, record in sorted(self.pending, key=lambda p: self.when(*p)):
            self.outcomes[self.write(found, record)] += 1
        return super().finish()

    def check(self, record: Record) -> Any:
        raise NotImplementedError

    def when(self, found: Any, record: Record) -> Any:
        raise NotImplementedError

    def write(self, found: Any, record: Record) -> str:
        raise NotImplementedError


# --------------------------------------------------------------------------- 班子成员


class _Seats(_Sheet):
    columns = SEAT_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        org, member = self.org(record), self.member(record, "member", "name")
        if org is None or member is None or not self.in_order(record, "started_on", "ended_on"):
            return "error"
        if org.kind not in LEADERSHIP_KINDS:
            return self.reject(record, "org", f"{org.get_kind_display()}不设班子")
        key = (org.pk, v["role"], member.pk, v["started_on"])
        if not self.unique(record, key, "member"):
            return "error"
        seats = self.stored(org, lambda o: {_seat_key(s): s for s in o.seats.all()})
        seat = seats.get(key)
        if seat is None:
            return self._appoint(record, org, member)
        if self.differs(record, "title", seat.title):
            return "error"
        return _end(self, record, seat.ended_on, partial(domain.end_seat, seat=seat), "on")

    def _appoint(self, record: Record, org: Org, member: Any) -> str:
        v = record.values
        seat = self.call(
            record,
            domain.appoint_to_seat,
            org=org,
            role=v["role"],
            member=member,
            started_on=v["started_on"],
            title=v.get("title", ""),
        )
        if seat is None:
            return "error"
        if v.get("ended_on") and not self.call(
            record, domain.end_seat, seat=seat, on=v["ended_on"]
        ):
            return "error"
        return "created"


def _seat_key(seat: Any) -> tuple[Any, ...]:
    return (seat.org_id, seat.role, seat.member_id, seat.started_on)


def _end(sheet: _Sheet, record: Record, stored: Any, action: Any, argument: str) -> str:
    """End a stored record the row shows ended; "unchanged" when nothing is new."""
    ended = record.values.get("ended_on")
    if ended is None or ended == stored:
        return "unchanged"
    if stored is not None:
        sheet.differs(record, "ended_on", stored)
        return "error"
    return "updated" if sheet.call(record, action, **{argument: ended}) else "error"


class SeatImporter(SheetImporter):
    kind = "seats"
    title = "班子成员"
    sheet_names = ("班子", "班子成员名单", "领导班子", "seats")
    columns = SEAT_COLUMNS
    order = 30
    sheet = _Seats


# --------------------------------------------------------------------------- 换届记录


class _Terms(_Chronological):
    columns = TERM_COLUMNS
    fields = {"until": "approved_extension_until"}

    def check(self, record: Record) -> Org | None:
        org = self.org(record)
        if org is None or not self.unique(
            record, (org.pk, record.values["elected_on"]), "elected_on"
        ):
            return None
        return org

    def when(self, org: Org, record: Record) -> Any:
        return (record.values["elected_on"], org.path)

    def write(self, org: Org, record: Record) -> str:
        v = record.values
        terms = self.stored(org, lambda o: {t.elected_on: t for t in o.terms.all()})
        term = terms.get(v["elected_on"])
        outcome = "unchanged"
        if term is None:
            term = self.call(
                record,
                domain.record_election,
                org=org,
                elected_on=v["elected_on"],
                years=v.get("years") or 0,
                note=v.get("note", ""),
            )
            if term is None:
                return "error"
            terms[term.elected_on] = term
            outcome = "created"
        elif self.differs(record, "years", term.years) or self.differs(record, "note", term.note):
            return "error"
        until = v.get("approved_extension_until")
        if until and until != term.approved_extension_until:
            if not self.call(record, domain.approve_term_extension, term=term, until=until):
                return "error"
            outcome = "updated" if outcome == "unchanged" else outcome
        return outcome


class TermImporter(SheetImporter):
    kind = "terms"
    title = "换届记录"
    sheet_names = ("换届", "换届选举", "换届选举记录", "terms")
    columns = TERM_COLUMNS
    order = 30
    sheet = _Terms


# --------------------------------------------------------------------------- 联系点


class _ContactPoints(_Chronological):
    columns = CONTACT_POINT_COLUMNS
    member_keys = ("leader",)

    def check(self, record: Record) -> tuple[Org, Any, Org] | None:
        org, target = self.org(record), self.org(record, "target", scoped=False)
        leader = self.member(record, "leader", "leader_name")
        if org is None or target is None or leader is None:
            return None
        key = (org.pk, leader.pk, target.pk, record.values["started_on"])
        if not self.in_order(record, "started_on", "ended_on"):
            return None
        return (org, leader, target) if self.unique(record, key, "target") else None

    def when(self, found: tuple[Org, Any, Org], record: Record) -> Any:
        return record.values["started_on"]

    def write(self, found: tuple[Org, Any, Org], record: Record) -> str:
        org, leader, target = found
        key = (org.pk, leader.pk, target.pk, record.values["started_on"])
        points = self.stored(org, _points_by_key)
        point = points.get(key)
        if point is None:
            return self._add(record, org, leader, target)
        if self.differs(record, "note", point.note):
            return "error"
        action = partial(domain.end_contact_point, point)
        return _end(self, record, point.ended_on, action, "ended_on")

    def _add(self, record: Record, org: Org, leader: Any, target: Org) -> str:
        v = record.values
        point = self.call(
            record,
            domain.add_contact_point,
            org=org,
            leader=leader,
            target=target,
            started_on=v["started_on"],
            note=v.get("note", ""),
        )
        if point is None:
            return "error"
        ended = v.get("ended_on")
        if ended and not self.call(
            record, partial(domain.end_contact_point, point), ended_on=ended
        ):
            return "error"
        return "created"


def _points_by_key(org: Org) -> dict[tuple[Any, ...], ContactPoint]:
    points = org.leader_contact_points.all()
    return {(p.org_id, p.leader_id, p.target_id, p.started_on): p for p in points}


class ContactPointImporter(SheetImporter):
    kind = "contact_points"
    title = "联系点"
    sheet_names = ("领导联系点", "党建联系点", "contact_points")
    columns = CONTACT_POINT_COLUMNS
    order = 40  # the leader's seat first
    sheet = _ContactPoints


# --------------------------------------------------------------------------- 联系点活动


class _Visits(_Sheet):
    """A visit matches the contact point of its leader and target active that day; a row
    equal to a stored visit (date, kind, summary) is that visit, one row per stored visit."""

    columns = VISIT_COLUMNS
    member_keys = ("leader",)

    def one(self, record: Record) -> str:
        v = record.values
        leader = self.member(record, "leader", "leader_name")
        target = self.org(record, "target", scoped=False)
        org = self.org(record, scoped=False) if v.get("org") else None
        if leader is None or target is None or (v.get("org") and org is None):
            return "error"
        point = self._point(record, leader, target, org)
        if point is None:
            return "error"
        kind = v.get("kind") or VisitKind.VISIT
        key = (v["visited_on"], kind, v.get("summary", ""))
        pool = self.stored(point, _visit_pool)
        if pool[key] > 0:
            pool[key] -= 1
            return "unchanged"
        visit = self.call(
            record,
            domain.record_visit,
            contact_point=point,
            visited_on=v["visited_on"],
            kind=kind,
            summary=v.get("summary", ""),
        )
        return "created" if visit else "error"

    def _point(self, record: Record, leader: Any, target: Org, org: Org | None) -> Any:
        day = record.values["visited_on"]
        pair = (leader.pk, target.pk)
        if pair not in self.cache:
            query = ContactPoint.objects.select_related("org").filter(leader=leader, target=target)
            self.cache[pair] = list(query)
        points = [
            p
            for p in self.cache[pair]
            if p.started_on <= day
            and (p.ended_on is None or day <= p.ended_on)
            and (org is None or p.org_id == org.pk)
            and self.may_edit(p.org)  # a point kept above reads as no point at all
        ]
        if not points:
            return self.fail(
                record,
                "target",
                f"{leader.name}在 {day} 没有以“{target.name}”为联系点"
                "（请先在“联系点”工作表或联系点页面登记）",
            )
        if len(points) > 1:
            return self.fail(record, "org", "该领导与该组织有多个联系点，请填写班子所在党组织")
        return points[0]


def _visit_pool(point: ContactPoint) -> Counter[tuple[Any, ...]]:
    return Counter(
        (visit.visited_on, visit.kind, clean_long_text(visit.summary))
        for visit in point.visits.all()
    )


class VisitImporter(SheetImporter):
    kind = "visits"
    title = "联系点活动"
    sheet_names = ("联系点活动记录", "走访记录", "visits")
    columns = VISIT_COLUMNS
    order = 50  # the contact point first
    sheet = _Visits


# --------------------------------------------------------------------------- 活动阵地

VENUE_KEYS = ("address", "area_m2", *VENUE_FLAGS, "checked_on", "closed_on")


class _Venues(_Sheet):
    columns = VENUE_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.unique(record, (org.pk, text_key(v["name"])), "name"):
            return "error"
        fields = {k: v[k] for k in VENUE_KEYS if v.get(k) not in (None, "")}
        venues = self.stored(org, _venues_by_name)
        venue = venues.get(text_key(v["name"]))
        if venue is None:
            saved = self.call(record, domain.save_venue, org=org, name=v["name"], **fields)
            return "created" if saved else "error"
        changes = {k: x for k, x in fields.items() if _comparable(getattr(venue, k)) != x}
        if not changes:
            return "unchanged"
        saved = self.call(record, domain.save_venue, org=org, venue=venue, **changes)
        return "updated" if saved else "error"


def _venues_by_name(org: Org) -> dict[str, Any]:
    venues: dict[str, Any] = {}
    for venue in org.venues.order_by("pk"):
        venues.setdefault(text_key(venue.name), venue)
    return venues


class VenueImporter(SheetImporter):
    kind = "venues"
    title = "活动阵地"
    sheet_names = ("阵地", "党员活动阵地", "活动场所", "venues")
    columns = VENUE_COLUMNS
    order = 30
    sheet = _Venues


# --------------------------------------------------------------------------- 党务干部


class _Staff(_Sheet):
    """A post is matched by org, holder's name and start date."""

    columns = STAFF_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        member = self.member(record, "member", "name") if v.get("member") else None
        if org is None or (v.get("member") and member is None):
            return "error"
        name = v.get("name") or (member.name if member else "")
        if not name:
            return self.reject(record, "name", "请填写姓名或党员编号")
        key = (text_key(name), v["started_on"])
        if not self.in_order(record, "started_on", "ended_on") or not self.unique(
            record, (org.pk, *key), "name"
        ):
            return "error"
        posts = self.stored(org, _posts_by_holder)
        post = posts.get(key)
        if post is None:
            return self._add(record, org, member, name)
        if member is not None and post.member_id != member.pk:
            holder = f"编号 {post.member.code}" if post.member else "未关联党员"
            message = f"与系统中已登记的党务干部（{holder}）不一致（修改请在页面上办理）"
            return self.reject(record, "member", message)
        if self.differs(record, "position", post.position) or self.differs(
            record, "full_time", post.full_time, "专职" if post.full_time else "兼职"
        ):
            return "error"
        action = partial(domain.end_staff_post, post)
        return _end(self, record, post.ended_on, action, "ended_on")

    def _add(self, record: Record, org: Org, member: Any, name: str) -> str:
        v = record.values
        post = self.call(
            record,
            domain.add_staff_post,
            org=org,
            name=name,
            member=member,
            position=v.get("position", ""),
            full_time=v["full_time"],
            started_on=v["started_on"],
        )
        if post is None:
            return "error"
        ended = v.get("ended_on")
        if ended and not self.call(record, partial(domain.end_staff_post, post), ended_on=ended):
            return "error"
        return "created"


def _posts_by_holder(org: Org) -> dict[tuple[str, Any], Any]:
    posts = org.staff_posts.select_related("member")
    return {(text_key(post.name), post.started_on): post for post in posts}


class StaffImporter(SheetImporter):
    kind = "staff"
    title = "党务干部"
    sheet_names = ("党务工作者", "党务干部名单", "党务工作人员", "staff")
    columns = STAFF_COLUMNS
    order = 30
    sheet = _Staff


# --------------------------------------------------------------------------- 经费


class _Budgets(_Sheet):
    columns = BUDGET_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.unique(record, (org.pk, v["year"]), "year"):
            return "error"
        budgets = self.stored(org, lambda o: {b.year: b for b in o.budgets.all()})
        budget = budgets.get(v["year"])
        note = v.get("note") or (budget.note if budget else "")
        if budget and budget.amount == v["amount"] and _comparable(budget.note) == clean_text(note):
            return "unchanged"
        saved = self.call(
            record, domain.set_budget, org=org, year=v["year"], amount=v["amount"], note=note
        )
        if saved is None:
            return "error"
        budgets[saved.year] = saved
        return "created" if budget is None else "updated"


class BudgetImporter(SheetImporter):
    kind = "budgets"
    title = "党建活动经费预算"
    sheet_names = ("经费预算", "党建经费预算", "活动经费预算", "budgets")
    columns = BUDGET_COLUMNS
    order = 30
    sheet = _Budgets


class _Spending(_Sheet):
    """A row equal to a stored payment (date, amount, purpose) is that payment, one row
    per stored payment: two equal payments are two rows."""

    columns = SPENDING_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        pool = self.stored(org, _spending_pool)
        key = (v["spent_on"], v["amount"], v["purpose"])
        if pool[key] > 0:
            pool[key] -= 1
            return "unchanged"
        saved = self.call(
            record,
            domain.record_spending,
            org=org,
            spent_on=v["spent_on"],
            amount=v["amount"],
            purpose=v["purpose"],
        )
        return "created" if saved else "error"


def _spending_pool(org: Org) -> Counter[tuple[Any, ...]]:
    return Counter((s.spent_on, s.amount, clean_text(s.purpose)) for s in org.spendings.all())


class SpendingImporter(SheetImporter):
    kind = "spending"
    title = "党建活动经费支出"
    sheet_names = ("经费支出", "党建经费支出", "活动经费支出", "spending")
    columns = SPENDING_COLUMNS
    order = 30
    sheet = _Spending
