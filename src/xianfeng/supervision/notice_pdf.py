"""A supervision notice (督查通报, TASK-04) as a PDF through the shared PDF module: the
title and document number, the body, the orgs it is sent to, the inspection's targets
with their conclusions and the problems found, and the issuing org with the date."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xianfeng.lib.pdf import Column, Document, format_date

from .models import InspectionNotice
from .queries.rhythm import target_problems

NONE = "—"


def pdf_response(notice: InspectionNotice) -> HttpResponse:
    """The notice, shown inline under a Chinese file name."""
    response = HttpResponse(render_notice(notice), content_type="application/pdf")
    disposition = content_disposition_header(False, notice_filename(notice))
    response["Content-Disposition"] = disposition or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def notice_filename(notice: InspectionNotice) -> str:
    return _("督查通报-%(number)s.pdf") % {"number": notice.number}


def render_notice(notice: InspectionNotice) -> bytes:
    """The PDF of `notice` (the caller has checked the user may see it)."""
    document = Document(notice.title, number=notice.number, author=notice.org.name)
    names = "、".join(notice.recipients.order_by("path").values_list("name", flat=True))
    if names:
        document.paragraph(f"{names}：", indent=False)
    document.paragraph(notice.body)
    inspection = notice.inspection
    if inspection is not None:
        document.heading(_("督查情况"))
        document.paragraph(
            _("%(title)s于%(day)s开展，%(rule)s")
            % {
                "title": inspection.title,
                "day": format_date(inspection.date),
                "rule": inspection.sampling,
            }
        )
        problems = target_problems(inspection)
        rows = [
            (
                number,
                target.org.name,
                target.stratum,
                target.conclusion or NONE,
                "；".join(p.title for p in problems.get(target.org_id, [])) or _("无"),
            )
            for number, target in enumerate(
                inspection.targets.select_related("org").order_by("org__path"), 1
            )
        ]
        document.table(
            [
                Column(_("序号"), 0.5, "C"),
                Column(_("被督查组织"), 1.6),
                Column(_("抽样层"), 1.1),
                Column(_("督查结论"), 2),
                Column(_("发现问题"), 2),
            ],
            rows,
        )
    return document.signature(notice.org.name, notice.date).render()
