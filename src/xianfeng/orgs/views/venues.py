"""An org's activity venues ("六有") and party-affairs staff (ORG-08)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.dates import today

from .. import domain
from ..forms import (
    EndDateForm,
    StaffPostForm,
    VenueCloseForm,
    VenueForm,
    apply_form,
    changed_values,
    venue_initial,
)
from ..models import Org
from ..queries import (
    get_org_for_user,
    holder_choices,
    seat_holder,
    staff_post_of,
    staff_posts_of,
    unit_staffing,
    venue_of,
    venues_of,
)
from .common import back_to, breadcrumb, editable_org, page_or_fragment


def _venues_context(request: HttpRequest, org: Org, **forms: Any) -> dict[str, Any]:
    from xianfeng.compliance.policy import resolver

    day = today()
    editable = can_edit_org(request.user, org) and org.dissolved_on is None
    return {
        "org": org,
        "as_of": day,
        "breadcrumb": breadcrumb(request.user, org),
        **venues_of(org, day),
        "staff": staff_posts_of(org, day),
        "unit": unit_staffing(org, day, resolver(day=day)),
        "can_edit": editable,
        "members": holder_choices(org) if editable else [],
        "venue_form": forms.get("venue_form") or VenueForm(),
        "close_form": forms.get("close_form") or VenueCloseForm(),
        "close_venue_id": forms.get("close_venue_id"),
        "staff_form": forms.get("staff_form") or StaffPostForm(),
        "end_form": forms.get("end_form") or EndDateForm(),
        "end_post_id": forms.get("end_post_id"),
    }


def _venues_page(request: HttpRequest, org: Org, **forms: Any) -> HttpResponse:
    return render(request, "orgs/venues.html", _venues_context(request, org, **forms))


@login_required
def venues(request: HttpRequest, code: str) -> HttpResponse:
    """An org's activity venues ("六有") and party-affairs staff (ORG-08)."""
    return _venues_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def venue_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = VenueForm(request.POST)
    venue = apply_form(form, lambda data: domain.save_venue(org=org, by=request.user, **data))
    if venue is None:
        return _venues_page(request, org, venue_form=form)
    return back_to(request, "orgs:venues", org, f"已登记活动阵地“{venue.name}”")


@login_required
def venue_edit(request: HttpRequest, code: str, venue_id: int) -> HttpResponse:
    org = editable_org(request, code)
    venue = venue_of(org, venue_id)
    form = VenueForm(request.POST or None, initial=venue_initial(venue))
    if request.method == "POST":
        saved = apply_form(
            form,
            lambda _data: domain.save_venue(
                org=org, venue=venue, by=request.user, **changed_values(form)
            ),
        )
        if saved is not None:
            return back_to(request, "orgs:venues", org, f"已保存活动阵地“{saved.name}”")
        venue.refresh_from_db()
    context = {
        "org": org,
        "venue": venue,
        "form": form,
        "breadcrumb": breadcrumb(request.user, org),
    }
    return render(request, page_or_fragment(request, "orgs/venue_form.html", "form"), context)


@login_required
@require_POST
def venue_close(request: HttpRequest, code: str, venue_id: int) -> HttpResponse:
    org = editable_org(request, code)
    venue = venue_of(org, venue_id)
    form = VenueCloseForm(request.POST)
    closed = apply_form(
        form,
        lambda data: domain.save_venue(
            org=org, venue=venue, closed_on=data["closed_on"], by=request.user
        ),
    )
    if closed is None:
        return _venues_page(request, org, close_form=form, close_venue_id=venue.pk)
    return back_to(request, "orgs:venues", org, f"活动阵地“{venue.name}”已停用")


def _staff_member(org: Org, code: str) -> Any:
    return seat_holder(org, code) if code.strip() else None


@login_required
@require_POST
def staff_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = StaffPostForm(request.POST)

    def add(data: dict[str, Any]) -> Any:
        return domain.add_staff_post(
            org=org,
            name=data["name"],
            member=_staff_member(org, data["member"]),
            position=data["position"],
            full_time=data["full_time"],
            started_on=data["started_on"],
            by=request.user,
        )

    post = apply_form(form, add)
    if post is None:
        return _venues_page(request, org, staff_form=form)
    kind = "专职" if post.full_time else "兼职"
    return back_to(request, "orgs:venues", org, f"已登记{kind}党务干部 {post.name}")


@login_required
@require_POST
def staff_end(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    org = editable_org(request, code)
    post = staff_post_of(org, post_id)
    form = EndDateForm(request.POST)
    ended = apply_form(
        form, lambda data: domain.end_staff_post(post, ended_on=data["ended_on"], by=request.user)
    )
    if ended is None:
        return _venues_page(request, org, end_form=form, end_post_id=post.pk)
    return back_to(request, "orgs:venues", org, f"已登记 {post.name} 离岗")
