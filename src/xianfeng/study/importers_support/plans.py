"""The 学习计划 (study plans) and 学习安排 (their items) sheets."""

from __future__ import annotations

from typing import Any

from xianfeng.core.importing import Record
from xianfeng.lib.cells import clean_text, text_key
from xianfeng.members.models import Status
from xianfeng.orgs.importers_support import SheetImporter

from .. import domain, restore
from ..models import Course, PlanItem, PlanKind, StudyPlan
from .base import StudySheet
from .columns import PLAN_COLUMNS, PLAN_ITEM_COLUMNS


class _PlanSheet(StudySheet):
    member_keys = ("member",)

    def plan_owner(self, record: Record) -> tuple[Any, Any] | None:
        """(org, member) of the plan a row names; a personal plan names its member."""
        v = record.values
        org = self.org(record, scoped=False)
        if org is None:
            return None
        member = None
        if v["kind"] == PlanKind.PERSONAL:
            if not v.get("member"):
                return self.fail(record, "member", "个人自学计划须填写制定人")
            member = self.member(record, "member", "name" if "name" in self.labels else "")
            if member is None:
                return None
        elif v.get("member"):
            return self.fail(record, "member", "组织学习计划不填写制定人")
        if not self.may_edit(org):
            return self.fail(record, "org", f"您对“{org.name}”只有查看权限")
        return org, member

    def stored_plan(self, org: Any, member: Any, kind: str, year: int) -> StudyPlan | None:
        plans = StudyPlan.objects.filter(kind=kind, year=year)
        plans = plans.filter(member=member) if member is not None else plans.filter(org=org)
        return plans.first()


class _Plans(_PlanSheet):
    columns = PLAN_COLUMNS
    keys = ("title", "content", "adopted_on")

    def one(self, record: Record) -> str:
        v = record.values
        found = self.plan_owner(record)
        if found is None:
            return "error"
        org, member = found
        owner = member.pk if member is not None else org.pk
        if not self.unique(record, (v["kind"], owner, v["year"]), "year"):
            return "error"
        stored = self.stored_plan(org, member, v["kind"], v["year"])
        if stored is not None:
            if stored.org_id != org.pk:
                return self.reject(record, "org", f"与系统中已登记的“{stored.org.code}”不一致")
            return "error" if self.changed(record, stored, self.keys) else "unchanged"
        past = member
        if member is not None and (member.status == Status.LEFT or member.org_id != org.pk):
            past = restore.member_as_of(member, v["adopted_on"])
        if past is not None and past.org.pk != org.pk:
            return self.reject(record, "org", f"制定日期时该党员不在“{org.name}”")
        made = self.call(
            record,
            domain.create_study_plan,
            kind=v["kind"],
            year=v["year"],
            title=v["title"],
            adopted_on=v["adopted_on"],
            org=org if member is None else None,
            member=past,
            content=v.get("content", ""),
        )
        return "created" if made is not None else "error"


class StudyPlanImporter(SheetImporter):
    kind = "study_plans"
    title = "学习计划"
    sheet_names = ("年度学习计划", "study_plans")
    columns = PLAN_COLUMNS
    order = 76  # after meetings (items name the meeting that carried them out)
    sheet = _Plans


class _PlanItems(_PlanSheet):
    """An item is matched by its plan, period and content (学习内容)."""

    columns = PLAN_ITEM_COLUMNS
    keys = ("content", "planned_hours")
    meeting_keys = ("meeting_org", "meeting_kind", "meeting_on", "meeting_topic", "meeting_number")

    def one(self, record: Record) -> str:
        v = record.values
        found = self.plan_owner(record)
        if found is None:
            return "error"
        plan = self.stored_plan(*found, v["kind"], v["year"])
        if plan is None:
            return self.reject(record, "year", "找不到该学习计划（请先在“学习计划”工作表登记）")
        course = self.course(record, plan.org) if v.get("course") else None
        meeting = self.meeting(record, self.meeting_keys) if v.get("meeting_org") else None
        if (v.get("course") and course is None) or (v.get("meeting_org") and meeting is None):
            return "error"
        key = (plan.pk, v["period"], text_key(v["title"]))
        if not self.unique(record, key, "title"):
            return "error"
        items = self.stored(plan, _items_by_key)
        item = items.get(key)
        outcome = "unchanged"
        if item is None:
            item = self._add(record, plan, course)
            if item is None:
                return "error"
            items[key] = item
            outcome = "created"
        elif self.changed(record, item, self.keys) or self._other_course(record, item, course):
            return "error"
        return self._done(record, item, meeting, outcome)

    def _add(self, record: Record, plan: StudyPlan, course: Course | None) -> PlanItem | None:
        v = record.values
        return self.call(
            record,
            domain.add_plan_item,
            plan=plan,
            period=v["period"],
            title=v["title"],
            content=v.get("content", ""),
            course=course,
            planned_hours=v.get("planned_hours"),
        )

    def _other_course(self, record: Record, item: PlanItem, course: Course | None) -> bool:
        if (course.pk if course else None) == item.course_id:
            return False
        self.errors.add(record, None, self.labels["course"], "与系统中已登记的课程不一致")
        return True

    def _done(self, record: Record, item: PlanItem, meeting: Any, outcome: str) -> str:
        v = record.values
        done = (v.get("done_on"), v.get("done_note", ""), meeting.pk if meeting else None)
        if done == (item.done_on, clean_text(item.done_note), item.meeting_id):
            return outcome
        if v.get("done_on") is None:
            return self.reject(record, "done_on", f"与系统中已登记的“{item.done_on}”不一致")
        marked = self.call(
            record,
            domain.mark_plan_item_done,
            item=item,
            done_on=v["done_on"],
            done_note=v.get("done_note", ""),
            meeting=meeting,
        )
        if marked is None:
            return "error"
        return "updated" if outcome == "unchanged" else outcome


def _items_by_key(plan: StudyPlan) -> dict[tuple[Any, ...], PlanItem]:
    found: dict[tuple[Any, ...], PlanItem] = {}
    for item in plan.items.order_by("pk"):
        found.setdefault((plan.pk, item.period, text_key(item.title)), item)
    return found


class PlanItemImporter(SheetImporter):
    kind = "plan_items"
    title = "学习安排"
    sheet_names = ("学习计划安排", "计划安排", "plan_items")
    columns = PLAN_ITEM_COLUMNS
    order = 77  # the plans first
    sheet = _PlanItems
