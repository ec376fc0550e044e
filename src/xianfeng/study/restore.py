"""Writes for re-importing an export of study records (issue 13, round trip).

An export carries what happened in the past and leaves out uploaded files (backups carry
them), so two of the domain's rules for new entries do not fit its rows: a file or video
course arrives without its file, and a member who has since left the party (or moved
away) has study hours and enrolments from before. These functions apply every other rule
of `study.domain`, and for past rows judge the member as they were on the day.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.members.models import Member
from xianfeng.members.queries import covering, org_on

from . import domain
from .models import Course, CourseKind, Enrollment

COURSE_KEYS = ("title", "kind", "hours", "tags", "summary", "body", "file_name", "active")


def member_as_of(member: Member, day: dt.date) -> Member:
    """`member` (a copy, never saved) with the status and org they had on `day`, for
    checking a past row against the domain's rules; the member itself when nothing
    differs."""
    spell = member.status_spells.filter(covering(day)).first()
    status = spell.status if spell is not None else member.status
    org = org_on(member, day) or member.org
    if status == member.status and org.pk == member.org_id:
        return member
    past = copy.copy(member)
    past.status = status
    past.org = org
    return past


@transaction.atomic
def save_course(course: Course | None = None, *, org: Any, by: Any = None, **fields: Any) -> Course:
    """Create (course None) or change a catalogue course from its exported metadata; its
    file does not travel in spreadsheets, so a file or video course may arrive without it
    (the original file name is kept as metadata)."""
    unknown = set(fields) - {*COURSE_KEYS, "published_on"}
    if unknown:
        raise ValidationError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    if course is None:
        course = Course(org=org)
    for name, value in fields.items():
        setattr(course, name, value)
    _check(course)
    course.save()
    return course


def _check(course: Course) -> None:
    course.title = (course.title or "").strip()
    if not course.title:
        raise ValidationError({"title": "请填写课程名称"})
    if course.kind not in CourseKind.values:
        raise ValidationError({"kind": f"未知的课程类型“{course.kind}”"})
    course.hours = domain.valid_hours("hours", course.hours, maximum=domain.MAX_COURSE_HOURS)
    course.tags = domain.valid_tags(course.tags or [])
    domain.refuse_party_group(course.org, "发布课程")
    domain.refuse_future("published_on", course.published_on, "发布日期")
    text = course.kind == CourseKind.TEXT
    if text and not (course.body or "").strip() and not course.file and not course.file_name:
        raise ValidationError({"body": "图文课程须填写正文或上传文件"})
    course.full_clean(exclude=["org", "file"])


@transaction.atomic
def set_enrollment_note(row: Enrollment, *, note: str, by: Any = None) -> Enrollment:
    """The note of an enrolment (no page edits it; an import restores it)."""
    row.note = (note or "").strip()
    row.full_clean(exclude=["training_class", "member"])
    row.save(update_fields=["note"])
    return row
