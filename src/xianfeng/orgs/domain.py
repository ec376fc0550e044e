"""Writes to the org tree (ORG-01, ORG-02): every change validated and in the history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from xianfeng.accounts.scope import is_on_line, require_reference
from xianfeng.lib.dates import add_months, today
from xianfeng.lib.pinyin import initials

from .models import (
    ALLOWED_CHILDREN,
    ELECTED_KINDS,
    ROOT_KINDS,
    VENUE_ITEMS,
    Budget,
    ContactPoint,
    Org,
    OrgKind,
    Seat,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
    VisitKind,
)
from .queries import CONTACT_LEADER, CONTACT_TARGET, SEAT_HOLDER, org_row, term_dates

EDITABLE_FIELDS = (
    "name",
    "kind",
    "level",
    "sector",
    "unit_name",
    "unit_headcount",
    "region_code",
    "founded_on",
)


def _label(kind: str) -> str:
    return str(OrgKind(kind).label)


def validate_placement(*, kind: str, parent: Org | None) -> None:
    """Refuse a shape the tree does not allow (ORG-01), with the reason in Chinese."""
    if parent is None:
        if kind not in ROOT_KINDS:
            raise ValidationError(
                {"parent": f"{_label(kind)}必须有上级党组织；只有党委或工委可作为顶层组织"}
            )
        return
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        allowed = "、".join(_label(k) for k in sorted(ALLOWED_CHILDREN[parent.kind])) or "任何组织"
        if kind == OrgKind.PARTY_GROUP:
            message = "党小组只能直接设在党支部（联合党支部）之下"
        elif parent.kind == OrgKind.PARTY_GROUP:
            message = "党小组之下不能再设组织"
        else:
            message = f"{_label(parent.kind)}之下只能设{allowed}，不能设{_label(kind)}"
        raise ValidationError({"kind": message})
    if parent.dissolved_on is not None:
        raise ValidationError({"parent": f"上级组织“{parent.name}”已撤销"})


def _validate_children_fit(org: Org, kind: str) -> None:
    allowed = ALLOWED_CHILDREN[kind]
    kinds = set(Org.objects.get_children(org).values_list("kind", flat=True))
    bad = kinds - allowed
    if bad:
        names = "、".join(_label(k) for k in sorted(bad))
        raise ValidationError({"kind": f"该组织下已有{names}，不能改为{_label(kind)}"})
    if kind not in {OrgKind.BRANCH, OrgKind.JOINT_BRANCH} and org.members.exists():
        raise ValidationError({"kind": f"该组织直接管理党员，不能改为{_label(kind)}"})


@transaction.atomic
def create_org(
    *,
    parent: Org | None,
    code: str,
    name: str,
    kind: str,
    level: str,
    by: Any = None,
    **fields: Any,
) -> Org:
    """Add an org under `parent` (or a new root) after validating the tree shape; the
    parent must lie in `by`'s scope (else the answer of an unknown org)."""
    if parent is not None:
        require_reference(by, parent.path, field="parent", label="上级党组织", value=parent.code)
    validate_placement(kind=kind, parent=parent)
    org = Org(code=code.strip(), name=name.strip(), kind=kind, level=level, **fields)
    org.name_initials = initials(org.name)
    org.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Org.objects.add_root(instance=org)
    return Org.objects.add_child(parent, instance=org)


