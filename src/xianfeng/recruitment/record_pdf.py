"""A person's whole development record as a PDF (发展党员全程记实, DEV-01, DEV-02): the
facts of the person and their file (入党志愿书编号 included), every step with its date,
org, who decided, conclusion and votes, the mentors and the introducers — the paper
record an org files — through the shared PDF module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xianfeng.lib.dates import today
from xianfeng.lib.pdf import Column, Document, format_date

from .models import Person, Step

NONE = "—"


def pdf_response(person: Person) -> HttpResponse:
    """The person's record, shown inline under a Chinese file name."""
    response = HttpResponse(render_person_record(person), content_type="application/pdf")
    disposition = content_disposition_header(False, record_filename(person))
    response["Content-Disposition"] = disposition or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def record_filename(person: Person) -> str:
    """发展党员全程记实-<name>.pdf."""
    return _("发展党员全程记实-%(name)s.pdf") % {"name": person.name}


def render_person_record(person: Person) -> bytes:
    """The PDF of `person`'s record (the caller has checked the user may see it)."""
    document = Document(_("发展党员全程记实"), author=person.org.name)
    document.table([Column(_("项目"), 1.3), Column(_("内容"), 4)], facts(person), header=False)
    document.heading(_("一、发展环节"))
    steps = list(
        person.steps.select_related("org", "to_org").prefetch_related("files").order_by("on", "pk")
    )
    document.table(
        [
            Column(_("日期"), 1.75),
            Column(_("环节"), 2.1),
            Column(_("党组织"), 1.7),
            Column(_("决定人"), 1.2),
            Column(_("内容或结论"), 2.6),
        ],
        [step_row(step) for step in steps] or [[NONE] * 5],
    )
    document.heading(_("二、培养联系人"))
    document.table([Column(_("姓名"), 1.5), Column(_("期间"), 3)], mentor_rows(person))
    document.heading(_("三、入党介绍人"))
    document.table([Column(_("姓名"), 1.5), Column(_("确定日期"), 3)], introducer_rows(person))
    return document.signature(person.org.name, today()).render()


def day(value: object) -> str:
    return format_date(value) if value else NONE  # type: ignore[arg-type]


def facts(person: Person) -> list[tuple[str, str]]:
    rows = [
        (_("姓名"), person.name),
        (_("性别"), str(person.get_gender_display()) or NONE),
        (_("出生日期"), day(person.birth_date)),
        (_("身份证号"), person.id_number_masked),
        (_("学历"), str(person.get_education_display()) or NONE),
        (_("职业（岗位）"), person.occupation or NONE),
        (_("所在党组织"), person.org.name),
        (_("发展阶段"), str(person.get_stage_display())),
        (_("入党志愿书编号"), person.volunteer_book_no or NONE),
        (_("递交申请日期"), day(person.applied_on)),
    ]
    dated = [
        (_("确定为积极分子日期"), person.activist_on),
        (_("确定为发展对象日期"), person.candidate_on),
        (_("接收为预备党员日期"), person.admitted_on),
        (_("党委审批日期"), person.approved_on),
        (_("预备期满日期"), person.probation_ends_on),
        (_("转为正式党员日期"), person.full_on),
        (_("终止日期"), person.ended_on),
    ]
    rows += [(label, day(value)) for label, value in dated if value]
    if person.ended_reason:
        rows.append((_("终止原因"), person.ended_reason))
    return rows


def step_row(step: Step) -> list[str]:
    return [
        day(step.on),
        str(step.get_kind_display()),
        step.org.name,
        step.decided_by or NONE,
        "；".join(part for part in step_details(step) if part) or NONE,
    ]


def step_details(step: Step) -> list[str]:
    """The conclusion and what the kind records: the notice's end, the votes, the
    training, the extension, the transfer, the files."""
    parts = [step.conclusion]
    if step.ends_on:
        parts.append(_("公示至%(day)s") % {"day": format_date(step.ends_on)})
    if step.voters is not None:
        parts.append(
            _("应到%(voters)s人，实到%(present)s人，赞成%(in_favour)s票")
            % {"voters": step.voters, "present": step.present, "in_favour": step.in_favour}
        )
    parts.append(training(step))
    if step.months:
        parts.append(_("延长预备期%(months)s个月") % {"months": step.months})
    if step.special:
        parts.append(_("特殊情况"))
    if step.to_org:
        parts.append(_("转入%(org)s") % {"org": step.to_org.name})
    names = [file.name for file in step.files.all()]
    if names:
        parts.append(_("附件：%(names)s") % {"names": "、".join(names)})
    return parts


def number(value: Decimal) -> str:
    """8.0 → 8, 2.5 → 2.5."""
    return f"{value.normalize():f}"


def training(step: Step) -> str:
    days = _("%(n)s天") % {"n": number(step.days)} if step.days is not None else ""
    hours = _("%(n)s学时") % {"n": number(step.hours)} if step.hours is not None else ""
    return (
        _("培训%(what)s") % {"what": "、".join(p for p in (days, hours) if p)}
        if days or hours
        else ""
    )


def mentor_rows(person: Person) -> list[tuple[str, str]]:
    mentors = person.mentors.select_related("member").order_by("started_on", "pk")
    rows = [(mentor.member.name, span(mentor.started_on, mentor.ended_on)) for mentor in mentors]
    return rows or [(NONE, NONE)]


def span(start: dt.date, end: dt.date | None) -> str:
    return f"{format_date(start)}—{format_date(end) if end else _('至今')}"


def introducer_rows(person: Person) -> list[tuple[str, str]]:
    rows = [
        (introducer.member.name, day(introducer.chosen_on))
        for introducer in person.introducers.select_related("member").order_by("pk")
    ]
    return rows or [(NONE, NONE)]
