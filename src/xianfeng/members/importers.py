"""Importing members from a workbook (PLAT-03, MEM-01, MEM-02, MEM-05).

Rows are matched to existing members by member code or, without a code, by ID number
(through its HMAC). New members are validated exactly like `register_member` and added in
bulk; changed members go through `update_member` / `set_member_status`; a changed org is
recorded as a transfer; unchanged rows write nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Column, Errors, Progress, Record
from xianfeng.lib.cells import (
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_id_text,
    clean_multi_choice,
    clean_text,
)
from xianfeng.lib.cipher import lookup_hasher
from xianfeng.lib.dates import today
from xianfeng.lib.idcard import IdNumberError, parse_id_number
from xianfeng.lib.sql import small_page_cache
from xianfeng.orgs.models import Org, OrgKind

from .codes import ETHNICITY_CHOICES, Education, Gender
from .domain import (
    MIN_AGE_AT_JOINING,
    NewMember,
    bulk_register_members,
    move_member_by_import,
    set_member_status,
    update_member,
)
from .id_duplicates import answer_elsewhere, refuse_over_limit, remaining_answers
from .models import Category, Flag, LeftReason, Member, Status

STATUS_ALIASES = {
    "正式": "full",
    "预备": "probationary",
    "中共党员": "full",
    "中共预备党员": "probationary",
    "01": "full",
    "02": "probationary",
    "停止党籍党员": "suspended",
    "失去联系": "lost_contact",
    "失联党员": "lost_contact",
}
EDUCATION_ALIASES = {
    "博士": "10",
    "硕士": "10",
    "博士研究生": "10",
    "硕士研究生": "10",
    "研究生教育": "10",
    "本科": "20",
    "大学": "20",
    "大专": "30",
    "专科": "30",
    "中专": "40",
    "中技": "40",
    "职高": "40",
    "高中": "60",
    "初中及以下": "70",
    "小学及以下": "80",
}
CATEGORY_ALIASES = {
    "在职": "in_service",
    "农村": "rural",
    "农民": "rural",
    "离退休": "retired",
    "退休": "retired",
    "年老体弱": "frail",
    "流动": "mobile",
    "学生": "student",
}
GENDER_ALIASES = {"男性": "1", "女性": "2"}
UPDATABLE = (
    "name",
    "ethnicity",
    "education",
    "occupation",
    "phone",
    "category",
    "leading_cadre",
    "joined_on",
    "full_on",
    "flags",
)
# A member's fields a row is compared with, in the order `_fingerprint` takes them (then
# flags, read as JSON text: UPDATABLE's last).
STORED = ("org_id", "party_group_id", "status", *UPDATABLE[:-1])
_DATES = [STORED.index("joined_on"), STORED.index("full_on")]
_BOOL = STORED.index("leading_cadre")


def _fingerprint(fields: tuple[Any, ...]) -> bytes:
    """A 128-bit digest of a member's compared fields (STORED, then flags), as the model
    holds them: 16 bytes a member instead of its fields. Equal digests are equal fields (a
    collision is as likely as guessing a 128-bit key); a row whose digest differs is
    compared field by field when it is applied, so a digest never decides a change."""
    return hashlib.blake2b(repr(fields).encode(), digest_size=16).digest()


def _ethnicity(value: Any) -> str:
    text = clean_text(value)
    if text and not text.endswith("族") and len(text) <= 4 and not text.isdigit():
        text += "族"
    return _ETHNICITY(text)


_ETHNICITY = choice_cleaner(ETHNICITY_CHOICES, aliases={"汉": "01"})


def _flags(value: Any) -> list[str]:
    return clean_multi_choice(value, _FLAG_CHOICES)


_FLAG_CHOICES = list(Flag.choices)


COLUMNS = (
    Column(
        "code",
        "党员编号",
        aliases=("编号", "人员编号"),
        text=True,
        note="本系统内唯一；留空时按身份证号匹配已有党员，新党员自动编号",
    ),
    Column("name", "姓名", aliases=("党员姓名",), required=True),
    Column(
        "id_number",
        "身份证号",
        clean_id_text,
        ("公民身份号码", "身份证号码", "公民身份证号", "证件号码"),
        required=True,
        text=True,
        note="18位；请把该列设为“文本”格式，否则 Excel 会把它变成科学计数法",
    ),
    Column(
        "gender",
        "性别",
        choice_cleaner(Gender.choices, aliases=GENDER_ALIASES),
        choices=["男", "女"],
        note="可留空，按身份证号推定",
    ),
    Column("birth_date", "出生日期", clean_date, ("出生年月",), note="可留空，按身份证号推定"),
    Column("ethnicity", "民族", _ethnicity, choices=[n for _c, n in ETHNICITY_CHOICES[:10]]),
    Column(
        "education",
        "学历",
        choice_cleaner(Education.choices, aliases=EDUCATION_ALIASES),
        ("文化程度", "学历层次", "最高学历"),
        choices=[str(x) for x in Education.labels],
    ),
    Column("occupation", "职业", aliases=("工作岗位", "职业（岗位）", "岗位", "工作单位及职务")),
    Column("phone", "联系电话", aliases=("手机号码", "手机", "电话", "联系方式"), text=True),
    Column(
        "org",
        "所在党组织",
        aliases=("所在党支部", "党组织编码", "所在党组织编码", "党支部", "所在支部", "组织编码"),
        required=True,
        note="填党支部编码，或完整名称路径如“示范市委/东县县委/青山村党支部”",
    ),
    Column("party_group", "党小组", aliases=("所在党小组",)),
    Column("joined_on", "入党日期", clean_date, ("加入党组织日期", "入党时间"), required=True),
    Column("full_on", "转正日期", clean_date, ("转为正式党员日期", "转正时间")),
    Column(
        "status",
        "党籍状态",
        choice_cleaner(Status.choices, aliases=STATUS_ALIASES),
        ("人员类别", "党员状态", "状态"),
        choices=[str(x) for x in Status.labels],
        note="留空时：有转正日期为正式党员，否则为预备党员",
    ),
    Column(
        "status_since",
        "状态日期",
        clean_date,
        ("出党日期", "停止党籍日期", "失联日期"),
        note="停止党籍、失联、出党的起始日期",
    ),
    Column(
        "left_reason",
        "出党原因",
        choice_cleaner(LeftReason.choices),
        choices=[str(x) for x in LeftReason.labels],
    ),
    Column(
        "category",
        "党员类别",
        choice_cleaner(Category.choices, aliases=CATEGORY_ALIASES),
        ("分类", "党员分类"),
        choices=[str(x) for x in Category.labels],
    ),
    Column(
        "flags",
        "其他标识",
        _flags,
        note="可填多个，用顿号分隔：" + "、".join(str(x) for x in Flag.labels),
    ),
    Column(
        "leading_cadre",
        "党员领导干部",
        clean_bool,
        ("是否党员领导干部", "领导干部"),
        choices=["是", "否"],
    ),
    Column(
        "note",
        "状态变更理由",
        aliases=("变更理由", "停止党籍理由"),
        note="把已登记党员改为停止党籍，或因除名、开除党籍出党时必填",
    ),
)
LABELS = {column.key: column.label for column in COLUMNS}


class MemberImporter:
    kind = "members"
    title = "党员"
    sheet_names = ("党员信息", "党员名册", "members")
    columns = COLUMNS
    order = 20

    def apply(
        self, records: list[Record], *, by: Any, errors: Errors, progress: Progress | None
    ) -> dict[str, int]:
        return _Applier(records, errors, by, progress).run()

    def begin(self, *, by: Any, errors: Errors, progress: Progress | None) -> _Applier:
        return _Applier([], errors, by, progress)


class _Applier:
    def __init__(self, records: list[Record], errors: Errors, by: Any, progress: Progress | None):
        self.records, self.errors, self.by, self.progress = records, errors, by, progress
        orgs = list(Org.objects.only("pk", "code", "name", "path", "kind", "dissolved_on"))
        self.org_by_code = {o.code: o for o in orgs}
        self.org_by_path = {o.path: o for o in orgs}
        self.org_by_name = _org_name_index(orgs)
        self.existing_codes: dict[str, int] = {}
        self.existing_hmacs: dict[str, str] = {}
        self.stored: dict[str, bytes] = {}  # code → its compared fields' `_fingerprint`
        self._load_stored()
        self.seen_codes: dict[str, int] = {}
        self.seen_hmacs: dict[str, int] = {}
        self.new: list[NewMember] = []
        self.scope_codes: set[str] | None = None
        self.answers_left: int | None = None  # duplicate answers the user may still get today
        self.day = today()  # once: the time-zone lookup costs more than the checks
        self.changed: list[tuple[Record, str, dict]] = []
        self.unchanged = self.created = self.seen = 0
        self.codes: Any = None
        self.generated: set[str] = set()
        self.groups: dict[tuple[int, str], Org] = {}
        self.hash = lookup_hasher()

    FLUSH = 5000  # validated new members written in chunks while the file is still read

    def _load_stored(self) -> None:
        """Every member's compared fields in one read, as a fingerprint, so that an
        unchanged row is recognised as it is read, without loading its member (a
        re-imported roster) and without holding every member's fields.

        Read with a plain cursor: Django's per-value converters cost more than the rest of
        a row's check. Dates a driver gives as text are parsed, booleans given as 0/1 made
        bool, flags decoded once per distinct text."""
        query = Member.objects.annotate(flags_text=Cast("flags", TextField()))
        sql, params = query.values_list(
            "code", "pk", "id_number_hmac", *STORED, "flags_text"
        ).query.sql_with_params()
        lists: dict[str | None, list[str]] = {}
        with small_page_cache(), connection.chunked_cursor() as cursor:  # streamed on PG
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(5000):
                for code, pk, digest, *fields, flags in rows:
                    for index in _DATES:
                        if isinstance(fields[index], str):
                            fields[index] = dt.date.fromisoformat(fields[index])
                    fields[_BOOL] = bool(fields[_BOOL])
                    if flags not in lists:
                        lists[flags] = json.loads(flags or "[]")
                    self.existing_codes[code] = pk
                    self.existing_hmacs[digest] = code
                    self.stored[code] = _fingerprint((*fields, lists[flags]))

    def run(self) -> dict[str, int]:
        self.feed(self.records)
        return self.finish()

    def feed(self, records: list[Record]) -> None:
        """Validate rows as they arrive; write new members in chunks while all is well
        (the enclosing transaction rolls everything back if any row is wrong)."""
        for record in records:
            self.unchanged += self._one(record) == "unchanged"
            self.seen += 1
            if self.progress and self.seen % 5000 == 0:
                self.progress(self.seen, 0, f"已校验 {self.seen} 名党员")
            if len(self.new) >= self.FLUSH and not self.errors:
                self._flush()

    def _flush(self) -> None:
        if self.codes is None:
            self.codes = self._next_code()
        bulk_register_members(new=self.new, by=self.by, next_code=self.codes)
        self.created += len(self.new)
        self.new = []

    def finish(self) -> dict[str, int]:
        if self.errors:
            return {}
        self._flush()
        updated = 0
        for start in range(0, len(self.changed), 2000):  # one query per 2,000 matched rows
            batch = self.changed[start : start + 2000]
            found = Member.objects.select_related("org").filter(code__in=[c for _r, c, _x in batch])
            members = {m.code: m for m in found}
            updated += sum(self._apply_change(r, members[c], x) for r, c, x in batch)
        return {
            "created": self.created,
            "updated": updated,
            "unchanged": self.unchanged + len(self.changed) - updated,
        }

    def _next_code(self) -> Any:
        number = Member.objects.count()
        taken = set(self.existing_codes) | set(self.seen_codes)

        def next_code() -> str:
            nonlocal number
            while True:
                number += 1
                code = f"P{number:08d}"
                if code not in taken and code not in self.seen_codes:
                    taken.add(code)
                    self.generated.add(code)
                    return code

        return next_code

    def _one(self, record: Record) -> str:
        values = record.values
        org = self._org(record)
        identity = self._identity(record)
        if org is None or identity is None or not self._unique_in_file(record, identity[0]):
            return "error"
        code = values.get("code", "")
        if not self._may_check_number(record, org, identity[0]):
            return "error"
        existing_code = self.existing_hmacs.get(identity[0])
        if existing_code is not None:
            return self._existing(record, code, existing_code, org, identity[0])
        if code in self.existing_codes and not self._in_scope(code):
            return self._fail(record, "code", f"党员编号 {code} 已被使用，请换一个编号")
        if code in self.existing_codes:
            self.errors.add(
                record,
                None,
                LABELS["id_number"],
                f"党员编号 {code} 已登记的身份证号与本行不一致（更正身份证号请在党员页面办理）",
            )
            return "error"
        return self._new(record, org, identity)

    def _may_check_number(self, record: Record, org: Org, digest: str) -> bool:
        """False (with the row's error) once the account had the day's limit of answers
        about numbers on file elsewhere (counted once per import, then kept here)."""
        if self.answers_left is None:
            self.answers_left = remaining_answers(self.by)
        if self.answers_left > 0:
            return True
        try:
            refuse_over_limit(by=self.by, org=org, digest=digest)
        except ValidationError as error:
            return self.errors.add(record, None, LABELS["id_number"], error.messages[0])
        return True

    def _existing(
        self, record: Record, code: str, existing_code: str, org: Org, digest: str
    ) -> str:
        if not self._in_scope(existing_code):  # never name a member out of sight
            message = answer_elsewhere(by=self.by, org=org, digest=digest)
            self.answers_left = (self.answers_left or 0) - 1
            self.errors.add(record, None, LABELS["id_number"], message)
            return "error"
        if code and code != existing_code:
            self.errors.add(
                record, None, LABELS["id_number"], f"该身份证号已登记在党员编号 {existing_code} 下"
            )
            return "error"
        if self._unchanged(record, existing_code, org):
            return "unchanged"
        self.changed.append((record, existing_code, {"org": org}))
        return "pending"

    def _unchanged(self, record: Record, code: str, org: Org) -> bool:
        """The row holds exactly its member's compared fields (a row that leaves a field
        empty, or differs, is compared field by field as it is applied)."""
        try:
            group = self._party_group(record, org)
        except ValidationError:  # reported when the row is applied
            return False
        values = record.values
        row = (
            org.pk,
            group.pk if group is not None else None,
            values.get("status"),
            *(values.get(key) for key in UPDATABLE),
        )
        return _fingerprint(row) == self.stored[code]

    def _in_scope(self, code: str) -> bool:
        if self.by is None or self.by.is_superuser:
            return True
        if self.scope_codes is None:
            from .queries import members_for_user

            self.scope_codes = set(members_for_user(self.by).values_list("code", flat=True))
        return code in self.scope_codes

    def _org(self, record: Record) -> Org | None:
        ref = record.values["org"]
        org = self.org_by_code.get(ref) or self.org_by_name.get(_name_key(ref))
        if org is None or not is_within_scope(self.by, org.path):  # one answer for both
            return self._fail(record, "org", f"找不到党组织“{ref}”（请填编码或完整名称路径）")
        if org.kind not in {OrgKind.BRANCH, OrgKind.JOINT_BRANCH}:
            return self._fail(
                record,
                "org",
                f"党员只能编入党支部或联合党支部，“{org.name}”是{org.get_kind_display()}",
            )
        # a member who left stays in the branch left from, even once it is dissolved
        if org.dissolved_on is not None and record.values.get("status") != Status.LEFT:
            return self._fail(record, "org", f"“{org.name}”已撤销，不能编入党员")
        if self.by is not None and not can_edit_org(self.by, org):
            return self._fail(record, "org", f"您对“{org.name}”只有查看权限")
        return org

    def _fail(self, record: Record, key: str, message: str) -> Any:
        self.errors.add(record, None, LABELS[key], message)
        return None

    def _identity(self, record: Record) -> tuple[str, Any] | None:
        values = record.values
        try:
            parsed = parse_id_number(values["id_number"], today=self.day)
        except IdNumberError as error:
            return self._fail(record, "id_number", str(error))
        if values.get("gender") and values["gender"] != parsed.gender:
            return self._fail(record, "gender", "性别与身份证号不一致（第17位奇数为男、偶数为女）")
        if values.get("birth_date") and values["birth_date"] != parsed.birth_date:
            return self._fail(
                record,
                "birth_date",
                f"出生日期与身份证号不一致（身份证号显示为{parsed.birth_date:%Y-%m-%d}）",
            )
        return self.hash(parsed.number), parsed

    def _unique_in_file(self, record: Record, digest: str) -> bool:
        code = record.values.get("code", "")
        if digest in self.seen_hmacs:
            return self.errors.add(
                record, None, LABELS["id_number"], f"身份证号与第 {self.seen_hmacs[digest]} 行重复"
            )
        if code and code in self.generated:
            return self.errors.add(
                record,
                None,
                LABELS["code"],
                f"党员编号 {code} 已分配给本文件中前面未填编号的党员，请换一个编号",
            )
        if code and code in self.seen_codes:
            return self.errors.add(
                record, None, LABELS["code"], f"党员编号 {code} 与第 {self.seen_codes[code]} 行重复"
            )
        self.seen_hmacs[digest] = record.row
        if code:
            self.seen_codes[code] = record.row
        return True

    def _new(self, record: Record, org: Org, identity: tuple[str, Any]) -> str:
        values = record.values
        digest, parsed = identity
        try:
            group = self._party_group(record, org)
            member = _new_member(values, org, parsed, digest, group, self.day)
        except ValidationError as error:
            return self._report(record, error)
        self.new.append(member)
        return "created"

    def _party_group(self, record: Record, org: Org) -> Org | None:
        ref = record.values.get("party_group", "")
        if not ref:
            return None
        key = (org.pk, ref)  # a branch's few groups, named on many rows
        if key not in self.groups:
            self.groups[key] = self._find_party_group(ref, org)
        return self.groups[key]

    def _find_party_group(self, ref: str, org: Org) -> Org:
        for candidate in (
            self.org_by_code.get(ref),
            self.org_by_name.get(_name_key(f"{org.code}/{ref}")),
        ):
            if (
                candidate is not None
                and candidate.path[: -Org.steplen] == org.path
                and candidate.kind == OrgKind.PARTY_GROUP
            ):
                return candidate
        raise ValidationError({"party_group": f"“{org.name}”下没有党小组“{ref}”"})

    def _report(self, record: Record, error: ValidationError) -> str:
        for field, messages in getattr(error, "message_dict", {"": error.messages}).items():
            for message in messages:
                self.errors.add(record, None, LABELS.get(field, field), message)
        return "error"

    def _apply_change(self, record: Record, member: Member, extra: dict) -> bool:
        try:
            return _update_existing(
                member,
                record.values,
                extra["org"],
                self._group_or_none(record, extra["org"]),
                self.by,
            )
        except ValidationError as error:
            self._report(record, error)
            return False

    def _group_or_none(self, record: Record, org: Org) -> Org | None:
        return self._party_group(record, org)


def _new_member(
    values: dict, org: Org, parsed: Any, digest: str, party_group: Org | None, day: dt.date
) -> NewMember:
    joined_on: dt.date = values["joined_on"]
    full_on = values.get("full_on")
    status = values.get("status") or ("full" if full_on else "probationary")
    since = values.get("status_since")
    if joined_on > day:
        raise ValidationError({"joined_on": "入党日期不能晚于今天"})
    from xianfeng.lib.idcard import age_on

    if age_on(parsed.birth_date, joined_on) < MIN_AGE_AT_JOINING:
        raise ValidationError(
            {"joined_on": "入党时应年满十八周岁（党章第一条），请核对入党日期或身份证号"}
        )
    if status == Status.FULL and not full_on:
        raise ValidationError({"full_on": "正式党员须填写转正日期"})
    if full_on and full_on <= joined_on:
        raise ValidationError({"full_on": "转正日期应晚于入党日期"})
    if status == Status.PROBATIONARY and full_on:
        raise ValidationError({"full_on": "预备党员不应有转正日期"})
    if status in {Status.SUSPENDED, Status.LOST_CONTACT, Status.LEFT}:
        if since is None:
            raise ValidationError({"status_since": f"“{Status(status).label}”须填写状态日期"})
        if since < (full_on or joined_on) or since > day:
            raise ValidationError({"status_since": "状态日期应在入党（转正）日期之后、今天之前"})
    if status == Status.LEFT and not values.get("left_reason"):
        raise ValidationError({"left_reason": "出党须填写出党原因"})
    _check_lengths(values)
    return NewMember(
        org=org,
        code=values.get("code", ""),
        name=values["name"],
        number=parsed.number,
        digest=digest,
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        joined_on=joined_on,
        full_on=full_on,
        status=status,
        status_since=since,
        left_reason=values.get("left_reason", "") if status == Status.LEFT else "",
        party_group=party_group,
        fields={
            k: values[k]
            for k in (
                "ethnicity",
                "education",
                "occupation",
                "phone",
                "category",
                "flags",
                "leading_cadre",
            )
            if values.get(k) not in (None, "")
        },
    )


def _check_lengths(values: dict) -> None:
    for key in ("name", "occupation", "phone", "code"):
        limit = getattr(Member._meta.get_field(key), "max_length", None)
        if limit and len(values.get(key) or "") > limit:
            raise ValidationError({key: f"“{LABELS[key]}”不能超过 {limit} 个字"})


def _update_existing(member: Member, values: dict, org: Org, group: Org | None, by: Any) -> bool:
    """Apply one row to an existing member; True if anything changed."""
    changed = False
    if org.pk != member.org_id:
        move_member_by_import(member=member, to_org=org, by=by)
        changed = True
    changes = {
        k: values[k]
        for k in UPDATABLE
        if k in values and values[k] not in (None, "") and getattr(member, k) != values[k]
    }
    if group is not None and member.party_group_id != group.pk:
        changes["party_group"] = group
    if changes:
        update_member(member=member, by=by, **changes)
        changed = True
    status = values.get("status")
    if status and status != member.status:
        set_member_status(
            member=member,
            status=status,
            on=values.get("status_since") or today(),
            reason=values.get("left_reason", ""),
            note=values.get("note") or "",
            by=by,
        )
        changed = True
    return changed


def _name_key(text: str) -> str:
    from xianfeng.orgs.naming import name_path_key

    return name_path_key(text)


def _org_name_index(orgs: list[Org]) -> dict[str, Org]:
    """Orgs by full name path and by bare name when unique; groups also by "<branch code>/<name>"."""
    from xianfeng.orgs.naming import full_name_paths, orgs_by_name_path

    by_path = {o.path: o for o in orgs}
    index = orgs_by_name_path(orgs, full_name_paths(by_path))
    for org in orgs:
        parent = by_path.get(org.path[: -Org.steplen])
        if org.kind == OrgKind.PARTY_GROUP and parent is not None:
            index[_name_key(f"{parent.code}/{org.name}")] = org
    return index
