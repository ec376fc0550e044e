"""What the dues pages share: whether the user keeps an org's dues, and the links of a
list's rows reversed once per page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse

from xianfeng.orgs.models import Org

from ..domain.common import month_label
from ..permissions import may_keep


def can_keep(request: HttpRequest, org: Org | None) -> bool:
    return org is not None and may_keep(request.user, org)


CODE, MONTH = "~code~", "~month~"


class Links:
    """The URLs of a list's rows, reversed once per page (codes and months put in): no
    reverse per row on a long list."""

    def __init__(self) -> None:
        self.totals = reverse("dues:totals", args=[CODE])
        self.month = reverse("dues:month", args=[CODE, MONTH])
        self.arrears = reverse("dues:arrears", args=[CODE])
        self.member = reverse("dues:member", args=[CODE])

    def at(self, url: str, code: str, month: dt.date | None = None) -> str:
        url = url.replace(CODE, quote(code))
        return url.replace(MONTH, month_label(month)) if month else url
