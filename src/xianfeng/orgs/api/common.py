"""The router of the org endpoints and what they share."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from xianfeng.accounts.permissions import can_edit_org

from ..models import Org
from ..queries import get_org_for_user

router = Router(tags=["党组织"])


def editable(request: HttpRequest, code: str) -> Org:
    """The org a URL names, refused unless the user may edit it."""
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


class EndIn(Schema):
    ended_on: dt.date = Field(description="最后一天")
