"""Org endpoints (ORG-01, ORG-02), scoped to the user's subtree (PLAT-01)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic.json_schema import SkipJsonSchema

from xianfeng.accounts.permissions import can_admin_org, can_edit_org
from xianfeng.lib.api import (
    Area,
    Code,
    Count,
    Id,
    Money,
    Pagination,
    PatchSchema,
    PathId,
    Year,
    YearQuery,
    responses,
)
from xianfeng.lib.dates import today
from xianfeng.members.queries import category_counts_as_of, status_counts_as_of

from . import domain
from .models import (
    ContactPoint,
    Level,
    Org,
    OrgKind,
    Seat,
    SeatRole,
    Sector,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
    VisitKind,
)
from .permissions import can_approve_term_extension
from .queries import (
    budget_years,
    contact_leader,
    contact_point_of,
    contact_target,
    directory,
    get_org_for_user,
    is_row_active,
    is_seat_active,
    is_venue_open,
    leadership_of,
    orgs_for_user,
    search_orgs,
    seat_holder,
    staff_post_of,
    venue_of,
)

router = Router(tags=["党组织"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    level: str
    sector: str
    unit_name: str
    unit_headcount: int | None
    region_code: str
    founded_on: dt.date | None
    dissolved_on: dt.date | None
    depth: int
    parent: str | None = None

    @staticmethod
    def resolve_parent(org: Org) -> str | None:
        parent = Org.objects.get_parent(org)
        return parent.code if parent else None


class OrgIn(Schema):
    parent: str
    code: str
    name: str
    kind: OrgKind
    level: Level
    sector: Sector | Literal[""] = ""
    unit_name: str = ""
    unit_headcount: Count | None = None
    region_code: str = ""
    founded_on: dt.date | None = None


class OrgPatch(PatchSchema):
    nullable = frozenset({"unit_headcount", "founded_on"})

    name: str | SkipJsonSchema[None] = None
    kind: OrgKind | SkipJsonSchema[None] = None
    level: Level | SkipJsonSchema[None] = None
    sector: Sector | Literal[""] | SkipJsonSchema[None] = None
    unit_name: str | SkipJsonSchema[None] = None
    unit_headcount: Count | None = None
    region_code: str | SkipJsonSchema[None] = None
    founded_on: dt.date | None = None


class CountsOut(Schema):
    org: str
    as_of: dt.date
    by_status: dict[str, int]
    by_category: dict[str, int]
    total: int


class DirectoryEntry(Schema):
    code: str
    name: str


@router.get("", response=responses({200: list[OrgOut]}))
@paginate(Pagination)
def list_orgs(  # type: ignore[no-untyped-def]
    request: HttpRequest, q: str = "", kind: OrgKind | Literal[""] = "", parent: str = ""
):
    orgs = search_orgs(orgs_for_user(request.user), q)
    if kind:
        orgs = orgs.filter(kind=kind)
    if parent:
        base = get_org_for_user(request.user, parent)
        orgs = orgs.filter(path__startswith=base.path, depth=base.depth + 1)
    return orgs.order_by("path")


@router.get("/directory", response=responses({200: list[DirectoryEntry]}))
def org_directory(request: HttpRequest, q: str):  # type: ignore[no-untyped-def]
    """Branch-level orgs anywhere (code and name only), to address a transfer (MEM-05)."""
    return list(directory(q))


@router.get("/{code}", response=responses({200: OrgOut}))
def get_org(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    return get_org_for_user(request.user, code)


@router.get("/{code}/counts", response=responses({200: CountsOut}))
def org_counts(request: HttpRequest, code: Code, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    day = as_of or today()
    by_status = status_counts_as_of(org, day)
    return {
        "org": org.code,
        "as_of": day,
        "by_status": by_status,
        "by_category": category_counts_as_of(org, day),
        "total": sum(by_status.values()),
    }


@router.post("", response=responses({201: OrgOut}))
def create_org(request: HttpRequest, payload: OrgIn):  # type: ignore[no-untyped-def]
    parent = get_org_for_user(request.user, payload.parent)
    if not can_admin_org(request.user, parent):
        raise PermissionDenied("只有上级组织的管理员可以新建组织")
    data = payload.dict(exclude={"parent"})
    return Status(201, domain.create_org(parent=parent, by=request.user, **data))


@router.patch("/{code}", response=responses({200: OrgOut}))
def update_org(request: HttpRequest, code: Code, payload: OrgPatch):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return domain.update_org(org=org, by=request.user, **payload.dict(exclude_unset=True))


# --- leadership (ORG-04, ORG-05) ---------------------------------------------------------


class SeatOut(Schema):
    id: int
    role: str
    role_label: str
    title: str
    member: str | None
    member_name: str | None
    started_on: dt.date | None
    ended_on: dt.date | None
    active: bool


class TermOut(Schema):
    id: int
    number: int
    elected_on: dt.date
    years_voted: int = Field(description="选举时确定的任期年数，0 表示按政策")
    years: int = Field(description="实际适用的任期年数")
    years_source: str
    policy: str
    expires_on: dt.date
    approved_extension_until: dt.date | None
    deadline: dt.date = Field(description="按期换届的最后一天（含经批准的延期）")
    note: str


class VacancyOut(Schema):
    role: str
    role_label: str
    title: str
    vacant_since: dt.date
    due: dt.date
    overdue: bool
    seats: list[int]


class LeadershipOut(Schema):
    org: str
    as_of: dt.date
    seats: list[SeatOut]
    terms: list[TermOut]
    vacancies: list[VacancyOut]


class SeatIn(Schema):
    role: SeatRole
    title: str = ""
    member: str
    started_on: dt.date


class SeatEndIn(Schema):
    ended_on: dt.date


class TermIn(Schema):
    elected_on: dt.date
    years: int = Field(0, ge=0, le=99, description="任期年数，0 表示按政策")
    note: str = ""


def _seat_out(seat: Seat, day: dt.date) -> dict:
    holder = seat.member
    return {
        "id": seat.pk,
        "role": seat.role,
        "role_label": seat.get_role_display(),
        "title": seat.title,
        "member": holder.code if holder else None,
        "member_name": holder.name if holder else None,
        "started_on": seat.started_on,
        "ended_on": seat.ended_on,
        "active": is_seat_active(seat, day),
    }


def _term_out(term: Term) -> dict:
    dates = term.dates  # type: ignore[attr-defined]
    return {
        "id": term.pk,
        "number": term.number,  # type: ignore[attr-defined]
        "elected_on": term.elected_on,
        "years_voted": term.years,
        "years": dates.years,
        "years_source": dates.years_entry["source"],
        "policy": dates.years_entry["policy"],
        "expires_on": dates.expires_on,
        "approved_extension_until": dates.extended_until,
        "deadline": dates.deadline,
        "note": term.note,
    }


def _editable(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


@router.get("/{code}/leadership", response=responses({200: LeadershipOut}))
def org_leadership(request: HttpRequest, code: Code, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    """Seats (current and past), terms with their end dates, open vacancies (ORG-04/05)."""
    from xianfeng.compliance.policy import resolver

    org = get_org_for_user(request.user, code)
    day = as_of or today()
    data = leadership_of(org, day, resolver(day=day))
    vacancies = [
        {
            "role": v["vacancy"].role,
            "role_label": str(SeatRole(v["vacancy"].role).label),
            "title": v["vacancy"].title,
            "vacant_since": v["vacancy"].vacant_since,
            "due": v["due"],
            "overdue": day > v["due"],
            "seats": list(v["vacancy"].seat_ids),
        }
        for v in data["vacancies"]
    ]
    return {
        "org": org.code,
        "as_of": day,
        "seats": [_seat_out(seat, day) for seat in data["seats"]],
        "terms": [_term_out(term) for term in data["terms"]],
        "vacancies": vacancies,
    }


@router.post("/{code}/seats", response=responses({201: SeatOut}))
def appoint_to_seat(request: HttpRequest, code: Code, payload: SeatIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    seat = domain.appoint_to_seat(
        org=org,
        role=payload.role,
        title=payload.title.strip(),
        member=seat_holder(org, payload.member),
        started_on=payload.started_on,
        by=request.user,
    )
    return Status(201, _seat_out(seat, today()))


@router.post("/{code}/seats/{seat_id}/end", response=responses({200: SeatOut}))
def end_seat(request: HttpRequest, code: Code, seat_id: PathId, payload: SeatEndIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    seat = org.seats.select_related("member").filter(pk=seat_id).first()
    if seat is None:
        raise Http404("没有找到该班子职务")
    seat = domain.end_seat(seat=seat, on=payload.ended_on, by=request.user)
    return _seat_out(seat, today())


@router.post("/{code}/terms", response=responses({201: TermOut}))
def record_election(request: HttpRequest, code: Code, payload: TermIn):  # type: ignore[no-untyped-def]
    from xianfeng.compliance.policy import resolver

    org = _editable(request, code)
    term = domain.record_election(
        org=org,
        elected_on=payload.elected_on,
        years=payload.years,
        note=payload.note,
        by=request.user,
    )
    day = today()
    saved = next(t for t in leadership_of(org, day, resolver(day=day))["terms"] if t.pk == term.pk)
    return Status(201, _term_out(saved))


def _term_with_dates(org: Org, term: Term) -> dict:
    from xianfeng.compliance.policy import resolver

    day = today()
    return _term_out(
        next(t for t in leadership_of(org, day, resolver(day=day))["terms"] if t == term)
    )


class ExtensionIn(Schema):
    until: dt.date = Field(description="批准延期至（应完成换届选举的最后一天）")


@router.post("/{code}/term-extension", response=responses({200: TermOut}))
def approve_term_extension(request: HttpRequest, code: Code, payload: ExtensionIn):  # type: ignore[no-untyped-def]
    """A higher org's admin approves holding the current term's election late (ORG-04)."""
    org = get_org_for_user(request.user, code)
    if not can_approve_term_extension(request.user, org):
        raise PermissionDenied("换届延期须由上级党组织的管理员审批")
    term = org.terms.filter(elected_on__lte=today()).order_by("-elected_on").first()
    if term is None:
        raise ValidationError({"until": "该组织没有已登记的换届选举，无法审批延期"})
    term = domain.approve_term_extension(term=term, until=payload.until, by=request.user)
    return _term_with_dates(org, term)


# --- contact points (ORG-07) -------------------------------------------------------------


class EndIn(Schema):
    ended_on: dt.date = Field(description="最后一天")


class ContactPointOut(Schema):
    id: int
    leader: str
    leader_name: str
    target: str
    target_name: str
    started_on: dt.date
    ended_on: dt.date | None
    note: str
    active: bool


class ContactPointIn(Schema):
    leader: str = Field(description="班子成员的党员编号")
    target: str = Field(description="联系的党组织编码")
    started_on: dt.date
    note: str = ""


class VisitOut(Schema):
    id: int
    contact_point: int
    leader_name: str
    target: str
    visited_on: dt.date
    kind: str
    kind_label: str
    summary: str


class VisitIn(Schema):
    contact_point: Id
    visited_on: dt.date
    kind: VisitKind = Field(VisitKind.VISIT, description="visit / report / problem / guidance")
    summary: str = ""


def _point_out(point: ContactPoint) -> dict:
    return {
        "id": point.pk,
        "leader": point.leader.code,
        "leader_name": point.leader.name,
        "target": point.target.code,
        "target_name": point.target.name,
        "started_on": point.started_on,
        "ended_on": point.ended_on,
        "note": point.note,
        "active": is_row_active(point, today()),
    }


def _visit_out(visit: Visit) -> dict:
    point = visit.contact_point
    return {
        "id": visit.pk,
        "contact_point": point.pk,
        "leader_name": point.leader.name,
        "target": point.target.code,
        "visited_on": visit.visited_on,
        "kind": visit.kind,
        "kind_label": visit.get_kind_display(),
        "summary": visit.summary,
    }


@router.get("/{code}/contact-points", response=responses({200: list[ContactPointOut]}))
def list_contact_points(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """The contact points kept by an org's leadership, current and ended (ORG-07)."""
    org = get_org_for_user(request.user, code)
    points = org.leader_contact_points.select_related("leader", "target")
    return [_point_out(p) for p in points.order_by("started_on", "pk")]