@transaction.atomic
def update_org(*, org: Org, by: Any = None, **changes: Any) -> Org:
    """Change the editable fields of an org; a kind change must fit parent and children."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    if "kind" in changes and changes["kind"] != org.kind:
        validate_placement(kind=changes["kind"], parent=Org.objects.get_parent(org))
        _validate_children_fit(org, changes["kind"])
    for field, value in changes.items():
        setattr(org, field, value)
    org.name_initials = initials(org.name)
    org.full_clean(exclude=["path", "depth", "numchild"])
    org.save(update_fields=[*changes, "name_initials", "updated_at"])
    return org


@transaction.atomic
def dissolve_org(*, org: Org, on: dt.date, by: Any = None) -> Org:
    """Mark an org dissolved; refused while it still has members or active sub-orgs."""
    if org.members.exclude(status="left").exists():
        raise ValidationError("该组织仍有党员，请先办理组织关系转接")
    if Org.objects.get_descendants(org).filter(dissolved_on__isnull=True).exists():
        raise ValidationError("该组织仍有未撤销的下级组织")
    if org.founded_on and on < org.founded_on:
        raise ValidationError({"dissolved_on": "撤销日期不能早于成立日期"})
    org.dissolved_on = on
    org.save(update_fields=["dissolved_on", "updated_at"])
    return org


@transaction.atomic
def appoint_to_seat(
    *, org: Org, role: str, member: Any, started_on: dt.date, title: str = "", by: Any = None
) -> Seat:
    """Record a member taking a leadership seat of `org` (ORG-04): a member of `org`'s
    subtree in `by`'s scope; any other reads like an unknown member."""
    require_reference(
        by,
        member.org.path,
        field="member",
        label=SEAT_HOLDER,
        value=member.code,
        allowed=member.org.path.startswith(org.path),
    )
    seat = Seat(org=org, role=role, title=title, member=member, started_on=started_on)
    seat.full_clean()
    seat.save()
    return seat


@transaction.atomic
def end_seat(*, seat: Seat, on: dt.date, by: Any = None) -> Seat:
    if seat.started_on and on < seat.started_on:
        raise ValidationError({"ended_on": "离任日期不能早于任职日期"})
    seat.ended_on = on
    seat.save(update_fields=["ended_on"])
    return seat


@transaction.atomic
def record_election(
    *, org: Org, elected_on: dt.date, years: int = 0, note: str = "", by: Any = None
) -> Term:
    """Record a 换届 election of `org`'s leadership; it opens a new term (ORG-04).

    `years` is the term length the election decided (0: the policy's length for the org).
    Refused for an org whose leadership is not elected, a date in the future, before the
    org was founded or after it was dissolved, and a second election on the same day.
    Seats are not touched: the elected holders are appointed with `appoint_to_seat`.
    """
    if org.kind not in ELECTED_KINDS:
        raise ValidationError({"org": f"{_label(org.kind)}不设选举产生的班子，无需登记换届"})
    if elected_on > today():
        raise ValidationError({"elected_on": "选举日期不能晚于今天"})
    if org.founded_on and elected_on < org.founded_on:
        raise ValidationError({"elected_on": "选举日期不能早于组织成立日期"})
    if org.dissolved_on and elected_on >= org.dissolved_on:
        raise ValidationError({"elected_on": "组织已撤销，不能在撤销日期及之后登记换届"})
    if org.terms.filter(elected_on=elected_on).exists():
        raise ValidationError({"elected_on": "该日期已登记过换届选举"})
    term = Term(org=org, elected_on=elected_on, years=years, note=note.strip())
    term.full_clean()
    term.save()
    return term


@transaction.atomic
def approve_term_extension(*, term: Term, until: dt.date, by: Any = None) -> Term:
    """Record the higher org's approval to hold the next election late (ORG-04).

    《中国共产党基层组织选举工作条例》第三条: a delay needs the higher org's approval and
    is normally at most 1 year (policy key org.term.max_extension_months). Refused when
    `until` is not after the normal expiry or beyond the cap, or when a later election
    already closed this term.
    """
    from xianfeng.compliance.policy import resolver

    org = term.org
    policy = resolver(day=today())
    dates = term_dates(
        org=org_row(org),
        elected_on=term.elected_on,
        years=term.years,
        extension=None,
        policy=policy,
    )
    if until <= dates.expires_on:
        raise ValidationError({"until": f"延期截止日应晚于本届届满日 {dates.expires_on}"})
    cap = policy.entry("org.term.max_extension_months", org.path)
    latest = add_months(dates.expires_on, cap["value"])
    if until > latest:
        raise ValidationError(
            {
                "until": f"延期不得超过{cap['value']}个月（{cap['source']}）："
                f"本届任期于{dates.expires_on}届满，最迟可延期至{latest}"
            }
        )
    if org.terms.filter(elected_on__gt=term.elected_on).exists():
        raise ValidationError({"until": "本届之后已进行换届选举，不能再延期"})
    term.approved_extension_until = until
    term.full_clean()
    term.save(update_fields=["approved_extension_until"])
    return term


