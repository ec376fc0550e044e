"""Writes of organizational life (LIFE-01, LIFE-04, LIFE-06, LIFE-07, LIFE-08): meetings and
their attendance, leave requests, exemptions, attachments, lesson materials and the records
of party-affairs work.

Every function is keyword-only after its subject, atomic, validates with Chinese messages
keyed by field, and saves through the ORM so that the history keeps who changed what.
Permissions are checked by the callers (pages, API); `by` is the acting user.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xianfeng.accounts.scope import reference_error, require_reference
from xianfeng.compliance.policy import resolver
from xianfeng.lib import uploads
from xianfeng.lib.dates import add_months, parse_period, today
from xianfeng.members.models import Member, Status
from xianfeng.orgs.models import LEADERSHIP_KINDS, MEMBER_KINDS, Org, OrgKind

from .models import (
    AFFAIRS_PERIOD_SHAPES,
    YEARLY_KINDS,
    AffairsKind,
    AffairsRecord,
    Attachment,
    Attendance,
    AttendanceStatus,
    Exemption,
    LeaveRequest,
    LessonMaterial,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)
from .queries import Rosters, guest_ids, people_on_line, roster_for, statuses_on

M = MeetingKind
BRANCH_MEETING_KINDS = frozenset(
    {
        M.GENERAL_MEETING,
        M.COMMITTEE_MEETING,
        M.THEME_DAY,
        M.LIFE_MEETING,
        M.PARTY_LESSON,
        M.STUDY_SESSION,
        M.HEART_TALK,
    }
)
LEADERSHIP_LIFE_ORG_KINDS = frozenset(
    {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE}
)
# Kinds a leadership (班子) holds besides its committee meeting: lessons given by its
# secretary, study of the leadership and talks between its members (LIFE-02, LIFE-08).
LEADERSHIP_MEETING_KINDS = frozenset({M.PARTY_LESSON, M.STUDY_SESSION, M.HEART_TALK})

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = frozenset({".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx"})

MEETING_FIELDS = (
    "kind",
    "topic",
    "held_on",
    "planned_on",
    "starts_at",
    "for_period",
    "period_reason",
    "place",
    "host",
    "recorder",
    "lecturer",
    "lecturer_name",
    "material",
    "off_day_reason",
    "minutes",
    "status",
)
# Member references of a meeting, each checked when written (`_check_references`).
PEOPLE = {"host": "主持人", "recorder": "记录人", "lecturer": "授课人"}
MEMBER_LABEL = "党员"
MATERIAL_LABEL = "党课教材"


def allowed_kinds(org: Org) -> frozenset[str]:
    """The meeting kinds `org` may hold (LIFE-01)."""
    kinds: set[str] = set()
    if org.kind in MEMBER_KINDS:
        kinds |= BRANCH_MEETING_KINDS
    if org.kind == OrgKind.PARTY_GROUP:
        kinds.add(M.PARTY_GROUP_MEETING)
    if org.kind in LEADERSHIP_KINDS:
        kinds |= {M.COMMITTEE_MEETING, *LEADERSHIP_MEETING_KINDS}
    if org.kind in LEADERSHIP_LIFE_ORG_KINDS:
        kinds.add(M.LEADERSHIP_LIFE_MEETING)
    return frozenset(kinds)


def _kind_label(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def validate_kind(meeting: Meeting) -> None:
    if meeting.kind not in MeetingKind.values:
        raise ValidationError({"kind": f"未知的会议类型“{meeting.kind}”"})
    if meeting.kind not in allowed_kinds(meeting.org):
        org_kind = OrgKind(meeting.org.kind).label
        raise ValidationError({"kind": f"{org_kind}不召开{_kind_label(meeting.kind)}"})


def validate_dates(meeting: Meeting) -> None:
    errors: dict[str, str] = {}
    if meeting.status == MeetingStatus.HELD and meeting.held_on is None:
        errors["held_on"] = "已召开的会议须填写召开日期"
    if meeting.status == MeetingStatus.PLANNED and meeting.planned_on is None:
        errors["planned_on"] = "计划召开的会议须填写计划日期"
    if meeting.status == MeetingStatus.PLANNED and meeting.held_on is not None:
        errors["held_on"] = "计划中的会议不能填写召开日期；召开后请登记为已召开"
    if meeting.held_on is not None and meeting.held_on > today():
        errors["held_on"] = "召开日期不能晚于今天；尚未召开的会议请填写计划日期"
    if errors:
        raise ValidationError(errors)


def validate_for_period(meeting: Meeting) -> None:
    """A meeting counts for a period that has begun by its day (held, else planned); one
    for a period other than its day's, and not the period just ended within the grace
    months (life.life_meeting.grace_months), needs `period_reason` (issue 23)."""
    day = meeting.held_on or meeting.planned_on
    if not meeting.for_period or day is None:
        return
    try:
        period = parse_period(meeting.for_period)
    except ValueError:
        return  # the field's validator says so
    if day < period.start:
        message = (
            f"所属期间{period.label}尚未开始（{period.start.isoformat()}起），"
            f"{day.isoformat()}的会议不能计入以后的期间"
        )
        raise ValidationError({"for_period": message})
    if day in period or meeting.period_reason:
        return
    grace = resolver(day=day).value("life.life_meeting.grace_months", meeting.org.path)
    due = add_months(period.end, grace)
    if day >= due:
        message = (
            f"会议日期{day.isoformat()}不在所属期间{period.label}内，"
            f"也不在其补开期限（{(due - dt.timedelta(days=1)).isoformat()}前）内，"
            "请填写跨期登记原因"
        )
        raise ValidationError({"period_reason": message})


def _validate_people(meeting: Meeting) -> None:
    """A member who has left the party hosts or records no meeting."""
    errors: dict[str, str] = {}
    for field, label in (("host", "主持人"), ("recorder", "记录人")):
        member = getattr(meeting, field)
        if member is not None and member.status == Status.LEFT:
            errors[field] = f"{label}“{member.name}”已出党，不能担任{label}"
    meeting.lecturer_name = (meeting.lecturer_name or "").strip()
    if meeting.lecturer is not None and meeting.lecturer_name:
        errors["lecturer_name"] = "授课人已选择党员，不再填写姓名"
    if errors:
        raise ValidationError(errors)


def _check_references(meeting: Meeting, fields: Any, by: Any) -> None:
    """The host, recorder and lecturer named in `fields` are members of the org's tree
    or of an org above it (`people_on_line`) inside `by`'s scope; the material is one
    published to the org (LIFE-06). Anything else reads as not found: a write reveals
    nothing of what exists elsewhere."""
    for field in set(PEOPLE) & set(fields):
        member = getattr(meeting, field)
        if member is None:
            continue
        on_line = people_on_line(meeting.org).filter(pk=member.pk).exists()
        require_reference(
            by, member.org.path, field=field, label=MEMBER_LABEL, value=member.code, allowed=on_line
        )
    material = meeting.material if "material" in fields else None
    if material is not None and not meeting.org.path.startswith(material.org.path):
        raise reference_error("material", MATERIAL_LABEL, material.pk)


def fill_defaults(meeting: Meeting) -> None:
    meeting.topic = (meeting.topic or "").strip()
    meeting.place = (meeting.place or "").strip()
    meeting.off_day_reason = (meeting.off_day_reason or "").strip()
    meeting.for_period = (meeting.for_period or "").strip()
    meeting.period_reason = (meeting.period_reason or "").strip()
    if not meeting.for_period and meeting.kind in YEARLY_KINDS and meeting.held_on:
        meeting.for_period = str(meeting.held_on.year)


def _clean(meeting: Meeting, *, by: Any = None, references: Any = ()) -> None:
    fill_defaults(meeting)
    validate_kind(meeting)
    validate_dates(meeting)
    validate_for_period(meeting)
    _check_references(meeting, references, by)
    _validate_people(meeting)
    try:
        meeting.full_clean(exclude=["org"])
    except ValidationError as error:
        if "topic" in error.message_dict:
            raise ValidationError({"topic": "请填写会议主题"}) from error
        raise


@transaction.atomic
def record_meeting(
    *,
    org: Org,
    kind: str,
    topic: str,
    held_on: dt.date | None = None,
    planned_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    for_period: str = "",
    place: str = "",
    host: Member | None = None,
    recorder: Member | None = None,
    lecturer: Member | None = None,
    lecturer_name: str = "",
    material: LessonMaterial | None = None,
    off_day_reason: str = "",
    period_reason: str = "",
    minutes: str = "",
    status: str | None = None,
    attendance: dict[int, str] | None = None,
    by: Any = None,
) -> Meeting:
    """Record a held meeting or plan one (LIFE-01).

    `status` defaults to held when `held_on` is given, else planned. A yearly meeting
    without `for_period` is for the year it is held. `attendance` ({member id: status}),
    when given for a held meeting, writes the whole roster (see `write_roster`). Host,
    recorder and lecturer come from the org's tree or the orgs above it, inside `by`'s
    scope; a lecturer from elsewhere is `lecturer_name` (see `_check_references`).
    """
    meeting = Meeting(
        org=org,
        kind=kind,
        topic=topic,
        held_on=held_on,
        planned_on=planned_on,
        starts_at=starts_at,
        for_period=for_period,
        place=place,
        host=host,
        recorder=recorder,
        lecturer=lecturer,
        lecturer_name=lecturer_name,
        material=material,
        off_day_reason=off_day_reason,
        period_reason=period_reason,
        minutes=minutes,
        status=status or (MeetingStatus.HELD if held_on else MeetingStatus.PLANNED),
    )
    _clean(meeting, by=by, references=MEETING_FIELDS)
    meeting.save()
    if attendance is not None and meeting.status == MeetingStatus.HELD:
        write_roster(meeting, attendance, by=by)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, *, by: Any = None, **fields: Any) -> Meeting:
    """Change the fields of a meeting (not its org); validated like `record_meeting` (the
    people and material named in `fields` are checked, those kept are not)."""
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    for field, value in fields.items():
        setattr(meeting, field, value)
    _clean(meeting, by=by, references=fields)
    meeting.save(update_fields=[*fields, "lecturer_name", "for_period", "updated_at"])
    return meeting


@transaction.atomic
def hold_meeting(
    meeting: Meeting,
    *,
    held_on: dt.date,
    period_reason: str = "",
    attendance: dict[int, str] | None = None,
    by: Any = None,
) -> Meeting:
    """A planned meeting took place (planned → held); `attendance` as in record_meeting.
    `period_reason`, when given, replaces the meeting's (see `validate_for_period`)."""
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"status": "只有计划中的会议可以登记为已召开"})
    meeting.status, meeting.held_on = MeetingStatus.HELD, held_on
    if period_reason:
        meeting.period_reason = period_reason
    _clean(meeting)
    fields = ["status", "held_on", "for_period", "period_reason", "updated_at"]
    meeting.save(update_fields=fields)
    if attendance is not None:
        write_roster(meeting, attendance, by=by)
    return meeting


