"""Labels of the evidence the TASK rules emit (the table is in compliance/evidence.py):
overdue and returned items, quarterly progress reports, admonitions and proposals, duty
reports. The common keys (year, deadline, as_of, policy, source) are labelled there."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.evidence import Label, Ref, count, date, period

from .models import Admonition, Item


def item_names(ids: set[Any]) -> dict[Any, str]:
    """Item ids → "标题（整改时限2025年6月30日）"."""
    rows = Item.objects.filter(pk__in=ids).values_list("pk", "title", "deadline")
    return {
        pk: gettext("%(title)s（整改时限%(day)s）") % {"title": title, "day": date(deadline)}
        for pk, title, deadline in rows
    }


def admonition_names(ids: set[Any]) -> dict[Any, str]:
    """Admonition ids → "2025年3月5日约谈张三（事由）"."""
    rows = Admonition.objects.filter(pk__in=ids).values_list("pk", "date", "member__name", "reason")
    return {
        pk: gettext("%(day)s约谈%(name)s（%(reason)s）")
        % {"day": date(day), "name": name, "reason": reason}
        for pk, day, name, reason in rows
    }


def times_returned(item: dict[str, Any]) -> str:
    return gettext("（退回%(n)s次）") % {"n": item.get("returned")}


ITEMS = count(_("项"))
DAYS = count(_("天"))
TIMES = count(_("次"))

LABELS = {
    # TASK-01 overdue items
    "overdue_items": Label(_("逾期未销号的事项"), Ref("supervision_item")),
    "overdue_count": Label(_("逾期事项数"), ITEMS),
    "oldest_deadline": Label(_("最早的整改时限"), date),
    "grace_days": Label(_("逾期宽限"), DAYS),
    # TASK-02 returned items
    "returned_items": Label(
        _("多次退回仍未销号的事项"), Ref("supervision_item", key="item", detail=times_returned)
    ),
    "max_returns": Label(_("退回次数上限"), TIMES),
    # TASK-04 quarterly progress reports
    "progress_quarter": Label(_("季度"), period),
    "progress_due_days": Label(_("季度结束后报送期限"), DAYS),
    # TASK-06 admonitions and post-adjustment proposals
    "proposal_raised_on": Label(_("岗位调整建议提出日期"), date),
    "decision_days": Label(_("作出决定期限"), DAYS),
    "admonitions": Label(_("约谈"), Ref("supervision_admonition")),
    "admonition_window_months": Label(_("两次约谈间隔"), count(_("个月"))),
    # TASK-07 duty reports
    "report_year": Label(_("述职年度"), period),
}
NAMES = {"supervision_item": item_names, "supervision_admonition": admonition_names}
