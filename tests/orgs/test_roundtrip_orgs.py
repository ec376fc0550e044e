"""Orgs round-trip when orgs have been dissolved (issue 13 §6): a dissolved general branch
with its dissolved branch export and re-import equal; re-importing writes nothing; a new
org under a dissolved one is still refused."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_org
from xianfeng.core.exports import export
from xianfeng.core.importing import run_import
from xianfeng.orgs import domain
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db
D = dt.date


def snapshot() -> dict[str, list]:
    return {
        "orgs": sorted(
            Org.objects.values_list("code", "name", "kind", "founded_on", "dissolved_on")
        ),
    }


def test_dissolved_orgs_and_their_records_round_trip(tmp_path, tree):
    parent = make_org(tree.town_a, kind="general_branch", code="CA-T1-Z", founded_on=D(2015, 1, 1))
    child = make_org(parent, kind="branch", code="CA-T1-Z-B1", founded_on=D(2015, 2, 1))
    domain.dissolve_org(org=child, on=D(2023, 1, 1))
    domain.dissolve_org(org=parent, on=D(2023, 2, 1))
    files = {}
    for kind in ("orgs",):
        files[kind] = tmp_path / f"{kind}.xlsx"
        export(kind=kind, target=files[kind], user=None, org=tree.town_a)
    before = snapshot()
    Org.objects.get(code="CA-T1-Z-B1").delete()
    Org.objects.get(code="CA-T1-Z").delete()
    for kind in ("orgs",):
        run_import(files[kind])
    assert snapshot() == before
    for kind in ("orgs",):
        counts = run_import(files[kind]).counts[kind]
        assert (counts["created"], counts["updated"]) == (0, 0)


def test_new_org_under_a_dissolved_one_is_refused(tmp_path, tree):
    from tests.core.test_importing import xlsx
    from xianfeng.core.importing import ImportFailed

    parent = make_org(tree.town_a, kind="general_branch", code="CA-T1-Z", founded_on=D(2015, 1, 1))
    domain.dissolve_org(org=parent, on=D(2023, 2, 1))
    header = ["组织编码", "名称", "上级组织", "类别", "层级", "撤销日期"]
    for dissolved in ("", "2023-03-01"):  # open, or dissolved after its parent
        row = ["CA-T1-Z-B2", "新支部", "CA-T1-Z", "党支部", "村（社区）", dissolved]
        with pytest.raises(ImportFailed) as failure:
            run_import(xlsx(tmp_path / "new.xlsx", {"党组织": [header, row]}))
        assert "已撤销" in failure.value.errors[0].message
