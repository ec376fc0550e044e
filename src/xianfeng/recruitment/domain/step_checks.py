"""The checks of each step kind (DEV-01): the order and time rules of
《中国共产党发展党员工作细则》 and the Party Constitution, read at the moment of the step.
Each check takes the `Draft` of the step being recorded and raises a ValidationError
whose text states the rule, the dates and the source; `steps.record_step` runs them
before it writes anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.accounts.scope import is_within_scope, reference_error, require_reference
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.lib.dates import add_months

from ..models import Mentor, Person, Step, StepKind
from ..timing import anniversary, notice_end
from .admission import check_plan
from .common import (
    CHARTER_PROBATION,
    DETAIL,
    DETAIL_ONE_YEAR,
    check_holds_members,
    d,
    few,
    refusal,
)

K = StepKind


@dataclass
class Draft:
    """A step being recorded: the person, the step not yet saved, the actor."""

    person: Person
    step: Step
    by: Any
    policy: Resolver | None = dataclass_field(default=None, repr=False)
    restoring: bool = False  # an import restoring the records (domain.admission)

    @property
    def on(self) -> dt.date:
        return self.step.on

    def resolver(self) -> Resolver:
        """The policies on the step's day (loaded once per step)."""
        if self.policy is None:
            self.policy = resolver(day=self.on)
        return self.policy

    def value(self, key: str) -> Any:
        """The `recruitment.<key>` policy value of the person's org on the step's day."""
        return self.resolver().value(f"recruitment.{key}", self.person.org.path)


# --- shared checks ----------------------------------------------------------------------


def last_step(person: Person, kind: str, *, until: dt.date | None = None) -> Step | None:
    """The person's latest step of `kind` (on or before `until` when given)."""
    steps = Step.objects.filter(person=person, kind=kind)
    if until is not None:
        steps = steps.filter(on__lte=until)
    return steps.order_by("-on", "-pk").first()


def not_before(draft: Draft, earliest: dt.date | None, rule: str, what: str, source: str) -> None:
    """Refuses a step dated before `earliest` (what happened then: `what`)."""
    if earliest is not None and draft.on < earliest:
        raise refusal("on", rule, f"{d(earliest)}{what}，本环节日期{d(draft.on)}早于该日期", source)


def require_text(draft: Draft, field: str, rule: str, source: str = DETAIL) -> str:
    text = (getattr(draft.step, field) or "").strip()
    if not text:
        raise refusal(field, rule, "请填写", source)
    setattr(draft.step, field, text)
    return text


def check_votes(draft: Draft, meeting: str) -> None:
    """Refuses missing votes, more present than entitled or more in favour than present,
    and a meeting without a quorum (present > half of the voters) or majority (in favour
    > half of the voters)."""
    step = draft.step
    for field in ("voters", "present", "in_favour"):
        if getattr(step, field) is None:
            raise ValidationError({field: "请填写表决人数"})
    voters, present, favour = step.voters or 0, step.present or 0, step.in_favour or 0
    if voters < 1:
        raise ValidationError({"voters": "应到有表决权的正式党员人数须大于0"})
    if present > voters:
        raise ValidationError({"present": "实到人数不能多于应到有表决权的正式党员人数"})
    if favour > present:
        raise ValidationError({"in_favour": "赞成票不能多于实到人数"})
    if present * 2 <= voters:
        raise refusal(
            "present",
            f"{meeting}须有超过半数有表决权的正式党员到会",
            f"应到{voters}人，实到{present}人",
            DETAIL,
        )
    if favour * 2 <= voters:
        raise refusal(
            "in_favour",
            f"{meeting}须经超过应到会有表决权的正式党员半数赞成",
            f"应到{voters}人，赞成{favour}票",
            DETAIL,
        )


def check_notice(draft: Draft, since: dt.date | None, what: str, title: str) -> None:
    """A notice (公示): not before `since`; `ends_on` at least `notice.min_workdays`
    working days counting its first day when a workday (holiday calendar)."""
    not_before(draft, since, f"{title}不能早于{what}", what, DETAIL)
    ends_on = draft.step.ends_on
    if ends_on is None:
        raise ValidationError({"ends_on": "请填写公示截止日期"})
    workdays = int(draft.value("notice.min_workdays"))
    earliest = notice_end(draft.on, workdays, Calendar())
    if ends_on < earliest:
        raise refusal(
            "ends_on",
            f"{title}时间不少于{workdays}个工作日",
            f"{d(draft.on)}开始公示，最早{d(earliest)}结束，填写的截止日期为{d(ends_on)}",
            DETAIL,
        )