@transaction.atomic
def cancel_meeting(meeting: Meeting, *, by: Any = None) -> Meeting:
    """Cancel a planned meeting; a held meeting cannot be cancelled."""
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"status": "只有计划中的会议可以取消"})
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def check_statuses(statuses: dict[int, str]) -> dict[int, str]:
    bad = sorted({s for s in statuses.values() if s not in AttendanceStatus.values})
    if bad:
        raise ValidationError({"attendance": f"未知的出勤状态：{'、'.join(map(str, bad))}"})
    return {int(member_id): status for member_id, status in statuses.items()}


def allowed_attendees(
    meeting: Meeting, roster: list[int] | None = None, *, rosters: Rosters | None = None
) -> set[int]:
    """Who may have an attendance row of `meeting` (LIFE-01): its roster (`roster_for`),
    the guests without a vote (`guest_ids`: seat holders of the orgs above, leaders
    whose contact point the org is), whoever already has a row and, for a heart talk,
    any member of the org's subtree. `rosters` (an import's) answers roster, guests and
    subtree without reading them again for each meeting."""
    day, org = meeting.day, meeting.org
    if day is None:
        return set()
    if roster is None and rosters is not None:
        roster = rosters.roster(org, day, meeting.kind)
    if roster is None:
        roster = [m.pk for m in roster_for(org, day, meeting.kind)]
    guests = rosters.guests(org, day) if rosters is not None else guest_ids(org, day)
    rows = meeting.attendance.values_list("member_id", flat=True)
    allowed = set(roster) | guests | set(rows)
    if meeting.kind == MeetingKind.HEART_TALK:  # a leader talks with anyone below (LIFE-08)
        if rosters is not None:
            allowed |= rosters.below(org)
        else:
            below = Member.objects.filter(org__path__startswith=org.path)
            allowed |= set(below.values_list("pk", flat=True))
    return allowed


