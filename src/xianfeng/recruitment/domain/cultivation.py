"""Writes of the three cultivations (三培养, DEV-03 … DEV-05, seed 001 §4): a candidate's
cultivation file (培养档案) in one track with its paired leader (结对), dated entries
(training, theory session, practice, help, review) and its status.

Tracks (a) 把党员培养成人才 and (c) 把党员人才培养成后备干部 cultivate a member; track (b)
把人才培养成党员 a talent of the pool (`TalentEntry`). The paired leader must hold, on the
day, a seat of an org of the kind (and level) the policy `recruitment.pairing.*` names for
the track, at the file's org or above it (seed 001 §4.3); a policy naming no kinds leaves
pairing unchecked. Every function is keyword-only, atomic, checks who may write (an admin
or officer of the org or above), resolves every member, talent and training class through
`accounts.scope` (one out of reach reads like one that does not exist), answers with
Chinese messages keyed by field and saves with `by` as the history's actor. `by` None is
the command line (demo, import), which may do all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xianfeng.accounts.scope import require_reference, resolve_reference
from xianfeng.lib.dates import today
from xianfeng.members.models import Member, Status
from xianfeng.orgs.models import Org, OrgKind
from xianfeng.study.models import TrainingClass

from ..models import (
    Cultivation,
    CultivationEntry,
    CultivationStatus,
    EntryKind,
    Person,
    TalentEntry,
    TalentStatus,
    Track,
)
from ..permissions import may_manage
from ..queries.cultivation import is_qualified_pair, pairing_rule
from .common import save

MEMBER_TRACKS = (Track.MEMBER_TO_TALENT, Track.TALENT_TO_CADRE)
CLASS_KINDS = (EntryKind.TRAINING, EntryKind.THEORY)
ENDINGS = (CultivationStatus.DONE, CultivationStatus.STOPPED)
MEMBER_LABEL = "党员"
TALENT_LABEL = "人才库人员"
PAIR_LABEL = "结对领导"
CLASS_LABEL = "培训班"


# --- shared checks (also used by the talent pool and the targets) -----------------------


def is_id_text(text: str) -> bool:
    """Whether `text` can be a row id: ASCII digits only ("²" is a digit to Python, not to
    int()), at most 18 of them."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def require_writer(user: Any, org: Org) -> None:
    if not may_manage(user, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以办理")


def require_org(by: Any, org: Org) -> None:
    """`org` inside `by`'s scope and able to keep recruitment records (not a party
    group, not dissolved)."""
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if org.kind == OrgKind.PARTY_GROUP:
        raise ValidationError({"org": "党小组不单独建立培养档案和人才库，请在所在党支部登记"})
    if org.dissolved_on is not None:
        raise ValidationError({"org": f"“{org.name}”已撤销"})


def checked_day(field: str, value: Any, what: str) -> dt.date:
    """A calendar date not in the future."""
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"请填写{what}"})
    if value > today():
        raise ValidationError({field: f"{what}不能晚于今天"})
    return value


def checked_text(field: str, value: Any, what: str, *, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{what}"})
    if len(text) > limit:
        raise ValidationError({field: f"{what}最多{limit}字"})
    return text


def current_member(
    by: Any, code: Any, *, field: str, label: str, under: Org | None = None
) -> Member:
    """A member (not left the party) by code inside `by`'s scope (and under `under`)."""
    text = str(code or "").strip()
    if not text:
        raise ValidationError({field: f"请填写{label}的党员编号"})
    queryset = Member.objects.exclude(status=Status.LEFT).select_related("org")
    if under is not None:
        queryset = queryset.filter(org__path__startswith=under.path)
    return resolve_reference(queryset, by, field=field, label=label, value=text, code=text)


# --- the paired leader (DEV-05) -----------------------------------------------------------


def _pair(
    by: Any, code: Any, track: str, org: Org, day: dt.date, subject: Member | None
) -> Member | None:
    if not str(code or "").strip():
        return None
    member = current_member(by, code, field="pair", label=PAIR_LABEL)
    if subject is not None and member.pk == subject.pk:
        raise ValidationError({"pair": "结对领导不能是培养对象本人"})
    if not is_qualified_pair(member, track, org, day):
        rule = pairing_rule(track, org.path, day)
        raise ValidationError(
            {
                "pair": f"“{member.name}”{day:%Y-%m-%d}不能结对“{Track(track).label}”："
                f"结对领导应为本组织或上级{rule.text()}的班子成员（{rule.source}）"
            }
        )
    return member


# --- opening a file -------------------------------------------------------------------------


def _subject_member(by: Any, org: Org, code: Any, track: str) -> Member:
    member = current_member(by, code, field="member", label=MEMBER_LABEL, under=org)
    active = Cultivation.objects.filter(member=member, track=track, status=CultivationStatus.ACTIVE)
    if active.exists():
        raise ValidationError({"member": f"“{member.name}”已在“{Track(track).label}”培养中"})
    return member


def resolve_talent(
    by: Any, value: Any, *, under: Org | None = None, field: str = "talent"
) -> TalentEntry:
    """A talent entry by id (or the entry itself) inside `by`'s scope."""
    if isinstance(value, TalentEntry):
        value = value.pk
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: "请选择人才库人员"})
    queryset = TalentEntry.objects.select_related("org")
    if under is not None:
        queryset = queryset.filter(org__path__startswith=under.path)
    if not is_id_text(text):
        raise ValidationError({field: f"没有找到{TALENT_LABEL}“{text}”"})
    return resolve_reference(
        queryset, by, field=field, label=TALENT_LABEL, value=text, pk=int(text)
    )


