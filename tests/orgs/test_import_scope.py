"""Issue 12: an org import acts only inside the importing user's scope and rights, and an
org out of scope reads exactly like one that does not exist."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from tests.factories import make_user
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db

HEADER = ["组织编码", "组织名称", "上级组织", "组织类别"]


def _import(tmp_path, rows, user):
    book = Workbook()
    book.active.title = "党组织"
    for row in [HEADER, *rows]:
        book.active.append(row)
    book.save(tmp_path / "o.xlsx")
    with pytest.raises(ImportFailed) as failed:
        run_import(tmp_path / "o.xlsx", by=user)
    return [(e.column, e.message) for e in failed.value.errors]


def test_org_import_cannot_change_an_org_out_of_scope(tree, tmp_path):
    rows = [["CB-T1-B1", "改过的名字", "CA-T1-B1", "党支部"]]
    errors = _import(tmp_path, rows, tree.users["secretary"])
    assert errors == [("组织编码", "组织编码 CB-T1-B1 已被使用，请换一个编码")]
    assert Org.objects.get(code="CB-T1-B1").name == "白云村党支部"


def test_org_import_parent_out_of_scope_reads_like_unknown(tree, tmp_path):
    secretary = tree.users["secretary"]
    out = _import(tmp_path, [["NEW1", "新支部", "CB-T1", "党支部"]], secretary)
    missing = _import(tmp_path, [["NEW1", "新支部", "NOPE", "党支部"]], secretary)
    assert out == [("上级组织", "找不到上级组织“CB-T1”（请填编码或完整名称路径）")]
    assert missing == [("上级组织", "找不到上级组织“NOPE”（请填编码或完整名称路径）")]
    by_name = _import(tmp_path, [["NEW1", "新支部", "示范市委/西县县委", "党委"]], secretary)
    assert by_name == [("上级组织", "找不到上级组织“示范市委/西县县委”（请填编码或完整名称路径）")]
    assert not Org.objects.filter(code="NEW1").exists()


def test_org_import_new_root_or_child_needs_the_rights_the_pages_need(tree, tmp_path):
    officer = make_user("officer_a", org=tree.branch_a, role="officer")
    assert _import(tmp_path, [["ROOT", "新市委", "", "党委"]], tree.users["secretary"]) == [
        ("上级组织", "新建顶层组织只能通过命令行办理")
    ]
    assert _import(tmp_path, [["G9", "第九党小组", "CA-T1-B1", "党小组"]], officer) == [
        ("上级组织", "只有“青山村党支部”（或上级组织）的管理员可以新建下级组织")
    ]
    assert not Org.objects.filter(code__in=["ROOT", "G9"]).exists()


def test_org_import_in_scope_still_works(tree, tmp_path):
    book = Workbook()
    book.active.title = "党组织"
    book.active.append(HEADER)
    book.active.append(["G9", "第九党小组", "CA-T1-B1", "党小组"])
    book.save(tmp_path / "ok.xlsx")
    run_import(tmp_path / "ok.xlsx", by=tree.users["secretary"])
    assert Org.objects.get(code="G9").path.startswith(tree.branch_a.path)
