"""PDF downloads of organizational life: the record of a held meeting (LIFE-01), to the
users who may see the meeting page; an out-of-scope meeting answers like a missing one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .queries import get_held_meeting_for_user


@login_required
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    """会议记录 PDF of a held meeting."""
    # imported here: the PDF library takes ≈0.8 s to load, paid by the first PDF request only
    from .record_pdf import pdf_response

    return pdf_response(get_held_meeting_for_user(request.user, pk))
