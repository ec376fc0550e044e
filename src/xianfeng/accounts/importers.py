"""Importing accounts and their posts (PLAT-01, PLAT-03; issue 13 round trip).

Two sheets: 账号 (one row per account: username, name, e-mail, linked member, active, the
ID-number right) and 账号岗位 (one row per post: username, org, role, active). Never
passwords, tokens or the superuser flag: a newly created account has no usable password
until an admin resets it ("重置密码" hands over a one-time password that must be changed
at the first login).

Rights (issue 12, no escalation): the importing user changes only accounts they may
manage (`domain.can_manage_account`), gives posts only at orgs they administer, and the
ID-number right only when they hold it. A new account must end the import placed inside
the importer's reach (an active post at an org they administer or a linked member in
their scope); that, and the flags a new account needs a placement for, are settled once
every sheet is written (`_settle_new_accounts`). An account the user cannot see answers
like a taken username; an org or member outside their scope like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.dispatch import receiver
from django.utils import timezone

from xianfeng.core.importing import Column, Errors, ImportFailed, Record, data_imported
from xianfeng.lib.cells import CellError, choice_cleaner, clean_bool, clean_text
from xianfeng.orgs.importers_support import Sheet, SheetImporter

from . import domain
from .models import Post, Role, User
from .permissions import can_admin_org
from .queries import users_for_user


def clean_email(value: Any) -> str:
    text = clean_text(value)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(f"邮箱格式不正确：“{text}”") from None
    return text


def clean_moment(value: Any) -> dt.datetime | None:
    """A moment in Beijing time: a datetime cell or "2025-06-30 08:30:00[.ffffff]"."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = clean_text(value)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CellError(f"时间应为“2025-06-30 08:30:00”格式，实际为“{text}”") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def moment_text(moment: dt.datetime | None) -> str:
    """How an export writes a moment: Beijing time, exact (it re-imports equal)."""
    if moment is None:
        return ""
    return timezone.localtime(moment).replace(tzinfo=None).isoformat(sep=" ")


_YES_NO = ["是", "否"]

ACCOUNT_COLUMNS = (
    Column("username", "用户名", aliases=("账号", "登录名"), required=True, text=True),
    Column("name", "姓名", aliases=("显示名称",), required=True),
    Column("email", "邮箱", clean_email, ("电子邮箱", "email"), note="已有账号留空不变"),
    Column(
        "member",
        "党员编号",
        aliases=("对应党员",),
        text=True,
        note="账号对应的党员（党员本人账号），可留空；留空不解除已有的关联",
    ),
    Column(
        "active",
        "有效",
        clean_bool,
        ("账号有效", "启用"),
        note="新账号留空即“是”；已有账号留空不变",
        choices=_YES_NO,
    ),
    Column(
        "identifiers",
        "可查看完整身份证号",
        clean_bool,
        note="新账号留空即“否”；已有账号留空不变；只有本身有此权限的管理员才能授予或收回",
        choices=_YES_NO,
    ),
)
POST_COLUMNS = (
    Column("username", "用户名", aliases=("账号", "登录名"), required=True, text=True),
    Column(
        "org",
        "党组织",
        aliases=("组织编码", "党组织编码"),
        required=True,
        text=True,
        note="填组织编码，或完整名称路径",
    ),
    Column(
        "role",
        "岗位",
        choice_cleaner(Role.choices),
        required=True,
        choices=[str(label) for label in Role.labels],
    ),
    Column(
        "active",
        "有效",
        clean_bool,
        ("岗位有效",),
        note="留空即“是”；“否”是已停用的岗位",
        choices=_YES_NO,
    ),
    Column(
        "ended_at",
        "停用时间",
        clean_moment,
        ("停用日期",),
        text=True,
        note="已停用岗位停用的时刻（北京时间），如 2025-06-30 08:30:00；留空为导入的时刻",
    ),
)

# Accounts this import created: pk → (their row, the flags applied once they are placed),
# with the run's Errors (one per import) so a later import never reads a failed one's.
Created = dict[int, tuple[Record, bool, bool]]
_created: ContextVar[tuple[Errors, Created] | None] = ContextVar(
    "xianfeng_imported_accounts", default=None
)


def _created_in(errors: Errors) -> Created:
    found = _created.get()
    return found[1] if found is not None and found[0] is errors else {}


NOT_PLACED = "新账号须在您管理的党组织有有效岗位（见“账号岗位”表），或对应您管理范围内的党员"


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or "无权修改该账号"
    return "；".join(error.messages)


