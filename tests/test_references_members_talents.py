"""The reference matrix (issue 12) for dual-lead members, tags and penalties (MEM-03,
MEM-04): their pages and endpoints carry the member (and the record) in the path only, so
the path matrix (tests/test_authorization.py: out of scope is 404) tries them; no body
names another object. The import sheets name members by code: each is tried as the branch
secretary (admin of CA-T1-B1) with a member out of scope (MB1) and with one that does not
exist. The answers must be indistinguishable and nothing may be written."""

from __future__ import annotations

import pytest

from tests.core.test_importing import xlsx
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.members.models import Discipline, DualLead, MemberTag

pytestmark = pytest.mark.django_db

REF = "{ref}"
MISSING = "NOPE404"

# URL name → references inside its body (none: the member is in the path)
REFERENCES: dict[str, tuple[tuple[str, str, dict[str, str]], ...]] = {
    "members:dual_lead_add": (),
    "members:dual_lead_withdraw": (),
    "members:tag_add": (),
    "members:tag_end": (),
    "members:discipline": (),
    "members:discipline_edit": (),
    "api:add_dual_lead": (),
    "api:withdraw_dual_lead": (),
    "api:add_tag": (),
    "api:end_tag": (),
    "api:record_discipline": (),
    "api:correct_discipline": (),
}
IMPORTS = {
    # sheet: (head, row with REF for the member)
    "双带型党员": (
        ["党员编号", "年度", "类型", "事迹和依据", "认定日期"],
        [REF, 2024, "创业致富型", "带头创业", "2024-12-01"],
    ),
    "党员标签": (
        ["党员编号", "类别", "标签", "认定日期"],
        [REF, "实用技术", "种植技术", "2024-01-01"],
    ),
    "党纪处分记录": (
        ["党员编号", "处分种类", "处分决定日期", "影响期截止日期"],
        [REF, "警告", "2024-01-01", "2024-07-01"],
    ),
}


def _snapshot() -> list[list[dict]]:
    return [list(m.objects.order_by("pk").values()) for m in (DualLead, MemberTag, Discipline)]


@pytest.mark.parametrize("sheet", list(IMPORTS))
def test_talents_import_member_out_of_scope_reads_as_missing(tmp_path, tree, sheet):
    head, row = IMPORTS[sheet]
    before = _snapshot()
    answers = []
    for value in ("MB1", MISSING):
        cells = [value if cell == REF else cell for cell in row]
        path = xlsx(tmp_path / f"{value}.xlsx", {sheet: [head, cells]})
        with pytest.raises(ImportFailed) as failed:
            run_import(path, by=tree.users["secretary"])
        answers.append(
            [(e.sheet, e.row, e.column, e.message.replace(value, REF)) for e in failed.value.errors]
        )
    assert _snapshot() == before
    assert answers[0] == answers[1]
    assert [a[2] for a in answers[0]] == ["党员编号"]
