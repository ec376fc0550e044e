"""Writes of study and training (STUDY-01 … STUDY-04): courses and must-learn lists,
study plans and their items, study records, training classes with their enrolment and
attendance, and the hours credited to a study meeting.

Every function is keyword-only after its subject, atomic, validates with Chinese messages
keyed by field, and saves through the ORM so that the history keeps who changed what.
Permissions are checked by the callers (pages, API, import); `by` is the acting user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xianfeng.accounts.scope import reference_error, require_reference
from xianfeng.lib import uploads
from xianfeng.lib.dates import parse_period, today
from xianfeng.members.models import Member, Status
from xianfeng.members.queries import PlacementsOf, org_on
from xianfeng.orglife.models import Meeting, MeetingStatus
from xianfeng.orgs.models import Org, OrgKind

from .models import (
    RECORD_SOURCES,
    Course,
    CourseKind,
    Enrollment,
    EnrollmentStatus,
    MeetingCredit,
    MustLearnItem,
    MustLearnList,
    PlanItem,
    PlanKind,
    RecordSource,
    RecordStatus,
    StudyPlan,
    StudyRecord,
    TrainingClass,
    TrainingKind,
    TrainingStatus,
)
from .queries import STUDY_MEETING_KINDS, RecordsOf

MAX_COURSE_HOURS = Decimal("100")
MAX_RECORD_HOURS = Decimal("100")
MAX_MEETING_HOURS = Decimal("24")
FILE_TYPES = {
    CourseKind.FILE: frozenset({".pdf", ".docx", ".doc", ".pptx", ".ppt", ".xlsx", ".txt"}),
    CourseKind.VIDEO: frozenset({".mp4", ".webm", ".m4v"}),
    CourseKind.LECTURE: frozenset({".pdf", ".docx", ".pptx", ".mp4", ".webm", ".mp3"}),
    CourseKind.PRACTICAL: frozenset({".pdf", ".docx", ".pptx", ".mp4", ".webm"}),
    CourseKind.TEXT: frozenset({".pdf", ".docx", ".jpg", ".jpeg", ".png"}),
}
COURSE_FIELDS = ("title", "kind", "hours", "tags", "summary", "body", "file", "active")


# --- shared checks -------------------------------------------------------------------------


def valid_hours(field: str, value: Any, *, maximum: Decimal, what: str = "学时") -> Decimal:
    """A positive number of hours with at most one decimal place, not above `maximum`."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{what}应为数字，如 2 或 1.5"}) from None
    if not hours.is_finite() or hours <= 0:
        raise ValidationError({field: f"{what}应大于0"})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({field: f"{what}最多保留一位小数，如 1.5"})
    if hours > maximum:
        raise ValidationError({field: f"{what}不能超过{maximum}"})
    return hours.quantize(Decimal("0.1"))


def refuse_future(field: str, day: dt.date, what: str) -> None:
    if day > today():
        raise ValidationError({field: f"{what}不能晚于今天"})


def _year(field: str, year: Any) -> int:
    if not isinstance(year, int) or not 2000 <= year <= today().year + 1:
        raise ValidationError({field: f"年度应为2000至{today().year + 1}之间的年份"})
    return year


def _visible(course: Course, org: Org) -> bool:
    """A course is published by the org itself or one of its ancestors."""
    return org.path.startswith(course.org.path)


MEMBER_LABEL = "党员"
COURSE_LABEL = "课程"


def _usable_course(field: str, course: Course, org: Org) -> None:
    """A course published elsewhere reads as one that does not exist (no oracle)."""
    if not _visible(course, org):
        raise reference_error(field, COURSE_LABEL, course.pk)


def _member_in_reach(field: str, member: Member, by: Any, org: Org | None = None) -> None:
    """`member` lies inside `by`'s scope (or is `by`'s own member) and in `org`'s
    subtree when given; anyone else reads as a member that does not exist."""
    own = by is not None and getattr(by, "member_id", None) == member.pk
    below = org is None or member.org.path.startswith(org.path)
    path = member.org.path
    require_reference(
        None if own else by, path, field=field, label=MEMBER_LABEL, value=member.code, allowed=below
    )


def _active_member(field: str, member: Member) -> None:
    if member.status == Status.LEFT:
        raise ValidationError({field: f"“{member.name}”已出党，不能登记学习"})


