"""Labels of the evidence the recruitment rules emit (the table is in compliance/evidence.py):
the people late in the pipeline (DEV-01), mentors (DEV-02), cultivations short of
trainings (DEV-03), unpaired leaders (DEV-05), targets (DEV-06), the dual-lead share
(MEM-03). The common keys (deadline, as_of, policy, source) are labelled there; members
are named by orglife's `member` loader."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.evidence import Label, Ref, count, percent, period

from .models import Cultivation, Person, TargetKind, Track


def person_names(ids: set[Any]) -> dict[Any, str]:
    """Person ids → "姓名（入党积极分子）"."""
    rows = Person.objects.filter(pk__in=ids).only("pk", "name", "stage")
    return {person.pk: f"{person.name}（{person.get_stage_display()}）" for person in rows}


def cultivation_names(ids: set[Any]) -> dict[Any, str]:
    """Cultivation ids → "姓名（把党员培养成人才）"."""
    rows = Cultivation.objects.filter(pk__in=ids).values_list(
        "pk", "member__name", "talent__name", "track"
    )
    return {
        pk: f"{member or talent or ''}（{Track(track).label}）"
        for pk, member, talent, track in rows
    }


def quarters_missing(item: dict[str, Any]) -> str:
    return "（" + "、".join(period(q) for q in item.get("quarters", [])) + "）"


def times_done(item: dict[str, Any]) -> str:
    return gettext("（本年%(n)s次）") % {"n": item.get("times")}


def track_of(item: dict[str, Any]) -> str:
    try:
        return "（" + str(Track(str(item.get("track"))).label) + "）"
    except ValueError:
        return ""


def _kind(value: Any) -> str:
    try:
        return str(TargetKind(value).label)
    except ValueError:
        return str(value)


def targets_behind(value: Any, names: Any = None) -> str:
    """[{"kind", "target", "progress", "expected"}] → "把党员培养成人才（人）目标10，上半年
    完成3（应不少于5）"."""
    if not isinstance(value, list):
        return str(value)
    return "；".join(
        gettext("%(kind)s目标%(target)s，上半年完成%(done)s（应不少于%(expected)s）")
        % {
            "kind": _kind(row.get("kind")),
            "target": row.get("target"),
            "done": row.get("progress"),
            "expected": row.get("expected"),
        }
        for row in value
    )


def targets_short(value: Any, names: Any = None) -> str:
    """[{"kind", "target", "set"}] → "发展党员计划（名额）本级10，分解到下级合计8"."""
    if not isinstance(value, list):
        return str(value)
    return "；".join(
        gettext("%(kind)s本级%(target)s，分解到下级合计%(set)s")
        % {"kind": _kind(row.get("kind")), "target": row.get("target"), "set": row.get("set")}
        for row in value
    )


PEOPLE = count(_("人"))
MONTHS = count(_("个月"))
TIMES = count(_("次"))
PERSON = Ref("recruitment_person")

LABELS = {
    # DEV-01 the pipeline's time limits
    "talk_late": Label(_("入党申请后未按时谈话的"), PERSON),
    "review_late": Label(_("培养考察逾期的"), PERSON),
    "report_missing": Label(
        _("缺少季度思想汇报的"),
        Ref("recruitment_person", key="person", detail=quarters_missing),
    ),
    "approval_late": Label(_("支部大会通过后逾期未审批的"), PERSON),
    "oath_late": Label(_("审批后未按时入党宣誓的"), PERSON),
    "conversion_late": Label(_("预备期满逾期未审批转正的"), PERSON),
    "talk_months": Label(_("谈话时限"), MONTHS),
    "review_months": Label(_("考察间隔"), MONTHS),
    "report_months": Label(_("思想汇报间隔"), MONTHS),
    "approval_months": Label(_("审批时限"), MONTHS),
    "oath_months": Label(_("入党宣誓时限"), MONTHS),
    "conversion_months": Label(_("转正审批时限"), MONTHS),
    # DEV-02 mentors
    "mentors_missing": Label(_("培养联系人不足的"), PERSON),
    "mentors_excess": Label(_("培养联系人过多的"), PERSON),
    "mentored_people": Label(_("培养联系人不是正式党员的"), PERSON),
    "mentors_not_full": Label(_("不是正式党员的培养联系人"), Ref("member")),
    "min_mentors": Label(_("培养联系人至少"), count(_("名"))),
    "max_mentors": Label(_("培养联系人至多"), count(_("名"))),
    # DEV-03 trainings of the cultivations
    "cultivations_short": Label(
        _("培训或学习次数不足的培养对象"),
        Ref("recruitment_cultivation", key="cultivation", detail=times_done),
    ),
    "trainings_needed": Label(_("方向（一）每年培训"), TIMES),
    "sessions_needed": Label(_("方向（二）每年理论学习"), TIMES),
    # DEV-05 leaders' pairs
    "unpaired_leaders": Label(_("未结对的班子成员"), Ref("member", key="member", detail=track_of)),
    # DEV-06 targets
    "targets_behind": Label(_("进度滞后的目标"), targets_behind),
    "pace_share": Label(_("上半年应完成比例"), percent),
    "targets_short": Label(_("分解不足的目标"), targets_short),
    # MEM-03 the dual-lead share
    "dual_lead_share": Label(_("本年“双带”型党员比例"), percent),
    "dual_lead_count": Label(_("本年“双带”型党员"), PEOPLE),
    "members_counted": Label(_("本年党员数"), PEOPLE),
    "dual_lead_share_before": Label(_("上年“双带”型党员比例"), percent),
    "dual_lead_count_before": Label(_("上年“双带”型党员"), PEOPLE),
    "members_counted_before": Label(_("上年党员数"), PEOPLE),
    "min_members_counted": Label(_("计算比例的党员人数下限"), PEOPLE),
}
NAMES = {"recruitment_person": person_names, "recruitment_cultivation": cultivation_names}
TERMS: dict[str, Any] = {kind.value: kind.label for kind in TargetKind}
