"""Dual-lead members (“双带”型党员, MEM-03) and skills and talent tags (MEM-04): writes and
the reads reused by pages, API, import and export.

Writes are keyword-only with the actor `by`, run in a transaction, validate with
`full_clean` and leave a history row with the actor. The member of a write must lie in the
actor's scope (out of scope answers like a missing member). Tags come from the catalogues of
the policy over the member's org (`members.tags.skills`, `members.tags.talent`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from xianfeng.accounts.scope import require_reference
from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org

from .models import DualLead, DualLeadType, Member, MemberTag, Status, TagKind
from .queries import members_placed_on

MEMBER = "党员"
CATALOGUE_KEYS = {TagKind.SKILL: "members.tags.skills", TagKind.TALENT: "members.tags.talent"}
DUAL_LEAD_FIELDS = ("type", "evidence", "recognized_on")
SHARE_PLACES = Decimal("0.0001")


def _save(record: Any, by: Any, **options: Any) -> None:
    record._history_user = by
    record.full_clean()
    record.save(**options)


def check_member_in_scope(member: Member, by: Any) -> None:
    """Refuse a member outside `by`'s scope with the answer for a missing member."""
    require_reference(by, member.org.path, field="member", label=MEMBER, value=member.code)


def _check_not_future(day: dt.date, field: str) -> None:
    if day > today():
        raise ValidationError({field: "日期不能晚于今天"})


def _check_current(member: Member) -> None:
    if member.status == Status.LEFT:
        raise ValidationError({"member": f"{member.name}已出党，不能再登记"})


# --- dual-lead members (MEM-03) ----------------------------------------------------------


def _check_year(year: int, recognized_on: dt.date) -> None:
    if not 1921 <= year <= today().year:
        raise ValidationError({"year": f"年度“{year}”无效"})
    if recognized_on.year < year:
        raise ValidationError({"recognized_on": f"认定日期不能早于{year}年"})


@transaction.atomic
def record_dual_lead(
    *,
    member: Member,
    year: int,
    type: str,  # noqa: A002  the model's field name
    evidence: str,
    recognized_on: dt.date,
    by: Any,
) -> DualLead:
    """Recognize `member` as a dual-lead member (“双带”型党员) for `year` with its type and
    evidence (seed 000 §3). Once a year per member; the recognition day lies in the year
    or after it, never in the future."""
    check_member_in_scope(member, by)
    _check_current(member)
    _check_year(year, recognized_on)
    _check_not_future(recognized_on, "recognized_on")
    if DualLead.objects.filter(member=member, year=year).exists():
        raise ValidationError({"year": f"{member.name}已认定为{year}年度“双带”型党员"})
    record = DualLead(
        member=member, year=year, type=type, evidence=evidence.strip(), recognized_on=recognized_on
    )
    _save(record, by)
    return record


