"""PDF downloads of dues (DUES-01): a member's receipt for a year (党费收据) and an org's
yearly disclosure (党费收缴情况公开). Out of scope answers like missing (404).

- the receipt shows what a member owed and paid, which follows from their declared base:
  the member themself, and the admins and officers of their org and the orgs above
  (`permissions.may_see_bases`); a viewer in scope is refused (403);
- the disclosure is posted to the members: every user whose scope holds the org, and
  the members of the org itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from xianfeng.members.models import Member
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import orgs_for_user

from . import permissions
from .queries.lines import ledger_span


def check_year(year: int) -> int:
    """A year the ledger holds (from its first year to its last, this year included);
    any other is missing."""
    first, last = ledger_span()
    if not first <= year <= last:
        raise Http404("没有该年度的党费")
    return year


def get_member_for_receipt(user: Any, code: str) -> Member:
    """The member whose receipt `user` may read; 404 out of scope, 403 for a viewer."""
    member = get_member_for_user(user, code)
    if not permissions.may_see_bases(user, member):
        raise PermissionDenied("党费交纳情况只有本人和所在党组织及上级党组织的党务人员可以查看")
    return member


def get_org_for_disclosure(user: Any, code: str) -> Org:
    """The org whose disclosure `user` may read: in their scope, or their own branch."""
    org = orgs_for_user(user).filter(code=code).first()
    if org is None and getattr(user, "member_id", None):
        own = Member.objects.filter(pk=user.member_id, org__code=code).select_related("org")
        org = own[0].org if own else None
    if org is None:
        raise Http404("没有找到该党组织，或不在您的管辖范围内")
    return org


@login_required
def receipt(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """党费收据 PDF of a member's year."""
    # imported here: the PDF library takes ≈0.8 s to load, paid by the first PDF request only
    from .receipt_pdf import pdf_response

    return pdf_response(get_member_for_receipt(request.user, code), check_year(year))


@login_required
def disclosure(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """党费收缴情况公开 PDF of an org's year."""
    from .disclosure import disclosure as figures
    from .disclosure_pdf import pdf_response

    org = get_org_for_disclosure(request.user, code)
    return pdf_response(figures(org, check_year(year)))