def _check_attendees(meeting: Meeting, statuses: dict[int, str], roster: Any) -> None:
    """Anyone else reads as a member not found, whether they exist or not."""
    outside = set(statuses) - allowed_attendees(meeting, roster)
    if outside:
        raise reference_error("attendance", MEMBER_LABEL, "、".join(map(str, sorted(outside))))


def _default_statuses(meeting: Meeting, member_ids: list[int]) -> dict[int, str]:
    """Absent, unless on approved leave from this meeting or exempted from its kind."""
    day = meeting.day
    defaults: dict[int, str] = dict.fromkeys(member_ids, AttendanceStatus.ABSENT)
    exempted = Exemption.objects.filter(
        member_id__in=member_ids,
        kind=meeting.kind,
        status=RequestStatus.APPROVED,
        starts_on__lte=day,
    ).exclude(ends_on__lt=day)
    for member_id in exempted.values_list("member_id", flat=True):
        defaults[member_id] = AttendanceStatus.EXEMPTED
    leave = meeting.leave_requests.filter(status=RequestStatus.APPROVED, member_id__in=member_ids)
    for member_id in leave.values_list("member_id", flat=True):
        defaults[member_id] = AttendanceStatus.LEAVE
    return defaults


def write_roster(meeting: Meeting, statuses: dict[int, str], *, by: Any = None) -> None:
    """Write an attendance row for every member on the roster of a held meeting and for
    every member named in `statuses` (LIFE-01). Members on the roster not named are
    absent, on leave (approved request) or exempted (approved exemption of this kind);
    `voting` is being a full member on the day; guests (`allowed_attendees`) do not vote."""
    roster = [m.pk for m in roster_for(meeting.org, meeting.day, meeting.kind)]
    statuses = check_statuses(statuses)
    defaults = _default_statuses(meeting, roster)
    set_attendance(meeting, {**defaults, **statuses}, by=by, roster=roster)


