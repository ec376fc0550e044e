"""Three-level duty lists (TASK-03, seed 003 att. 18 and §4.2): an upper org keeps a
year's template of duties for the secretary (书记), the committee members (班子成员) and
the party-affairs staff (专兼职党务干部) of the government orgs below it, and publishes it.

Publishing makes one duty item per template item for each government-sector party
committee, general branch and branch below the upper org (active on the day), answered
for by:
- level secretary: the org's secretary (or, where the seat is vacant, the nearest officer
  account, as for every item: `people.default_responsibles`);
- level committee: one item per holder of a deputy secretary or committee member seat on
  the day (an org without such seats gets none: its secretary is its whole committee);
- level staff: one item per party-affairs staff post active on the day (the post's member
  and their account, else the nearest officer account); an org without a staff post gets
  one item answered for by its nearest officer account.
Publishing is set-wise (a few queries for the whole subtree, bulk inserts with history)
and repeatable: a second publication adds only the items still missing (a template item
added later, an org founded since, a new seat holder), never a duplicate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.accounts.scope import require_reference
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org, OrgKind, Seat, SeatRole, Sector, StaffPost

from .. import permissions
from ..models import (
    DutyLevel,
    DutyTemplate,
    DutyTemplateItem,
    Item,
    ItemKind,
    Origin,
    Step,
)
from ..people import accounts_of, default_responsibles
from .items import reviewer_of, save

# The kinds of org a duty list is published to (seed 003 att. 18: 机关党委、党总支、党支部).
DUTY_KINDS = (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)
COMMITTEE_ROLES = (SeatRole.DEPUTY_SECRETARY, SeatRole.COMMITTEE_MEMBER)
# Fields of an item that are ids read just now from the database (not re-validated one by one).
_FK_FIELDS = [
    "org",
    "reviewer_org",
    "responsible",
    "responsible_user",
    "duty_template_item",
    "created_by",
    "inspection",
    "finding_member",
]


def _require_manager(org: Org, by: Any) -> None:
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if not permissions.may_manage(by, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以编制责任清单")


def _check_year(year: Any) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "请填写正确的年度（如 2026）"})
    return year


@transaction.atomic
def save_template(org: Org, *, year: int, title: str, by: Any) -> DutyTemplate:
    """The year's template of `org` (made if missing; its title updated if given)."""
    _require_manager(org, by)
    year = _check_year(year)
    template = DutyTemplate.objects.filter(org=org, year=year).first()
    if template is None:
        template = DutyTemplate(org=org, year=year, created_by=by)
    template.title = title.strip() or f"{year}年度三级责任清单"
    template.full_clean()
    save(template, by)
    return template


@transaction.atomic
def add_template_item(
    template: DutyTemplate,
    *,
    level: str,
    title: str,
    due: dt.date | None,
    by: Any,
    description: str = "",
) -> DutyTemplateItem:
    """One duty of the template at `level`, due by `due` (within the template's year)."""
    _require_manager(template.org, by)
    if level not in DutyLevel.values:
        raise ValidationError({"level": "请选择责任层级"})
    if not title.strip():
        raise ValidationError({"title": "请填写责任事项"})
    if due is None:
        raise ValidationError({"due": "请填写完成时限"})
    if due.year != template.year:
        raise ValidationError({"due": f"完成时限应在 {template.year} 年内"})
    order = template.items.filter(level=level).count() + 1
    item = DutyTemplateItem(
        template=template,
        level=level,
        title=title.strip(),
        description=description.strip(),
        due=due,
        order=order,
    )
    item.full_clean()
    save(item, by)
    return item


@transaction.atomic
def remove_template_item(item: DutyTemplateItem, *, by: Any) -> None:
    """Drop a duty from the template; items already published keep their text."""
    _require_manager(item.template.org, by)
    item._history_user = by  # type: ignore[attr-defined]
    item.delete()


def duty_orgs(org: Org, day: dt.date) -> list[Org]:
    """The government party committees, general branches and branches below `org` that
    are active on `day`, in tree order."""
    rows = Org.objects.filter(
        path__startswith=org.path,
        depth__gt=org.depth,
        sector=Sector.GOVERNMENT,
        kind__in=DUTY_KINDS,
    ).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
    return list(
        rows.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)).order_by("path")
    )


