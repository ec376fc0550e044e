"""Writes of the secretaries' duties: secretary-led projects (书记领办项目, TASK-05, seed 003
§4.2 and §5.3), admonition talks (约谈) and the adjustment proposals a second talk raises
(TASK-06, seed 003 §4.5), and the yearly two-way duty reports (双向述职, TASK-07, seed 003
§5.3, seed 004 §4.4.1).

Every function is keyword-only after its subject, atomic, checks who may act (the pages
and the API check first for their 403, these check again so that nothing can skip it),
validates with Chinese messages keyed by field, resolves every member and org it is given
by code through `accounts.scope` (one out of reach reads like one that does not exist),
and saves through `items.save` so that the history keeps the actor. `by` None is the
command line (the demo builder), which may do all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from xianfeng.accounts.models import User
from xianfeng.accounts.queries import officers_in_charge
from xianfeng.accounts.scope import require_reference, resolve_reference
from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import add_months, today
from xianfeng.members.models import Member, Status
from xianfeng.notices.domain import send_notice
from xianfeng.notices.models import Kind as NoticeKind
from xianfeng.orgs.models import Org, OrgKind

from ..models import AdjustmentProposal, Admonition, DutyReport, Project
from ..permissions import may_manage
from ..queries.secretaries import (
    is_secretary_during,
    is_secretary_on,
    is_writer_above,
    parent_path,
    secretary_of,
)
from .items import Conflict, save

SECRETARY = "书记"
MAX_MILESTONES = 30
MAX_VOTES = 100_000


# --- shared checks -----------------------------------------------------------------------


def _text(field: str, value: Any, what: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{what}"})
    return text


def _day(field: str, value: Any, what: str, *, future: bool = False) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"请填写{what}"})
    if not future and value > today():
        raise ValidationError({field: f"{what}不能晚于今天"})
    return value


def _year(field: str, value: Any, *, last: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= last:
        raise ValidationError({field: f"年度应为2000至{last}之间的年份"})
    return value


def _require_org(by: Any, org: Org) -> None:
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if org.kind == OrgKind.PARTY_GROUP:
        raise ValidationError({"org": "党小组不设书记，请在所在党支部登记"})


def _member(by: Any, code: Any, field: str, label: str = SECRETARY) -> Member:
    """A current member by code inside `by`'s scope (else: not found, alike)."""
    text = str(code or "").strip()
    queryset = Member.objects.exclude(status=Status.LEFT).select_related("org")
    return resolve_reference(queryset, by, field=field, label=label, value=text, code=text)


def _seated_secretary(by: Any, org: Org, code: Any, field: str, day: dt.date) -> Member:
    """The member `code` (or, left empty, whoever holds the seat) as `org`'s secretary on
    `day`."""
    if not str(code or "").strip():
        found = secretary_of(org, day)
        if found is None:
            raise ValidationError({field: f"{day:%Y-%m-%d}该组织书记空缺，请填写书记的党员编号"})
        return found
    member = _member(by, code, field)
    if not is_secretary_on(org, member, day):
        raise ValidationError({field: f"“{member.name}”{day:%Y-%m-%d}不是该组织在任的书记"})
    return member


# --- secretary-led projects (TASK-05) ------------------------------------------------------


def clean_milestones(value: Any) -> list[dict[str, Any]]:
    """A project's milestones: a list of {title, due (YYYY-MM-DD), done}, at most 30."""
    if not isinstance(value, list | tuple):
        raise ValidationError({"milestones": "节点安排应为列表"})
    if len(value) > MAX_MILESTONES:
        raise ValidationError({"milestones": f"节点最多{MAX_MILESTONES}个"})
    return [_milestone(n, entry) for n, entry in enumerate(value, start=1)]


