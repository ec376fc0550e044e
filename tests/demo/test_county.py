"""The demo county, built once for this module (`shared_demo`): its size and kinds, the
records that feed ORG-07 to ORG-09, and the LIFE findings only where the builder planned
gaps. Every test here only reads it."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from tests.conftest import shared_demo
from tests.demo.test_demo import TOWN_KINDS
from xianfeng.compliance.engine import evaluate
from xianfeng.lib.dates import parse_period
from xianfeng.members.models import Member
from xianfeng.orgs.models import (
    Budget,
    ContactPoint,
    Org,
    Seat,
    Spending,
    StaffPost,
    Venue,
    Visit,
)

AS_OF = dt.date(2025, 6, 30)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("county_demo")]
county = shared_demo("county", seed=1, as_of=AS_OF)


def test_county_demo(county, db):
    summary = county
    assert 250 <= summary.orgs <= 400
    assert 7000 <= summary.members <= 9000
    assert set(Org.objects.values_list("kind", flat=True)) == TOWN_KINDS | {"working_committee"}
    assert set(Org.objects.exclude(sector="").values_list("sector", flat=True)) == {
        "rural",
        "community",
        "government",
        "institution",
        "soe",
        "private",
        "social",
        "school",
        "hospital",
    }
    assert Org.objects.filter(level="town", sector="community").count() == 2
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert summary.transfers_in_transit >= 10
    assert Member.objects.filter(leading_cadre=True).exists()
    assert Member.objects.filter(category="student").exists()
    assert Seat.objects.filter(ended_on__isnull=False).exists()  # vacancies (ORG-05)


def test_county_demo_feeds_org_07_to_org_09(county, db):
    """Contact points, venues, staff, headcounts, budgets and spending of the county demo,
    and the findings they give for the last full year: ORG-08 and ORG-09 only in the
    subtree seed 003 is attached to (the county's 直属机关工委)."""
    from xianfeng.compliance.engine import evaluate
    from xianfeng.compliance.models import Policy
    from xianfeng.lib.dates import parse_period

    summary = county
    office = Policy.objects.get(code="003-haimen").org
    assert office.code == "C01-JG"
    inside = Org.objects.filter(path__startswith=office.path).exclude(kind="party_group")
    leaders = Seat.objects.filter(
        org__kind__in=["party_committee", "working_committee"], ended_on__isnull=True
    ).values_list("org_id", "member_id")
    with_points = set(ContactPoint.objects.values_list("org_id", "leader_id"))
    assert 0 < len(set(leaders) - with_points) <= 0.05 * len(set(leaders))
    assert summary.contact_points == ContactPoint.objects.count()
    assert summary.visits == Visit.objects.count()
    # staff, budgets and spending only in the 003 subtree; every org there has staff
    # posts but a few, every unit (its top) a headcount and a budget but one
    for model in (StaffPost, Budget, Spending):
        rows = model.objects.all()
        assert rows.exists()
        assert not rows.exclude(org__path__startswith=office.path).exists()
    assert summary.staff_posts == StaffPost.objects.count()
    assert summary.budgets == Budget.objects.count()
    assert summary.spendings == Spending.objects.count()
    staffed = set(StaffPost.objects.filter(full_time=True).values_list("org_id", flat=True))
    assert 1 <= inside.exclude(pk__in=staffed).count() <= 3
    tops = [o for o in inside if o.unit_name and o.pk != office.pk and o.depth == office.depth + 1]
    assert len(tops) >= 15 and all(o.unit_headcount for o in tops)
    last = AS_OF.year - 1
    budgeted = set(Budget.objects.filter(year=last).values_list("org_id", flat=True))
    assert [o.code for o in tops if o.pk not in budgeted] == [
        code for code, note in summary.support_gaps if note == f"未列入{last}年度党建活动经费预算"
    ]
    assert Budget.objects.filter(year=AS_OF.year).count() == len(tops)
    assert not Spending.objects.filter(spent_on__gt=AS_OF).exists()
    assert Spending.objects.filter(spent_on__year=last).count() >= 12 * len(tops)
    # venues: the 003 subtree, villages, communities and towns; nothing elsewhere
    venues = Venue.objects.select_related("org")
    assert all(
        v.org.path.startswith(office.path) or v.org.level in ("village", "town") for v in venues
    )
    assert venues.filter(org__path__startswith=office.path).count() >= len(tops)

    period = parse_period(str(last))
    root = Org.objects.get(depth=1)
    found, _orgs = evaluate(
        roots=[root], period=period, as_of=AS_OF, rule_ids=["ORG-07", "ORG-08", "ORG-09"]
    )
    paths = dict(Org.objects.values_list("pk", "path"))
    by_rule = Counter(rule.id for rule, _f in found if rule is not None)
    assert by_rule["ORG-07"] >= 1
    assert by_rule["ORG-08"] >= 1
    assert by_rule["ORG-09"] >= 1
    for rule, finding in found:
        if rule is not None and rule.id in ("ORG-08", "ORG-09"):
            assert paths[finding.org_id].startswith(office.path), (rule.id, finding)
    messages = {(rule.id, f.severity) for rule, f in found if rule is not None}
    assert {("ORG-08", "error"), ("ORG-08", "warning"), ("ORG-09", "error")} <= messages
    assert ("ORG-09", "warning") in messages  # the unit over its budget


def test_county_demo_life_findings_only_where_planned(county, db):
    """`xianfeng check` for the demo county's last full year: LIFE-02, LIFE-03 and LIFE-05
    findings, each at an org listed among the deliberate gaps (the rest comply)."""
    import json

    from xianfeng.compliance.registry import load_rules

    if "LIFE-03" not in load_rules():
        pytest.skip("LIFE rules not registered yet")
    summary = county
    out = io.StringIO()
    rules = ["LIFE-02", "LIFE-03", "LIFE-05"]
    call_command("compliance_check", as_of=AS_OF.isoformat(), rule=rules, format="json", stdout=out)
    findings = json.loads(out.getvalue())["findings"]
    assert {f["rule"] for f in findings} == set(rules)
    gaps = {code for code, _note in summary.life_gaps}
    org_level = [
        f
        for f in findings
        if f["member"] is None or "书记" in f["message"]  # the secretary's lesson names her
    ]
    assert org_level
    assert [f for f in org_level if f["org"] not in gaps] == []
    severities = {(f["rule"], f["severity"]) for f in org_level}
    assert {("LIFE-02", "error"), ("LIFE-03", "error"), ("LIFE-03", "warning")} <= severities
    assert ("LIFE-05", "error") in severities


def test_life_07_08_county_demo_findings_only_where_planned(county, db):
    """The demo county's last full year: LIFE-07 and LIFE-08 findings only at the orgs
    and members listed among the deliberate gaps, and at least one of each kind."""

    summary = county
    gaps = {code for code, _note in summary.life_gaps}
    pairs, _ = evaluate(
        roots=list(Org.objects.filter(depth=1)),
        period=parse_period("2024"),
        as_of=AS_OF,
        rule_ids=["LIFE-07", "LIFE-08"],
    )
    codes = dict(Org.objects.values_list("pk", "code"))
    found = [(rule.id, codes[f.org_id], f.member_id is None, f.message) for rule, f in pairs]
    assert [f for f in found if f[1] not in gaps] == []
    fragments = ["月未进行党务公开", "下半年未向全体党员通报", "未向上级党组织书面报告"]
    fragments += ["班子成员之间未按要求谈心谈话", "未开展党员干部思想状况分析研判"]
    assert all(any(text in f[3] for f in found) for text in fragments)
    assert len([f for f in found if not f[2]]) == 2  # the two members left without a talk
    # the talks keep out of the planned absences: LIFE-01 still finds those members, the
    # one away from last June to the Spring Festival in last year
    names = dict(Member.objects.values_list("pk", "name"))
    for year, away in (("2025", False), ("2024", True)):
        lapsed = [
            note
            for _code, note in summary.life_gaps
            if "未参加组织生活" in note and ("外出务工" in note) == away
        ]
        pairs, _ = evaluate(
            roots=list(Org.objects.filter(depth=1)),
            period=parse_period(year),
            as_of=AS_OF,
            rule_ids=["LIFE-01"],
        )
        errors = {names[f.member_id] for _rule, f in pairs if f.severity == "error"}
        assert lapsed and all(any(name in note for name in errors) for note in lapsed)


def test_mem_03_county_demo_share_falls_in_one_town(county, db):
    """MEM-03 applies where seed 000 does (the county's root; not in the town demo, see
    tests/demo/test_rules_at_work.py ONLY_WHERE): the demo's last town lets its dual-lead
    share fall, so it is found in the last full year and in the year to date."""
    town = Org.objects.filter(level="town", kind="party_committee").order_by("path").last()
    for year in (AS_OF.year - 1, AS_OF.year):
        pairs, _ = evaluate(
            roots=list(Org.objects.filter(depth=1)),
            period=parse_period(str(year)),
            as_of=AS_OF,
            rule_ids=["MEM-03"],
        )
        assert town.pk in {f.org_id for _rule, f in pairs}, year
