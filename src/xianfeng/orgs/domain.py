"""Writes to the org tree (ORG-01, ORG-02): every change validated and in the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.lib.dates import add_months, today
from xianfeng.lib.pinyin import initials

from .models import ALLOWED_CHILDREN, ELECTED_KINDS, ROOT_KINDS, Org, OrgKind, Seat, Term
from .queries import org_row, term_dates

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
    """Add an org under `parent` (or a new root) after validating the tree shape."""
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
    """Record a member taking a leadership seat of `org` (ORG-04)."""
    if not member.org.path.startswith(org.path):
        raise ValidationError({"member": "班子成员应为本组织（或下级组织）的党员"})
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
