"""Writes of organizational life as recorded (issue 13, round trip): the rows of an import
sheet, an export's included, arrive with their past status already decided.

A meeting, its attendance, a leave request and an exemption in a file tell what happened:
a held meeting whose host has left the party since, a vote recorded on a roster row, a
leave request approved last year. These functions apply every rule of `orglife.domain`
to such rows, and judge the people of a past meeting as they were on its day (their org
and status then); they save through the ORM so that the history keeps each write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from xianfeng.accounts.scope import reference_error, require_reference
from xianfeng.members.models import Member, Status
from xianfeng.members.queries import covering, org_on

from . import domain
from .models import (
    Attendance,
    Exemption,
    LeaveRequest,
    LessonMaterial,
    Meeting,
    MeetingStatus,
    RequestStatus,
)
from .queries import home_of, paths_above, people_on_line, statuses_on

# --- meetings ------------------------------------------------------------------------------


def _status_on(member: Member, day: dt.date | None) -> str:
    if day is None:
        return member.status
    spell = member.status_spells.filter(covering(day)).first()
    return spell.status if spell is not None else member.status


def _on_line_then(meeting: Meeting, member: Member) -> bool:
    """On the meeting's line now (`people_on_line`) or through the org they were placed in
    on the meeting's day (a host who has moved away since)."""
    if people_on_line(meeting.org).filter(pk=member.pk).exists():
        return True
    then = org_on(member, meeting.day) if meeting.day else None
    if then is None:
        return False
    home = home_of(meeting.org)
    return then.path.startswith(home.path) or then.path in paths_above(home)


def _check_people(meeting: Meeting, fields: Any, by: Any) -> None:
    """Host, recorder and lecturer (those named in `fields`) as in `domain._check_references`,
    judged on the meeting's day; the material one published to the meeting's line."""
    for field in set(domain.PEOPLE) & set(fields):
        member = getattr(meeting, field)
        if member is None:
            continue
        allowed = _on_line_then(meeting, member)
        require_reference(
            by, member.org.path, field=field, label="党员", value=member.code, allowed=allowed
        )
    material = meeting.material if "material" in fields else None
    if material is not None and not meeting.org.path.startswith(material.org.path):
        raise reference_error("material", domain.MATERIAL_LABEL, material.pk)
    errors: dict[str, str] = {}
    for field in ("host", "recorder"):
        member, label = getattr(meeting, field), domain.PEOPLE[field]
        if member is not None and _status_on(member, meeting.day) == Status.LEFT:
            errors[field] = f"{label}“{member.name}”已出党，不能担任{label}"
    meeting.lecturer_name = (meeting.lecturer_name or "").strip()
    if meeting.lecturer is not None and meeting.lecturer_name:
        errors["lecturer_name"] = "授课人已选择党员，不再填写姓名"
    if errors:
        raise ValidationError(errors)


def _clean(meeting: Meeting, fields: Any, by: Any) -> None:
    domain.fill_defaults(meeting)
    domain.validate_kind(meeting)
    domain.validate_dates(meeting)
    domain.validate_for_period(meeting)
    _check_people(meeting, fields, by)
    try:
        meeting.full_clean(exclude=["org"])
    except ValidationError as error:
        if "topic" in error.message_dict:
            raise ValidationError({"topic": "请填写会议主题"}) from error
        raise


@transaction.atomic
def restore_meeting(*, org: Any, by: Any = None, **fields: Any) -> Meeting:
    """A meeting as recorded, of any status (planned, held, cancelled): the rules of
    `domain.record_meeting`, with its people judged on the meeting's day. `status`
    empty: held when `held_on` is given, else planned."""
    unknown = set(fields) - set(domain.MEETING_FIELDS)
    if unknown:
        raise ValidationError(f"不可填写的字段：{'、'.join(sorted(unknown))}")
    meeting = Meeting(org=org, **fields)
    if not meeting.status:
        meeting.status = MeetingStatus.HELD if meeting.held_on else MeetingStatus.PLANNED
    _clean(meeting, fields, by)
    meeting.save()
    return meeting