@transaction.atomic
def set_attendance(
    meeting: Meeting,
    statuses: dict[int, str],
    *,
    by: Any = None,
    roster: list[int] | None = None,
) -> None:
    """Upsert the attendance rows of a held meeting ({member id: status}) (LIFE-01).

    Only members of `allowed_attendees` are written: anyone else (elsewhere, or not
    existing at all) is refused alike. A new row votes when its member is on the roster
    and a full member on the day.
    """
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError({"attendance": "会议尚未召开，不能登记出勤"})
    statuses = check_statuses(statuses)
    if roster is None:
        roster = [m.pk for m in roster_for(meeting.org, meeting.day, meeting.kind)]
    _check_attendees(meeting, statuses, roster)
    rows = {row.member_id: row for row in meeting.attendance.filter(member_id__in=list(statuses))}
    new = [member_id for member_id in statuses if member_id not in rows]
    full = {m for m, s in statuses_on(new, meeting.day).items() if s == Status.FULL}
    for member_id, status in statuses.items():
        row = rows.get(member_id)
        if row is None:
            voting = member_id in full and member_id in roster
            Attendance.objects.create(
                meeting=meeting, member_id=member_id, status=status, voting=voting
            )
        elif row.status != status:
            row.status = status
            row.save(update_fields=["status"])


# --- leave and exemptions (LIFE-04) ------------------------------------------------------