def _subject_talent(by: Any, org: Org, value: Any) -> TalentEntry:
    talent = resolve_talent(by, value, under=org)
    if talent.status == TalentStatus.LEFT:
        raise ValidationError({"talent": f"“{talent.name}”已出库"})
    active = Cultivation.objects.filter(
        talent=talent, track=Track.TALENT_TO_MEMBER, status=CultivationStatus.ACTIVE
    )
    if active.exists():
        raise ValidationError({"talent": f"“{talent.name}”已在“把人才培养成党员”培养中"})
    return talent


@transaction.atomic
def open_cultivation(
    *,
    org: Org,
    track: str,
    started_on: dt.date,
    by: Any,
    member: Any = "",
    talent: Any = None,
    pair: Any = "",
    goal: str = "",
    note: str = "",
) -> Cultivation:
    """Open a cultivation file of `org` in `track` (DEV-03): for a member of the org's
    subtree (`member`, a code; tracks a and c) or a talent of its pool (`talent`, an entry
    or its id; track b), with an optional paired leader (`pair`, a member code, DEV-05).

    Side effects: a track (b) talent still in the pool becomes 培养中 (CULTIVATING)."""
    require_org(by, org)
    require_writer(by, org)
    if track not in Track.values:
        raise ValidationError({"track": "请选择培养方向"})
    started_on = checked_day("started_on", started_on, "列入培养日期")
    subject_member = subject_talent = None
    if track in MEMBER_TRACKS:
        subject_member = _subject_member(by, org, member, track)
    else:
        subject_talent = _subject_talent(by, org, talent)
    cultivation = Cultivation(
        org=org,
        track=track,
        member=subject_member,
        talent=subject_talent,
        pair=_pair(by, pair, track, org, started_on, subject_member),
        goal=checked_text("goal", goal, "培养目标", limit=200, required=False),
        note=checked_text("note", note, "备注", limit=500, required=False),
        started_on=started_on,
        status=CultivationStatus.ACTIVE,
        status_since=started_on,
    )
    save(cultivation, by)
    if subject_talent is not None and subject_talent.status == TalentStatus.POOL:
        subject_talent.status = TalentStatus.CULTIVATING
        save(subject_talent, by, validate=False, update_fields=["status"])
    return cultivation


def _require_active(cultivation: Cultivation, field: str = "status") -> None:
    if cultivation.status != CultivationStatus.ACTIVE:
        raise ValidationError({field: f"该培养档案已{cultivation.get_status_display()}"})


@transaction.atomic
def set_pair(
    *, cultivation: Cultivation, pair: Any, on: dt.date | None = None, by: Any
) -> Cultivation:
    """Pair the file's candidate with a leader (`pair`, a member code; empty: no pair),
    qualified on `on` (default today)."""
    require_writer(by, cultivation.org)
    _require_active(cultivation, "pair")
    day = checked_day("on", on or today(), "结对日期")
    cultivation.pair = _pair(by, pair, cultivation.track, cultivation.org, day, cultivation.member)
    save(cultivation, by, validate=False, update_fields=["pair"])
    return cultivation


