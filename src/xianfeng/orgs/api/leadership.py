"""Leadership endpoints: seats, terms and their extension, vacancies (ORG-04, ORG-05)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Schema, Status

from xianfeng.lib.api import Code, PathId, responses
from xianfeng.lib.dates import today

from .. import domain
from ..models import Org, Seat, SeatRole, Term
from ..permissions import can_approve_term_extension
from ..queries import get_org_for_user, is_seat_active, leadership_of, seat_holder
from .common import editable, router


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
    org = editable(request, code)
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
    org = editable(request, code)
    seat = org.seats.select_related("member").filter(pk=seat_id).first()
    if seat is None:
        raise Http404("没有找到该班子职务")
    seat = domain.end_seat(seat=seat, on=payload.ended_on, by=request.user)
    return _seat_out(seat, today())


@router.post("/{code}/terms", response=responses({201: TermOut}))
def record_election(request: HttpRequest, code: Code, payload: TermIn):  # type: ignore[no-untyped-def]
    from xianfeng.compliance.policy import resolver

    org = editable(request, code)
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
