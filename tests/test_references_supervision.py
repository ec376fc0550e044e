"""The reference matrix (issue 12) for supervision's API and import sheets (TASK-01,
TASK-03): every code inside a write is tried as the branch secretary (admin of CA-T1-B1)
with one out of scope (county CB) and with one that does not exist. The answers must be
indistinguishable — same status, same body once the value is replaced by a placeholder —
and nothing may be written. The item and extension in a URL are tried by the path matrix
(tests/test_authorization.py: out of scope is 404); transitions carry no reference.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.core.test_importing import xlsx
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.dates import today
from xianfeng.supervision.models import (
    DutyTemplate,
    DutyTemplateItem,
    Extension,
    Item,
    ItemFile,
    Step,
)

pytestmark = pytest.mark.django_db

REF = "{ref}"
MISSING = "NOPE404"
DEADLINE = (today() + dt.timedelta(days=30)).isoformat()

# URL name → (field, out-of-scope value, body with REF where the reference goes)
REFERENCES: dict[str, tuple[tuple[str, str, dict[str, str]], ...]] = {
    "api:create_item": (
        (
            "responsible",
            "MB1",
            {"kind": "problem", "title": "记录不全", "deadline": DEADLINE, "responsible": REF},
        ),
    ),
    "api:start_item": (),
    "api:submit_item": (),
    "api:accept_item": (),
    "api:return_item": (),
    "api:ask_extension": (),
    "api:decide_extension": (),
}
ITEM_HEAD = ["责任组织", "清单类型", "标题", "整改时限", "责任人党员编号"]
IMPORTS = {
    # (sheet, column): (out-of-scope value, row with REF)
    ("清单事项", "责任组织"): ("CB-T1-B1", [REF, "问题清单", "记录不全", DEADLINE, ""]),
    ("清单事项", "责任人党员编号"): ("MB1", ["CA-T1-B1", "问题清单", "记录不全", DEADLINE, REF]),
    ("责任清单模板", "发布组织"): ("CB-T1", [REF, 2026, "书记", "落实责任", "2026-12-31"]),
}
HEADS = {
    "清单事项": ITEM_HEAD,
    "责任清单模板": ["发布组织", "年度", "责任层级", "责任事项", "完成时限"],
}


def _snapshot() -> list[list[dict]]:
    models = [Item, Step, ItemFile, Extension, DutyTemplate, DutyTemplateItem]
    return [list(model.objects.order_by("pk").values()) for model in models]


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(("name", "ref"), CASES, ids=[f"{n}:{r[0]}" for n, r in CASES])
def test_supervision_reference_out_of_scope_reads_as_missing(client_for, tree, name, ref):
    field, out, body = ref
    client = client_for(tree.users["secretary"])
    before = _snapshot()
    answers = []
    for value in (out, MISSING):
        data = {k: v.replace(REF, value) for k, v in body.items()}
        response = client.post(
            "/api/supervision/orgs/CA-T1-B1/items",
            json.dumps(data),
            content_type="application/json",
        )
        text = json.dumps(response.json(), ensure_ascii=False).replace(value, REF)
        answers.append((response.status_code, text))
    assert _snapshot() == before, (name, field)
    assert answers[0] == answers[1], (name, field, answers)
    assert answers[0][0] == 422 and field in answers[0][1]


@pytest.mark.parametrize(("sheet", "column"), list(IMPORTS), ids=[f"{s}:{c}" for s, c in IMPORTS])
def test_supervision_import_reference_out_of_scope_reads_as_missing(tmp_path, tree, sheet, column):
    out, row = IMPORTS[(sheet, column)]
    before = _snapshot()
    answers = []
    for value in (out, MISSING):
        cells = [value if cell == REF else cell for cell in row]
        path = xlsx(tmp_path / f"{value}.xlsx", {sheet: [HEADS[sheet], cells]})
        with pytest.raises(ImportFailed) as failed:
            run_import(path, by=tree.users["secretary"])
        answers.append(
            [(e.sheet, e.row, e.column, e.message.replace(value, REF)) for e in failed.value.errors]
        )
    assert _snapshot() == before
    assert answers[0] == answers[1]
    assert [a[2] for a in answers[0]] == [column]
