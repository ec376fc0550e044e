"""Venue and party-affairs staff endpoints (ORG-08)."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Schema, Status
from pydantic.json_schema import SkipJsonSchema

from xianfeng.lib.api import Area, Code, PatchSchema, PathId, responses
from xianfeng.lib.dates import today

from .. import domain
from ..models import StaffPost, Venue
from ..queries import (
    get_org_for_user,
    is_row_active,
    is_venue_open,
    seat_holder,
    staff_post_of,
    venue_of,
)
from .common import EndIn, editable, router


class VenueOut(Schema):
    id: int
    name: str
    address: str
    area_m2: Decimal | None
    has_room: bool
    has_sign: bool
    has_flag: bool
    has_facilities: bool
    has_rules: bool
    has_reading: bool
    has_disclosure_board: bool
    shared: bool
    checked_on: dt.date | None
    closed_on: dt.date | None
    open: bool
    missing: list[str] = Field(description="缺少的“六有”项目")


class VenueIn(Schema):
    name: str
    address: str = ""
    area_m2: Area | None = None
    has_room: bool = False
    has_sign: bool = False
    has_flag: bool = False
    has_facilities: bool = False
    has_rules: bool = False
    has_reading: bool = False
    has_disclosure_board: bool = False
    shared: bool = False
    checked_on: dt.date | None = None


class VenuePatch(PatchSchema):
    nullable = frozenset({"area_m2", "checked_on", "closed_on"})

    name: str | SkipJsonSchema[None] = None
    address: str | SkipJsonSchema[None] = None
    area_m2: Area | None = None
    has_room: bool | SkipJsonSchema[None] = None
    has_sign: bool | SkipJsonSchema[None] = None
    has_flag: bool | SkipJsonSchema[None] = None
    has_facilities: bool | SkipJsonSchema[None] = None
    has_rules: bool | SkipJsonSchema[None] = None
    has_reading: bool | SkipJsonSchema[None] = None
    has_disclosure_board: bool | SkipJsonSchema[None] = None
    shared: bool | SkipJsonSchema[None] = None
    checked_on: dt.date | None = None
    closed_on: dt.date | None = None


class StaffPostOut(Schema):
    id: int
    name: str
    member: str | None
    position: str
    full_time: bool
    started_on: dt.date
    ended_on: dt.date | None
    active: bool


class StaffPostIn(Schema):
    name: str = Field("", description="不填时取党员姓名")
    member: str | None = Field(None, description="本组织或下级组织的党员编号")
    position: str = ""
    full_time: bool = True
    started_on: dt.date


def _venue_out(venue: Venue) -> dict:
    fields = VenueIn.model_fields
    return {
        "id": venue.pk,
        **{name: getattr(venue, name) for name in fields},
        "closed_on": venue.closed_on,
        "open": is_venue_open(venue, today()),
        "missing": venue.missing_items(),
    }


def _staff_out(post: StaffPost) -> dict:
    return {
        "id": post.pk,
        "name": post.name,
        "member": post.member.code if post.member else None,
        "position": post.position,
        "full_time": post.full_time,
        "started_on": post.started_on,
        "ended_on": post.ended_on,
        "active": is_row_active(post, today()),
    }


@router.get("/{code}/venues", response=responses({200: list[VenueOut]}))
def list_venues(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """The org's activity venues with the "六有" items each lacks (ORG-08)."""
    org = get_org_for_user(request.user, code)
    return [_venue_out(v) for v in org.venues.order_by("name", "pk")]


@router.post("/{code}/venues", response=responses({201: VenueOut}))
def add_venue(request: HttpRequest, code: Code, payload: VenueIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    venue = domain.save_venue(org=org, by=request.user, **payload.dict())
    return Status(201, _venue_out(venue))


@router.patch("/{code}/venues/{venue_id}", response=responses({200: VenueOut}))
def update_venue(request: HttpRequest, code: Code, venue_id: PathId, payload: VenuePatch):  # type: ignore[no-untyped-def]
    """Change a venue; set `closed_on` to close it."""
    org = editable(request, code)
    venue = venue_of(org, venue_id)
    changes = payload.dict(exclude_unset=True)
    return _venue_out(domain.save_venue(org=org, venue=venue, by=request.user, **changes))


@router.get("/{code}/staff-posts", response=responses({200: list[StaffPostOut]}))
def list_staff_posts(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """The org's party-affairs staff posts, current and ended (ORG-08)."""
    org = get_org_for_user(request.user, code)
    posts = org.staff_posts.select_related("member").order_by("started_on", "pk")
    return [_staff_out(p) for p in posts]


@router.post("/{code}/staff-posts", response=responses({201: StaffPostOut}))
def add_staff_post(request: HttpRequest, code: Code, payload: StaffPostIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    post = domain.add_staff_post(
        org=org,
        name=payload.name,
        member=seat_holder(org, payload.member) if payload.member else None,
        position=payload.position,
        full_time=payload.full_time,
        started_on=payload.started_on,
        by=request.user,
    )
    return Status(201, _staff_out(post))


@router.post("/{code}/staff-posts/{post_id}/end", response=responses({200: StaffPostOut}))
def end_staff_post(request: HttpRequest, code: Code, post_id: PathId, payload: EndIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    post = staff_post_of(org, post_id)
    return _staff_out(domain.end_staff_post(post, ended_on=payload.ended_on, by=request.user))
