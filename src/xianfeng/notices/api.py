"""Notice endpoints: a user reads and marks only their own notices."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from xianfeng.lib.api import Pagination, PathId, responses

from . import domain
from .models import Notice
from .queries import get_notice_for_user, notices_for

router = Router(tags=["通知"])


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    org: str | None = None
    created_at: dt.datetime
    read_at: dt.datetime | None = None

    @staticmethod
    def resolve_kind_label(notice: Notice) -> str:
        return str(notice.get_kind_display())

    @staticmethod
    def resolve_org(notice: Notice) -> str | None:
        return notice.org.code if notice.org is not None else None


class ReadAllOut(Schema):
    marked: int


@router.get("", response=responses({200: list[NoticeOut]}))
@paginate(Pagination)
def list_notices(request: HttpRequest, unread: bool = False):  # type: ignore[no-untyped-def]
    """The caller's notices, unread first; `unread=true` for the unread ones only."""
    notices = notices_for(request.user)
    return notices.filter(read_at__isnull=True) if unread else notices


@router.post("/read-all", response=responses({200: ReadAllOut}))
def read_all_notices(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {"marked": domain.mark_all_read(request.user)}


@router.post("/{notice_id}/read", response=responses({200: NoticeOut}))
def read_notice(request: HttpRequest, notice_id: PathId):  # type: ignore[no-untyped-def]
    return domain.mark_read(get_notice_for_user(request.user, notice_id), request.user)
