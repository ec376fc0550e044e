"""Shared facts of recruitment (compliance.facts), listed in settings.FACT_MODULES: the
people of the pipeline in the evaluated subtree, read once per run for DEV-01 (deadlines),
DEV-02 (mentors) and DEV-06 (progress towards the targets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Person

if TYPE_CHECKING:
    from xianfeng.compliance.registry import Context

PERSON_FIELDS = (
    "id",
    "org_id",
    "org__path",
    "stage",
    "applied_on",
    "activist_on",
    "candidate_on",
    "admitted_on",
    "approved_on",
    "probation_ends_on",
    "full_on",
    "ended_on",
    "talent_id",
    "member_id",
)


def recruitment_people(ctx: Context) -> list[dict[str, Any]]:
    """Every person of the pipeline whose org is in the subtree, whatever the stage:
    [{"id", "org_id", "org__path", "stage", "applied_on", "activist_on", "candidate_on",
    "admitted_on", "approved_on", "probation_ends_on", "full_on", "ended_on", "talent_id",
    "member_id"}], oldest application first (one read; the rules derive each person's
    stage on their day from the dates)."""
    rows = Person.objects.filter(ctx.path_q("org__path")).order_by("applied_on", "pk")
    return list(rows.values(*PERSON_FIELDS))


FACTS: dict[str, Any] = {"recruitment_people": recruitment_people}
