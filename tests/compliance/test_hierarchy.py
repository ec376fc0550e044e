"""Policies follow the hierarchy (issue 12 problem 5): a policy on an org is attached,
edited and detached only by admins of an org above it (the root's only from the command
line), every change tells the org above and is in the history; an org adopts a shipped
policy by reference or as a local copy; the org's own decisions are org preferences."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import make_org, make_user
from xianfeng.compliance.domain import adopt_policy, detach_policy, save_policy
from xianfeng.compliance.engine import run_check
from xianfeng.compliance.models import Finding, Policy
from xianfeng.compliance.policy import PREFERENCE_LAYER, resolver
from xianfeng.core.actor import acting_as
from xianfeng.lib.dates import parse_period, today
from xianfeng.notices.models import Notice
from xianfeng.orgs.models import OrgPreference
from xianfeng.orgs.preferences import set_preference

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 1, 10)
LOW_HOURS = """
[policy]
code = "org-CA-T1-B1"
title = "青山村政策"

[study.hours]
member_min = { value = 1, unit = "学时", source = "本支部自定" }
"""


def _url(name, code):
    return reverse(f"compliance:{name}", args=[code])


def _text(value, code="org-CA-T1-B1"):
    return LOW_HOURS.replace("value = 1", f"value = {value}").replace("org-CA-T1-B1", code)


@pytest.fixture
def users(tree):
    """Besides the tree's users: an admin and an officer of the town above the branch,
    and an admin of the sibling branch."""
    return {
        **tree.users,
        "town_admin": make_user("town_admin", org=tree.town_a, role="admin"),
        "town_officer": make_user("town_officer", org=tree.town_a, role="officer"),
        "sibling_admin": make_user("sibling_admin", org=tree.branch_a2, role="admin"),
    }


def _study_findings(tree):
    """STUDY-01 findings of the branch in a fresh check of the county."""
    run = run_check(roots=[tree.county_a], period=parse_period("2025"), as_of=AS_OF).run
    return Finding.objects.filter(run=run, rule="STUDY-01", org=tree.branch_a).count()


# --- problem 5: a branch lowers its own standards --------------------------------------


def test_policy_branch_admin_cannot_lower_its_own_study_hours(tree, users, client_for):
    before = _study_findings(tree)
    assert before > 0  # member MA1 studied nothing in 2025
    client = client_for(users["secretary"])
    page = client.get(_url("policy", "CA-T1-B1"))
    assert page.status_code == 200 and page.context["form"] is None
    response = client.post(_url("policy", "CA-T1-B1"), {"text": _text(1)})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        save_policy(text=_text(1), org=tree.branch_a, by=users["secretary"])
    assert not Policy.objects.filter(org=tree.branch_a).exists()
    assert _study_findings(tree) == before  # the county's table is unchanged


# --- who may attach, edit and detach: the org itself, a sibling, an upper org ----------

WHO = [
    ("secretary", False),  # the branch's own admin
    ("sibling_admin", False),  # admin of a sibling branch
    ("county_viewer", False),  # a viewer above
    ("town_admin", True),  # admin of the town above
    ("city_admin", True),  # admin further up
]


@pytest.mark.parametrize(("who", "allowed"), WHO)
def test_policy_edit_on_the_web_only_from_above(tree, users, client_for, who, allowed):
    client = client_for(users[who])
    response = client.post(_url("policy", "CA-T1-B1"), {"text": _text(40)})
    found = Policy.objects.filter(org=tree.branch_a).first()
    if not allowed:
        assert response.status_code in {403, 404}  # 404: the sibling cannot even see it
        assert found is None
        return
    assert response.status_code == 302
    assert found.values["study.hours.member_min"]["value"] == 40
    assert found.history.get().history_user == users[who]


@pytest.mark.parametrize(("who", "allowed"), WHO)
def test_policy_adopt_and_detach_on_the_web_only_from_above(tree, users, client_for, who, allowed):
    client = client_for(users[who])
    data = {"code": "004-gaibei", "mode": "reference"}
    response = client.post(_url("policy_adopt", "CA-T1-B1"), data)
    if allowed:
        assert response.status_code == 302
        assert Policy.objects.get(org=tree.branch_a).follows.code == "004-gaibei"
    else:
        assert response.status_code in {403, 404}
        assert not Policy.objects.filter(org=tree.branch_a).exists()
        adopt_policy(org=tree.branch_a, code="004-gaibei")  # the command line may
    response = client.post(_url("policy_detach", "CA-T1-B1"))
    if allowed:
        assert response.status_code == 302
        assert not Policy.objects.filter(org=tree.branch_a).exists()
    else:
        assert response.status_code in {403, 404}
        assert Policy.objects.filter(org=tree.branch_a).exists()


@pytest.mark.parametrize(("who", "allowed"), WHO)
def test_policy_domain_refuses_all_but_upper_admins(tree, users, who, allowed):
    user = users[who]
    attempts = [
        lambda: save_policy(text=_text(40), org=tree.branch_a, by=user),
        lambda: adopt_policy(org=tree.branch_a, code="004-gaibei", copy=True, by=user),
        lambda: detach_policy(org=tree.branch_a, by=user),
    ]
    for attempt in attempts:
        if allowed:
            attempt()
        else:
            with pytest.raises(PermissionDenied):
                attempt()
    assert not Policy.objects.filter(org=tree.branch_a).exists()  # detached (or never)


def test_policy_of_the_root_only_from_the_command_line(tree, users, client_for):
    response = client_for(users["city_admin"]).post(_url("policy", "CITY"), {"text": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        adopt_policy(org=tree.city, code="000-nantong", by=users["city_admin"])
    with pytest.raises(PermissionDenied):  # nor a stored policy without an org
        save_policy(text=_text(2, code="loose"), by=users["city_admin"])
    assert adopt_policy(org=tree.city, code="000-nantong").follows.code == "000-nantong"


def test_policy_out_of_scope_org_is_404(tree, users, client_for):
    client = client_for(users["outsider"])
    for name in ["policy", "policy_adopt", "policy_detach"]:
        assert client.post(_url(name, "CA-T1-B1"), {"text": _text(2)}).status_code == 404


def test_policy_what_if_stays_open_to_the_branch_itself(tree, users, client_for):
    client = client_for(users["secretary"])
    data = {"period": "2025", "overrides": "study.hours.member_min = 1"}
    response = client.post(_url("whatif", "CA-T1-B1"), data)
    assert response.status_code == 200 and response.context["result"] is not None


# --- notices and history ---------------------------------------------------------------


def test_policy_changes_notify_the_org_above_and_are_in_the_history(tree, users):
    by = users["city_admin"]
    save_policy(text=_text(40), org=tree.branch_a, by=by)
    save_policy(text=_text(48), org=tree.branch_a, by=by)
    policy = detach_policy(org=tree.branch_a, by=by)
    titles = list(
        Notice.objects.filter(user=users["town_officer"]).order_by("pk").values_list("title")
    )
    assert [t for (t,) in titles] == [
        "“青山村党支部”的政策参数已挂接",
        "“青山村党支部”的政策参数已修改",
        "“青山村党支部”的政策参数已解除",
    ]
    assert Notice.objects.filter(user=users["town_admin"]).count() == 3
    assert not Notice.objects.filter(user=users["secretary"]).exists()  # not the branch
    notice = Notice.objects.filter(user=users["town_officer"]).first()
    assert notice.url == _url("policy", "CA-T1-B1") and "city_admin" in notice.body
    history = list(policy.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~", "~"]
    assert [h.org_id for h in history] == [tree.branch_a.pk, tree.branch_a.pk, None]
    assert {h.history_user for h in history} == {by}


# --- by reference or as a local copy ---------------------------------------------------


def _shipped_update(code, key, value):
    """A later version of a shipped file, as `migrate` stores it (see 0003/0005/0006)."""
    shipped = Policy.objects.get(code=code)
    line = next(line for line in shipped.text.splitlines() if line.startswith(key + " ="))
    old = line.split("value = ", 1)[1].split(",", 1)[0]
    save_policy(text=shipped.text.replace(line, line.replace(f"value = {old}", f"value = {value}")))


def test_policy_by_reference_follows_shipped_updates_a_copy_does_not(tree):
    adopt_policy(org=tree.town_a, code="000-nantong")
    copy = adopt_policy(org=tree.town_b, code="000-nantong", copy=True)
    assert copy.code == "org-CB-T1" and copy.follows is None
    key = "study.hours.member_min"
    _shipped_update("000-nantong", "member_min", 40)
    policy = resolver(day=today())
    assert policy.entry(key, tree.branch_a.path)["value"] == 40
    assert policy.entry(key, tree.branch_a.path)["policy"] == "000-nantong"
    assert policy.entry(key, tree.branch_b.path)["value"] == 32
    assert policy.entry(key, tree.branch_b.path)["policy"] == "org-CB-T1"
    notices = Notice.objects.filter(title="“青山镇党委”的政策参数已修改")  # told the county
    assert list(notices.values_list("user__username", flat=True)) == ["county_officer"]


def test_policy_editing_a_reference_makes_it_a_local_copy(tree, users, client_for):
    adopt_policy(org=tree.branch_a, code="000-nantong")
    client = client_for(users["town_admin"])
    form = client.get(_url("policy", "CA-T1-B1")).context["form"]
    text = form.initial["text"]
    assert 'code = "org-CA-T1-B1"' in text and "member_min = { value = 32" in text
    response = client.post(_url("policy", "CA-T1-B1"), {"text": text.replace("32", "36", 1)})
    assert response.status_code == 302
    own = Policy.objects.get(org=tree.branch_a)
    assert own.follows is None and own.values["study.hours.member_min"]["value"] == 36


def test_policy_adopting_an_unknown_or_national_policy_is_refused(tree):
    for code in ["national", "nope"]:
        with pytest.raises(ValidationError, match="没有编码为"):
            adopt_policy(org=tree.town_a, code=code)


# --- the command line ------------------------------------------------------------------


def _cli(*args, user=None):
    out = io.StringIO()
    with acting_as(user, "cli: xianfeng policy " + " ".join(args)):
        call_command("policy", *args, stdout=out)
    return out.getvalue()


def test_policy_cli_with_full_rights_attaches_shows_and_detaches(tree, tmp_path):
    assert "引用 004-gaibei" in _cli("attach", "CITY", "004-gaibei")
    report = json.loads(_cli("show", "CA-T1-B1", "--format", "json"))
    rows = {row["key"]: row for row in report["parameters"]}
    assert rows["life.theme_day.fixed_day_of_month"] == {
        "key": "life.theme_day.fixed_day_of_month",
        "value": 5,
        "unit": "日",
        "policy": "004-gaibei",
        "layer": "CITY",
        "source": "seed 004 §4.5.2：原则上明确每月5日作为农村党组织的主题党日活动时间",
    }
    assert rows["org.setup.branch_min_full"]["layer"] == ""  # the national policy
    assert report["own"] is None
    path = tmp_path / "branch.toml"
    path.write_text(_text(40), encoding="utf-8")
    _cli("attach", "CA-T1-B1", "--file", str(path))
    table = _cli("show", "CA-T1-B1")
    assert "study.hours.member_min\t40 学时\torg-CA-T1-B1 @ CA-T1-B1\t本支部自定" in table
    assert "已解除" in _cli("detach", "CITY")
    assert not Policy.objects.filter(org=tree.city).exists()


def test_policy_cli_as_user_follows_the_hierarchy(tree, users):
    with pytest.raises(CommandError, match="上级党组织的管理员") as refused:
        _cli("attach", "CA-T1-B1", "000-nantong", user=users["secretary"])
    assert refused.value.returncode == 1
    with pytest.raises(CommandError, match="命令行"):
        _cli("attach", "CITY", "000-nantong", user=users["city_admin"])
    with pytest.raises(CommandError, match="没有编码为 CB-T1-B1") as unknown:
        _cli("attach", "CB-T1-B1", "000-nantong", user=users["secretary"])
    assert unknown.value.returncode == 2
    assert not Policy.objects.filter(org__isnull=False).exists()
    _cli("attach", "CA-T1-B1", "000-nantong", "--copy", user=users["town_admin"])
    own = Policy.objects.get(org=tree.branch_a)
    assert own.code == "org-CA-T1-B1" and own.history.get().history_user == users["town_admin"]
    assert "青山村党支部" in _cli("show", "CA-T1-B1", user=users["secretary"])


# --- the org's own decisions -----------------------------------------------------------


@pytest.fixture
def office(tree):
    """A government branch under a town whose policy (004) allows Monday or Saturday."""
    adopt_policy(org=tree.town_a, code="004-gaibei")
    return make_org(tree.town_a, code="CA-T1-GOV", name="镇机关党支部", sector="government")


def test_preference_theme_day_weekday_within_the_policy(tree, users, office, client_for):
    key = "life.theme_day.weekdays"
    assert resolver(day=today()).entry(key, office.path)["value"] == ["monday", "saturday"]
    admin = make_user("office_admin", org=office, role="admin")
    client = client_for(admin)
    response = client.post(_url("preference", office.code), {"key": key, "weekdays": "saturday"})
    assert response.status_code == 302
    entry = resolver(day=today()).entry(key, office.path)
    assert (entry["value"], entry["policy"], entry["allowed_by"]) == (
        ["saturday"],
        PREFERENCE_LAYER,
        "004-gaibei",
    )
    assert OrgPreference.objects.get(org=office).history.get().history_user == admin
    client.post(_url("preference", office.code), {"key": key, "weekdays": "friday"})
    assert OrgPreference.objects.get(org=office).value == ["saturday"]  # refused
    with pytest.raises(ValidationError, match="周一、周六"):
        set_preference(org=office, key=key, value=["friday"])
    with pytest.raises(ValidationError, match="没有让本组织"):  # a rural branch: fixed day
        set_preference(org=tree.branch_a, key=key, value=["saturday"])


def test_preference_outside_the_policy_falls_back_to_it(tree, office):
    set_preference(org=office, key="life.theme_day.weekdays", value=["monday"])
    detach_policy(org=tree.town_a)  # the national policy names no weekdays
    entry = resolver(day=today()).entry("life.theme_day.weekdays", office.path)
    assert entry["value"] == [] and entry["policy"] == "national"


def test_preference_dues_set_by_the_org_itself_not_by_a_viewer(tree, users, client_for):
    data = {"key": "dues.farmer_monthly_yuan", "value": "0.5", "note": "支部大会决定"}
    assert (
        client_for(users["county_viewer"]).post(_url("preference", "CA-T1-B1"), data).status_code
        == 403
    )
    assert (
        client_for(users["sibling_admin"]).post(_url("preference", "CA-T1-B1"), data).status_code
        == 404
    )
    assert (
        client_for(users["secretary"]).post(_url("preference", "CA-T1-B1"), data).status_code == 302
    )
    row = OrgPreference.objects.get(org=tree.branch_a)
    assert (row.value, row.note) == (0.5, "支部大会决定")
    for value in ["2", "0.1", "x"]:
        with pytest.raises(ValidationError):
            set_preference(org=tree.branch_a, key="dues.farmer_monthly_yuan", value=value)
    with pytest.raises(ValidationError, match="整数"):
        set_preference(org=tree.branch_a, key="dues.payment_day", value="5.5")
    assert set_preference(org=tree.branch_a, key="dues.payment_day", value="15").value == 15
    page = client_for(users["secretary"]).get(_url("policy", "CA-T1-B1"))
    assert "农民党员每月交纳党费" in page.text and "支部大会决定" in page.text


def _life_03(org):
    from xianfeng.compliance.engine import evaluate

    pairs, _ = evaluate(
        roots=[org], period=parse_period("2025-03"), as_of=dt.date(2025, 4, 1), rule_ids=["LIFE-03"]
    )
    return [(found.severity, found.evidence.get("policy")) for _rule, found in pairs]


def test_preference_weekday_is_what_life_03_checks(tree, office):
    from xianfeng.orglife.models import Meeting

    monday_evening = {"held_on": dt.date(2025, 3, 10), "starts_at": dt.time(19, 0)}
    Meeting.objects.create(
        org=office, kind="theme_day", topic="测试", status="held", **monday_evening
    )
    assert _life_03(office) == []  # Monday evening: one of the policy's weekdays
    set_preference(org=office, key="life.theme_day.weekdays", value=["saturday"])
    assert _life_03(office) == [("warning", PREFERENCE_LAYER)]  # the branch chose Saturday
