"""The recruitment part of the demo (issue 17 item 8): in every town, people from applicant
to full member over the last full year and this one to date with all their dated steps,
mentors and introducers (the admitted ones registered as members), the talent pool and
the three cultivations with their leadership pairs, yearly targets decomposed from the
root, dual-lead members, skills and talent tags, and a few disciplinary penalties.

A few cases go wrong on purpose, in the first town of each county, so that each
recruitment rule reports at the end of the last full year and on the as-of date: a talk,
a review, a thought report, an approval, an oath and a conversion late and a mentor
missing (DEV-01, DEV-02), one candidate notice runs across the National Day holiday,
files short of trainings and sessions (DEV-03), leaders not paired (DEV-05), a town behind
pace and targets decomposed short (DEV-06), dual-lead members falling in one town (MEM-03).

It runs last (after supervision, which made its items from the findings before), reads
what the other builders saved and draws from random streams of its own
(`recruitment…`), so it leaves every other row of a seed as it was. Everything is
bulk-loaded through the shared inserter.
"""

from __future__ import annotations

from django.db import connection

from xianfeng.core.demo import DemoContext
from xianfeng.members.models import Discipline, DualLead, MemberTag
from xianfeng.orgs.models import Org

from ..models import (
    Cultivation,
    CultivationEntry,
    Introducer,
    Mentor,
    Person,
    Step,
    StepFile,
    TalentEntry,
    Target,
    TargetKind,
)
from .cultivation import CultivationBuilder
from .life import save_talks
from .pipeline import PipelineBuilder, Plan
from .talents import TalentsBuilder
from .targets import Events, TargetsBuilder
from .world import load_world

DEMO_MODELS = (
    CultivationEntry,
    Cultivation,
    Target,
    Introducer,
    Mentor,
    StepFile,
    Step,
    Person,
    TalentEntry,
    DualLead,
    MemberTag,
    Discipline,
)


def save_recruitment(
    ctx: DemoContext, root: Org, *, used_ids: set[str], member_seq: int, irregular: set[str]
) -> dict[str, int]:
    """Build the recruitment records under `root`. `used_ids` are the ID numbers taken,
    `member_seq` the last member code's number, `irregular` the codes of orgs left as
    they are. What was made, for the summary."""
    world = load_world(root, irregular)
    talents = TalentsBuilder(ctx, world)
    disciplined = talents.disciplined()
    pipeline = PipelineBuilder(ctx, world, used_ids, member_seq)
    plans = pipeline.plan()
    pipeline.save(set(disciplined))
    attendance = save_talks(ctx, world, [p.member for p in plans if p.member is not None])
    progress = CultivationBuilder(ctx, world).build(set(disciplined))
    falling = world.towns[-1].path if len(world.towns) > 1 else ""
    talents.save(disciplined, falling)
    events = _events(plans)
    events[TargetKind.MEMBER_TO_TALENT] = progress.member_to_talent
    events[TargetKind.PROMOTED] = progress.promoted
    TargetsBuilder(ctx, world, events).save()
    ctx.insert.reset_sequences()
    admitted = sum(1 for p in plans if p.member is not None)
    return {"people": len(plans), "admitted": admitted, "attendance": attendance}


def _events(plans: list[Plan]) -> Events:
    events: Events = {kind: [] for kind in TargetKind.values}
    for plan in plans:
        path, person = plan.branch.path, plan.person
        if person.approved_on is not None:
            events[TargetKind.ADMISSIONS].append((path, person.approved_on))
        if plan.talent is None:
            continue
        if person.activist_on is not None:
            events[TargetKind.TALENT_ACTIVIST].append((path, person.activist_on))
        if person.approved_on is not None:
            events[TargetKind.TALENT_MEMBER].append((path, person.approved_on))
    return events


def delete_recruitment_demo() -> None:
    """Empty the recruitment tables and the members' additions (before the demo's own
    tables go), with plain DELETEs and without a history row per deleted row."""
    tables = [m._meta.db_table for m in DEMO_MODELS]
    tables += [m.history.model._meta.db_table for m in DEMO_MODELS]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