# --- entries --------------------------------------------------------------------------------


def _hours(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"hours": "学时应为数字"}) from None
    if not hours.is_finite() or not Decimal(0) < hours <= Decimal(1000):
        raise ValidationError({"hours": "学时应大于0且不超过1000"})
    return hours.quantize(Decimal("0.1"))


def _training_class(by: Any, value: Any, kind: str) -> TrainingClass | None:
    if isinstance(value, TrainingClass):
        value = value.pk
    text = str(value or "").strip()
    if not text:
        return None
    if kind not in CLASS_KINDS:
        raise ValidationError({"training_class": "只有培训、理论学习记录可以关联培训班"})
    if not is_id_text(text):
        raise ValidationError({"training_class": f"没有找到{CLASS_LABEL}“{text}”"})
    queryset = TrainingClass.objects.select_related("org")
    return resolve_reference(
        queryset, by, field="training_class", label=CLASS_LABEL, value=text, pk=int(text)
    )


@transaction.atomic
def add_entry(
    *,
    cultivation: Cultivation,
    on: dt.date,
    kind: str,
    title: str,
    by: Any,
    hours: Any = None,
    training_class: Any = None,
    note: str = "",
) -> CultivationEntry:
    """Add a dated entry to an active file (DEV-03): a training (optionally a study
    training class, whose hours count when none are given), a theory session, practice,
    help by the pair, a review. The date lies between the start of the file and today."""
    require_writer(by, cultivation.org)
    _require_active(cultivation)
    if kind not in EntryKind.values:
        raise ValidationError({"kind": "请选择记录类别"})
    on = checked_day("on", on, "日期")
    if on < cultivation.started_on:
        raise ValidationError({"on": f"日期不能早于列入培养日期{cultivation.started_on:%Y-%m-%d}"})
    found = _training_class(by, training_class, kind)
    entry = CultivationEntry(
        cultivation=cultivation,
        on=on,
        kind=kind,
        title=checked_text("title", title, "内容", limit=200),
        hours=_hours(hours) if hours not in (None, "") or found is None else found.hours,
        training_class=found,
        note=checked_text("note", note, "备注", limit=500, required=False),
        entered_by=by,
    )
    save(entry, by)
    return entry


# --- status -----------------------------------------------------------------------------------


def _check_talent_activist(cultivation: Cultivation, on: dt.date) -> None:
    """Track (b) is achieved when the talent has been listed as an activist (seed 001
    §4.2.2：对……优秀人才，要及时把他们列为入党积极分子)."""
    listed = Person.objects.filter(
        talent_id=cultivation.talent_id, activist_on__isnull=False, activist_on__lte=on
    )
    if not listed.exists():
        raise ValidationError(
            {
                "status": "把人才培养成党员：培养对象确定为入党积极分子后方可标记为已达成"
                "（seed 001 §4.2.2：及时把他们列为入党积极分子）"
            }
        )


@transaction.atomic
def set_cultivation_status(
    *, cultivation: Cultivation, status: str, on: dt.date, by: Any, note: str = ""
) -> Cultivation:
    """End an active file: DONE (已达成) or STOPPED (已终止) on `on`. Track (b) is done only
    once its talent is an activist on `on`.

    Side effects: a stopped track (b) talent still CULTIVATING goes back to the pool."""
    require_writer(by, cultivation.org)
    _require_active(cultivation)
    if status not in ENDINGS:
        raise ValidationError({"status": "请选择“已达成”或“已终止”"})
    on = checked_day("on", on, "状态变更日期")
    if on < cultivation.started_on:
        raise ValidationError({"on": f"日期不能早于列入培养日期{cultivation.started_on:%Y-%m-%d}"})
    if status == CultivationStatus.DONE and cultivation.track == Track.TALENT_TO_MEMBER:
        _check_talent_activist(cultivation, on)
    text = checked_text("note", note, "说明", limit=200, required=False)
    cultivation.status, cultivation.status_since = status, on
    if text:
        cultivation.note = f"{cultivation.note}\n{on:%Y-%m-%d} {text}".strip()[:500]
    save(cultivation, by, update_fields=["status", "status_since", "note"])
    talent = cultivation.talent
    if status == CultivationStatus.STOPPED and talent and talent.status == TalentStatus.CULTIVATING:
        talent.status = TalentStatus.POOL
        save(talent, by, validate=False, update_fields=["status"])
    return cultivation
