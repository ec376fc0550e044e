"""Writes of policies and the holiday calendar (PLAT-04); every change in the history.

Policies follow the hierarchy (issue 12): a policy on an org is attached, edited and
detached only by admins of an org above it, the root's only from the command line, and
every change tells the admins and officers of the org above."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from xianfeng.accounts.models import Post, Role, User
from xianfeng.accounts.permissions import can_admin_org
from xianfeng.core.history import current_via
from xianfeng.orgs.models import Org

from .models import CalendarYear, HolidayOverride, Policy
from .policy import PolicyError, parse_policy, shipped_files

CONFIRMED_YEARS = range(2004, 2027)  # official schedules checked against the package


# --- who may change a policy --------------------------------------------------------------


def _parent(org: Org) -> Org | None:
    return None if org.is_root() else Org.objects.get_parent(org)


def can_change_policy(user: Any, org: Org | None) -> bool:
    """Only an admin of an org strictly above `org` attaches, edits or detaches its
    policy: the standards an org is checked against are set by the one that checks it,
    never by the org itself. The root's policy (and every unattached or shipped policy)
    only from the command line (`user` None)."""
    if user is None:
        return True
    parent = _parent(org) if org is not None else None
    return parent is not None and bool(can_admin_org(user, parent))


def _require_rights(by: Any, org: Org | None) -> None:
    if not can_change_policy(by, org):
        if org is None or org.is_root():
            raise PermissionDenied("顶层组织的政策和内置政策只能在命令行中修改")
        raise PermissionDenied("政策参数只能由上级党组织的管理员挂接、修改或解除")


# --- notice to the org above ---------------------------------------------------------------

ACTIONS = {"attach": "挂接", "edit": "修改", "detach": "解除"}


def _recipients(org: Org) -> Any:
    """The admins and officers of the org above (the root's own, having none above)."""
    target = _parent(org) or org
    posts = Post.objects.filter(
        org=target, is_active=True, role__in=[Role.ADMIN, Role.OFFICER]
    ).values("user")
    return User.objects.filter(pk__in=posts, is_active=True)


def _notify(*, org: Org, policy: Policy, action: str, by: Any) -> None:
    from xianfeng.notices.domain import DEMO_VIAS, send_notice
    from xianfeng.notices.models import Kind

    if current_via().startswith(DEMO_VIAS):
        return  # loading the demo jurisdiction tells nobody
    who = (getattr(by, "display_name", "") or str(by)) if by is not None else "命令行"
    verb = ACTIONS[action]
    send_notice(
        users=_recipients(org),
        kind=Kind.SYSTEM,
        title=f"“{org.name}”的政策参数已{verb}",
        body=f"{who}{verb}了“{org.name}”（{org.code}）适用的政策“{policy.title}”"
        f"（{policy.code}）。变更记录见政策参数页。",
        url=reverse("compliance:policy", args=[org.code]),
        org=org,
    )


def _save(policy: Policy, by: Any, **kwargs: Any) -> None:
    if by is not None:
        policy._history_user = by  # type: ignore[attr-defined]
    policy.save(**kwargs)


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def save_policy(*, text: str, org: Org | None = None, by: Any = None) -> Policy:
    """Create or replace the policy with the file's code; refuses an invalid file.

    With `org`, the policy applies to its subtree (attached or edited: admins above the
    org only). Without, a stored policy is written (the command line only). An edit turns
    a policy adopted by reference into the org's own. Side effects: the history; with
    `org`, a notice to the admins and officers of the org above."""
    try:
        parsed = parse_policy(text)
    except PolicyError as error:
        raise ValidationError({"text": str(error)}) from None
    policy = Policy.objects.filter(code=parsed.code).first() or Policy(code=parsed.code)
    _require_rights(by, org if org is not None else policy.org)
    taken = policy.pk is not None and policy.org != org and parsed.code != own_code(org)
    if by is not None and taken:
        raise ValidationError({"text": f"编码 {parsed.code} 已被另一份政策使用"})
    attached = org is not None and policy.org != org
    if policy.pk is not None and not attached and policy.follows is None and policy.text == text:
        return policy  # the same file again (e.g. `load_shipped_policies`): no change
    policy.title, policy.source, policy.text = parsed.title, parsed.source, text
    policy.values, policy.follows = parsed.values, None
    if org is not None:
        policy.org = org
    policy.full_clean()
    _save(policy, by)
    changed = [policy.org] if policy.org is not None else []
    changed += [p.org for p in policy.adopters.select_related("org") if p.org is not None]
    for where in changed:  # the org itself, and those following it by reference
        action = "attach" if attached and where == org else "edit"
        _notify(org=where, policy=policy, action=action, by=by)
    return policy


@transaction.atomic
def attach_policy(*, policy: Policy, org: Org, by: Any = None) -> Policy:
    """Apply a stored policy to `org`'s subtree (one policy per org; admins above the
    org only). Side effects: the history; a notice to the org above."""
    _require_rights(by, org)
    if policy.code == "national":
        raise ValidationError({"org": "全国默认政策适用于全部组织，不能挂到某个组织上"})
    other = Policy.objects.filter(org=org).exclude(pk=policy.pk).first()
    if other is not None:
        raise ValidationError({"org": f"“{org.name}”已适用政策“{other.title}”"})
    if policy.org is not None and policy.org != org:
        _require_rights(by, policy.org)
    policy.org = org
    _save(policy, by, update_fields=["org", "updated_at"])
    _notify(org=org, policy=policy, action="attach", by=by)
    return policy


def own_code(org: Org | None) -> str:
    """The code of an org's own policy (a local copy or a reference)."""
    return f"org-{org.code}" if org is not None else ""


def _shipped(code: str) -> Policy:
    codes = {parse_policy(path.read_text(encoding="utf-8")).code for path in shipped_files()}
    policy = Policy.objects.filter(code=code).first() if code in codes - {"national"} else None
    if policy is None:
        choices = "、".join(sorted(codes - {"national"}))
        raise ValidationError({"code": f"没有编码为“{code}”的内置政策；可选：{choices}"})
    return policy


def local_copy_text(shipped: Policy, code: str) -> str:
    """The shipped file with its code changed to the org's own (a local copy)."""
    return CODE_LINE.sub(f'code = "{code}"', shipped.text, count=1)


CODE_LINE = re.compile(r'(?m)^code\s*=\s*"[^"\n]*"')


@transaction.atomic
def adopt_policy(*, org: Org, code: str, copy: bool = False, by: Any = None) -> Policy:
    """Apply a shipped policy to `org`'s subtree: by reference (the org follows the
    shipped file's later updates) or, with `copy`, as a local copy the org's upper admins
    edit (later updates of the file do not reach it). Stored as the org's own policy
    (`org-<code>`); admins above the org only. Side effects: the history; a notice to the
    org above."""
    _require_rights(by, org)
    shipped = _shipped(code)
    mine = own_code(org)
    other = Policy.objects.filter(org=org).exclude(code=mine).first()
    if other is not None:
        raise ValidationError({"org": f"“{org.name}”已适用政策“{other.title}”，请先解除"})
    if copy:
        return save_policy(text=local_copy_text(shipped, mine), org=org, by=by)
    policy = Policy.objects.filter(code=mine).first() or Policy(code=mine)
    if policy.org is not None and policy.org != org:
        raise ValidationError({"code": f"编码 {mine} 已被另一份政策使用"})
    attached = policy.org != org
    policy.title, policy.source, policy.org, policy.follows = (
        shipped.title,
        shipped.source,
        org,
        shipped,
    )
    policy.text = f'# 引用内置政策 {shipped.code}，随其更新\n[policy]\ncode = "{mine}"\n'
    policy.values = {}
    policy.full_clean()
    _save(policy, by)
    _notify(org=org, policy=policy, action="attach" if attached else "edit", by=by)
    return policy


@transaction.atomic
def detach_policy(*, org: Org, by: Any = None) -> Policy:
    """Stop applying `org`'s own policy (admins above the org only): its subtree follows
    the policies above again. The policy stays stored, unattached. Side effects: the
    history; a notice to the org above."""
    _require_rights(by, org)
    policy = Policy.objects.filter(org=org).first()
    if policy is None:
        raise ValidationError({"org": f"“{org.name}”没有自己的政策"})
    policy.org = None
    _save(policy, by, update_fields=["org", "updated_at"])
    _notify(org=org, policy=policy, action="detach", by=by)
    return policy


def load_shipped_policies() -> list[Policy]:
    """Store the shipped policies (national + the five seed documents), unattached."""
    return [save_policy(text=path.read_text(encoding="utf-8")) for path in shipped_files()]


def seed_calendar() -> None:
    for year in CONFIRMED_YEARS:
        CalendarYear.objects.get_or_create(year=year, defaults={"confirmed": True})


@transaction.atomic
def confirm_year(*, year: int, by: Any = None, note: str = "") -> CalendarYear:
    """An admin confirms that the package matches the official schedule of `year`."""
    entry, _created = CalendarYear.objects.get_or_create(year=year)
    entry.confirmed, entry.note = True, note
    entry.save()
    return entry


@transaction.atomic
def override_day(*, date: Any, is_workday: bool, note: str = "", by: Any = None) -> HolidayOverride:
    entry, _created = HolidayOverride.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "note": note}
    )
    return entry
