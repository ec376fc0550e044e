"""Shared facts (issue 15 item 1): the registry caches each (fact, params) once per run,
the facts derived from one read agree with the reads they replace, and a full evaluation
of every rule reads each large table at most once per period or day."""

from __future__ import annotations

import datetime as dt
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member
from xianfeng.compliance import facts, parts, registry
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.policy import resolver
from xianfeng.compliance.registry import Context
from xianfeng.demo.builder import build_demo
from xianfeng.lib.dates import parse_period
from xianfeng.members import facts as member_facts
from xianfeng.members.queries import counts_by_org_on, members_placed_on
from xianfeng.orglife import facts as life_facts
from xianfeng.orglife import rules as life_rules
from xianfeng.orgs.models import Org
from xianfeng.study.rules import classes as study_classes

D = dt.date
AS_OF = D(2025, 6, 30)


def _ctx(roots: list[Org], period: str = "2025", as_of: dt.date = AS_OF) -> Context:
    chosen = parse_period(period)
    day = min(as_of, chosen.end - dt.timedelta(days=1))
    return Context(
        roots=roots, period=chosen, as_of=as_of, policy=resolver(day=day), calendar=Calendar()
    )


@pytest.fixture
def probe(monkeypatch):
    """A fact "probe" that records each computation and returns a new object each time."""
    calls: list[dict] = []

    def compute(ctx: Context, **params) -> object:
        """Test fact: a new object per computation."""
        calls.append(params)
        return object()

    facts.load_facts()
    monkeypatch.setitem(facts.FACTS, "probe", compute)
    return calls


# --- the registry ----------------------------------------------------------------------------


def test_a_fact_is_computed_once_per_run_for_the_same_params(db, probe):
    ctx = _ctx([])
    first = ctx.fact("probe", day=D(2025, 1, 1), among=D(2025, 12, 31))
    again = ctx.fact("probe", among=D(2025, 12, 31), day=D(2025, 1, 1))  # keyword order
    assert again is first
    assert probe == [{"day": D(2025, 1, 1), "among": D(2025, 12, 31)}]


def test_distinct_params_give_distinct_values(db, probe):
    ctx = _ctx([])
    values = [ctx.fact("probe", day=D(2025, 1, 1)), ctx.fact("probe", day=D(2025, 12, 31))]
    values.append(ctx.fact("probe"))
    assert len({id(v) for v in values}) == 3
    assert probe == [{"day": D(2025, 1, 1)}, {"day": D(2025, 12, 31)}, {}]


def test_each_run_computes_its_own_facts(db, probe):
    assert _ctx([]).fact("probe", day=AS_OF) is not _ctx([]).fact("probe", day=AS_OF)
    assert len(probe) == 2


def test_an_unknown_fact_is_a_lookup_error(db):
    with pytest.raises(LookupError, match="no_such_fact"):
        _ctx([]).fact("no_such_fact", day=AS_OF)


def test_every_fact_module_lists_documented_facts_under_distinct_names():
    names: list[str] = []
    for path in settings.FACT_MODULES:
        provided = import_module(path).FACTS
        assert provided, path
        for name, fn in provided.items():
            assert (fn.__doc__ or "").strip(), f"{path}: fact {name} has no docstring"
            names.append(name)
    assert len(names) == len(set(names))
    assert {"placements_on", "member_counts_on", "attendance", "seats", "study_hours"} <= set(names)


# --- derived facts agree with the reads they replace ----------------------------------------


def test_placement_facts_agree_with_the_direct_reads(tree):
    make_member(tree.branch_a, status="probationary", joined_on=D(2025, 3, 1))
    for roots in ([tree.city], [tree.county_a], [tree.branch_b]):
        ctx = _ctx(roots)
        orgs_q = ctx.path_q("org__path")
        for day in (D(2025, 1, 1), AS_OF):
            assert ctx.fact("member_counts_on", day=day) == counts_by_org_on(day, orgs_q)
            expected = members_placed_on(orgs_q, day).values_list("member_id", "org_id")
            placed = ctx.fact("placements_on", day=day)
            assert sorted((row[0], row[1]) for row in placed) == sorted(expected)
    assert [row[0] for row in ctx.fact("placements_on", day=AS_OF)] == [tree.member_b.pk]


def test_placed_anywhere_is_every_placement_for_the_whole_tree(tree):
    whole, part = _ctx([tree.city]), _ctx([tree.county_b])
    assert member_facts.whole_tree(whole) and not member_facts.whole_tree(part)
    everyone = {tree.member_a.pk, tree.member_a2.pk, tree.member_b.pk}
    assert whole.fact("placed_anywhere_on", day=AS_OF, among=AS_OF) >= everyone
    assert tree.member_b.pk in part.fact("placed_anywhere_on", day=AS_OF, among=AS_OF)


# --- a full evaluation reads each large table once per period or day ------------------------

LARGE_TABLES = (
    "orglife_attendance",
    "members_placement",
    "members_statusspell",
    "study_studyrecord",  # not read on 2025-06-30 (the pace is judged from July)
    "orgs_seat",
)
# Reads no fact holds, kept by their rules: the roster of each general meeting (LIFE-02
# quorum) and of each heart-to-heart talk (LIFE-08), read by meeting, not per member; the
# seat history of the orgs whose tenure ended before the day (ORG-05's vacancies).
PER_MEETING = ("'general_meeting'", "'heart_talk'")
SEAT_HISTORY = '"ended_on" < '  # seats whose tenure ended before the day
DATE = re.compile(r"'(\d{4}-\d{2}-\d{2})")


def _scans(queries: list[dict], table: str) -> list[tuple[str, ...]]:
    """The dates each query reading `table` at its top level (not inside a correlated
    subquery) is bounded by."""
    found = []
    for query in queries:
        sql = query["sql"]
        if f'"{table}"' not in re.split(r"EXISTS ?\(", sql)[0]:
            continue
        if table == "orglife_attendance" and any(kind in sql for kind in PER_MEETING):
            continue
        if table == "orgs_seat" and SEAT_HISTORY in sql:
            continue
        found.append(tuple(sorted(set(DATE.findall(sql)))))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2024", "2025"])
def test_a_full_evaluation_reads_each_large_table_once_per_period(db, monkeypatch, period):
    build_demo(scale="town", seed=1, as_of=AS_OF)
    for module, name in [(life_rules, "SMALL_SCOPE"), (registry, "SMALL_SCOPE")]:
        monkeypatch.setattr(module, name, 0)  # a large scope: every read by date and path
    for module, name in [(member_facts, "FEW"), (life_facts, "FEW")]:
        monkeypatch.setattr(module, name, 0)
    monkeypatch.setattr(parts, "FEW_MEMBERS", 0)
    monkeypatch.setattr(study_classes, "FEW_MEMBERS", 0)
    roots = list(Org.objects.filter(depth=1))
    with CaptureQueriesContext(connection) as captured:
        found, _orgs = evaluate(roots=roots, period=parse_period(period), as_of=AS_OF)
    assert {rule.id[:3] for rule, _f in found if rule} >= {"ORG", "LIF", "STU"}
    for table in LARGE_TABLES:
        scans = _scans(captured.captured_queries, table)
        assert scans or (table, period) == ("study_studyrecord", "2025"), f"{table} not read"
        repeated = sorted({dates for dates in scans if scans.count(dates) > 1})
        assert not repeated, f"{table} read more than once for the same dates: {repeated}"