def refuse_party_group(org: Org, what: str) -> None:
    if org.kind == OrgKind.PARTY_GROUP:
        raise ValidationError({"org": f"党小组不能{what}，请以所在党支部的名义登记"})


# --- courses and must-learn lists (STUDY-02) ------------------------------------------------


def valid_tags(tags: Iterable[Any]) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    cleaned: list[str] = []
    for tag in tags:
        text = str(tag).strip()
        if len(text) > 20:
            raise ValidationError({"tags": f"标签“{text}”过长（最多20个字）"})
        if text and text not in cleaned:
            cleaned.append(text)
    return cleaned


def _check_course(course: Course) -> None:
    course.title = (course.title or "").strip()
    if not course.title:
        raise ValidationError({"title": "请填写课程名称"})
    if course.kind not in CourseKind.values:
        raise ValidationError({"kind": f"未知的课程类型“{course.kind}”"})
    course.hours = valid_hours("hours", course.hours, maximum=MAX_COURSE_HOURS)
    course.tags = valid_tags(course.tags or [])
    refuse_party_group(course.org, "发布课程")
    refuse_future("published_on", course.published_on, "发布日期")
    if course.kind == CourseKind.TEXT and not (course.body or "").strip() and not course.file:
        raise ValidationError({"body": "图文课程须填写正文或上传文件"})
    if course.kind in (CourseKind.FILE, CourseKind.VIDEO) and not course.file:
        label = CourseKind(course.kind).label
        raise ValidationError({"file": f"{label}课程须上传本地文件"})
    if course.file:  # its bytes decide, not its name
        uploads.check_upload(course.file, FILE_TYPES[CourseKind(course.kind)])
        if not course.file._committed:
            course.file_name = uploads.original_name(course.file)
    course.full_clean(exclude=["org", "file"])


@transaction.atomic
def create_course(
    *,
    org: Org,
    title: str,
    kind: str,
    hours: Any,
    published_on: dt.date,
    tags: Iterable[str] = (),
    summary: str = "",
    body: str = "",
    file: Any = None,
    by: Any = None,
) -> Course:
    """Add a course to the catalogue of `org`'s subtree (STUDY-02); a file or video course
    carries a local file (no links to outside sites)."""
    course = Course(
        org=org,
        title=title,
        kind=kind,
        hours=hours,
        published_on=published_on,
        tags=list(tags) if not isinstance(tags, str) else tags,
        summary=summary,
        body=body,
    )
    if file is not None:
        course.file = file
    _check_course(course)
    course.save()
    return course


@transaction.atomic
def update_course(course: Course, *, by: Any = None, **fields: Any) -> Course:
    """Change a course's fields (not its org); validated like `create_course`."""
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(course, name, value)
    _check_course(course)
    named = ["file_name"] if "file" in fields else []
    course.save(update_fields=[*fields, *named, "updated_at"])
    return course


@transaction.atomic
def publish_must_learn_list(
    *,
    org: Org,
    year: int,
    courses: Iterable[Course],
    published_on: dt.date,
    title: str = "",
    note: str = "",
    by: Any = None,
) -> MustLearnList:
    """Publish `org`'s must-learn list (必学必知必会) of `year` to its subtree (STUDY-02);
    its courses come from the catalogue of the org or its ancestors."""
    _year("year", year)
    refuse_party_group(org, "发布必学清单")
    refuse_future("published_on", published_on, "发布日期")
    chosen = list(dict.fromkeys(courses))
    if not chosen:
        raise ValidationError({"courses": "必学清单至少应包含一门课程"})
    for course in chosen:
        _usable_course("courses", course, org)
    if MustLearnList.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": f"{org.name}{year}年度的必学清单已发布，请修改原清单"})
    must_learn = MustLearnList(
        org=org,
        year=year,
        title=(title or "").strip() or f"{year}年度必学必知必会清单",
        published_on=published_on,
        note=note,
    )
    must_learn.full_clean(exclude=["org"])
    must_learn.save()
    for position, course in enumerate(chosen, start=1):
        MustLearnItem.objects.create(must_learn=must_learn, course=course, position=position)
    return must_learn


# --- plans (STUDY-03) ------------------------------------------------------------------------


