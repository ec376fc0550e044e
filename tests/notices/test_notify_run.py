"""notify_run: new findings of a run, told once to the admins and officers of each scope."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.accounts.models import Post
from xianfeng.compliance.engine import run_check
from xianfeng.compliance.notify import notify_run
from xianfeng.lib.dates import parse_period
from xianfeng.notices.models import Notice

from .helpers import found, make_run

pytestmark = pytest.mark.django_db


def _inbox(user) -> list[tuple[str, str, str]]:
    return [(n.kind, n.title, n.url) for n in Notice.objects.filter(user=user).order_by("kind")]


def _three_findings(tree):
    return [
        found("ORG-03", tree.branch_a, "error", message="青山村党员人数不足"),
        found("ORG-03", tree.branch_a2, "warning", message="绿水村应设支委会"),
        found("ORG-05", tree.branch_b, "error", message="白云村副书记空缺"),
    ]


def test_it_tells_each_admin_and_officer_of_the_findings_in_their_scope(tree):
    run = make_run(tree.city, findings=_three_findings(tree))
    assert notify_run(run.pk) == 4
    users = tree.users
    new = "new_findings"
    assert _inbox(users["city_admin"]) == [
        (new, "合规检查新发现 3 条（2025）", "/compliance/orgs/CITY/")
    ]
    assert _inbox(users["county_officer"]) == [
        (new, "合规检查新发现 2 条（2025）", "/compliance/orgs/CA/")
    ]
    assert _inbox(users["secretary"]) == [
        (new, "合规检查新发现 1 条（2025）", "/compliance/orgs/CA-T1-B1/")
    ]
    assert _inbox(users["outsider"]) == [
        (new, "合规检查新发现 1 条（2025）", "/compliance/orgs/CB/")
    ]
    for name in ["county_viewer", "member", "nobody"]:
        assert _inbox(users[name]) == [], name


def test_it_summarises_counts_by_rule_and_severity_and_quotes_the_first_findings(tree):
    run = make_run(tree.city, findings=_three_findings(tree))
    notify_run(run.pk)
    notice = Notice.objects.get(user=tree.users["county_officer"])
    assert notice.body == (
        "2025 期间的合规检查（截至 2026-01-10）在您负责的范围内新发现 2 条：\n"
        "· ORG-03 党组织设置与党员人数相符：问题 1，提醒 1\n"
        "\n"
        "其中：\n"
        "· 青山村党支部：青山村党员人数不足\n"
        "· 绿水村党支部：绿水村应设支委会"
    )
    assert notice.org == tree.county_a
    assert notice.key == f"run:{run.pk}"
    assert notice.read_at is None


def test_it_quotes_five_findings_and_counts_the_rest(tree):
    run = make_run(tree.town_a, findings=[found("ORG-03", tree.branch_a)] * 7)
    notify_run(run.pk)
    body = Notice.objects.get(user=tree.users["secretary"]).body
    assert body.count("· 青山村党支部：") == 5
    assert body.endswith("…… 另有 2 条，请打开链接查看。")


def test_it_tells_only_findings_absent_from_the_previous_run_of_the_same_scope(tree):
    a = found("ORG-03", tree.branch_a)
    b = found("ORG-05", tree.branch_b)
    a_member = found("ORG-03", tree.branch_a, member=tree.member_a)
    make_run(tree.city, findings=[a])
    make_run(tree.city, findings=[], overrides={"org.setup.branch_min_full": 1})  # what-if
    make_run(tree.city, findings=[], period="2024")  # another period
    make_run(tree.town_a, findings=[])  # another scope
    run = make_run(tree.city, findings=[a, b, a_member])
    assert notify_run(run.pk) == 4
    assert Notice.objects.get(user=tree.users["city_admin"]).title == "合规检查新发现 2 条（2025）"
    assert Notice.objects.get(user=tree.users["outsider"]).title == "合规检查新发现 1 条（2025）"
    assert Notice.objects.get(user=tree.users["secretary"]).title == "合规检查新发现 1 条（2025）"


def test_it_sends_nothing_when_the_run_found_nothing_new(tree):
    make_run(tree.city, findings=_three_findings(tree))
    run = make_run(tree.city, findings=_three_findings(tree))
    assert notify_run(run.pk) == 0
    assert Notice.objects.count() == 0


def test_it_is_idempotent(tree):
    run = make_run(tree.city, findings=_three_findings(tree))
    assert notify_run(run.pk) == 4
    assert notify_run(run.pk) == 0
    assert Notice.objects.count() == 4


@pytest.mark.parametrize(
    "via", ["cli: xianfeng demo --scale county --seed 1", "cli: xianfeng quickstart"]
)
def test_runs_of_the_demo_loader_notify_nobody(tree, via):
    run = make_run(tree.city, findings=_three_findings(tree), via=via)
    assert notify_run(run.pk) == 0
    assert Notice.objects.count() == 0


def test_runs_with_policy_overrides_and_unknown_runs_notify_nobody(tree):
    run = make_run(tree.city, findings=_three_findings(tree), overrides={"x": 1})
    assert notify_run(run.pk) == 0
    assert notify_run(run.pk + 1000) == 0
    assert Notice.objects.count() == 0


def test_org_04_term_reminders_are_left_to_the_daily_digest(tree):
    findings = [
        found("ORG-04", tree.branch_a, "warning", message="青山村党支部任期将于3个月后届满"),
        found("ORG-04", tree.branch_a, "info", message="青山村党支部换届提示"),
        found("ORG-04", tree.branch_a2, "error", message="绿水村党支部任期已届满"),
        found("ORG-03", tree.branch_a, "info"),
    ]
    run = make_run(tree.county_a, findings=findings)
    assert notify_run(run.pk) == 3  # one each: city admin, county officer, secretary
    assert _inbox(tree.users["county_officer"]) == [
        ("new_findings", "合规检查新发现 2 条（2025）", "/compliance/orgs/CA/"),
    ]
    assert _inbox(tree.users["secretary"]) == [
        ("new_findings", "合规检查新发现 1 条（2025）", "/compliance/orgs/CA-T1-B1/"),
    ]
    assert not Notice.objects.filter(kind="reminder").exists()


def test_a_user_with_several_posts_gets_one_notice_linked_to_the_highest(tree):
    from tests.factories import make_user
    from xianfeng.accounts.domain import grant_post

    both = make_user("both", org=tree.branch_a, role="officer")
    grant_post(user=both, org=tree.county_a, role="admin")
    run = make_run(tree.city, findings=_three_findings(tree))
    notify_run(run.pk)
    assert _inbox(both) == [("new_findings", "合规检查新发现 2 条（2025）", "/compliance/orgs/CA/")]


def test_inactive_posts_and_users_are_not_told(tree):
    Post.objects.filter(user=tree.users["county_officer"]).update(is_active=False)
    outsider = tree.users["outsider"]
    outsider.is_active = False
    outsider.save()
    run = make_run(tree.city, findings=_three_findings(tree))
    assert notify_run(run.pk) == 2  # city admin and secretary
    assert Notice.objects.filter(user__in=[tree.users["county_officer"], outsider]).count() == 0


def test_it_works_on_a_run_of_the_engine(tree):
    period = parse_period("2025")
    first = run_check(roots=[tree.city], period=period, as_of=dt.date(2026, 1, 10)).run
    assert first.findings.exists()
    assert notify_run(first.pk) >= 1
    assert Notice.objects.filter(user=tree.users["city_admin"]).count() >= 1
    again = run_check(roots=[tree.city], period=period, as_of=dt.date(2026, 1, 10)).run
    assert notify_run(again.pk) == 0  # the same findings: nothing new


def test_the_queries_do_not_grow_with_findings_or_users(tree, django_assert_max_num_queries):
    from tests.factories import make_org, make_user

    branches = [make_org(tree.town_a, code=f"CA-T1-X{i}") for i in range(20)]
    for i, branch in enumerate(branches):
        make_user(f"sec{i}", org=branch, role="admin")
    run = make_run(tree.city, findings=[found("ORG-03", b) for b in branches for _ in range(5)])
    with django_assert_max_num_queries(12):
        assert notify_run(run.pk) == 22
