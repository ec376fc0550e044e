"""PLAT-04: policy files — validation, layering by the nearest ancestor, effective dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.models import Policy
from xianfeng.compliance.policy import PolicyError, parse_policy, resolver, shipped_files

pytestmark = pytest.mark.django_db


def test_plat_04_shipped_policies_are_valid_and_cite_sources():
    codes = set()
    for path in shipped_files():
        parsed = parse_policy(path.read_text(encoding="utf-8"))
        codes.add(parsed.code)
        assert all(entry["source"] for entry in parsed.values.values())
    assert {
        "national",
        "000-nantong",
        "001-talent",
        "002-taian",
        "003-haimen",
        "004-gaibei",
    } == codes


def test_plat_04_shipped_policies_stored_by_migration():
    assert Policy.objects.filter(code="national", org__isnull=True).exists()
    assert Policy.objects.count() == 6


BAD = [
    (
        "unknown key",
        '[org.setup]\nfoo = { value = 1, source = "x" }',
        "org.setup.foo",
        "未知的参数",
    ),
    (
        "wrong type",
        '[org.setup]\nbranch_max_full = { value = "五十", source = "x" }',
        "org.setup.branch_max_full",
        "应为整数",
    ),
    (
        "bool is not int",
        '[org.setup]\nbranch_max_full = { value = true, source = "x" }',
        "org.setup.branch_max_full",
        "应为整数",
    ),
    (
        "out of range",
        '[org.vacancy]\nmax_months = { value = 0, source = "x" }',
        "org.vacancy.max_months",
        "不能小于",
    ),
    ("no source", "[org.vacancy]\nmax_months = { value = 6 }", "org.vacancy.max_months", "出处"),
    (
        "bad choice",
        '[life.theme_day]\nweekdays = { value = ["funday"], source = "x" }',
        "life.theme_day.weekdays",
        "未知的取值",
    ),
    (
        "bad date",
        '[org.vacancy]\nmax_months = { value = 6, source = "x", effective_from = "2020" }',
        "org.vacancy.max_months",
        "日期",
    ),
]


@pytest.mark.parametrize(("case", "body", "key", "reason"), BAD, ids=[b[0] for b in BAD])
def test_plat_04_invalid_policy_refused_with_key_and_reason(case, body, key, reason):
    with pytest.raises(PolicyError) as info:
        parse_policy(f'[policy]\ncode = "t"\n{body}\n')
    assert info.value.policy == "t" and info.value.key == key and reason in info.value.reason


def test_plat_04_toml_syntax_error():
    with pytest.raises(PolicyError) as info:
        parse_policy('[policy]\ncode = "t"\n[org\n')
    assert "TOML" in str(info.value)


def _policy(code: str, body: str, org=None) -> Policy:
    policy = save_policy(text=f'[policy]\ncode = "{code}"\ntitle = "{code}"\n{body}\n')
    return attach_policy(policy=policy, org=org) if org is not None else policy


def test_plat_04_nearest_ancestor_wins_key_by_key():
    city = make_org(None, kind="party_committee", level="city")
    county = make_org(city, kind="party_committee", level="county")
    town = make_org(county, kind="party_committee", level="town")
    branch = make_org(town, kind="branch")
    _policy(
        "city",
        '[org.vacancy]\nmax_months = { value = 9, source = "市" }\n'
        '[org.budget]\nper_member_yuan = { value = 300, source = "市" }',
        city,
    )
    _policy("town", '[org.vacancy]\nmax_months = { value = 4, source = "镇" }', town)
    r = resolver(day=dt.date(2025, 6, 1))
    assert r.value("org.vacancy.max_months", branch.path) == 4
    assert r.value("org.budget.per_member_yuan", branch.path) == 300
    assert r.value("org.vacancy.max_months", county.path) == 9
    assert r.entry("org.vacancy.max_months", county.path)["policy"] == "city"
    other = make_org(None, kind="party_committee")
    assert r.value("org.vacancy.max_months", other.path) == 6  # national


def test_plat_04_effective_dates():
    root = make_org(None, kind="party_committee")
    _policy(
        "dated",
        '[org.vacancy]\nmax_months = { value = 3, source = "x", '
        "effective_from = 2025-01-01, effective_to = 2025-12-31 }",
        root,
    )
    assert resolver(day=dt.date(2024, 12, 31)).value("org.vacancy.max_months", root.path) == 6
    assert resolver(day=dt.date(2025, 7, 1)).value("org.vacancy.max_months", root.path) == 3
    assert resolver(day=dt.date(2026, 1, 1)).value("org.vacancy.max_months", root.path) == 6


def test_plat_04_unattached_local_policy_applies_nowhere():
    root = make_org(None, kind="party_committee")
    assert resolver(day=dt.date(2025, 1, 1)).value("org.budget.per_member_yuan", root.path) == 0


def test_plat_04_one_policy_per_org_and_history():
    root = make_org(None, kind="party_committee")
    _policy("a", "", root)
    with pytest.raises(ValidationError):
        _policy("b", "", root)
    policy = Policy.objects.get(code="a")
    save_policy(text='[policy]\ncode = "a"\ntitle = "改名"\n')
    assert policy.history.count() >= 2


def test_plat_04_save_refuses_invalid_file():
    with pytest.raises(ValidationError) as info:
        save_policy(
            text='[policy]\ncode = "x"\n[org.vacancy]\nmax_months = { value = -1, source = "x" }'
        )
    assert "org.vacancy.max_months" in info.value.message_dict["text"][0]
