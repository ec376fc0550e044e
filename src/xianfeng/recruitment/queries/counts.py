"""Reads of the pipeline pages and API (DEV-01, DEV-02): the people a user may see, an
org's people by stage, and the subtree overview (counts by stage and admissions of the
year per child org) in one grouped query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from xianfeng.accounts.scope import path_q
from xianfeng.orgs.models import Org
from xianfeng.study.models import TrainingClass

from ..models import Person, Stage, TalentEntry, TalentStatus

NOT_FOUND = "没有找到该人员，或不在您的管辖范围内"


def people_for_user(user: Any) -> QuerySet[Person]:
    """Every person whose org lies in the user's scope."""
    return Person.objects.filter(path_q(user, "org__path"))


def get_person_for_user(user: Any, pk: int) -> Person:
    """The person `pk` with their org if in the user's scope, else 404 (missing and out
    of scope answer alike)."""
    person = people_for_user(user).select_related("org", "member", "talent").filter(pk=pk).first()
    if person is None:
        raise Http404(NOT_FOUND)
    return person


def training_classes_for(user: Any, person: Person) -> QuerySet[TrainingClass]:
    """The training classes a short training of `person` may name: those of the orgs on
    the person's line (their org and the orgs above it) and those in the user's scope."""
    line = [*Org.objects.get_ancestors(person.org), person.org]
    classes = TrainingClass.objects.filter(Q(org__in=line) | path_q(user, "org__path"))
    return classes.order_by("-starts_on", "pk")


def talent_pool(org: Org) -> QuerySet[TalentEntry]:
    """The talent pool entries of `org`'s subtree that may still apply (in the pool or
    being cultivated)."""
    return TalentEntry.objects.filter(
        org__path__startswith=org.path, status__in=[TalentStatus.POOL, TalentStatus.CULTIVATING]
    )


def people_of(org: Org, *, stage: str = "", name: str = "") -> QuerySet[Person]:
    """The people of `org`'s subtree, with their org, optionally of one stage and whose
    name (or its pinyin initials) contains `name`."""
    people = Person.objects.filter(org__path__startswith=org.path).select_related("org")
    if stage:
        people = people.filter(stage=stage)
    if name:
        people = people.filter(Q(name__contains=name) | Q(name_initials__icontains=name))
    return people


def stage_counts(people: QuerySet[Person]) -> dict[str, int]:
    """stage → number of people (one query)."""
    rows = people.order_by().values("stage").annotate(n=Count("pk"))
    return {row["stage"]: row["n"] for row in rows}


@dataclass
class OverviewRow:
    """One child org (or the org itself) of the overview: people by stage, admissions of
    the year (approved by the committee in it) and the open people."""

    org: Org
    stages: dict[str, int] = field(default_factory=dict)
    admitted: int = 0

    @property
    def cells(self) -> list[int]:
        return [self.stages.get(stage, 0) for stage in Stage.values]

    @property
    def total(self) -> int:
        return sum(self.stages.values())


def overview(org: Org, year: int) -> tuple[list[OverviewRow], OverviewRow]:
    """Per child org of `org` (and a row for `org`'s own people when it has any): the
    people of its subtree by stage and how many were approved (admitted) in `year`; and
    the totals. Two queries: the children and one grouped count."""
    children = list(Org.objects.get_children(org).order_by("path"))
    rows = {child.path: OverviewRow(child) for child in children}
    own = OverviewRow(org)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    admitted = Count("pk", filter=Q(approved_on__gte=start, approved_on__lte=end))
    length = len(org.path) + Org.steplen
    grouped = (
        Person.objects.filter(org__path__startswith=org.path)
        .annotate(child=Substr("org__path", 1, length))
        .order_by()
        .values("child", "stage")
        .annotate(n=Count("pk"), admitted=admitted)
    )
    totals = OverviewRow(org)
    for found in grouped:
        row = rows.get(found["child"], own)
        for target in (row, totals):
            target.stages[found["stage"]] = target.stages.get(found["stage"], 0) + found["n"]
            target.admitted += found["admitted"]
    listed = ([own] if own.stages else []) + list(rows.values())
    return listed, totals
