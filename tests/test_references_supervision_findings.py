"""The reference matrix (issue 12) for supervision's writes (issue 16): every id inside a
write's body is tried as the branch secretary (admin of CA-T1-B1) with an object out of
scope (a finding of county CB) and with one that does not exist. The answers must be
indistinguishable (same status, same body once the value is replaced by a placeholder)
and nothing may be written. Writes without a reference in their body are listed with an
empty tuple; `tests/test_references.py` counts these as covered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from xianfeng.compliance.engine import run_check
from xianfeng.compliance.models import Finding
from xianfeng.lib.dates import parse_period
from xianfeng.supervision.models import Item, Reinspection, Step

pytestmark = pytest.mark.django_db
MISSING = "987654"


@dataclass(frozen=True)
class Ref:
    path: str
    field: str
    data: tuple[tuple[str, str], ...] = ()


CREATE = "/supervision/orgs/CA-T1-B1/from-findings/create/"
REFERENCES: dict[str, tuple[Ref, ...]] = {
    "supervision:findings_to_items": (
        Ref(CREATE, "findings", (("mode", "selected"),)),
        Ref(CREATE, "finding", (("mode", "one"),)),
    ),
    "supervision:reinspections": (),  # the org is in the URL: tested by the path matrix
}


@pytest.fixture
def out_finding(tree) -> str:
    run = run_check(
        roots=[tree.city],
        period=parse_period("2025"),
        as_of=dt.date(2026, 3, 1),
        rule_ids=["LIFE-03"],
    )
    out = Finding.objects.filter(run=run.run, org=tree.branch_b).first()
    Finding.objects.filter(pk=out.pk).update(id=876543)  # an id seen nowhere else on the page
    return "876543"


_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|csrf-token" content=")[^"]*')


def _counts() -> tuple[int, ...]:
    return (Item.objects.count(), Step.objects.count(), Reinspection.objects.count())


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(("name", "ref"), CASES, ids=[f"{n}:{r.field}" for n, r in CASES])
def test_supervision_reference_out_of_scope_reads_like_missing(
    client_for, tree, out_finding, name, ref
):
    client = client_for(tree.users["secretary"])
    before = _counts()
    answers = []
    for value in (out_finding, MISSING):
        response = client.post(ref.path, {**dict(ref.data), ref.field: value})
        body = _TOKENS.sub(r"\1", response.content.decode()).replace(value, "<REF>")
        answers.append((response.status_code, body))
        assert _counts() == before, (name, "wrote with a reference", value)
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
