"""本组织设置 (OrgPreference) round-trips (issue 13 §6): export in the import columns,
re-import equal by (org code, preference); re-import writes nothing; bad cells and
out-of-scope orgs are row errors."""

from __future__ import annotations

import pytest

from tests.core.test_importing import xlsx
from tests.factories import make_org
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.orgs.models import OrgPreference
from xianfeng.orgs.preferences import policy_choice, set_preference

pytestmark = pytest.mark.django_db
HEADER = ["党组织", "事项", "取值", "说明"]


def rows() -> list[tuple]:
    return sorted((p.org.code, p.key, repr(p.value), p.note) for p in OrgPreference.objects.all())


def build(tree) -> None:
    set_preference(org=tree.branch_a, key="dues.payment_day", value=15, note="每月15日")
    set_preference(org=tree.branch_a, key="dues.farmer_monthly_yuan", value="0.5")
    set_preference(org=tree.branch_a2, key="dues.payment_day", value=5)
    organ = make_org(tree.town_a, kind="branch", code="CA-T1-G", sector="government")
    allowed = policy_choice(organ, "life.theme_day.weekdays")
    if allowed is not None:  # the policy lets organs choose among its weekdays
        set_preference(org=organ, key="life.theme_day.weekdays", value=allowed["value"][-1:])


def test_preferences_round_trip_and_reimport_writes_nothing(tmp_path, tree):
    build(tree)
    path = tmp_path / "prefs.xlsx"
    record = export(kind="preferences", target=path, user=None, org=tree.county_a)
    assert record.rows == OrgPreference.objects.count()
    before = rows()
    OrgPreference.objects.all().delete()
    result = run_import(path)
    assert result.counts["preferences"]["created"] == len(before)
    assert rows() == before
    logged = OrgPreference.history.count()
    again = run_import(path).counts["preferences"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, len(before))
    assert OrgPreference.history.count() == logged


def test_changed_value_updates(tmp_path, tree):
    build(tree)
    sheets = {"本组织设置": [HEADER, ["CA-T1-B1", "党费集中交纳日（每月几日）", 20, "每月15日"]]}
    assert run_import(xlsx(tmp_path / "a.xlsx", sheets)).counts["preferences"]["updated"] == 1
    assert OrgPreference.objects.get(org=tree.branch_a, key="dues.payment_day").value == 20


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["CA-T1-B1", "党费缴纳方式", 1, ""], "事项", "不是本组织设置的事项"),
        (["CA-T1-B1", "dues.payment_day", 31, ""], "取值", "1至28"),
        (["CA-T1-B1", "dues.payment_day", "十五", ""], "取值", "应为数字"),
        (["NOPE", "dues.payment_day", 1, ""], "党组织", "找不到党组织"),
    ],
)
def test_bad_rows(tmp_path, tree, row, column, fragment):
    with pytest.raises(ImportFailed) as failure:
        run_import(xlsx(tmp_path / "bad.xlsx", {"本组织设置": [HEADER, row]}))
    [error] = failure.value.errors
    assert (error.row, error.column) == (2, column)
    assert fragment in error.message
    assert OrgPreference.objects.count() == 0


def test_out_of_scope_org_reads_like_a_missing_one(tmp_path, tree):
    officer = tree.users["county_officer"]
    messages = []
    for code in ("CB-T1-B1", "CB-T1-XX"):
        sheet = {"本组织设置": [HEADER, [code, "dues.payment_day", 3, ""]]}
        with pytest.raises(ImportFailed) as failure:
            run_import(xlsx(tmp_path / f"{code}.xlsx", sheet), by=officer)
        messages.append([(e.column, e.message.replace(code, "…")) for e in failure.value.errors])
    assert messages[0] == messages[1]