def _history_defaults() -> dict[str, Any]:
    from xianfeng.core.actor import current_actor
    from xianfeng.core.history import history_reason

    actor = current_actor()
    return {
        "default_user": actor.user if actor else None,
        "default_change_reason": history_reason(),
    }


def _last_steps() -> dict[str, int]:
    """The last used step under every parent path ("" for roots)."""
    last: dict[str, int] = {}
    for path in Org.objects.values_list("path", flat=True).iterator(chunk_size=5000):
        parent, step = path[: -Org.steplen], Org._str2int(path[-Org.steplen :])
        if step > last.get(parent, 0):
            last[parent] = step
    return last


@transaction.atomic
def bulk_add_orgs(*, orgs: list[Org], parents: dict[str, Org | None], by: Any = None) -> list[Org]:
    """Add many new orgs at once (imports): paths computed in memory, history in bulk.

    The caller has validated each placement (`validate_placement`) and passes the orgs
    parents-first; `parents` maps each new org's code to its parent (existing or new).
    """
    from django.db.models import F
    from simple_history.utils import bulk_create_with_history

    for parent in parents.values():
        if parent is not None and parent.pk is not None:
            require_reference(
                by, parent.path, field="parent", label="上级党组织", value=parent.code
            )
    last = _last_steps()
    grown: dict[int, int] = {}
    for org in orgs:
        parent = parents.get(org.code)
        base = parent.path if parent else ""
        last[base] = last.get(base, 0) + 1
        org.depth = (parent.depth if parent else 0) + 1
        org.path = Org._get_path(base, org.depth, last[base])
        org.numchild = 0
        org.name_initials = initials(org.name)
        org.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
        if parent is not None and parent.pk is None:
            parent.numchild += 1
        elif parent is not None:
            grown[parent.pk] = grown.get(parent.pk, 0) + 1
    created = bulk_create_with_history(orgs, Org, batch_size=2000, **_history_defaults())
    for pk, count in grown.items():
        Org.objects.filter(pk=pk).update(numchild=F("numchild") + count)
    return created


# --- ORG-07 contact points, ORG-08 venues and staff, ORG-09 budgets ----------------------

MONEY_PLACES = Decimal("0.01")
VENUE_FIELDS = (
    "name",
    "address",
    "area_m2",
    *VENUE_ITEMS,
    "has_disclosure_board",
    "shared",
    "checked_on",
    "closed_on",
)


def _not_after_today(field: str, day: dt.date, what: str) -> None:
    if day > today():
        raise ValidationError({field: f"{what}不能晚于今天"})


def _check_end(field: str, started_on: dt.date, ended_on: dt.date, what: str) -> None:
    if ended_on < started_on:
        raise ValidationError({field: f"{what}不能早于开始日期 {started_on}"})