# --- the checks of each kind ------------------------------------------------------------


def _talk(draft: Draft) -> None:
    p = draft.person
    not_before(draft, p.applied_on, "谈话不能早于收到入党申请书", "递交入党申请书", DETAIL)


def _activist(draft: Draft) -> None:
    p = draft.person
    not_before(
        draft, p.applied_on, "确定入党积极分子不能早于递交入党申请书", "递交入党申请书", DETAIL
    )


def _after_activist(draft: Draft) -> None:
    p = draft.person
    not_before(
        draft, p.activist_on, "本环节不能早于确定为入党积极分子", "确定为入党积极分子", DETAIL
    )


def _candidate(draft: Draft) -> None:
    p = draft.person
    years = int(draft.value("activist.min_years"))
    earliest = anniversary(p.activist_on or p.applied_on, years)
    if draft.on < earliest:
        raise refusal(
            "on",
            f"确定为发展对象须经过{'一' if years == 1 else few(years)}年以上的培养考察",
            f"{d(p.activist_on or p.applied_on)}确定为积极分子，最早{d(earliest)}",
            DETAIL_ONE_YEAR,
        )
    needed, most = (
        int(draft.value("activist.min_mentors")),
        int(draft.value("activist.max_mentors")),
    )
    had = Mentor.objects.filter(person=p, started_on__lte=draft.on).count()
    if had < needed:
        raise refusal(
            "on",
            f"党组织应当指定{few(needed)}至{few(most)}名正式党员作入党积极分子的培养联系人",
            f"截至{d(draft.on)}已指定{had}名培养联系人",
            DETAIL,
        )


def _after_candidate(draft: Draft) -> None:
    p = draft.person
    not_before(draft, p.candidate_on, "本环节不能早于确定为发展对象", "确定为发展对象", DETAIL)


def _candidate_notice(draft: Draft) -> None:
    p = draft.person
    if last_step(p, K.CANDIDATE_AGREED, until=draft.on) is None:
        raise refusal(
            "kind",
            "发展对象须经上级党委同意后进行公示",
            f"截至{d(draft.on)}尚无上级党委同意的记录",
            DETAIL,
        )
    check_notice(draft, p.candidate_on, "确定为发展对象", "发展对象公示")


def _introducers(draft: Draft) -> None:
    _after_candidate(draft)
    count = int(draft.value("introducers.count"))
    chosen = draft.person.introducers.count()
    if chosen != count:
        raise refusal(
            "kind",
            f"发展对象应当有{count}名正式党员作入党介绍人",
            f"已确定{chosen}名，请通过“确定入党介绍人”办理",
            DETAIL,
        )


def _political_review(draft: Draft) -> None:
    _after_candidate(draft)
    require_text(draft, "conclusion", "对发展对象进行政治审查须形成结论性材料")


def _short_training(draft: Draft) -> None:
    _after_candidate(draft)
    step = draft.step
    if step.training_class is not None:
        klass = step.training_class
        if not (
            is_within_scope(draft.by, klass.org.path)
            or draft.person.org.path.startswith(klass.org.path)
        ):
            raise reference_error("training_class", "培训班", klass.pk)
        step.days, step.hours = klass.days, klass.hours
    min_days, min_hours = (
        Decimal(draft.value("training.min_days")),
        Decimal(draft.value("training.min_hours")),
    )
    days, hours = step.days or Decimal(0), step.hours or Decimal(0)
    if days < min_days and hours < min_hours:
        raise refusal(
            "days",
            f"发展对象短期集中培训时间一般不少于{min_days:g}天（或不少于{min_hours:g}学时）",
            f"填写的培训为{days:g}天、{hours:g}学时",
            DETAIL,
        )


def _missing_before_pre_review(draft: Draft) -> list[str]:
    p, on = draft.person, draft.on
    missing = []
    notice = last_step(p, K.CANDIDATE_NOTICE, until=on)
    if notice is None or notice.ends_on is None or notice.ends_on >= on:
        missing.append("发展对象公示（须已结束）")
    for kind, label in (
        (K.INTRODUCERS, "确定入党介绍人"),
        (K.POLITICAL_REVIEW, "政治审查"),
        (K.SHORT_TRAINING, "短期集中培训"),
    ):
        if last_step(p, kind, until=on) is None:
            missing.append(label)
    return missing


