"""The dues objects a request names, found in the user's scope (404 outside it, exactly
as for a missing one), and the reductions waiting for the user's decision."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xianfeng.accounts.scope import active_posts, path_q, scope_paths
from xianfeng.members.models import Member
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from ..models import Payment, Reduction, ReductionState
from ..permissions import WRITERS, may_approve, may_keep


def require_keeper(user: Any, org: Org | None) -> None:
    """Refuse (403) whoever may only read the org's dues."""
    if org is None or not may_keep(user, org):
        raise PermissionDenied(_("只有本组织或上级党组织的管理员、党务干部可以办理党费收缴"))


def get_kept_member(user: Any, code: str) -> Member:
    """The member `code` in the user's scope (else 404) whose dues the user keeps (else
    403)."""
    member = get_member_for_user(user, code)
    require_keeper(user, member.org)
    return member


def get_kept_org(user: Any, code: str) -> Org:
    org = get_org_for_user(user, code)
    require_keeper(user, org)
    return org


def get_payment_for_user(user: Any, pk: int) -> Payment:
    """A payment recorded by an org in the user's scope."""
    found = (
        Payment.objects.filter(path_q(user, "org__path"))
        .select_related("member", "member__org", "org")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("没有找到该笔交纳记录，或不在您的管辖范围内")
    return found


def get_kept_payment(user: Any, pk: int) -> Payment:
    payment = get_payment_for_user(user, pk)
    require_keeper(user, payment.org)
    return payment


def reductions_for_user(user: Any) -> QuerySet[Reduction]:
    """Reductions proposed by orgs in the user's scope."""
    return Reduction.objects.filter(path_q(user, "proposed_by_org__path"))


def get_reduction_for_user(user: Any, pk: int) -> Reduction:
    found = (
        reductions_for_user(user).select_related("member", "proposed_by_org").filter(pk=pk).first()
    )
    if found is None:
        raise Http404("没有找到该减免申请，或不在您的管辖范围内")
    return found


def get_decidable_reduction(user: Any, pk: int) -> Reduction:
    """A reduction in the user's scope that the user may decide (403: the proposing
    branch itself, or a reader)."""
    reduction = get_reduction_for_user(user, pk)
    if not may_approve(user, reduction.proposed_by_org):
        raise PermissionDenied(_("党费减免须由上级党委审批，提出减免的支部不能自行批准"))
    return reduction


def _approvable(user: Any) -> Q:
    """Proposals of orgs strictly below an org where the user keeps the dues (an admin or
    officer there): `permissions.may_approve`, as one condition."""
    if scope_paths(user) is None:
        return Q()
    query = Q(pk__in=[])
    for path, role in active_posts(user):
        if role in WRITERS:
            below = Q(proposed_by_org__path__startswith=path) & ~Q(proposed_by_org__path=path)
            query |= below
    return query


def pending_reductions(user: Any) -> QuerySet[Reduction]:
    """The proposals waiting for the user's decision, oldest first."""
    return (
        Reduction.objects.filter(_approvable(user), state=ReductionState.PROPOSED)
        .select_related("member", "proposed_by_org")
        .order_by("proposed_on", "pk")
    )
