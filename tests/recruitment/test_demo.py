"""The recruitment part of the town demo (issue 17 item 8): people in every stage, a member
for everyone admitted, steps in order and within the time rules, and the recruitment rules'
findings only where the builder planned its late cases."""

import datetime as dt
import json
from collections import Counter

import pytest

from tests.conftest import shared_demo
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.evaluation import context
from xianfeng.core.demo import add_years
from xianfeng.lib.dates import parse_period
from xianfeng.members.models import Placement, Status, StatusSpell
from xianfeng.orgs.models import Org
from xianfeng.recruitment.demo.timeline import notice_end
from xianfeng.recruitment.models import (
    Cultivation,
    Introducer,
    Mentor,
    Person,
    Stage,
    Step,
    StepKind,
    TalentEntry,
    Target,
    Track,
)
from xianfeng.recruitment.rules import cultivation as cultivation_rules
from xianfeng.recruitment.rules import pipeline as pipeline_rules

AS_OF = dt.date(2026, 7, 15)
pytestmark = pytest.mark.xdist_group("recruitment_town_demo")
town = shared_demo("town", seed=1, as_of=AS_OF)

COMMITTEE_STEPS = {
    StepKind.ACTIVIST_FILED,
    StepKind.CANDIDATE_AGREED,
    StepKind.PRE_REVIEW,
    StepKind.APPROVAL,
    StepKind.CONVERSION_APPROVAL,
}


def test_the_town_demo_has_people_in_every_stage(town, db):
    stages = Counter(Person.objects.values_list("stage", flat=True))
    assert set(stages) == set(Stage.values)
    assert stages[Stage.APPLICANT] >= 3 and stages[Stage.PROBATIONARY] >= 3
    assert TalentEntry.objects.filter(people__isnull=False).exists()
    tracks = set(Cultivation.objects.values_list("track", flat=True))
    assert tracks == set(Track.values)
    assert Target.objects.filter(year=AS_OF.year - 1).exists()
    assert Target.objects.filter(year=AS_OF.year).exists()


def test_everyone_admitted_is_a_member_as_registration_makes_them(town, db):
    admitted = Person.objects.filter(approved_on__isnull=False).select_related("member")
    assert admitted.count() >= 5
    for person in admitted:
        member = person.member
        assert member is not None, person
        assert (member.org_id, member.name, member.joined_on) == (
            person.org_id,
            person.name,
            person.admitted_on,
        )
        assert member.id_number_hmac == person.id_number_hmac
        spells = list(StatusSpell.objects.filter(member=member).order_by("started_on"))
        assert spells[0].status == Status.PROBATIONARY
        assert Placement.objects.filter(member=member, org_id=person.org_id).exists()
        if person.stage == Stage.FULL:
            assert member.status == Status.FULL
            assert member.full_on == person.probation_ends_on == person.full_on
            assert spells[0].ended_on == spells[1].started_on == member.full_on
        else:
            assert member.status == Status.PROBATIONARY and len(spells) == 1
    assert not Person.objects.filter(approved_on__isnull=True, member__isnull=False).exists()


def test_steps_are_in_order_and_decided_where_they_must_be(town, db):
    calendar = Calendar()
    for person in Person.objects.prefetch_related("steps__org"):
        steps = sorted(person.steps.all(), key=lambda s: (s.on, s.pk))
        first = {}
        for step in steps:
            first.setdefault(step.kind, step)
            assert step.on <= AS_OF
            assert (step.org.kind == "party_committee") == (step.kind in COMMITTEE_STEPS)
        assert steps[0].kind == StepKind.APPLICATION and steps[0].on == person.applied_on
        if person.candidate_on:
            earliest = add_years(person.activist_on, 1)
            assert person.candidate_on >= earliest
            notice = first.get(StepKind.CANDIDATE_NOTICE)
            if notice:
                assert notice.ends_on >= notice_end(calendar, notice.on)
        if StepKind.PRE_REVIEW in first:
            pre = first[StepKind.PRE_REVIEW].on
            assert pre > first[StepKind.CANDIDATE_NOTICE].ends_on
            for kind in (StepKind.INTRODUCERS, StepKind.POLITICAL_REVIEW, StepKind.SHORT_TRAINING):
                assert first[kind].on <= pre
        if StepKind.INTRODUCERS in first:
            assert Introducer.objects.filter(person=person).count() == 2
        if person.activist_on:
            assert Mentor.objects.filter(person=person).exists()