@transaction.atomic
def change_meeting(meeting: Meeting, *, by: Any = None, **fields: Any) -> Meeting:
    """Change recorded fields of a meeting (not its org), validated like `restore_meeting`."""
    unknown = set(fields) - set(domain.MEETING_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    for field, value in fields.items():
        setattr(meeting, field, value)
    _clean(meeting, fields, by)
    meeting.save(update_fields=[*fields, "lecturer_name", "for_period", "updated_at"])
    return meeting


# --- attendance ----------------------------------------------------------------------------

# member id → (status, voting or None to decide as `domain.set_attendance` does, note)
AttendanceRows = dict[int, tuple[str, bool | None, str]]


@transaction.atomic
def restore_attendance(
    meeting: Meeting,
    rows: AttendanceRows,
    *,
    by: Any = None,
    roster: list[int] | None = None,
    allowed: set[int] | None = None,
) -> None:
    """Upsert attendance rows of a held meeting with their vote and note as recorded; the
    rules of `domain.set_attendance` (who may have a row, known statuses). A vote left
    None is decided like there (a full member on the day, on the roster); a note left
    empty keeps the stored one. `roster` and `allowed` (`domain.allowed_attendees`), when
    the caller has them, save computing them again."""
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError({"attendance": "会议尚未召开，不能登记出勤"})
    statuses = domain.check_statuses({m: s for m, (s, _v, _n) in rows.items()})
    stored = {r.member_id: r for r in meeting.attendance.filter(member_id__in=list(rows))}
    if set(statuses) - set(stored):  # new rows: only who may attend (LIFE-01)
        if roster is None:
            roster = [m.pk for m in domain.roster_for(meeting.org, meeting.day, meeting.kind)]
        if allowed is None:
            allowed = domain.allowed_attendees(meeting, roster)
        outside = set(statuses) - allowed - set(stored)
        if outside:
            names = "、".join(map(str, sorted(outside)))
            raise reference_error("attendance", domain.MEMBER_LABEL, names)
    new = [m for m in rows if m not in stored and rows[m][1] is None]
    full = {m for m, s in statuses_on(new, meeting.day).items() if s == Status.FULL}
    created = []
    for member_id, (status, voting, note) in rows.items():
        row = stored.get(member_id)
        if row is None:
            on_roster = member_id in (roster or ())
            vote = voting if voting is not None else member_id in full and on_roster
            created.append(
                Attendance(
                    meeting=meeting, member_id=member_id, status=status, voting=vote, note=note
                )
            )
            continue
        wanted = {"status": status, "voting": voting, "note": note or None}
        changed = [k for k, v in wanted.items() if v is not None and getattr(row, k) != v]
        for key in changed:
            setattr(row, key, wanted[key])
        if changed:
            row.save(update_fields=changed)
    if created:  # one insert for the rows and one for their history
        bulk_create_with_history(created, Attendance, **_history_defaults())


def _history_defaults() -> dict[str, Any]:
    from xianfeng.core.actor import current_actor
    from xianfeng.core.history import history_reason

    actor = current_actor()
    user = actor.user if actor else None
    return {"default_user": user, "default_change_reason": history_reason()}


# --- leave requests --------------------------------------------------------------------------


def _decide(request: Any, status: str, by: Any) -> list[str]:
    """Set a request's decision fields for `status`; the fields written."""
    if request.status == status:
        return []
    request.status = status
    decided = status != RequestStatus.PENDING
    request.decided_by = by if decided else None
    request.decided_at = timezone.now() if decided else None
    return ["status", "decided_by", "decided_at"]


def _check_status(status: str, field: str = "status") -> None:
    if status not in RequestStatus.values:
        raise ValidationError({field: f"未知的审批状态“{status}”"})


@transaction.atomic
def restore_leave(
    *, meeting: Meeting, member: Member, reason: str, status: str, by: Any = None
) -> LeaveRequest:
    """A leave request as recorded (LIFE-04), of a meeting of any date and a decision
    already taken: the member is one who may attend the meeting (`allowed_attendees`),
    one request per member and meeting."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写请假事由"})
    _check_status(status)
    if member.pk not in domain.allowed_attendees(meeting):
        raise ValidationError({"member": f"{member.name}不在该会议的应到人员名单中"})
    if meeting.leave_requests.filter(member=member).exists():
        raise ValidationError({"meeting": "已对该会议提交过请假申请"})
    leave = LeaveRequest(meeting=meeting, member=member, reason=reason)
    _decide(leave, status, by)
    leave.full_clean()
    leave.save()
    return leave


@transaction.atomic
def change_leave(
    request: LeaveRequest, *, reason: str | None = None, status: str | None = None, by: Any = None
) -> LeaveRequest:
    """Change a leave request's reason or decision as recorded elsewhere."""
    fields: list[str] = []
    if reason is not None and reason.strip() != request.reason:
        if not reason.strip():
            raise ValidationError({"reason": "请填写请假事由"})
        request.reason, fields = reason.strip(), ["reason"]
    if status is not None:
        _check_status(status)
        fields += _decide(request, status, by)
    if fields:
        request.save(update_fields=fields)
    return request


# --- exemptions --------------------------------------------------------------------------------


@transaction.atomic
def restore_exemption(*, status: str, by: Any = None, **fields: Any) -> Exemption:
    """An exemption as recorded (LIFE-04): `domain.ask_exemption`'s rules, then its
    decision (`status`) as taken."""
    _check_status(status)
    exemption = domain.ask_exemption(by=by, **fields)
    if _decide(exemption, status, by):
        exemption.save(update_fields=["status", "decided_by", "decided_at"])
    return exemption


@transaction.atomic
def change_exemption(exemption: Exemption, *, by: Any = None, **fields: Any) -> Exemption:
    """Change an exemption's reason, last day or decision (`status`)."""
    unknown = set(fields) - {"reason", "ends_on", "status"}
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    written: list[str] = []
    if "status" in fields:
        _check_status(fields["status"])
        written += _decide(exemption, fields.pop("status"), by)
    for field, value in fields.items():
        setattr(exemption, field, value.strip() if isinstance(value, str) else value)
        written.append(field)
    if not exemption.reason:
        raise ValidationError({"reason": "请填写免于参加的原因"})
    if exemption.ends_on is not None and exemption.ends_on < exemption.starts_on:
        raise ValidationError({"ends_on": "截止日期不能早于起始日期"})
    exemption.full_clean()
    if written:
        exemption.save(update_fields=written)
    return exemption


# --- lesson materials ----------------------------------------------------------------------------


@transaction.atomic
def change_material(material: LessonMaterial, *, by: Any = None, **fields: Any) -> LessonMaterial:
    """Change a lesson material's summary, publication date or the name recorded for its
    file (the file itself stays; backups carry files)."""
    unknown = set(fields) - {"summary", "published_on", "file_name"}
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    for field, value in fields.items():
        setattr(material, field, value.strip() if isinstance(value, str) else value)
    material.full_clean()
    material.save(update_fields=list(fields))
    return material
