"""Demo supervision rhythm and secretaries' duties: the inspecting org's calendar for both
years, quarterly progress reports of the orgs that owe them, secretary-led projects,
two-way duty reports and admonition talks — each with a few gaps so that TASK-04 …
TASK-07 report in the last full year and in the year to date."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from xianfeng.compliance.policy import resolver
from xianfeng.core.demo import DemoContext
from xianfeng.orgs.models import Org

from ..models import (
    AdjustmentProposal,
    Admonition,
    CalendarEntry,
    DutyReport,
    ProgressReport,
    Project,
)
from ..people import secretaries_on

QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
GAP_SHARE = 0.04  # of the secretaries without a project or a report, of reports missing
PROJECTS = (
    "党建引领乡村振兴",
    "红色物业服务提升",
    "机关党建与业务深度融合",
    "党员先锋岗创建",
    "“家门口”志愿服务",
    "党建联建助力营商环境",
)


class SecretariesBuilder:
    def __init__(self, ctx: DemoContext, rng: random.Random, root: Org, inspector: Org):
        self.ctx, self.rng, self.root, self.inspector = ctx, rng, root, inspector
        self.as_of, self.last = ctx.as_of, ctx.as_of.year - 1
        self.years = (self.last, ctx.as_of.year)
        self.orgs = list(Org.objects.filter(path__startswith=root.path).order_by("path"))
        self.policy = resolver(day=ctx.as_of)

    def build(self) -> dict[str, Any]:
        self._calendar()
        reports = self._progress_reports()
        projects = self._projects()
        duty_reports = self._duty_reports()
        self._admonitions()
        return {"progress_reports": reports, "projects": projects, "duty_reports": duty_reports}

    def _due(self, key: str, year: int) -> dt.date:
        path = self.root.path
        month = int(self.policy.value(f"supervision.{key}.due_month", path))
        day = int(self.policy.value(f"supervision.{key}.due_day", path))
        return dt.date(year, month, day)

    def _gaps(self, keys: list[Any]) -> set[Any]:
        """A few of `keys` left without the record, at least one."""
        if not keys:
            return set()
        return set(self.rng.sample(keys, max(1, round(len(keys) * GAP_SHARE))))

    # --- the calendar (TASK-04) --------------------------------------------------------

    def _calendar(self) -> None:
        entries: list[CalendarEntry] = []
        for year in self.years:
            entries += [
                self._entry(
                    year,
                    "monthly_reminder",
                    f"{year}-{m:02d}",
                    dt.date(year, m, 3),
                    f"{m}月党建工作提示",
                )
                for m in range(1, 13)
            ]
            entries += [
                self._entry(
                    year,
                    "quarterly_progress",
                    f"{year}-Q{q}",
                    dt.date(year, m, d) + dt.timedelta(10),
                    f"第{q}季度工作推进",
                )
                for q, (m, d) in enumerate(QUARTER_ENDS, start=1)
            ]
            entries += [
                self._entry(
                    year, "half_year_inspection", f"{year}-H1", dt.date(year, 7, 15), "上半年督查"
                ),
                self._entry(
                    year, "half_year_inspection", f"{year}-H2", dt.date(year, 12, 15), "下半年督查"
                ),
                self._entry(
                    year, "annual_evaluation", str(year), dt.date(year, 12, 25), "年度考评"
                ),
            ]
        self.ctx.insert.objects(CalendarEntry, entries)

    def _entry(self, year: int, kind: str, period: str, day: dt.date, title: str) -> CalendarEntry:
        done = day if day <= self.as_of else None
        return CalendarEntry(
            org=self.inspector,
            year=year,
            kind=kind,
            period=period,
            date=day,
            title=title,
            done_on=done,
        )

    # --- quarterly progress reports (TASK-04) -------------------------------------------

    def _owing(self) -> list[Org]:
        owing = []
        for org in self.orgs[1:]:  # the root reports to no one above it (TASK-04)
            sectors = self.policy.value("supervision.progress.sectors", org.path)
            kinds = self.policy.value("supervision.progress.kinds", org.path)
            government = org.sector in sectors and org.kind in (
                "party_committee",
                "general_branch",
                "branch",
                "joint_branch",
            )
            if government or org.kind in kinds:
                owing.append(org)
        return owing

    def _progress_reports(self) -> int:
        owing, reports = self._owing(), []
        for year in self.years:
            for quarter, (month, day) in enumerate(QUARTER_ENDS, start=1):
                due = dt.date(year, month, day) + dt.timedelta(10)
                if due > self.as_of:
                    continue
                missing = self._gaps(owing) if (year, quarter) in self._gap_quarters() else set()
                reports += [
                    ProgressReport(
                        org=org,
                        period=f"{year}-Q{quarter}",
                        work_done="召开党委（支部）会议研究党建工作，落实“三会一课”，推进问题整改。",
                        problems="个别党员参加组织生活不够经常。",
                        next_steps="加强督促，按月通报组织生活开展情况。",
                        items_closed=self.rng.randint(0, 3),
                        submitted_on=due - dt.timedelta(self.rng.randint(0, 9)),
                    )
                    for org in owing
                    if org not in missing
                ]
        self.ctx.insert.objects(ProgressReport, reports)
        return len(reports)

    def _gap_quarters(self) -> set[tuple[int, int]]:
        """The quarters with missing reports: Q2 of last year and the first of this year."""
        return {(self.last, 2), (self.as_of.year, 1)}

    # --- secretary-led projects (TASK-05) ------------------------------------------------

    def _projects(self) -> int:
        projects: list[Project] = []
        for year in self.years:
            due = self._due("project", year)
            if due > self.as_of:
                continue
            seated = sorted(secretaries_on([o.pk for o in self.orgs], due).items())
            for org_id, member_id in _without(seated, self._gaps(seated)):
                registered = dt.date(year, 1, 15) + dt.timedelta(self.rng.randint(0, 60))
                done = dt.date(year, 12, 10) if dt.date(year, 12, 10) <= self.as_of else None
                projects.append(
                    Project(
                        org_id=org_id,
                        secretary_id=member_id,
                        year=year,
                        title=f"{year}年{self.rng.choice(PROJECTS)}项目",
                        goal="围绕中心工作，解决群众反映的1至2个突出问题。",
                        milestones=[
                            {"title": "制定方案", "due": f"{year}-03-31", "done": True},
                            {
                                "title": "推进实施",
                                "due": f"{year}-09-30",
                                "done": due.year < self.as_of.year,
                            },
                            {"title": "总结成效", "due": f"{year}-12-10", "done": done is not None},
                        ],
                        result="已完成既定目标。" if done else "",
                        completed_on=done,
                        registered_on=registered,
                    )
                )
        self.ctx.insert.objects(Project, projects)
        return len(projects)

    # --- two-way duty reports (TASK-07) -------------------------------------------------

    def _duty_reports(self) -> int:
        ratings = self.policy.value("supervision.duty_report.ratings", self.root.path)
        reports: list[DutyReport] = []
        for year in self.years:
            due = self._due("duty_report", year)
            if due > self.as_of:
                continue
            seated = sorted(secretaries_on([o.pk for o in self.orgs], due).items())
            for org_id, member_id in _without(seated, self._gaps(seated)):
                counts = [
                    self.rng.randint(8, 20),
                    self.rng.randint(2, 8),
                    self.rng.randint(0, 3),
                    0,
                ]
                reports.append(
                    DutyReport(
                        org_id=org_id,
                        secretary_id=member_id,
                        year=year - 1,
                        date=dt.date(year, 1, 10) + dt.timedelta(self.rng.randint(0, 70)),
                        summary=f"{year - 1}年度抓基层党建工作述职。",
                        ratings=dict(zip(ratings, counts, strict=False)),
                        result=ratings[0],
                    )
                )
        self.ctx.insert.objects(DutyReport, reports)
        return len(reports)

    # --- admonitions (TASK-06) ------------------------------------------------------------

    def _admonitions(self) -> None:
        below = [
            o
            for o in self.orgs
            if o.path.startswith(self.inspector.path)
            and o.pk != self.inspector.pk
            and o.kind == "branch"
        ]
        seated = secretaries_on([o.pk for o in below], dt.date(self.last, 3, 1))
        current = secretaries_on(list(seated), self.as_of)
        chosen = [(o, m) for o, m in sorted(seated.items()) if current.get(o) == m][:3]
        if len(chosen) < 3:
            return
        days = (
            (dt.date(self.last, 3, 10), dt.date(self.last, 9, 10)),  # proposal left undecided
            (dt.date(self.last, 4, 12), dt.date(self.last, 11, 5)),  # proposal decided
            (self.as_of - dt.timedelta(40),),  # a first talk this year
        )
        talks = [
            self._talk(org_id, member_id, day)
            for (org_id, member_id), pair in zip(chosen, days, strict=True)
            for day in pair
        ]
        self.ctx.insert.objects(Admonition, talks)
        pending = AdjustmentProposal(
            org_id=talks[1].org_id,
            member_id=talks[1].member_id,
            admonition=talks[1],
            raised_on=talks[1].date,
        )
        decided = AdjustmentProposal(
            org_id=talks[3].org_id,
            member_id=talks[3].member_id,
            admonition=talks[3],
            raised_on=talks[3].date,
            decision=AdjustmentProposal.Decision.KEPT,
            decided_on=talks[3].date + dt.timedelta(20),
            note="经研究，给予批评教育，暂不调整岗位。",
        )
        self.ctx.insert.objects(AdjustmentProposal, [pending, decided])

    def _talk(self, org_id: int, member_id: int, day: dt.date) -> Admonition:
        return Admonition(
            org_id=org_id,
            member_id=member_id,
            date=day,
            by_org=self.inspector,
            talker=f"{self.inspector.name}组织委员",
            reason="“三会一课”落实不到位，问题清单整改逾期。",
            outcome="当面指出问题，本人表示限期整改。",
        )


def _without(pairs: Iterable[tuple[int, int]], gaps: set[tuple[int, int]]) -> list[tuple[int, int]]:
    return [pair for pair in pairs if pair not in gaps]