class _Accounts(Sheet):
    columns = ACCOUNT_COLUMNS
    member_keys = ("member",)
    fields = {"username": "username", "member": "member", "display_name": "name"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.visible = None if by is None else set(users_for_user(by).values_list("pk", flat=True))
        self.created: Created = {}
        _created.set((errors, self.created))

    def one(self, record: Record) -> str:
        v = record.values
        username = v["username"]
        if not self.unique(record, username.lower(), "username"):
            return "error"
        member = self.member(record, "member") if v.get("member") else None
        if v.get("member") and member is None:
            return "error"
        account = User.objects.filter(username__iexact=username).first()
        if account is None:
            return self._create(record, member)
        if self.visible is not None and account.pk not in self.visible:
            return self.reject(record, "username", f"用户名“{username}”已被使用")
        return self._update(record, account, member)

    def _create(self, record: Record, member: Any) -> str:
        v = record.values
        try:
            account, _password = domain.create_account(
                username=v["username"], display_name=v["name"], member=member, by=self.by
            )
        except (ValidationError, PermissionDenied) as error:
            return self.reject(record, "username", _refusal(error))
        account.set_unusable_password()  # the one-time password was never handed over
        account.email = v.get("email", "")
        account.save(update_fields=["password", "email"])
        flags = (v.get("active") is not False, bool(v.get("identifiers")))
        self.created[account.pk] = (record, *flags)
        return "created"

    def _update(self, record: Record, account: User, member: Any) -> str:
        v = record.values
        # an empty cell leaves the stored value (e-mail, member, flags) as it is
        details = {"first_name": v["name"], "email": v.get("email") or account.email}
        details = {k: new for k, new in details.items() if getattr(account, k) != new}
        active = _given(v.get("active"), account.is_active)
        identifiers = _given(v.get("identifiers"), account.can_view_identifiers)
        relink = member is not None and account.member_id != member.pk
        changes = [
            bool(details),
            relink,
            active != account.is_active,
            identifiers != account.can_view_identifiers,
        ]
        if not any(changes):
            return "unchanged"
        try:
            domain.require_account_admin(self.by, account)
            if details:
                _save_details(account, details)
            if relink:
                domain.link_member(user=account, member=member, by=self.by)
            if changes[2]:
                domain.set_account_active(user=account, active=active, by=self.by)
            if changes[3]:
                domain.set_identifier_right(user=account, allowed=identifiers, by=self.by)
        except (ValidationError, PermissionDenied) as error:
            return self.reject(record, "username", _refusal(error))
        return "updated"


def _given(value: bool | None, stored: bool) -> bool:
    return stored if value is None else value


def _save_details(account: User, details: dict[str, str]) -> None:
    """Name and e-mail of an account the importer may manage (one history row)."""
    for key, value in details.items():
        setattr(account, key, value)
    account.full_clean(exclude=["password", "member"])
    account.save(update_fields=list(details))


class AccountImporter(SheetImporter):
    kind = "accounts"
    title = "账号"
    sheet_names = ("用户", "用户账号", "accounts")
    columns = ACCOUNT_COLUMNS
    order = 90  # after orgs and members (the linked member)
    sheet = _Accounts


# --------------------------------------------------------------------------- 账号岗位


class _Posts(Sheet):
    """Posts are matched as a multiset per (account, org, role): one active post at most,
    any number of ended ones (they differ only in their times, which do not travel)."""

    columns = POST_COLUMNS

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.visible = None if by is None else set(users_for_user(by).values_list("pk", flat=True))
        self.created = _created_in(errors)
        self.groups: dict[tuple[int, int, str], list[Record]] = defaultdict(list)
        self.accounts: dict[int, User] = {}

    def one(self, record: Record) -> str:
        v = record.values
        account = self._account(record)
        org = self.org(record, scoped=False)
        if account is None or org is None:
            return "error"
        key = (account.pk, org.pk, v["role"])
        if v.get("active") is not False:
            if v.get("ended_at"):
                return self.reject(record, "ended_at", "有效的岗位不应填写停用时间")
            if not self.unique(record, key, "username"):
                return "error"
        self.groups[key].append(record)
        self.accounts[account.pk] = account
        self.cache[("org", org.pk)] = org
        return "pending"

    def _account(self, record: Record) -> User | None:
        username = record.values["username"]
        account = User.objects.filter(username__iexact=username).first()
        seen = account is not None and (
            self.visible is None or account.pk in self.visible or account.pk in self.created
        )
        if not seen:
            return self.fail(record, "username", f"没有找到用户名为“{username}”的账号")
        return account

    def finish(self) -> dict[str, int]:
        for key, records in self.groups.items():
            for _record, outcome in self._settle(key, records):
                self.outcomes[outcome] += 1
        return super().finish()

    def _settle(self, key: tuple[int, int, str], records: list[Record]) -> list[tuple[Record, str]]:
        account, org, role = self.accounts[key[0]], self.cache[("org", key[1])], key[2]
        stored = list(Post.objects.filter(user=account, org=org, role=role))
        active = [p for p in stored if p.is_active]
        ended = len(stored) - len(active)
        wanted = [r for r in records if r.values.get("active") is not False]
        closed = [r for r in records if r.values.get("active") is False]
        done: list[tuple[Record, str]] = [(r, "unchanged") for r in closed[:ended]]
        todo = closed[ended:]
        if todo and active and not wanted:  # the file shows the active post ended
            post, record = active.pop(), todo.pop(0)
            end = partial(_end_post, post, record.values.get("ended_at"))
            done.append((record, "updated" if self._write(record, account, org, end) else "error"))
        for record in todo:
            if active:
                message = "该账号在此组织已有相同的有效岗位，无法补记已停用的岗位"
                done.append((record, self.reject(record, "role", message)))
                continue
            write = partial(_ended_post, account, org, role, record.values.get("ended_at"))
            done.append(
                (record, "created" if self._write(record, account, org, write) else "error")
            )
        for record in wanted:
            if active:
                done.append((record, "unchanged"))
                continue
            write = partial(_grant_post, account, org, role)
            done.append(
                (record, "created" if self._write(record, account, org, write) else "error")
            )
        return done

    def _write(self, record: Record, account: User, org: Any, action: Any) -> bool:
        """Run `action(by)`; for an account this import created, the org right is checked
        here and the domain acts without `by` (like `create_account_with_post`: the new
        account is placed nowhere yet, so no one could manage it)."""
        if self.by is not None and not can_admin_org(self.by, org):
            return self.errors.add(
                record, None, "党组织", "只有该组织（或上级组织）的管理员可以管理账号"
            )
        try:
            action(None if account.pk in self.created else self.by)
        except (ValidationError, PermissionDenied) as error:
            return self.errors.add(record, None, "岗位", _refusal(error))
        return True


def _grant_post(account: User, org: Any, role: str, by: Any) -> None:
    domain.grant_post(user=account, org=org, role=role, by=by)


def _ended_post(account: User, org: Any, role: str, ended_at: Any, by: Any) -> None:
    post = domain.grant_post(user=account, org=org, role=role, by=by)
    _end_post(post, ended_at, by)


def _end_post(post: Post, ended_at: Any, by: Any) -> None:
    """End a post; with the file's time when it gives one (the domain ends it now)."""
    domain.end_post(post=post, by=by)
    if ended_at is not None:
        post.ended_at = ended_at
        post.save(update_fields=["ended_at"])


class PostImporter(SheetImporter):
    kind = "posts"
    title = "账号岗位"
    sheet_names = ("岗位", "posts")
    columns = POST_COLUMNS
    order = 91  # the accounts first
    sheet = _Posts


# --------------------------------------------------------------------------- new accounts


@receiver(data_imported, dispatch_uid="xianfeng.accounts.importers.settle")
def _settle_new_accounts(sender: Any, by: Any, counts: dict[str, Any], **kwargs: Any) -> None:
    """Once every sheet is written: a new account must be within the importer's reach;
    then its "not active" and ID-number right are set (both need that reach)."""
    found = _created.get()
    _created.set(None)
    created = found[1] if found is not None else {}
    if "accounts" not in counts:
        return
    errors = Errors()
    for pk, (record, active, identifiers) in created.items():
        account = User.objects.get(pk=pk)
        if not domain.can_manage_account(by, account):
            errors.add(record, None, "用户名", NOT_PLACED)
            continue
        try:
            if identifiers:
                domain.set_identifier_right(user=account, allowed=True, by=by)
            if not active:
                domain.set_account_active(user=account, active=False, by=by)
        except (ValidationError, PermissionDenied) as error:
            errors.add(record, None, "可查看完整身份证号", _refusal(error))
    if errors:
        raise ImportFailed(errors.items)