@transaction.atomic
def create_study_plan(
    *,
    kind: str,
    year: int,
    title: str,
    adopted_on: dt.date,
    org: Org | None = None,
    member: Member | None = None,
    content: str = "",
    by: Any = None,
) -> StudyPlan:
    """An org's annual study plan (kind org), or a leading cadre's personal annual
    self-study plan (kind personal, at the member's org, inside `by`'s scope) (STUDY-03)."""
    if member is not None:
        _member_in_reach("member", member, by)
    if kind not in PlanKind.values:
        raise ValidationError({"kind": f"未知的计划类型“{kind}”"})
    _year("year", year)
    refuse_future("adopted_on", adopted_on, "制定日期")
    if kind == PlanKind.ORG:
        org = _org_plan_owner(org, member, year)
    else:
        org = _personal_plan_owner(member, year)
    plan = StudyPlan(
        kind=kind,
        org=org,
        member=member,
        year=year,
        title=(title or "").strip(),
        content=content,
        adopted_on=adopted_on,
    )
    if not plan.title:
        raise ValidationError({"title": "请填写计划名称"})
    plan.full_clean(exclude=["org", "member"], validate_constraints=False)
    plan.save()
    return plan


def _org_plan_owner(org: Org | None, member: Member | None, year: int) -> Org:
    if org is None:
        raise ValidationError({"org": "请选择制定计划的党组织"})
    if member is not None:
        raise ValidationError({"member": "组织学习计划不填写个人"})
    refuse_party_group(org, "制定学习计划")
    if StudyPlan.objects.filter(kind=PlanKind.ORG, org=org, year=year).exists():
        raise ValidationError({"year": f"{org.name}{year}年度学习计划已制定，请修改原计划"})
    return org


def _personal_plan_owner(member: Member | None, year: int) -> Org:
    if member is None:
        raise ValidationError({"member": "个人自学计划须选择制定人"})
    if not member.leading_cadre:
        raise ValidationError({"member": f"“{member.name}”不是党员领导干部，无需制定个人自学计划"})
    _active_member("member", member)
    if StudyPlan.objects.filter(kind=PlanKind.PERSONAL, member=member, year=year).exists():
        raise ValidationError({"year": f"“{member.name}”{year}年度个人自学计划已制定"})
    return member.org


@transaction.atomic
def add_plan_item(
    plan: StudyPlan,
    *,
    period: str,
    title: str,
    content: str = "",
    course: Course | None = None,
    planned_hours: Any = None,
    by: Any = None,
) -> PlanItem:
    """A quarterly arrangement (period 2025-Q3) or a monthly task (2025-06) of an org
    plan; a personal plan is arranged by month only (STUDY-03)."""
    period = (period or "").strip()
    try:
        part = parse_period(period)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    if "Q" not in period and len(period) != 7:
        raise ValidationError({"period": "安排期间应为季度（如 2025-Q3）或月份（如 2025-06）"})
    if part.start.year != plan.year:
        raise ValidationError({"period": f"安排期间应在计划年度{plan.year}年内"})
    if plan.kind == PlanKind.PERSONAL and "Q" in period:
        raise ValidationError({"period": "个人自学计划按月作出安排，请填写月份（如 2025-06）"})
    if course is not None:
        _usable_course("course", course, plan.org)
    item = PlanItem(plan=plan, period=period, title=(title or "").strip(), content=content)
    if not item.title:
        raise ValidationError({"title": "请填写学习内容"})
    item.course = course
    if planned_hours not in (None, ""):
        item.planned_hours = valid_hours("planned_hours", planned_hours, maximum=MAX_RECORD_HOURS)
    item.full_clean(exclude=["plan", "course", "meeting"])
    item.save()
    return item


@transaction.atomic
def mark_plan_item_done(
    item: PlanItem,
    *,
    done_on: dt.date,
    done_note: str = "",
    meeting: Meeting | None = None,
    by: Any = None,
) -> PlanItem:
    """Record that a plan item was carried out (plan vs. done), maybe by a held meeting
    of the plan's org or its subtree."""
    refuse_future("done_on", done_on, "完成日期")
    if done_on.year < item.plan.year:
        raise ValidationError({"done_on": f"完成日期不能早于计划年度{item.plan.year}年"})
    if meeting is not None:
        below = meeting.org.path.startswith(item.plan.org.path)
        path = meeting.org.path
        require_reference(by, path, field="meeting", label="会议", value=meeting.pk, allowed=below)
        if meeting.status != MeetingStatus.HELD:
            raise ValidationError({"meeting": "只能关联已召开的会议"})
    item.done_on, item.done_note, item.meeting = done_on, (done_note or "").strip(), meeting
    item.full_clean(exclude=["plan", "course", "meeting"])
    item.save(update_fields=["done_on", "done_note", "meeting"])
    return item