def _pre_review(draft: Draft) -> None:
    _after_candidate(draft)
    missing = _missing_before_pre_review(draft)
    if missing:
        raise refusal(
            "kind",
            "基层党委预审须在公示结束、确定入党介绍人、政治审查和短期集中培训之后",
            f"截至{d(draft.on)}尚缺{'、'.join(missing)}",
            DETAIL,
        )


def _after_pre_review(draft: Draft, what: str) -> Step:
    pre = last_step(draft.person, K.PRE_REVIEW, until=draft.on)
    if pre is None:
        raise refusal(
            "kind", f"{what}须在基层党委预审之后", f"截至{d(draft.on)}尚无预审记录", DETAIL
        )
    return pre


def _volunteer_book(draft: Draft) -> None:
    _after_pre_review(draft, "填写入党志愿书")
    number = require_text(draft, "conclusion", "请填写入党志愿书编号")
    draft.person.volunteer_book_no = number[:40]


def _admission_meeting(draft: Draft) -> None:
    pre = _after_pre_review(draft, "支部大会讨论接收预备党员")
    months = int(draft.value("admission.meeting_months"))
    latest = add_months(pre.on, months)
    if draft.on > latest:
        raise refusal(
            "on",
            f"支部大会应在基层党委预审后{months}个月内讨论接收，逾期须重新预审",
            f"{d(pre.on)}预审，最迟{d(latest)}，支部大会日期{d(draft.on)}",
            DETAIL,
        )
    if last_step(draft.person, K.VOLUNTEER_BOOK, until=draft.on) is None:
        raise refusal(
            "kind",
            "支部大会讨论接收前，发展对象须填写入党志愿书",
            f"截至{d(draft.on)}尚无填写入党志愿书的记录",
            DETAIL,
        )
    check_votes(draft, "支部大会讨论接收预备党员")


def _approval(draft: Draft) -> None:
    meeting = last_step(draft.person, K.ADMISSION_MEETING, until=draft.on)
    if meeting is None or draft.person.admitted_on is None:
        raise refusal(
            "kind", "党委审批须在支部大会讨论接收之后", f"截至{d(draft.on)}尚无支部大会记录", DETAIL
        )
    special = bool(draft.step.special)
    months = int(
        draft.value("admission.approval_special_months" if special else "admission.approval_months")
    )
    latest = add_months(meeting.on, months)
    if draft.on > latest:
        rule = (
            f"因特殊情况延长审批时间不得超过{months}个月"
            if special
            else f"党委应当在支部大会通过后{months}个月内审批（特殊情况须注明）"
        )
        raise refusal("on", rule, f"{d(meeting.on)}支部大会通过，最迟{d(latest)}审批", DETAIL)
    check_plan(person=draft.person, on=draft.on)


def _probationary_since(draft: Draft) -> None:
    p = draft.person
    not_before(draft, p.approved_on, "本环节不能早于党委审批接收", "党委审批接收为预备党员", DETAIL)


def _extension(draft: Draft) -> None:
    p, step = draft.person, draft.step
    _probationary_since(draft)
    earlier = last_step(p, K.EXTENSION)
    if earlier is not None:
        raise refusal(
            "kind",
            "预备期只能延长一次",
            f"已于{d(earlier.on)}延长{earlier.months}个月",
            CHARTER_PROBATION,
        )
    low, high = (
        int(draft.value("probation.extension_min_months")),
        int(draft.value("probation.extension_max_months")),
    )
    if step.months is None or not low <= step.months <= high:
        raise refusal(
            "months",
            f"延长预备期不能少于{low}个月，最长不超过{high}个月",
            f"填写为{step.months or 0}个月",
            CHARTER_PROBATION,
        )
    if p.probation_ends_on is not None and draft.on > p.probation_ends_on:
        raise refusal(
            "on",
            "延长预备期须在预备期满前决定",
            f"预备期{d(p.probation_ends_on)}期满",
            CHARTER_PROBATION,
        )
    started = last_step(p, K.CONVERSION_NOTICE) or last_step(p, K.CONVERSION_MEETING)
    if started is not None:
        raise refusal(
            "kind",
            "转正公示或支部大会讨论转正之后不能再延长预备期",
            f"已于{d(started.on)}{started.get_kind_display()}",
            CHARTER_PROBATION,
        )


