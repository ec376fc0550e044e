"""The machinery every record sheet shares (PLAT-03): `Sheet`, one import of one sheet kind
with its org and member look-ups, scope checks, errors and counts; `SheetImporter`, the
Importer protocol around it; and the org, member and date columns the sheets have in common.

Other apps' record sheets (accounts, compliance, members history, org life, study) are
built on the same classes and columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Column, Errors, Progress, Record
from xianfeng.lib.cells import clean_date, clean_text, text_key
from xianfeng.lib.cipher import lookup_hash
from xianfeng.lib.idcard import IdNumberError, mask_id_number, parse_id_number

from ..models import Org
from ..naming import full_name_paths, name_path_key, orgs_by_name_path
from .cells import clean_member_ref

# --------------------------------------------------------------------------- columns

ORG_NOTE = "填组织编码，或完整名称路径如“示范市委/东县县委/青山镇党委”"
MEMBER_NOTE = "填党员编号或18位身份证号（身份证号列请设为“文本”格式）"
NAME_NOTE = "可留空；填写时须与该党员登记的姓名一致（用于核对）"
ORG_ALIASES = ("党组织编码", "组织编码", "所在党组织", "组织", "组织名称")
ID_ALIASES = ("身份证号", "公民身份号码", "身份证号码", "党员编号或身份证号")


def org_column(
    key: str = "org",
    label: str = "党组织",
    aliases: tuple[str, ...] = ORG_ALIASES,
    required: bool = True,
    note: str = ORG_NOTE,
) -> Column:
    """A column naming an org by code or full name path (`Sheet.org` resolves it)."""
    return Column(key, label, aliases=aliases, required=required, note=note, text=True)


def member_column(key: str, label: str, aliases: tuple[str, ...], required: bool = True) -> Column:
    """A column naming a member by member code or ID number (`Sheet.member` resolves it)."""
    return Column(
        key, label, clean_member_ref, aliases, required=required, note=MEMBER_NOTE, text=True
    )


def date_column(key: str, label: str, aliases: tuple[str, ...] = (), **options: Any) -> Column:
    return Column(key, label, clean_date, aliases, **options)


# --------------------------------------------------------------------------- machinery


def _looks_like_id(text: str) -> bool:
    return len(text) in (15, 18) and text[:15].isdigit()


class Sheet:
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
        self.org_by_name = orgs_by_name_path(orgs, full_name_paths({org.path: org for org in orgs}))
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
        org = self.org_by_code.get(ref) or self.org_by_name.get(name_path_key(ref))
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
            return self.fail(record, key, unknown_member_message(ref))  # out of sight
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
        if value in (None, "") or value == comparable(stored):
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


def comparable(stored: Any) -> Any:
    """A stored value as the import's cleaning would have produced it (text cleaned like a
    cell), to compare a row with the stored record."""
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


def unknown_member_message(ref: str) -> str:
    """The error for a member code or ID number that names no member the user can see; an
    ID number (or what looks like a mistyped one) is shown masked (issue 12)."""
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
    """The Importer protocol for a `Sheet` subclass."""

    kind = ""
    title = ""
    sheet_names: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    order = 30
    sheet: type[Sheet] = Sheet

    def begin(self, *, by: Any, errors: Errors, progress: Progress | None) -> Sheet:
        return self.sheet(errors, by)

    def apply(
        self, records: list[Record], *, by: Any, errors: Errors, progress: Progress | None
    ) -> dict[str, int]:
        run = self.begin(by=by, errors=errors, progress=progress)
        run.feed(records)
        return run.finish()


class ChronologicalSheet(Sheet):
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


def end_stored(sheet: Sheet, record: Record, stored: Any, action: Any, argument: str) -> str:
    """End a stored record the row shows ended (its "ended_on" cell); "unchanged" when
    nothing is new, an error when the record already ended on another day. `stored` is the
    record's end date, `action` the domain function that ends it, taking `argument`."""
    ended = record.values.get("ended_on")
    if ended is None or ended == stored:
        return "unchanged"
    if stored is not None:
        sheet.differs(record, "ended_on", stored)
        return "error"
    return "updated" if sheet.call(record, action, **{argument: ended}) else "error"