@transaction.atomic
def update_dual_lead(*, dual_lead: DualLead, by: Any, **changes: Any) -> DualLead:
    """Correct the type, evidence or recognition day of a recognition."""
    check_member_in_scope(dual_lead.member, by)
    unknown = set(changes) - set(DUAL_LEAD_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(dual_lead, field, value.strip() if isinstance(value, str) else value)
    _check_year(dual_lead.year, dual_lead.recognized_on)
    _check_not_future(dual_lead.recognized_on, "recognized_on")
    _save(dual_lead, by, update_fields=list(changes))
    return dual_lead


@transaction.atomic
def withdraw_dual_lead(*, dual_lead: DualLead, by: Any) -> None:
    """Withdraw a recognition entered in error (history keeps it with the actor)."""
    check_member_in_scope(dual_lead.member, by)
    dual_lead._history_user = by  # type: ignore[attr-defined]
    dual_lead.delete()


def dual_leads_in(org: Org, year: int) -> QuerySet[DualLead]:
    """Recognitions of `year` of the members now in `org`'s subtree."""
    return (
        DualLead.objects.filter(year=year, member__org__path__startswith=org.path)
        .select_related("member", "member__org")
        .order_by("member__org__path", "member__code")
    )


def dual_leads_of(member: Member) -> QuerySet[DualLead]:
    return member.dual_leads.order_by("-year")


# --- the share of dual-lead members per org and year -------------------------------------


@dataclass(frozen=True)
class Share:
    """Members (full or probationary, placed in the subtree at the year's end or today)
    and how many of them are dual-lead members of that year."""

    members: int
    dual_lead: int

    @property
    def ratio(self) -> Decimal | None:
        if not self.members:
            return None
        return (Decimal(self.dual_lead) / Decimal(self.members)).quantize(SHARE_PLACES)

    @property
    def percent(self) -> str:
        ratio = self.ratio
        return "—" if ratio is None else f"{ratio * 100:.1f}%"


@dataclass(frozen=True)
class ShareRow:
    org: Org
    this_year: Share
    last_year: Share

    @property
    def rose(self) -> bool | None:
        """Whether the share is higher than last year's (None: no members to compare)."""
        now, before = self.this_year.ratio, self.last_year.ratio
        if now is None or before is None:
            return None
        return now > before


def year_end(year: int) -> dt.date:
    """The day a year's share is counted on: 31 December, or today in the current year."""
    return min(dt.date(year, 12, 31), today())


def _placed(org: Org, day: dt.date) -> dict[int, str]:
    """member id → org path of the members placed in the subtree on `day` (one read)."""
    placed = members_placed_on(Q(org__path__startswith=org.path), day)
    return dict(placed.values_list("member_id", "org__path"))


def _shares(orgs: list[Org], placed: dict[int, str], dual: set[int]) -> list[Share]:
    shares = []
    for org in orgs:
        inside = [pk for pk, path in placed.items() if path.startswith(org.path)]
        shares.append(Share(len(inside), sum(1 for pk in inside if pk in dual)))
    return shares


def dual_lead_shares(org: Org, year: int) -> list[ShareRow]:
    """The share of dual-lead members of `year` and of the year before, for `org` (first
    row) and each of its child orgs (MEM-03): two reads of the placements and two of the
    recognitions, whatever the size of the subtree."""
    children = Org.objects.get_children(org).filter(dissolved_on__isnull=True)
    orgs = [org, *children.order_by("path")]
    found: dict[int, list[Share]] = {}
    for y in (year, year - 1):
        placed = _placed(org, year_end(y))
        dual = set(
            DualLead.objects.filter(year=y, member_id__in=list(placed)).values_list(
                "member_id", flat=True
            )
        )
        found[y] = _shares(orgs, placed, dual)
    return [
        ShareRow(o, now, before)
        for o, now, before in zip(orgs, found[year], found[year - 1], strict=True)
    ]


# --- skills and talent tags (MEM-04) -----------------------------------------------------


def tag_catalogue(org: Org, kind: str, day: dt.date | None = None) -> list[str]:
    """The tags the policy over `org` lists for `kind` (skills or talent tags)."""
    policy = resolver(day=day or today())
    return [str(tag) for tag in policy.value(CATALOGUE_KEYS[TagKind(kind)], org.path)]


def _check_tag(member: Member, kind: str, tag: str, since: dt.date) -> None:
    if kind not in TagKind.values:
        raise ValidationError({"kind": "类别须为“实用技术（专长）”或“人才标签”"})
    catalogue = tag_catalogue(member.org, kind, since)
    if tag not in catalogue:
        label = TagKind(kind).label
        raise ValidationError(
            {"tag": f"“{tag}”不在本组织适用的{label}目录中（可选：{'、'.join(catalogue)}）"}
        )


def _check_open_tag(member: Member, tag: str, since: dt.date) -> None:
    overlapping = member.tags.filter(tag=tag).filter(Q(until__isnull=True) | Q(until__gt=since))
    if overlapping.filter(since__lte=since).exists():
        raise ValidationError({"tag": f"{member.name}已有“{tag}”标签"})


@transaction.atomic
def add_member_tag(
    *, member: Member, kind: str, tag: str, since: dt.date, by: Any, note: str = ""
) -> MemberTag:
    """Give `member` a skill or talent tag from `since` (open until ended). The tag must be
    in the catalogue of the policy over the member's org; one open tag of a name at a time."""
    check_member_in_scope(member, by)
    _check_current(member)
    tag = tag.strip()
    _check_tag(member, kind, tag, since)
    _check_not_future(since, "since")
    _check_open_tag(member, tag, since)
    record = MemberTag(member=member, kind=kind, tag=tag, since=since, note=note.strip())
    _save(record, by)
    return record


@transaction.atomic
def end_member_tag(*, member_tag: MemberTag, until: dt.date, by: Any) -> MemberTag:
    """End a tag: held until `until` (exclusive)."""
    check_member_in_scope(member_tag.member, by)
    if member_tag.until is not None:
        raise ValidationError({"until": f"该标签已于{member_tag.until:%Y年%-m月%-d日}失效"})
    if until <= member_tag.since:
        raise ValidationError({"until": "失效日期须晚于认定日期"})
    _check_not_future(until, "until")
    member_tag.until = until
    _save(member_tag, by, update_fields=["until"])
    return member_tag


@transaction.atomic
def restore_member_tag(
    *,
    member: Member,
    kind: str,
    tag: str,
    since: dt.date,
    until: dt.date | None,
    note: str,
    by: Any,
    member_tag: MemberTag | None = None,
) -> MemberTag:
    """Import: create a tag as the row shows it (ended or open), or set the end and note of
    the stored one (`member_tag`)."""
    check_member_in_scope(member, by)
    if until is not None and until <= since:
        raise ValidationError({"until": "失效日期须晚于认定日期"})
    if member_tag is None:
        _check_tag(member, kind, tag, since)
        _check_not_future(since, "since")
        member_tag = MemberTag(member=member, kind=kind, tag=tag, since=since)
    member_tag.until, member_tag.note = until, note
    _save(member_tag, by)
    return member_tag


def tags_of(member: Member) -> QuerySet[MemberTag]:
    return member.tags.order_by("kind", "-since", "tag")


def tags_open_on(day: dt.date) -> Q:
    """A MemberTag held on `day`."""
    return Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gt=day))


def is_dual_lead_type(value: str) -> bool:
    return value in DualLeadType.values