def _conversion_applied(draft: Draft) -> None:
    """The conversion starts with the probationary member's own application."""
    if last_step(draft.person, K.CONVERSION_APPLICATION, until=draft.on) is None:
        raise refusal(
            "kind",
            "预备期满，预备党员应主动提出转正申请，党组织方可公示并讨论转正",
            f"截至{d(draft.on)}尚无转正申请",
            DETAIL,
        )


def _conversion_notice(draft: Draft) -> None:
    _conversion_applied(draft)
    check_notice(draft, draft.person.approved_on, "党委审批接收为预备党员", "预备党员转正公示")


def _conversion_meeting(draft: Draft) -> None:
    p = draft.person
    ends = p.probation_ends_on
    if ends is not None and draft.on < ends:
        raise refusal(
            "on", "预备期满后支部大会方可讨论转正", f"预备期{d(ends)}期满", CHARTER_PROBATION
        )
    _conversion_applied(draft)
    notice = last_step(p, K.CONVERSION_NOTICE, until=draft.on)
    if notice is None or notice.ends_on is None or notice.ends_on >= draft.on:
        raise refusal(
            "kind",
            "支部大会讨论转正须在转正公示结束之后",
            f"截至{d(draft.on)}尚无已结束的转正公示",
            DETAIL,
        )
    check_votes(draft, "支部大会讨论预备党员转正")


def _conversion_approval(draft: Draft) -> None:
    meeting = last_step(draft.person, K.CONVERSION_MEETING, until=draft.on)
    if meeting is None:
        raise refusal(
            "kind",
            "党委审批转正须在支部大会讨论转正之后",
            f"截至{d(draft.on)}尚无支部大会记录",
            DETAIL,
        )
    months = int(draft.value("probation.conversion_months"))
    latest = add_months(meeting.on, months)
    if draft.on > latest:
        raise refusal(
            "on",
            f"预备党员转正，党委应当在支部大会通过后{months}个月内审批",
            f"{d(meeting.on)}支部大会通过，最迟{d(latest)}审批",
            DETAIL,
        )


def _transfer(draft: Draft) -> None:
    p, to_org = draft.person, draft.step.to_org
    if to_org is None:
        raise ValidationError({"to_org": "请选择转入党组织"})
    require_reference(draft.by, to_org.path, field="to_org", label="党组织", value=to_org.code)
    check_holds_members(to_org, "to_org")
    if to_org.pk == p.org_id:
        raise ValidationError({"to_org": "转入党组织与现所在党组织相同"})
    not_before(draft, p.stage_since, "档案转接不能早于当前阶段的起始日期", "进入当前阶段", DETAIL)


def _end(draft: Draft) -> None:
    require_text(draft, "conclusion", "终止发展须写明原因")
    not_before(
        draft, draft.person.stage_since, "终止不能早于当前阶段的起始日期", "进入当前阶段", DETAIL
    )


CHECKS: dict[str, Callable[[Draft], None]] = {
    K.TALK: _talk,
    K.ACTIVIST: _activist,
    K.ACTIVIST_FILED: _after_activist,
    K.REVIEW: _after_activist,
    K.THOUGHT_REPORT: _after_activist,
    K.CANDIDATE: _candidate,
    K.CANDIDATE_AGREED: _after_candidate,
    K.CANDIDATE_NOTICE: _candidate_notice,
    K.INTRODUCERS: _introducers,
    K.POLITICAL_REVIEW: _political_review,
    K.SHORT_TRAINING: _short_training,
    K.PRE_REVIEW: _pre_review,
    K.VOLUNTEER_BOOK: _volunteer_book,
    K.ADMISSION_MEETING: _admission_meeting,
    K.APPROVAL: _approval,
    K.OATH: _probationary_since,
    K.EXTENSION: _extension,
    K.CONVERSION_APPLICATION: _probationary_since,
    K.CONVERSION_NOTICE: _conversion_notice,
    K.CONVERSION_MEETING: _conversion_meeting,
    K.CONVERSION_APPROVAL: _conversion_approval,
    K.TRANSFER: _transfer,
    K.END: _end,
}