@transaction.atomic
def ask_leave(*, meeting: Meeting, member: Member, reason: str, by: Any = None) -> LeaveRequest:
    """A member asks for leave from a planned meeting not yet held (请假, LIFE-04)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写请假事由"})
    if meeting.status != MeetingStatus.PLANNED or meeting.planned_on is None:
        raise ValidationError({"meeting": "只能对计划召开、尚未召开的会议请假"})
    if meeting.planned_on < today():
        raise ValidationError({"meeting": "该会议的计划日期已过，不能再请假"})
    if member.pk not in {m.pk for m in roster_for(meeting.org, meeting.planned_on, meeting.kind)}:
        raise ValidationError({"member": f"{member.name}不在该会议的应到人员名单中"})
    if meeting.leave_requests.filter(member=member).exists():
        raise ValidationError({"meeting": "已对该会议提交过请假申请"})
    leave = LeaveRequest(meeting=meeting, member=member, reason=reason)
    leave.full_clean()
    leave.save()
    return leave


@transaction.atomic
def decide_leave(request: LeaveRequest, *, approve: bool, by: Any) -> LeaveRequest:
    """Approve or reject a pending leave request; an approved one marks the member on
    leave where the meeting already has their roster row."""
    if request.status != RequestStatus.PENDING:
        raise ValidationError({"status": "该请假申请已审批过"})
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by, request.decided_at = by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    row = request.meeting.attendance.filter(member=request.member).first()
    if approve and row is not None and row.status != AttendanceStatus.LEAVE:
        row.status = AttendanceStatus.LEAVE
        row.save(update_fields=["status"])
    return request


@transaction.atomic
def ask_exemption(
    *,
    member: Member,
    kind: str,
    reason: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    org: Org | None = None,
    by: Any = None,
) -> Exemption:
    """Record a frail or sick member's application to be exempted from a kind of meeting
    from `starts_on` to `ends_on` (the last day; open when None) (LIFE-04). The member
    is one of `org`'s subtree (when given) inside `by`'s scope, else not found."""
    mine = org is None or member.org.path.startswith(org.path)
    require_reference(
        by, member.org.path, field="member", label=MEMBER_LABEL, value=member.code, allowed=mine
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写免于参加的原因"})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "截止日期不能早于起始日期"})
    exemption = Exemption(
        member=member, kind=kind, reason=reason, starts_on=starts_on, ends_on=ends_on
    )
    exemption.full_clean()
    exemption.save()
    return exemption


@transaction.atomic
def decide_exemption(exemption: Exemption, *, approve: bool, by: Any) -> Exemption:
    """Approve or reject a pending exemption."""
    if exemption.status != RequestStatus.PENDING:
        raise ValidationError({"status": "该申请已审批过"})
    exemption.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    exemption.decided_by, exemption.decided_at = by, timezone.now()
    exemption.save(update_fields=["status", "decided_by", "decided_at"])
    return exemption


# --- files (LIFE-01 attachments, LIFE-06 materials) --------------------------------------


def validate_upload(file: Any, field: str = "file") -> None:
    """At most 20 MB, of type jpg, png, pdf, docx or xlsx by its bytes (not its name)."""
    uploads.check_upload(
        file,
        ATTACHMENT_TYPES,
        limit=MAX_ATTACHMENT_BYTES,
        field=field,
        label="jpg、png、pdf、docx 或 xlsx",
    )


@transaction.atomic
def add_attachment(meeting: Meeting, *, file: Any, by: Any = None) -> Attachment:
    """Keep a file with a meeting (photos, sign-in sheet, minutes scan), stored locally."""
    validate_upload(file)
    name = uploads.original_name(file)
    attachment = Attachment(meeting=meeting, file=file, name=name, size=file.size)
    attachment.save()
    return attachment


PUBLISHER_KINDS = LEADERSHIP_KINDS - MEMBER_KINDS


@transaction.atomic
def publish_material(
    *,
    org: Org,
    month: str,
    title: str,
    summary: str = "",
    file: Any = None,
    published_on: dt.date | None = None,
    by: Any = None,
) -> LessonMaterial:
    """An upper org publishes the month's lesson material to its subtree (月送党课, LIFE-06)."""
    if org.kind not in PUBLISHER_KINDS:
        raise ValidationError({"org": "党课教材由党委、工委或党总支向下级党组织发布"})
    if file:
        validate_upload(file)
    material = LessonMaterial(
        org=org,
        month=(month or "").strip(),
        title=(title or "").strip(),
        summary=(summary or "").strip(),
        file=file or "",
        file_name=uploads.original_name(file) if file else "",
        published_on=published_on or today(),
    )
    material.full_clean()
    material.save()
    return material