@router.post("/{code}/contact-points", response=responses({201: ContactPointOut}))
def add_contact_point(request: HttpRequest, code: Code, payload: ContactPointIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    point = domain.add_contact_point(
        org=org,
        leader=contact_leader(org, payload.leader),
        target=contact_target(org, payload.target),
        started_on=payload.started_on,
        note=payload.note,
        by=request.user,
    )
    return Status(201, _point_out(point))


@router.post("/{code}/contact-points/{point_id}/end", response=responses({200: ContactPointOut}))
def end_contact_point(request: HttpRequest, code: Code, point_id: PathId, payload: EndIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    point = contact_point_of(org, point_id)
    return _point_out(domain.end_contact_point(point, ended_on=payload.ended_on, by=request.user))


@router.get("/{code}/visits", response=responses({200: list[VisitOut]}))
@paginate(Pagination)
def list_visits(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """Visits at the org's contact points, newest first; `year` narrows to one year."""
    org = get_org_for_user(request.user, code)
    visits = Visit.objects.filter(contact_point__org=org)
    if year is not None:
        visits = visits.filter(visited_on__year=year)
    visits = visits.select_related("contact_point__leader", "contact_point__target")
    return [_visit_out(v) for v in visits.order_by("-visited_on", "-pk")]


@router.post("/{code}/visits", response=responses({201: VisitOut}))
def record_visit(request: HttpRequest, code: Code, payload: VisitIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    visit = domain.record_visit(
        contact_point=contact_point_of(org, payload.contact_point),
        visited_on=payload.visited_on,
        kind=payload.kind,
        summary=payload.summary,
        org=org,
        by=request.user,
    )
    return Status(201, _visit_out(visit))


# --- venues and party-affairs staff (ORG-08) ----------------------------------------------


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
    org = _editable(request, code)
    venue = domain.save_venue(org=org, by=request.user, **payload.dict())
    return Status(201, _venue_out(venue))


@router.patch("/{code}/venues/{venue_id}", response=responses({200: VenueOut}))
def update_venue(request: HttpRequest, code: Code, venue_id: PathId, payload: VenuePatch):  # type: ignore[no-untyped-def]
    """Change a venue; set `closed_on` to close it."""
    org = _editable(request, code)
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
    org = _editable(request, code)
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
    org = _editable(request, code)
    post = staff_post_of(org, post_id)
    return _staff_out(domain.end_staff_post(post, ended_on=payload.ended_on, by=request.user))


# --- party-activity budget (ORG-09) -------------------------------------------------------


class BudgetYearOut(Schema):
    year: int
    amount: Decimal | None = Field(description="本组织该年度预算，未列预算为 null")
    note: str
    per_member_yuan: int = Field(description="政策规定的每名党员标准，0 表示未设定")
    policy_source: str
    members: int = Field(description="当年1月1日本组织及下级组织的正式党员和预备党员数")
    required: Decimal | None = Field(description="应安排标准 = 每名党员标准 × 党员数")
    spent: Decimal
    balance: Decimal | None


class BudgetIn(Schema):
    year: Year
    amount: Money
    note: str = ""


class SpendingOut(Schema):
    id: int
    spent_on: dt.date
    amount: Decimal
    purpose: str


class SpendingIn(Schema):
    spent_on: dt.date
    amount: Money
    purpose: str


def _budget_out(row: dict) -> dict:
    budget = row["budget"]
    return {
        "year": row["year"],
        "amount": budget.amount if budget else None,
        "note": budget.note if budget else "",
        "per_member_yuan": row["per_member"]["value"],
        "policy_source": row["per_member"]["source"],
        "members": row["members"],
        "required": row["required"],
        "spent": row["spent"],
        "balance": row["balance"],
    }


@router.get("/{code}/budgets", response=responses({200: list[BudgetYearOut]}))
def list_budgets(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """Per year (newest first): budget, the policy's standard, spending, balance (ORG-09)."""
    org = get_org_for_user(request.user, code)
    return [_budget_out(row) for row in budget_years(org, today())]


@router.post("/{code}/budgets", response=responses({201: BudgetYearOut}))
def set_budget(request: HttpRequest, code: Code, payload: BudgetIn):  # type: ignore[no-untyped-def]
    """Set (or change) the org's budget of a year."""
    org = _editable(request, code)
    budget = domain.set_budget(org=org, by=request.user, **payload.dict())
    rows = budget_years(org, today(), keep=200)
    return Status(201, _budget_out(next(r for r in rows if r["year"] == budget.year)))


@router.get("/{code}/spendings", response=responses({200: list[SpendingOut]}))
@paginate(Pagination)
def list_spendings(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    spendings = org.spendings.all()
    if year is not None:
        spendings = spendings.filter(spent_on__year=year)
    return spendings.order_by("-spent_on", "-pk")


@router.post("/{code}/spendings", response=responses({201: SpendingOut}))
def record_spending(request: HttpRequest, code: Code, payload: SpendingIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    spending: Spending = domain.record_spending(org=org, by=request.user, **payload.dict())
    return Status(201, spending)
