"""Inspections and inspection notices (TASK-04, seed 003 §5.3 半年督查, seed 004 §5.2
随机抽查): an upper org draws a random sample of the orgs below it, stratified by level ×
sector, records per org what was looked at and its conclusion, turns the problems found
into items (origin `inspection`), and publishes a notice (督查通报) with its document
number to the officers of the orgs it names.

The sample (`draw_sample`): the active party committees, working committees, general and
joint branches, branches and other orgs below the inspecting org (party groups excepted:
they are part of their branch), grouped into strata by (level, sector); from each stratum
ceil(share × size) orgs, at least min_per_stratum, all of them when the stratum has fewer;
drawn with random.Random(seed) from the stratum in tree order (by path), so the same seed
over the same orgs draws the same sample. The seed and the rule in words are stored.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from xianfeng.accounts.models import User
from xianfeng.accounts.queries import officers_in_charge
from xianfeng.accounts.scope import reference_error, require_reference, resolve_reference
from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import parse_period
from xianfeng.notices.domain import send_notice
from xianfeng.orgs.models import Level, Org, OrgKind, Sector

from .. import permissions
from ..models import Inspection, InspectionNotice, InspectionTarget, Item, ItemKind, Origin
from .items import create_item, save

SHARE = "supervision.inspection.share"
MIN_PER_STRATUM = "supervision.inspection.min_per_stratum"
NOT_SAMPLED = (OrgKind.PARTY_GROUP,)


def _require_manager(org: Org, by: Any, what: str) -> None:
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if not permissions.may_manage(by, org):
        raise PermissionDenied(f"只有本组织及上级组织的管理员、党务工作者可以{what}")


def stratum_label(level: str, sector: str) -> str:
    """“县级·机关”; an org without a sector is “未分领域”."""
    level_name = Level(level).label if level in Level.values else level
    sector_name = Sector(sector).label if sector in Sector.values else "未分领域"
    return f"{level_name}·{sector_name}"


def sampling_rule(share: float, min_per_stratum: int, seed: int) -> str:
    """The sampling rule in words, stored with the inspection."""
    percent = f"{share * 100:g}%"
    return (
        f"按“层级×领域”分层随机抽样：每层抽取 {percent}（向上取整），"
        f"不少于 {min_per_stratum} 个，不足 {min_per_stratum} 个的全部抽取；"
        f"各层按组织编码路径排序后以随机种子 {seed} 抽取，同一种子可重现同一样本。"
    )


def population(org: Org, day: dt.date) -> list[Org]:
    """The orgs below `org` an inspection may sample, active on `day`, in tree order."""
    rows = Org.objects.filter(path__startswith=org.path, depth__gt=org.depth).exclude(
        kind__in=NOT_SAMPLED
    )
    rows = rows.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
    return list(
        rows.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)).order_by("path")
    )


def draw_sample(
    org: Org,
    *,
    period: str,
    seed: int,
    share: float,
    min_per_stratum: int,
    day: dt.date | None = None,
) -> list[tuple[Org, str]]:
    """(org, stratum label) of the sample, in tree order. `period` only dates the
    population (the orgs active at the end of the period, or on `day` if given)."""
    if day is None:
        day = parse_period(period).end - dt.timedelta(days=1)
    strata: dict[tuple[str, str], list[Org]] = defaultdict(list)
    for row in population(org, day):
        strata[(row.level, row.sector)].append(row)
    rng = random.Random(seed)
    chosen: list[tuple[Org, str]] = []
    for key in sorted(strata):
        members = strata[key]
        size = min(len(members), max(math.ceil(share * len(members)), min_per_stratum))
        label = stratum_label(*key)
        chosen += [(row, label) for row in rng.sample(members, size)]
    return sorted(chosen, key=lambda pair: pair[0].path)


def _half_year(period: str) -> Any:
    try:
        half = parse_period(period)
    except ValueError:
        half = None
    if half is None or "-H" not in half.label:
        raise ValidationError({"period": "期间格式应为 2026-H1 或 2026-H2"})
    return half


@transaction.atomic
def start_inspection(
    org: Org,
    *,
    period: str,
    date: dt.date | None,
    by: Any,
    title: str = "",
    seed: int | None = None,
) -> Inspection:
    """A half-year inspection of `org`'s subtree: draw the sample (share and minimum per
    stratum from the policy; a fresh random seed unless given) and store it."""
    _require_manager(org, by, "组织督查")
    half = _half_year(period)
    if date is None:
        raise ValidationError({"date": "请填写督查日期"})
    if date < half.start:
        raise ValidationError({"date": "督查日期不能早于所督查的半年开始"})
    if Inspection.objects.filter(
        org=org, kind=Inspection.Kind.HALF_YEAR, period=half.label
    ).exists():
        raise ValidationError({"period": f"{half.label} 的半年督查已经开展"})
    policy = resolver(day=date)
    share = float(policy.value(SHARE, org.path))
    minimum = int(policy.value(MIN_PER_STRATUM, org.path))
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    sample = draw_sample(org, period=half.label, seed=seed, share=share, min_per_stratum=minimum)
    if not sample:
        raise ValidationError({"period": "下级没有可抽取的党组织"})
    names = {"H1": "上半年", "H2": "下半年"}
    inspection = Inspection(
        org=org,
        kind=Inspection.Kind.HALF_YEAR,
        period=half.label,
        title=title.strip() or f"{half.label[:4]}年{names[half.label[-2:]]}督查",
        date=date,
        seed=seed,
        sampling=sampling_rule(share, minimum, seed),
        created_by=by,
    )
    inspection.full_clean()
    save(inspection, by)
    bulk_create_with_history(
        [InspectionTarget(inspection=inspection, org=o, stratum=s) for o, s in sample],
        InspectionTarget,
        default_user=by,
    )
    return inspection


@transaction.atomic
def record_target(
    target: InspectionTarget, *, looked_at: str, conclusion: str, by: Any
) -> InspectionTarget:
    """What the inspection looked at in the org and its conclusion."""
    _require_manager(target.inspection.org, by, "记录督查情况")
    if not looked_at.strip():
        raise ValidationError({"looked_at": "请填写督查内容"})
    if not conclusion.strip():
        raise ValidationError({"conclusion": "请填写督查结论"})
    target.looked_at, target.conclusion = looked_at.strip(), conclusion.strip()
    target.full_clean()
    save(target, by)
    return target


def add_problem(
    target: InspectionTarget,
    *,
    title: str,
    deadline: dt.date | None,
    by: Any,
    description: str = "",
    created_on: dt.date | None = None,
) -> Item:
    """A problem the inspection found in the org: a problem item of the org with origin
    `inspection` (the reviewer is the org above it, as for every item)."""
    _require_manager(target.inspection.org, by, "登记督查发现的问题")
    if not title.strip():
        raise ValidationError({"title": "请填写问题"})
    return create_item(
        target.org,
        kind=ItemKind.PROBLEM,
        title=title,
        description=description,
        deadline=deadline,
        by=by,
        origin=Origin.INSPECTION,
        created_on=created_on,
        inspection=target.inspection,
    )


# --- notices (督查通报) -------------------------------------------------------------------


def _codes(recipients: Iterable[str] | str) -> list[str]:
    if isinstance(recipients, str):
        recipients = recipients.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    return list(dict.fromkeys(c.strip() for c in recipients if c and c.strip()))


@transaction.atomic
def create_notice(
    org: Org,
    *,
    number: str,
    date: dt.date | None,
    title: str,
    body: str,
    recipients: Iterable[str] | str,
    by: Any,
    inspection: Inspection | int | None = None,
) -> InspectionNotice:
    """A notice of `org` with its document number (unique per org), to the orgs named by
    code (orgs of `org`'s subtree within `by`'s scope; any other reads as missing); an
    `inspection` (or its id) must be one of `org`'s."""
    _require_manager(org, by, "印发督查通报")
    number, title = number.strip(), title.strip()
    if not number:
        raise ValidationError({"number": "请填写文号"})
    if InspectionNotice.objects.filter(org=org, number=number).exists():
        raise ValidationError({"number": f"文号“{number}”已被使用"})
    if date is None:
        raise ValidationError({"date": "请填写发文日期"})
    found: Inspection | None = None
    if isinstance(inspection, Inspection):
        found = inspection
    elif inspection is not None:
        found = resolve_reference(
            Inspection.objects.filter(org=org),
            by,
            field="inspection",
            label="督查",
            value=inspection,
            pk=inspection,
        )
    if found is not None and found.org_id != org.pk:
        raise reference_error("inspection", "督查", found.pk)
    if found is not None and date < found.date:
        raise ValidationError({"date": "发文日期不能早于督查日期"})
    if not title:
        raise ValidationError({"title": "请填写标题"})
    if not body.strip():
        raise ValidationError({"body": "请填写正文"})
    codes = _codes(recipients)
    if not codes:
        raise ValidationError({"recipients": "请填写通报范围（党组织编码）"})
    subtree = Org.objects.filter(path__startswith=org.path)
    orgs = [
        resolve_reference(
            subtree,
            by,
            field="recipients",
            label="党组织",
            value=code,
            path_field="path",
            code=code,
        )
        for code in codes
    ]
    notice = InspectionNotice(
        org=org,
        inspection=found,
        number=number,
        date=date,
        title=title,
        body=body.strip(),
        by=by,
    )
    notice.full_clean()
    save(notice, by)
    notice.recipients.set(orgs)
    return notice


@transaction.atomic
def publish_notice(notice: InspectionNotice, *, by: Any) -> int:
    """Put the notice into the inboxes of the officers of the orgs it names (or of the
    nearest org above each that has some), once; returns how many were told."""
    _require_manager(notice.org, by, "发布督查通报")
    claimed = InspectionNotice.objects.filter(pk=notice.pk, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    if not claimed:
        raise ValidationError({"published_at": "该通报已经发布"})
    notice.refresh_from_db(fields=["published_at"])
    save(notice, by, update_fields=["published_at"])
    paths = list(notice.recipients.values_list("path", flat=True))
    ids = {u for users in officers_in_charge(paths).values() for u in users}
    sent = send_notice(
        users=User.objects.filter(pk__in=ids),
        kind="system",
        title=f"督查通报：{notice.title}（{notice.number}）",
        body=notice.body[:500],
        url=reverse("supervision:notice_pdf", args=[notice.pk]),
        org=notice.org,
        key=f"supervision:notice:{notice.pk}",
    )
    return len(sent)