def _milestone(n: int, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise ValidationError({"milestones": f"第{n}个节点应包含节点名称、完成时限和是否完成"})
    title = str(entry.get("title") or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"milestones": f"第{n}个节点：请填写节点名称（最多200字）"})
    due = entry.get("due")
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due.strip())
        except ValueError:
            due = None
    if not isinstance(due, dt.date):
        raise ValidationError({"milestones": f"第{n}个节点：完成时限应为日期（YYYY-MM-DD）"})
    done = entry.get("done", False)
    if not isinstance(done, bool):
        raise ValidationError({"milestones": f"第{n}个节点：是否完成应为是或否"})
    return {"title": title, "due": due.isoformat(), "done": done}


@transaction.atomic
def register_project(
    org: Org,
    *,
    title: str,
    goal: str,
    by: Any,
    secretary: str = "",
    year: int | None = None,
    milestones: Iterable[Any] = (),
    registered_on: dt.date | None = None,
) -> Project:
    """Register a secretary-led project of `org` (立项). `secretary` is a member code; left
    empty, the org's secretary on the registration day. The member must hold the org's
    secretary seat that day; the project is for the registration year or the next; one
    project per secretary, org and year."""
    _require_org(by, org)
    if not may_manage(by, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以登记领办项目")
    registered_on = _day("registered_on", registered_on or today(), "立项日期")
    year = registered_on.year if year is None else year
    if year not in (registered_on.year, registered_on.year + 1):
        raise ValidationError({"year": "年度应为立项日期所在年度或下一年度"})
    member = _seated_secretary(by, org, secretary, "secretary", registered_on)
    if Project.objects.filter(org=org, secretary=member, year=year).exists():
        raise ValidationError({"year": f"“{member.name}”{year}年度已有领办项目"})
    project = Project(
        org=org,
        secretary=member,
        year=year,
        title=_text("title", title, "项目名称"),
        goal=_text("goal", goal, "项目目标"),
        milestones=clean_milestones(list(milestones)),
        registered_on=registered_on,
    )
    project.full_clean()
    save(project, by)
    return project


def _editable_project(project: Project, by: Any) -> None:
    if not may_manage(by, project.org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以修改领办项目")


@transaction.atomic
def update_milestones(project: Project, *, milestones: Iterable[Any], by: Any) -> Project:
    """Replace the project's milestones (titles, due dates, done or not)."""
    _editable_project(project, by)
    project.milestones = clean_milestones(list(milestones))
    project.full_clean()
    save(project, by, update_fields=["milestones"])
    return project


@transaction.atomic
def complete_project(
    project: Project, *, result: str, completed_on: dt.date | None, by: Any
) -> Project:
    """Record the project's result and the day it was completed (完成成效)."""
    _editable_project(project, by)
    project.result = _text("result", result, "完成成效")
    completed_on = _day("completed_on", completed_on, "完成日期")
    if completed_on < project.registered_on:
        raise ValidationError({"completed_on": "完成日期不能早于立项日期"})
    project.completed_on = completed_on
    project.full_clean()
    save(project, by, update_fields=["result", "completed_on"])
    return project


# --- admonition talks and adjustment proposals (TASK-06) ---------------------------------


def _talking_org(by: Any, org: Org, code: Any) -> Org:
    """The org holding the talk: an org above `org`, in `by`'s scope, where `by` is admin
    or officer."""
    text = str(code or "").strip()
    found = resolve_reference(
        Org.objects.all(),
        by,
        field="by_org",
        label="约谈组织",
        value=text,
        path_field="path",
        code=text,
    )
    if not (org.path.startswith(found.path) and found.path != org.path):
        raise ValidationError({"by_org": "约谈组织应为被约谈组织的上级组织"})
    if not may_manage(by, found):
        raise ValidationError({"by_org": f"您不是“{found.name}”的管理员或党务工作者"})
    return found


def _window(org: Org, day: dt.date) -> int:
    return int(resolver(day=day).value("supervision.admonition.window_months", org.path))


@transaction.atomic
def record_admonition(
    org: Org,
    *,
    date: dt.date | None,
    by_org: str,
    talker: str,
    reason: str,
    by: Any,
    member: str = "",
    outcome: str = "",
) -> Admonition:
    """Record an admonition talk (约谈) with `org`'s secretary (`member`, a member code;
    left empty, the secretary on the day) held by `by_org`, an org above `org`.

    Side effects: when the same member was talked to within the policy's
    `supervision.admonition.window_months` of this talk (seed 003 §4.5: 连续两次被约谈的，提出岗位调整
    建议), a pending AdjustmentProposal in the same transaction (unless one is already
    pending for that member) and a notice to the officers in charge of the org above."""
    _require_org(by, org)
    if not is_writer_above(by, org):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以登记约谈")
    day = _day("date", date, "约谈日期")
    talked = _seated_secretary(by, org, member, "member", day)
    talking = _talking_org(by, org, by_org)
    if Admonition.objects.filter(member=talked, date=day).exists():
        raise ValidationError({"date": f"“{talked.name}”{day:%Y-%m-%d}已有约谈记录"})
    admonition = Admonition(
        org=org,
        member=talked,
        date=day,
        by_org=talking,
        talker=_text("talker", talker, "约谈人"),
        reason=_text("reason", reason, "约谈事由"),
        outcome=_text("outcome", outcome, "约谈结果", required=False),
        recorded_by=by,
    )
    admonition.full_clean()
    save(admonition, by)
    _raise_proposal_if_repeated(admonition, by)
    return admonition


def _raise_proposal_if_repeated(admonition: Admonition, by: Any) -> None:
    """Another talk with the same member within the window on either side (a talk may be
    entered after a later one) makes this one the repeat; the proposal is raised on the
    later talk's day."""
    months = _window(admonition.org, admonition.date)
    others = Admonition.objects.filter(
        member=admonition.member,
        date__gte=add_months(admonition.date, -months),
        date__lte=add_months(admonition.date, months),
    ).exclude(pk=admonition.pk)
    latest = others.order_by("-date").values_list("date", flat=True).first()
    pending = AdjustmentProposal.objects.filter(
        member=admonition.member, decision=AdjustmentProposal.Decision.PENDING
    )
    if latest is None or pending.exists():
        return
    proposal = AdjustmentProposal(
        org=admonition.org,
        member=admonition.member,
        admonition=admonition,
        raised_on=max(latest, admonition.date),
    )
    proposal.full_clean()
    save(proposal, by)
    _tell_upper_officers(proposal)


def _tell_upper_officers(proposal: AdjustmentProposal) -> None:
    above = parent_path(proposal.org)
    if not above:
        return
    ids = officers_in_charge([above]).get(above, [])
    send_notice(
        users=User.objects.filter(pk__in=ids),
        kind=NoticeKind.REMINDER,
        title=f"岗位调整建议待决定：{proposal.org.name}书记{proposal.member.name}",
        body=(
            f"{proposal.org.name}书记{proposal.member.name}在规定期限内第二次被约谈"
            f"（{proposal.raised_on:%Y-%m-%d}），请上级组织研究作出岗位调整决定。"
        ),
        url=reverse("supervision:proposals", args=[proposal.org.code]),
        org=proposal.org,
        key=f"adjustment:{proposal.pk}",
    )


DECISIONS = (AdjustmentProposal.Decision.ADJUSTED, AdjustmentProposal.Decision.KEPT)


@transaction.atomic
def decide_proposal(
    proposal: AdjustmentProposal,
    *,
    decision: str,
    note: str,
    by: Any,
    decided_on: dt.date | None = None,
) -> AdjustmentProposal:
    """The upper org decides a pending adjustment proposal: the secretary is adjusted
    (调整) or kept (不调整), with a note. Only an admin or officer of an org above the
    proposal's org; a proposal decided by someone else first is a `Conflict`."""
    if not is_writer_above(by, proposal.org):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以决定岗位调整建议")
    if decision not in DECISIONS:
        raise ValidationError({"decision": "请选择“调整”或“不调整”"})
    note = _text("note", note, "决定说明")
    decided_on = _day("decided_on", decided_on or today(), "决定日期")
    if decided_on < proposal.raised_on:
        raise ValidationError({"decided_on": "决定日期不能早于建议提出日期"})
    pending = AdjustmentProposal.Decision.PENDING
    if proposal.decision != pending:
        raise ValidationError({"decision": "该建议已作出决定"})
    claimed = AdjustmentProposal.objects.filter(pk=proposal.pk, decision=pending).update(
        decision=decision
    )
    if not claimed:
        raise Conflict()
    proposal.decision = decision
    proposal.note = note
    proposal.decided_on = decided_on
    proposal.decided_by = by
    save(proposal, by, update_fields=["decision", "note", "decided_on", "decided_by"])
    return proposal


# --- two-way duty reports (TASK-07) ------------------------------------------------------


def rating_labels(org: Org, day: dt.date) -> list[str]:
    """The rating scale from best to worst (`supervision.duty_report.ratings`)."""
    return [
        str(label) for label in resolver(day=day).value("supervision.duty_report.ratings", org.path)
    ]


def clean_ratings(value: Any, labels: list[str]) -> dict[str, int]:
    """Votes per rating: every label of the scale (missing ones count 0), each a whole
    number ≥ 0, at least one vote in all."""
    if not isinstance(value, Mapping):
        raise ValidationError({"ratings": "评议结果应为各等次的票数"})
    unknown = [str(key) for key in value if key not in labels]
    if unknown:
        raise ValidationError(
            {"ratings": f"未知的评议等次“{'、'.join(unknown)}”，可选：{'、'.join(labels)}"}
        )
    counts: dict[str, int] = {}
    for label in labels:
        votes = value.get(label, 0)
        if isinstance(votes, bool) or not isinstance(votes, int) or not 0 <= votes <= MAX_VOTES:
            raise ValidationError({"ratings": f"“{label}”的票数应为0至{MAX_VOTES}之间的整数"})
        counts[label] = votes
    if not sum(counts.values()):
        raise ValidationError({"ratings": "请填写评议票数"})
    return counts


def overall_rating(counts: Mapping[str, int], labels: list[str]) -> str:
    """The combined result: the rating with the most votes; a tie goes to the lower
    (worse) of the tied ratings, so a split audience never reads better than it voted."""
    tally = Counter({label: counts.get(label, 0) for label in labels})
    most = max(tally.values())
    return [label for label in labels if tally[label] == most][-1]


@transaction.atomic
def record_duty_report(
    org: Org,
    *,
    year: int,
    date: dt.date | None,
    summary: str,
    ratings: Mapping[str, Any],
    by: Any,
    secretary: str = "",
) -> DutyReport:
    """Record a secretary's two-way duty report (双向述职) on the work of `year`, given on
    `date` (in that year or the next), with the audience's votes per rating; the result
    is computed (`overall_rating`). `secretary` is a member code; left empty, whoever
    held the org's secretary seat at the end of the work year (or on the report day, if
    earlier). The member must have held the seat during the work year. One report per
    secretary, org and year. Entered by an admin or officer of the org or above."""
    _require_org(by, org)
    if not may_manage(by, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以登记述职")
    year = _year("year", year, last=today().year)
    day = _day("date", date, "述职日期")
    if day.year not in (year, year + 1):
        raise ValidationError({"date": "述职日期应在述职年度内或次年"})
    member = _report_secretary(by, org, secretary, year, day)
    if DutyReport.objects.filter(org=org, secretary=member, year=year).exists():
        raise ValidationError({"year": f"“{member.name}”{year}年度的述职已登记"})
    labels = rating_labels(org, day)
    counts = clean_ratings(ratings, labels)
    report = DutyReport(
        org=org,
        secretary=member,
        year=year,
        date=day,
        summary=_text("summary", summary, "述职内容"),
        ratings=counts,
        result=overall_rating(counts, labels),
        recorded_by=by,
    )
    report.full_clean()
    save(report, by)
    return report


def _report_secretary(by: Any, org: Org, code: Any, year: int, day: dt.date) -> Member:
    first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    if not str(code or "").strip():
        return _seated_secretary(by, org, "", "secretary", last)
    member = _member(by, code, "secretary", "述职人")
    if not is_secretary_during(org, member, first, last):
        raise ValidationError({"secretary": f"“{member.name}”{year}年度未担任该组织书记"})
    return member