def _money(field: str, amount: Any, *, positive: bool) -> Decimal:
    """A yuan amount as a Decimal with at most 2 places; refused below zero (or at zero)."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "金额应为数字"}) from None
    if not value.is_finite():
        raise ValidationError({field: "金额应为数字"})
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({field: "金额最多保留两位小数（精确到分）"})
    if value < 0 or (positive and value == 0):
        raise ValidationError({field: "金额应大于0" if positive else "金额不能为负数"})
    return value.quantize(MONEY_PLACES)


def _refuse_party_group(org: Org, what: str) -> None:
    if org.kind == OrgKind.PARTY_GROUP:
        raise ValidationError({"org": f"党小组不单独登记{what}"})


def _holds_seat(org: Org, leader: Any, day: dt.date) -> bool:
    seats = Seat.objects.filter(org=org, member=leader)
    seats = seats.filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
    return seats.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)).exists()


def _check_target(org: Org, target: Org, day: dt.date) -> None:
    below = target.path.startswith(org.path) and target.pk != org.pk
    if not (below or (target.pk == org.pk and org.holds_members)):
        raise ValidationError({"target": f"联系点应为“{org.name}”的下级党组织"})
    if target.kind == OrgKind.PARTY_GROUP:
        raise ValidationError({"target": "党小组不能作为联系点，请选择其所在党支部"})
    if not target.is_active_on(day):
        raise ValidationError({"target": f"“{target.name}”在 {day} 尚未成立或已撤销"})


@transaction.atomic
def add_contact_point(
    *,
    org: Org,
    leader: Any,
    target: Org,
    started_on: dt.date,
    note: str = "",
    by: Any = None,
) -> ContactPoint:
    """Pair a leader of `org` with an org below it that the leader follows (ORG-07).

    The leader must hold a seat of `org` on `started_on`; the target lies below `org`
    (or is `org` itself when it holds members), is not a party group and exists on that
    day; the same leader and target may not be paired twice at the same time. A leader off
    `org`'s line or out of `by`'s scope, and a target out of it, read like unknown ones.
    """
    require_reference(
        by,
        leader.org.path,
        field="leader",
        label=CONTACT_LEADER,
        value=leader.code,
        allowed=is_on_line(leader.org.path, org.path),
    )
    require_reference(by, target.path, field="target", label=CONTACT_TARGET, value=target.code)
    if not _holds_seat(org, leader, started_on):
        raise ValidationError({"leader": f"该党员在{org.name}班子中无任职（{started_on}）"})
    _check_target(org, target, started_on)
    overlapping = ContactPoint.objects.filter(leader=leader, target=target).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=started_on)
    )
    if overlapping.exists():
        raise ValidationError({"target": f"{leader.name}已将“{target.name}”作为联系点"})
    point = ContactPoint(
        org=org, leader=leader, target=target, started_on=started_on, note=note.strip()
    )
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def end_contact_point(point: ContactPoint, *, ended_on: dt.date, by: Any = None) -> ContactPoint:
    """End a contact point; `ended_on` is its last day and keeps the visits already recorded."""
    _check_end("ended_on", point.started_on, ended_on, "结束日期")
    later = point.visits.filter(visited_on__gt=ended_on).order_by("-visited_on").first()
    if later is not None:
        raise ValidationError({"ended_on": f"该联系点在 {later.visited_on} 还有活动记录"})
    point.ended_on = ended_on
    point.save(update_fields=["ended_on"])
    return point


@transaction.atomic
def record_visit(
    *,
    contact_point: ContactPoint,
    visited_on: dt.date,
    kind: str = VisitKind.VISIT,
    summary: str = "",
    org: Org | None = None,
    by: Any = None,
) -> Visit:
    """Record a visit, a report heard, a problem solved or guidance at a contact point
    (one kept by `org` when given, and in `by`'s scope: else an unknown contact point)."""
    point = contact_point
    require_reference(
        by,
        point.org.path,
        field="contact_point",
        label="联系点",
        value=point.pk,
        allowed=org is None or point.org_id == org.pk,
    )
    _not_after_today("visited_on", visited_on, "活动日期")
    if visited_on < point.started_on or (point.ended_on and visited_on > point.ended_on):
        end = point.ended_on or "今"
        raise ValidationError(
            {"visited_on": f"活动日期应在联系点存续期间（{point.started_on} 至 {end}）"}
        )
    if kind not in VisitKind.values:
        raise ValidationError({"kind": "方式应为走访调研、听取汇报、解决问题或指导活动"})
    visit = Visit(contact_point=point, visited_on=visited_on, kind=kind, summary=summary.strip())
    visit.full_clean()
    visit.save()
    return visit


def _check_venue(venue: Venue) -> None:
    if not venue.name:
        raise ValidationError({"name": "请填写阵地名称"})
    if venue.checked_on and venue.checked_on > today():
        raise ValidationError({"checked_on": "核查日期不能晚于今天"})
    if venue.area_m2 is not None and venue.area_m2 <= 0:
        raise ValidationError({"area_m2": "面积应大于0"})


@transaction.atomic
def save_venue(*, org: Org, venue: Venue | None = None, by: Any = None, **fields: Any) -> Venue:
    """Add an activity venue of `org` (venue None) or change one; close it with `closed_on`.

    `fields` are Venue fields: name, address, area_m2, the six "六有" items (VENUE_ITEMS),
    has_disclosure_board, shared, checked_on, closed_on (ORG-08).
    """
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    if venue is None:
        _refuse_party_group(org, "活动阵地")
        if org.dissolved_on is not None:
            raise ValidationError({"org": f"“{org.name}”已撤销"})
        venue = Venue(org=org)
    elif venue.org_id != org.pk:
        raise ValidationError({"venue": "该阵地不属于本组织"})
    for field in ("name", "address"):
        if isinstance(fields.get(field), str):
            fields[field] = fields[field].strip()
    for field, value in fields.items():
        setattr(venue, field, value)
    _check_venue(venue)
    venue.full_clean()
    if venue.pk is None:
        venue.save()
    elif fields:
        venue.save(update_fields=list(fields))
    return venue


def _member_in_subtree_on(member: Any, org: Org, day: dt.date) -> bool:
    from xianfeng.members.models import Placement

    placed = Placement.objects.filter(member=member, org__path__startswith=org.path)
    placed = placed.filter(started_on__lte=day)
    return placed.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)).exists()