def test_one_candidate_notice_runs_across_the_national_day_holiday(town, db):
    notice = Step.objects.get(kind=StepKind.CANDIDATE_NOTICE, on=dt.date(2025, 9, 29))
    assert notice.ends_on == dt.date(2025, 10, 11)


def test_only_the_planned_cases_break_the_time_rules(town, db):
    """Everyone else's steps keep the time rules: DEV-01 and DEV-02 find people only in
    the one branch whose records the demo lets fall behind, in both years."""
    roots = list(Org.objects.filter(depth=1))
    for year in (AS_OF.year - 1, AS_OF.year):
        pairs, _orgs = evaluate(
            roots=roots, period=parse_period(str(year)), as_of=AS_OF, rule_ids=["DEV-01", "DEV-02"]
        )
        assert {rule.id for rule, _finding in pairs} == {"DEV-01", "DEV-02"}
        assert len({finding.org_id for _rule, finding in pairs}) == 1


@pytest.mark.parametrize("period", ["2025", "2026"])
def test_dev_rules_same_findings_reading_by_id_or_whole(town, db, monkeypatch, period):
    """DEV-01, DEV-03 and DEV-05 name the steps, entries and pairs they read by id when
    they are few (a branch re-checked after a write) and read them whole for a large
    scope: both give the same findings."""
    roots = list(Org.objects.filter(depth=1))
    chosen = ["DEV-01", "DEV-03", "DEV-05"]

    def findings(few: int) -> list[tuple]:
        for module in (pipeline_rules, cultivation_rules):
            monkeypatch.setattr(module, "FEW", few)
        pairs, _ = evaluate(roots=roots, period=parse_period(period), as_of=AS_OF, rule_ids=chosen)
        return sorted(
            (rule.id, f.org_id, f.message, json.dumps(f.evidence, sort_keys=True, default=str))
            for rule, f in pairs
            if rule is not None
        )

    by_id, whole = findings(10**6), findings(0)
    assert by_id == whole
    assert {row[0] for row in whole} >= {"DEV-01", "DEV-05"}


@pytest.mark.parametrize("period", ["2025", "2026"])
@pytest.mark.parametrize("few", [10**6, 0])
def test_dev_02_mem_03_same_findings_alone_or_after_the_day_facts(
    town, db, monkeypatch, period, few
):
    """Run alone, DEV-02 reads its mentors' statuses (by id, or the open mentors as a
    subquery) and MEM-03 counts each day in one grouped read; after a rule that has read
    the day's shared facts (ORG-03) both take those: the same findings either way."""
    from xianfeng.recruitment.rules import dual_lead as dual_lead_rules

    for module in (pipeline_rules, dual_lead_rules):
        monkeypatch.setattr(module, "FEW", few)
    roots = list(Org.objects.filter(depth=1))

    def findings(rule_ids: list[str]) -> list[tuple]:
        pairs, _ = evaluate(
            roots=roots, period=parse_period(period), as_of=AS_OF, rule_ids=rule_ids
        )
        return sorted(
            (rule.id, f.org_id, f.message, json.dumps(f.evidence, sort_keys=True, default=str))
            for rule, f in pairs
            if rule is not None and rule.id in ("DEV-02", "MEM-03")
        )

    alone = findings(["DEV-02", "MEM-03"])
    assert alone == findings(["ORG-03", "DEV-02", "MEM-03"])
    assert "DEV-02" in {row[0] for row in alone}
    # the town has no MEM-03 finding: its counts compared directly, on both days
    ctx = context(roots=roots, period=parse_period(period), as_of=AS_OF)
    year = ctx.period.start.year
    for day, of_year in ((ctx.day, year), (dt.date(year - 1, 12, 31), year - 1)):
        grouped = dual_lead_rules._counts_grouped(ctx, day, of_year)
        assert grouped == dual_lead_rules._counts_from_fact(ctx, day, of_year)
        assert sum(grouped[0].values()) > sum(grouped[1].values()) > 0