# --- party-affairs records (LIFE-07 党务公开, LIFE-08 思想状况分析) -----------------------------

AFFAIRS_FIELDS = ("kind", "period", "done_on", "summary", "file")
PERIOD_EXAMPLES = {"month": "月份，如 2025-06", "half": "半年，如 2025-H1", "year": "年度，如 2025"}


def _period_shape(label: str) -> str:
    part = label.partition("-")[2]
    return {"": "year", "H": "half", "Q": "quarter"}.get(part[:1], "month")


def _validate_affairs_period(record: AffairsRecord) -> None:
    """The period is one of the kind's shape, and the work was not done before it began."""
    kind = AffairsKind(record.kind)
    shape = AFFAIRS_PERIOD_SHAPES[kind]
    wrong = ValidationError({"period": f"{kind.label}的所属期间应为{PERIOD_EXAMPLES[shape]}"})
    try:
        period = parse_period(record.period)
    except ValueError:
        raise wrong from None
    if _period_shape(period.label) != shape:
        raise wrong
    if record.done_on is not None and record.done_on < period.start:
        message = f"完成日期不能早于所属期间的开始（{period.start.isoformat()}）"
        raise ValidationError({"done_on": message})


def _clean_affairs(record: AffairsRecord) -> None:
    record.period = (record.period or "").strip().upper()
    record.summary = (record.summary or "").strip()
    if record.kind not in AffairsKind.values:
        raise ValidationError({"kind": f"未知的党务工作类型“{record.kind}”"})
    if record.org.kind not in LEADERSHIP_KINDS:
        org_kind = OrgKind(record.org.kind).label
        raise ValidationError({"org": f"{org_kind}不单独登记党务工作记录，请在所在党支部登记"})
    if not record.summary:
        raise ValidationError({"summary": "请填写内容摘要"})
    if record.done_on is not None and record.done_on > today():
        raise ValidationError({"done_on": "完成日期不能晚于今天"})
    _validate_affairs_period(record)
    same = AffairsRecord.objects.filter(org=record.org, kind=record.kind, period=record.period)
    if same.exclude(pk=record.pk).exists():
        label = AffairsKind(record.kind).label
        message = f"{record.org.name}已登记{record.period}的{label}，请修改原记录"
        raise ValidationError({"period": message})
    record.full_clean(exclude=["org", "file"], validate_constraints=False)


@transaction.atomic
def record_affairs(
    *,
    org: Org,
    kind: str,
    period: str,
    done_on: dt.date,
    summary: str,
    file: Any = None,
    by: Any = None,
) -> AffairsRecord:
    """Record a piece of party-affairs work of `org` for `period`: the month's publication
    (党务公开), the half-year report to all members, the annual written report upward
    (LIFE-07) or the annual ideological analysis (LIFE-08). One record per org, kind and
    period; the period's shape follows the kind (2025-06, 2025-H1, 2025)."""
    if file:
        validate_upload(file)
    record = AffairsRecord(
        org=org, kind=kind, period=period, done_on=done_on, summary=summary, file=file or ""
    )
    record.file_name = uploads.original_name(file) if file else ""
    _clean_affairs(record)
    record.save()
    return record


@transaction.atomic
def update_affairs(record: AffairsRecord, *, by: Any = None, **fields: Any) -> AffairsRecord:
    """Change a party-affairs record (not its org); validated like `record_affairs`."""
    unknown = set(fields) - set(AFFAIRS_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    if fields.get("file"):
        validate_upload(fields["file"])
        fields["file_name"] = uploads.original_name(fields["file"])
    for field, value in fields.items():
        setattr(record, field, value)
    _clean_affairs(record)
    record.save(update_fields=[*fields, "period", "summary", "updated_at"])
    return record


@transaction.atomic
def delete_affairs(record: AffairsRecord, *, by: Any = None) -> None:
    """Delete a party-affairs record entered by mistake (the history keeps it)."""
    record.delete()
