"""Reads of supervision items reused by pages, the API, exports and rules (TASK-01)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from xianfeng.accounts.models import Role
from xianfeng.accounts.scope import active_posts, path_q
from xianfeng.compliance.policy import resolver
from xianfeng.orgs.models import Org

from ..models import UNFINISHED, Extension, Item, ItemFile, ItemStatus
from ..overdue import overdue_q
from ..permissions import WRITERS


def items_for_user(user: Any) -> QuerySet[Item]:
    """The items of the orgs in the user's scope, and the items the user acts for as the
    responsible person (a member's own account holds no post)."""
    visible = path_q(user, "org__path")
    if getattr(user, "is_authenticated", False):
        visible |= Q(responsible_user=user)
    return Item.objects.filter(visible)


def get_item_for_user(user: Any, pk: Any) -> Item:
    """One item the user may see, else 404 (missing and out of scope answer alike)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    item = (
        items_for_user(user)
        .select_related("org", "reviewer_org", "responsible", "responsible_user")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("没有找到该事项，或不在您的管理范围内")
    return item


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def get_file_for_user(user: Any, pk: Any) -> ItemFile:
    """A file of an item the user may see, else 404."""
    found = ItemFile.objects.filter(pk=_pk(pk), item__in=items_for_user(user)).first()
    if found is None:
        raise Http404("没有找到该文件，或不在您的管理范围内")
    return found


def get_extension_for_user(user: Any, pk: Any) -> Extension:
    """A deadline extension request of an item the user may see, else 404."""
    found = (
        Extension.objects.filter(pk=_pk(pk), item__in=items_for_user(user))
        .select_related("item", "item__org", "item__reviewer_org")
        .first()
    )
    if found is None:
        raise Http404("没有找到该延期申请，或不在您的管理范围内")
    return found


# --- lists, the reviewer's queue and the subtree overview (pages, exports) ---------------


def overdue_before(org: Any, day: dt.date) -> dt.date:
    """Items of `org`'s subtree whose deadline lies before this day are overdue on `day`
    (TASK-01: deadline + the policy's grace days passed)."""
    grace = resolver(day=day).value("supervision.overdue.grace_days", org.path)
    return day - dt.timedelta(days=int(grace or 0))


def items_of(org: Any) -> QuerySet[Item]:
    """The items of `org` and every org below it."""
    return Item.objects.filter(org__path__startswith=org.path)


def filter_items(
    items: QuerySet[Item],
    *,
    kind: str = "",
    status: str = "",
    overdue: bool = False,
    day: dt.date | None = None,
) -> QuerySet[Item]:
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if overdue and day is not None:  # each org's own grace (supervision.overdue)
        items = items.filter(overdue_q(items, day))
    return items


def with_names(items: QuerySet[Item]) -> QuerySet[Item]:
    """The related rows a list shows, read in the list's one query."""
    return items.select_related("org", "responsible", "responsible_user")


def counts_by(items: QuerySet[Item], field: str) -> dict[str, int]:
    rows = items.order_by().values_list(field).annotate(n=Count("pk"))
    return dict(rows)


def writer_paths(user: Any) -> list[tuple[str, str]]:
    """(org path, role) of the user's active admin and officer posts (the posts the
    scope already read for this request)."""
    return [(path, role) for path, role in active_posts(user) if role in WRITERS]


def _prefixes(field: str, paths: list[str]) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def mine(user: Any) -> QuerySet[Item]:
    """The unfinished items the user acts for as the responsible person."""
    return Item.objects.filter(responsible_user=user, status__in=UNFINISHED)


def awaiting_own_orgs(user: Any) -> QuerySet[Item]:
    """Items of the orgs the user holds an admin or officer post at that wait for the
    org to act (open or in progress), not counting those the user acts for."""
    paths = [path for path, _role in writer_paths(user)]
    return Item.objects.filter(
        org__path__in=paths, status__in=[ItemStatus.OPEN, ItemStatus.IN_PROGRESS]
    ).exclude(responsible_user=user)


def review_queue(user: Any) -> QuerySet[Item]:
    """Submitted items the user may accept or return (TASK-02), set-wise: the reviewing
    org lies under one of the user's admin or officer posts, the user did not submit the
    item, and a root org's own items only for an admin of the root."""
    queue = Item.objects.filter(status=ItemStatus.SUBMITTED)
    if getattr(user, "is_superuser", False):
        return queue.exclude(submitted_by=user)
    posts = writer_paths(user)
    writers = [path for path, _role in posts]
    admins = [path for path, role in posts if role == Role.ADMIN]
    root = Q(reviewer_org=F("org"))
    allowed = (_prefixes("reviewer_org__path", writers) & ~root) | (
        _prefixes("reviewer_org__path", admins) & root
    )
    return queue.filter(allowed).exclude(submitted_by=user)


@dataclass
class OverviewRow:
    """One child org (or the org itself) of the subtree overview."""

    path: str
    code: str
    name: str
    own: bool
    counts: dict[str, int] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        if key == "name":
            return self.code
        return self.counts.get(key, 0)


OVERVIEW_KEYS = (*ItemStatus.values, "unfinished", "overdue", "total")


def overview(org: Any, day: dt.date) -> list[OverviewRow]:
    """Items by status and overdue per child org of `org` (and `org`'s own), set-wise:
    one grouped query by the child's path prefix."""
    step = Org.steplen
    width = len(org.path) + step
    late = overdue_q(items_of(org), day)  # each org's own grace (supervision.overdue)
    grouped = (
        items_of(org)
        .order_by()
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix", "status")
        .annotate(n=Count("pk"), late=Count("pk", filter=late))
    )
    rows = {org.path: OverviewRow(org.path, org.code, org.name, own=True)}
    for child in Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by(
        "path"
    ):
        rows[child.path] = OverviewRow(child.path, child.code, child.name, own=False)
    for group in grouped:
        row = rows.get(group["prefix"])
        if row is None:
            continue
        counts = row.counts
        counts[group["status"]] = counts.get(group["status"], 0) + group["n"]
        counts["overdue"] = counts.get("overdue", 0) + group["late"]
        counts["total"] = counts.get("total", 0) + group["n"]
        if group["status"] != ItemStatus.ACCEPTED:
            counts["unfinished"] = counts.get("unfinished", 0) + group["n"]
    return list(rows.values())


def sort_overview(rows: list[OverviewRow], key: str) -> list[OverviewRow]:
    """Sorted by a column (`-` first: descending); the org's own row stays on top."""
    name = key.lstrip("-")
    if name not in (*OVERVIEW_KEYS, "name"):
        return rows
    own = [row for row in rows if row.own]
    others = sorted(
        (row for row in rows if not row.own),
        key=lambda row: (row.value(name), row.code),
        reverse=key.startswith("-"),
    )
    return own + others