# --- study records (STUDY-01) ---------------------------------------------------------------


@transaction.atomic
def record_study(
    *,
    member: Member,
    source: str,
    studied_on: dt.date,
    hours: Any = None,
    title: str = "",
    course: Course | None = None,
    note: str = "",
    batch: str = "",
    by: Any = None,
    placements: PlacementsOf | None = None,
    stored: RecordsOf | None = None,
) -> StudyRecord:
    """Record a member's online course, self-study or outside-platform study (STUDY-01).

    An online record names a catalogue course (its hours when `hours` is empty); a
    self-study entry waits for approval (pending) before it counts; imported rows carry
    their `batch`. The record's org is the member's org on `studied_on`. Training classes
    and meetings are not recorded here: they count from their attendance. The member lies
    inside `by`'s scope (or is `by`'s own), the course is published to the member's org.
    An import passes the `placements` and `stored` records of its rows, read at once.
    """
    _member_in_reach("member", member, by)
    if source not in RECORD_SOURCES:
        allowed = "、".join(str(RecordSource(s).label) for s in RECORD_SOURCES)
        raise ValidationError({"source": f"学习记录来源应为{allowed}"})
    _active_member("member", member)
    refuse_future("studied_on", studied_on, "学习日期")
    if studied_on < member.joined_on:
        raise ValidationError({"studied_on": "学习日期早于入党日期"})
    org = (placements.org_on if placements else org_on)(member, studied_on) or member.org
    _check_course_of_record(source, course, org)
    if hours in (None, "") and course is not None:
        hours = course.hours
    if hours in (None, ""):
        raise ValidationError({"hours": "请填写学时"})
    record = StudyRecord(
        member=member,
        org=org,
        source=source,
        studied_on=studied_on,
        hours=valid_hours("hours", hours, maximum=MAX_RECORD_HOURS),
        course=course,
        title=(title or "").strip() or (course.title if course else ""),
        note=(note or "").strip(),
        batch=(batch or "").strip(),
        status=RecordStatus.PENDING if source == RecordSource.SELF_STUDY else RecordStatus.APPROVED,
        entered_by=by if getattr(by, "pk", None) else None,
    )
    if not record.title:
        raise ValidationError({"title": "请填写学习内容或选择课程"})
    if stored is None or stored.may_hold(record):
        _refuse_duplicate(record)
    record.full_clean(exclude=["member", "org", "course", "entered_by", "decided_by"])
    record.save()
    if stored is not None:
        stored.add(record)
    return record


def _check_course_of_record(source: str, course: Course | None, org: Org) -> None:
    if source == RecordSource.ONLINE and course is None:
        raise ValidationError({"course": "网络学习须选择课程菜单中的课程"})
    if course is not None:
        _usable_course("course", course, org)


def _refuse_duplicate(record: StudyRecord) -> None:
    same = StudyRecord.objects.filter(
        member=record.member,
        source=record.source,
        studied_on=record.studied_on,
        title=record.title,
    ).exclude(status=RecordStatus.REJECTED)
    if same.exists():
        raise ValidationError(
            {"title": f"{record.studied_on.isoformat()}已有同一内容的学习记录“{record.title}”"}
        )


@transaction.atomic
def decide_self_study(
    record: StudyRecord, *, approve: bool, note: str = "", by: Any = None
) -> StudyRecord:
    """Approve (it counts where the policy counts self-study) or reject a pending
    self-study entry."""
    if record.source != RecordSource.SELF_STUDY:
        raise ValidationError({"status": "只有个人自学记录需要审核"})
    if record.status != RecordStatus.PENDING:
        raise ValidationError({"status": "该记录已审核"})
    record.status = RecordStatus.APPROVED if approve else RecordStatus.REJECTED
    record.decided_by = by if getattr(by, "pk", None) else None
    record.decided_at = timezone.now()
    if note:
        record.note = note.strip()[:200]
    record.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return record


# --- training classes (STUDY-04) -------------------------------------------------------------


