"""The whole-database round trip (issue 13, Deliver 6) on the town demo: every kind
exported unmasked, the database emptied, the files imported; every row equal by natural
keys, the same findings, and a second import writes nothing."""

import datetime as dt
import json
from collections import Counter

import pytest

from tests.dues.helpers import kept_totals_mismatches
from tests.factories import make_member, make_org
from xianfeng.bench import roundtrip
from xianfeng.demo.builder import build_demo

AS_OF = dt.date(2025, 6, 30)


def _summary(report):
    """What differs, per model (counts) and per file (refusals), for the failure message."""
    lines = [
        f"{label}: before {d['before']}, after {d['after']}, only before {d['only_before']}, "
        f"only after {d['only_after']}; e.g. {json.dumps(d['examples_before'][:1], ensure_ascii=False)}"
        for label, d in report["mismatches"].items()
    ]
    refused = {name: r for name, r in report["imported"].items() if "errors" in r}
    lines += [f"{name}: {json.dumps(r, ensure_ascii=False)[:300]}" for name, r in refused.items()]
    lines.append(f"findings: {json.dumps(report.get('findings'), ensure_ascii=False)[:600]}")
    lines.append(f"equal rows {report['rows_equal']} of {report['total_before']}")
    return "\n".join(lines)


def _dues_lines() -> Counter:
    """The dues ledger's lines of the demo's years by natural values: derived (left out of
    the row comparison), they must come back owing and paid as before."""
    from xianfeng.dues.models import Due

    rows = Due.objects.filter(month__year__in=(AS_OF.year - 1, AS_OF.year)).values_list(
        "member__code",
        "month",
        "org__code",
        "kind",
        "base",
        "base_period",
        "rate",
        "amount",
        "reduction__reason",
        "paid",
        "settled",
    )
    return Counter(rows)


@pytest.mark.slow
def test_town_demo_round_trip_keeps_every_row_and_the_findings(db, tmp_path):
    build_demo(scale="town", seed=1, as_of=AS_OF)
    lines = _dues_lines()

    report = roundtrip.round_trip(tmp_path / "export", as_of=AS_OF)

    summary = _summary(report)
    restored = _dues_lines()
    assert restored == lines, (
        list((lines - restored).items())[:3],
        list((restored - lines).items())[:3],
    )
    assert kept_totals_mismatches() == []  # the dues sums kept per org and month: derived
    assert report["mismatches"] == {}, summary
    assert report["rows_equal"] == report["total_before"], summary
    assert report["findings"]["only_before"] == report["findings"]["only_after"] == 0, summary
    assert report["reimport_writes"] == 0, report["reimported"]
    assert report["reimport_row_growth"] == {}
    assert report["history_growth"] == 0


# --- the comparator itself, on a few rows (fast) -----------------------------------------


def _branch(code="B1"):
    return make_org(make_org(kind="party_committee", code="T1"), code=code)


def test_snapshot_keys_rows_by_natural_values_not_ids(db):
    org = _branch()
    make_member(org=org, code="M1", name="张三")
    before = roundtrip.snapshot()
    members = before["members.Member"]
    assert "id" not in members.columns and "entered_at" not in members.columns
    assert "id_number_cipher" not in members.columns and "id_number_hmac" in members.columns
    row = members.as_dict(next(iter(members.rows)))
    assert row["code"] == "M1" and row["org"] == "B1"
    orgs = before["orgs.Org"]
    assert orgs.columns[-1] == "parent"
    assert {orgs.as_dict(r)["code"]: orgs.as_dict(r)["parent"] for r in orgs.rows} == {
        "T1": None,
        "B1": "T1",
    }
    assert not any(label.startswith(("core.", "notices.")) for label in before)
    assert "compliance.Finding" not in before


def test_diff_names_the_rows_only_on_one_side(db):
    org = _branch()
    member = make_member(org=org, code="M1", name="张三")
    before = roundtrip.snapshot()
    type(member).objects.filter(pk=member.pk).update(name="李四")
    after = roundtrip.snapshot()

    found = roundtrip.diff(before, after)

    assert set(found) >= {"members.Member"}
    change = found["members.Member"]
    assert change["only_before"] == change["only_after"] == 1
    assert change["examples_before"][0]["name"] == "张三"
    assert change["examples_after"][0]["name"] == "李四"
    assert roundtrip.diff(after, roundtrip.snapshot()) == {}


def test_wipe_empties_recorded_data_and_keeps_what_migrations_seed(db):
    from xianfeng.compliance.models import CalendarYear, Policy

    make_member(org=_branch(), code="M1")
    shipped = Counter(Policy.objects.filter(org__isnull=True).values_list("code", flat=True))
    years = CalendarYear.objects.count()

    roundtrip.wipe()

    counts = roundtrip.table_counts()
    assert counts["orgs.Org"] == counts["members.Member"] == 0
    assert Counter(Policy.objects.values_list("code", flat=True)) == shipped
    assert CalendarYear.objects.count() == years
    assert roundtrip.history_rows() == 0


def test_bench_roundtrip_refuses_a_bad_date():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--as-of"):
        call_command("bench", "roundtrip", as_of="2025-13-01")
