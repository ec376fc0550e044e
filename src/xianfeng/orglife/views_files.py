"""Files kept with organizational life (LIFE-01 attachments, LIFE-06 lesson materials,
LIFE-07/08 party-affairs records), served only to users whose scope holds the object."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from xianfeng.core.downloads import file_response

from .queries import get_affairs_for_user, get_attachment_for_user, get_material_for_user


def _stored_name(field_file: object) -> str:
    return str(getattr(field_file, "name", "")).rsplit("/", 1)[-1]


@login_required
def attachment_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A meeting's attachment (photos, sign-in sheet, minutes scan)."""
    attachment = get_attachment_for_user(request.user, pk)
    return file_response(request, attachment.file, filename=attachment.name)


@login_required
def material_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The courseware of a lesson material."""
    material = get_material_for_user(request.user, pk)
    if not material.file:
        raise Http404("该党课教材没有课件")
    name = material.file_name or _stored_name(material.file)
    return file_response(request, material.file, filename=name)


@login_required
def affairs_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file kept with a party-affairs record."""
    record = get_affairs_for_user(request.user, pk)
    if not record.file:
        raise Http404("该记录没有附件")
    return file_response(
        request, record.file, filename=record.file_name or _stored_name(record.file)
    )