def _active(queryset: Any, day: dt.date, start: str = "started_on") -> Any:
    queryset = queryset.filter(Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": day}))
    return queryset.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def _people(orgs: list[Org], day: dt.date) -> dict[tuple[int, str], list[tuple[Any, Any]]]:
    """(org id, level) → the (member id, account id) pairs answering for that level."""
    ids = [org.pk for org in orgs]
    committee: dict[int, list[int]] = defaultdict(list)
    seats = _active(Seat.objects.filter(org_id__in=ids, role__in=COMMITTEE_ROLES), day)
    for org_id, member_id in (
        seats.filter(member__isnull=False)
        .order_by("org_id", "role", "pk")
        .values_list("org_id", "member_id")
    ):
        if member_id not in committee[org_id]:
            committee[org_id].append(member_id)
    staff: dict[int, list[int | None]] = defaultdict(list)
    posts = _active(StaffPost.objects.filter(org_id__in=ids), day)
    for org_id, member_id in posts.order_by("org_id", "-full_time", "pk").values_list(
        "org_id", "member_id"
    ):
        if member_id is None or member_id not in staff[org_id]:
            staff[org_id].append(member_id)
    holders = [m for ms in committee.values() for m in ms]
    holders += [m for ms in staff.values() for m in ms if m is not None]
    accounts = accounts_of(holders)
    officers = officers_in_charge([org.path for org in orgs])
    secretaries = default_responsibles(orgs, day)
    found: dict[tuple[int, str], list[tuple[Any, Any]]] = {}
    for org in orgs:
        nearest = next(iter(officers.get(org.path, [])), None)
        found[(org.pk, DutyLevel.SECRETARY)] = [secretaries[org.pk]]
        found[(org.pk, DutyLevel.COMMITTEE)] = [
            (m, accounts.get(m) or nearest) for m in committee.get(org.pk, [])
        ]
        found[(org.pk, DutyLevel.STAFF)] = [
            (m, (accounts.get(m) if m else None) or nearest) for m in staff.get(org.pk, [])
        ] or [(None, nearest)]
    return found


@transaction.atomic
def publish_template(template: DutyTemplate, *, by: Any, day: dt.date | None = None) -> int:
    """Make the duty items still missing in every government org below the template's
    org; returns how many were made. Nothing is written when a duty is already past due
    or the template has no duty."""
    _require_manager(template.org, by)
    day = day or today()
    duties = list(template.items.order_by("level", "order", "pk"))
    if not duties:
        raise ValidationError({"items": "模板中还没有责任事项，请先添加"})
    late = [d for d in duties if d.due < day]
    if late:
        names = "、".join(d.title for d in late[:3])
        raise ValidationError({"due": f"以下责任事项的完成时限早于发布日期：{names}"})
    orgs = duty_orgs(template.org, day)
    people = _people(orgs, day)
    held = set(
        Item.objects.filter(duty_template_item__template=template).values_list(
            "duty_template_item_id", "org_id", "responsible_id"
        )
    )
    made: list[Item] = []
    for org in orgs:
        reviewer = reviewer_of(org)
        for duty in duties:
            for member_id, account_id in people[(org.pk, duty.level)]:
                if (duty.pk, org.pk, member_id) in held:
                    continue
                item = Item(
                    org=org,
                    kind=ItemKind.DUTY,
                    origin=Origin.MANUAL,
                    title=duty.title,
                    description=duty.description,
                    duty_level=duty.level,
                    duty_template_item=duty,
                    year=template.year,
                    responsible_id=member_id,
                    responsible_user_id=account_id,
                    reviewer_org=reviewer,
                    deadline=duty.due,
                    created_by=by,
                    created_on=day,
                )
                item.clean_fields(exclude=_FK_FIELDS)
                made.append(item)
    if made:
        made = bulk_create_with_history(made, Item, batch_size=1000, default_user=by)
        Step.objects.bulk_create(
            [Step(item=item, action=Step.Action.CREATED, by=by) for item in made],
            batch_size=1000,
        )
    template.published_at = timezone.now()
    save(template, by, update_fields=["published_at"])
    return len(made)