@transaction.atomic
def add_staff_post(
    *,
    org: Org,
    name: str = "",
    started_on: dt.date,
    full_time: bool = True,
    member: Any = None,
    position: str = "",
    by: Any = None,
) -> StaffPost:
    """Record a party-affairs staff post (党务干部) of `org`, full- or part-time (ORG-08).

    The holder may be a member of the org's subtree on `started_on` (`name` then defaults
    to the member's name) or, for staff not registered here, only a name.
    """
    _refuse_party_group(org, "党务干部")
    if member is not None:
        require_reference(by, member.org.path, field="member", label=SEAT_HOLDER, value=member.code)
    if member is not None and not _member_in_subtree_on(member, org, started_on):
        raise ValidationError(
            {"member": f"{member.name}在 {started_on} 不是本组织（或下级组织）的党员"}
        )
    name = (name or "").strip() or (member.name if member is not None else "")
    if not name:
        raise ValidationError({"name": "请填写党务干部姓名或选择党员"})
    post = StaffPost(
        org=org,
        member=member,
        name=name,
        position=position.strip(),
        full_time=full_time,
        started_on=started_on,
    )
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def end_staff_post(post: StaffPost, *, ended_on: dt.date, by: Any = None) -> StaffPost:
    """End a staff post; `ended_on` is the last day in the post."""
    _check_end("ended_on", post.started_on, ended_on, "离岗日期")
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    return post


@transaction.atomic
def set_budget(*, org: Org, year: int, amount: Any, note: str = "", by: Any = None) -> Budget:
    """Set `org`'s party-activity budget for `year` (ORG-09): one row per org and year,
    updated in place when it exists."""
    _refuse_party_group(org, "党建活动经费")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "年度应为四位数字"}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应在2000至2100之间"})
    value = _money("amount", amount, positive=False)
    budget = Budget.objects.filter(org=org, year=year).first()
    if budget is None:
        budget = Budget(org=org, year=year, amount=value, note=note.strip())
        budget.full_clean()
        budget.save()
        return budget
    budget.amount, budget.note = value, note.strip()
    budget.full_clean()
    budget.save(update_fields=["amount", "note"])
    return budget


@transaction.atomic
def record_spending(
    *, org: Org, spent_on: dt.date, amount: Any, purpose: str, by: Any = None
) -> Spending:
    """Record a payment out of `org`'s party-activity budget (ORG-09)."""
    _refuse_party_group(org, "党建活动经费")
    _not_after_today("spent_on", spent_on, "支出日期")
    value = _money("amount", amount, positive=True)
    if not (purpose or "").strip():
        raise ValidationError({"purpose": "请填写经费用途"})
    spending = Spending(org=org, spent_on=spent_on, amount=value, purpose=purpose.strip())
    spending.full_clean()
    spending.save()
    return spending