@transaction.atomic
def create_training_class(
    *,
    org: Org,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    days: Any,
    hours: Any,
    organizer: str = "",
    place: str = "",
    content: str = "",
    status: str = TrainingStatus.HELD,
    by: Any = None,
) -> TrainingClass:
    """A training class organized by `org` (STUDY-04); `hours` are credited to each
    member who attends, `days` (half days allowed) fit between its first and last day."""
    if kind not in TrainingKind.values:
        raise ValidationError({"kind": f"未知的培训类型“{kind}”"})
    if status not in TrainingStatus.values:
        raise ValidationError({"status": f"未知的状态“{status}”"})
    refuse_party_group(org, "举办培训班")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    if status == TrainingStatus.HELD:
        refuse_future("ends_on", ends_on, "已举办培训班的结束日期")
    span = (ends_on - starts_on).days + 1
    length = valid_hours("days", days, maximum=Decimal(span), what="培训天数")
    training = TrainingClass(
        org=org,
        kind=kind,
        title=(title or "").strip(),
        organizer=(organizer or "").strip(),
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        days=length,
        hours=valid_hours("hours", hours, maximum=Decimal(span * 12)),
        place=(place or "").strip(),
        content=content,
    )
    if not training.title:
        raise ValidationError({"title": "请填写培训班名称"})
    training.full_clean(exclude=["org"])
    training.save()
    return training


@transaction.atomic
def enroll_members(
    training_class: TrainingClass, *, members: Iterable[Member], by: Any = None
) -> list[Enrollment]:
    """Enrol members of the class org's subtree inside `by`'s scope (anyone else reads as
    not found); those already enrolled keep their row."""
    if training_class.status == TrainingStatus.CANCELLED:
        raise ValidationError({"training_class": "培训班已取消，不能报名"})
    members = list(members)
    for member in members:
        _member_in_reach("members", member, by, training_class.org)
    rows = []
    for member in members:
        _active_member("members", member)
        row, _created = Enrollment.objects.get_or_create(
            training_class=training_class, member=member
        )
        rows.append(row)
    return rows


@transaction.atomic
def record_training_attendance(
    training_class: TrainingClass,
    *,
    attended: Iterable[Member],
    absent: Iterable[Member] = (),
    hours: Any = None,
    by: Any = None,
) -> list[Enrollment]:
    """Who attended a held class (credited its hours, or `hours` if fewer were
    attended) and who did not; members not yet enrolled are enrolled, when they may be
    (`enroll_members`)."""
    if training_class.status != TrainingStatus.HELD:
        raise ValidationError({"training_class": "只有已举办的培训班可以登记参训情况"})
    came, missed = list(attended), list(absent)
    enrolled = set(training_class.enrollments.values_list("member_id", flat=True))
    for field, members in (("attended", came), ("absent", missed)):
        for member in members:
            if member.pk not in enrolled:
                _member_in_reach(field, member, by, training_class.org)
    both = {m.pk for m in came} & {m.pk for m in missed}
    if both:
        names = "、".join(m.name for m in came if m.pk in both)
        raise ValidationError({"attended": f"“{names}”不能同时登记为参训和未参训"})
    credited = None
    if hours not in (None, ""):
        credited = valid_hours("hours", hours, maximum=training_class.hours, what="认定学时")
    rows = []
    for members, status in ((came, EnrollmentStatus.ATTENDED), (missed, EnrollmentStatus.ABSENT)):
        for member in members:
            row = _set_enrollment(training_class, member, status, credited)
            rows.append(row)
    return rows


def _set_enrollment(
    training_class: TrainingClass, member: Member, status: str, hours: Decimal | None
) -> Enrollment:
    _active_member("attended", member)
    row = Enrollment.objects.filter(training_class=training_class, member=member).first()
    if row is None:
        row = Enrollment(training_class=training_class, member=member)
    row.status = status
    row.hours = hours if status == EnrollmentStatus.ATTENDED else None
    row.save()
    return row


@transaction.atomic
def credit_meeting_hours(
    meeting: Meeting, *, hours: Any, note: str = "", by: Any = None
) -> MeetingCredit:
    """The study hours each member present at a party lesson or study session is
    credited, instead of the policy's default for its kind (STUDY-01)."""
    if meeting.kind not in STUDY_MEETING_KINDS:
        raise ValidationError({"meeting": "只有党课和专题学习研讨可以认定学时"})
    value = valid_hours("hours", hours, maximum=MAX_MEETING_HOURS)
    credit = MeetingCredit.objects.filter(meeting=meeting).first() or MeetingCredit(meeting=meeting)
    credit.hours, credit.note = value, (note or "").strip()
    credit.full_clean(exclude=["meeting"])
    credit.save()
    return credit
