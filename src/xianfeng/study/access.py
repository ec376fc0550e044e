"""Study objects fetched for a user (PLAT-01): inside the scope, else 404.

A course or must-learn list is published downward, so besides the scope's own ones a
user sees those published by an ancestor of the scope (a branch secretary sees the town's
courses) and a member account those published above its own branch."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q, scope_paths
from xianfeng.orgs.models import Org

from .models import Course, PlanItem, StudyPlan, StudyRecord, TrainingClass


def _above(paths: list[str]) -> set[str]:
    """Every path of the given orgs and of their ancestors."""
    return {path[:n] for path in paths for n in range(Org.steplen, len(path) + 1, Org.steplen)}


def published_q(user: Any, field: str = "org__path") -> Q:
    """Rows published inside the scope or above it (and above a member's own org)."""
    prefixes = scope_paths(user)
    if prefixes is None:
        return Q()
    member = getattr(user, "member", None) if getattr(user, "member_id", None) else None
    upward = [*prefixes, *([member.org.path] if member is not None else [])]
    return path_q(user, field) | Q(**{f"{field}__in": sorted(_above(upward))})


def courses_for_org(org: Org) -> QuerySet[Course]:
    """Courses the org may use (its own and its ancestors') and its subtree's."""
    above = sorted(_above([org.path]))
    return (
        Course.objects.filter(Q(org__path__in=above) | Q(org__path__startswith=org.path))
        .select_related("org")
        .order_by("-published_on", "title")
    )


def get_course_for_user(user: Any, pk: int) -> Course:
    course = Course.objects.filter(published_q(user), pk=pk).select_related("org").first()
    if course is None:
        raise Http404("没有找到该课程，或不在您的管辖范围内")
    return course


def get_class_for_user(user: Any, pk: int) -> TrainingClass:
    found = TrainingClass.objects.filter(path_q(user, "org__path"), pk=pk)
    training = found.select_related("org").first()
    if training is None:
        raise Http404("没有找到该培训班，或不在您的管辖范围内")
    return training


def get_plan_for_user(user: Any, pk: int) -> StudyPlan:
    found = StudyPlan.objects.filter(path_q(user, "org__path"), pk=pk)
    plan = found.select_related("org", "member").first()
    if plan is None:
        raise Http404("没有找到该学习计划，或不在您的管辖范围内")
    return plan


def get_plan_item_for_user(user: Any, pk: int) -> PlanItem:
    found = PlanItem.objects.filter(path_q(user, "plan__org__path"), pk=pk)
    item = found.select_related("plan", "plan__org", "plan__member").first()
    if item is None:
        raise Http404("没有找到该学习安排，或不在您的管辖范围内")
    return item


def get_record_for_user(user: Any, pk: int) -> StudyRecord:
    found = StudyRecord.objects.filter(path_q(user, "org__path"), pk=pk)
    record = found.select_related("org", "member").first()
    if record is None:
        raise Http404("没有找到该学习记录，或不在您的管辖范围内")
    return record
