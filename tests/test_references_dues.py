"""The reference matrix (issue 12) for the dues app (DUES-01): every id or code inside a
write's body — the members ticked on the treasurer's screen (ids on the page, codes in the
API) — is tried with one out of the actor's scope (MB1 of county CB), with one in the
town admin's scope but off the branch's month (MA2 of the sibling branch) and with one
that does not exist; the answers read alike and nothing is written. The member, org,
payment and reduction of each write are in its URL (the path matrix in
tests/test_authorization.py tries those); writes without a reference in their body are
listed with an empty tuple, so a new dues write fails
`test_dues_references_name_known_writes` until it is listed here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from tests.factories import make_user
from tests.test_authorization import MATRIX
from xianfeng.dues import ledger
from xianfeng.dues.domain.common import month_label
from xianfeng.dues.domain.declarations import declare_base
from xianfeng.dues.models import (
    Arrangement,
    Declaration,
    Due,
    KindSpell,
    MonthClose,
    Payment,
    Reduction,
)
from xianfeng.lib.dates import today

pytestmark = pytest.mark.django_db
MONTH = month_label(today().replace(day=1))
MISSING_ID, MISSING_CODE = 987654, "NOSUCH9"


@dataclass(frozen=True)
class Ref:
    """One reference of one write: `path` (a page or an endpoint), the body's `field`
    holding a list of members (MA1 first, then the value tried)."""

    path: str
    field: str

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


REFERENCES: dict[str, tuple[Ref, ...]] = {
    "dues:month": (Ref(f"/dues/orgs/CA-T1-B1/month/{MONTH}/", "members"),),
    "api:dues_record_month": (Ref(f"/api/dues/orgs/CA-T1-B1/months/{MONTH}/payments", "members"),),
    # the member, org, payment or reduction is in the URL; no reference in the body
    "dues:declare": (),
    "dues:kind": (),
    "dues:pay": (),
    "dues:extra": (),
    "dues:propose": (),
    "dues:quarterly": (),
    "dues:reverse": (),
    "dues:close": (),
    "dues:decide": (),
    "api:dues_record_payment": (),
    "api:dues_reverse_payment": (),
    "api:dues_record_extra": (),
    "api:dues_close_month": (),
    "api:dues_declare_base": (),
    "api:dues_set_kind": (),
    "api:dues_propose_reduction": (),
    "api:dues_decide_reduction": (),
    "api:dues_arrange_quarterly": (),
}


def test_dues_references_name_known_writes():
    """Every write listed here is in the path matrix, and every dues write of the path
    matrix is listed here (tests/test_references.py checks the rest)."""
    writes = {
        name
        for name, endpoints in MATRIX.items()
        if any(e.method != "get" for e in endpoints)
        and (name.startswith("dues:") or name.startswith("api:dues_"))
    }
    assert set(REFERENCES) - set(MATRIX) == set()
    assert writes == set(REFERENCES)


@pytest.fixture
def world(tree):
    """This month's lines of everyone, MA1 declared (so that a tick of MA1 alone would
    pay); the values tried as (out of scope, off the month, missing) per side."""
    declare_base(member=tree.member_a, period=str(today().year), monthly_base="3000")
    ledger.refresh(today().year)
    return {
        "web": (tree.member_b.pk, tree.member_a2.pk, MISSING_ID, tree.member_a.pk),
        "api": ("MB1", "MA2", MISSING_CODE, "MA1"),
    }


def _snapshot() -> list[list[dict]]:
    models = [Payment, Due, MonthClose, Declaration, KindSpell, Reduction, Arrangement]
    return [list(model.objects.order_by("pk").values()) for model in models]


TOKEN = re.compile(r"[A-Za-z0-9]{64}|nonce-[^'\" ]+|nonce=\"[^\"]*\"")


def _answer(client, ref: Ref, mine: object, value: object) -> tuple[int, str]:
    body = {ref.field: [mine, value]}
    if ref.api:
        response = client.post(ref.path, json.dumps(body), content_type="application/json")
    else:
        response = client.post(ref.path, body)
    return response.status_code, TOKEN.sub("<TOKEN>", response.content.decode())


def _alike(answers: list[tuple[int, str]], values: list[object]) -> None:
    """Same status (400 or 422) and the same body once every tried value is replaced."""
    statuses = {status for status, _body in answers}
    assert len(statuses) == 1 and statuses <= {400, 422}, statuses
    bodies = []
    for _status, body in answers:
        for value in sorted({str(v) for v in values}, key=len, reverse=True):
            body = body.replace(value, "<REF>")
        bodies.append(body)
    assert bodies[0] == bodies[1]


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(("name", "ref"), CASES, ids=[name for name, _ref in CASES])
def test_dues_01_reference_out_of_scope_reads_like_missing(client_for, tree, world, name, ref):
    out, _off, missing, mine = world["api" if ref.api else "web"]
    client = client_for(tree.users["secretary"])
    before = _snapshot()
    answers = [_answer(client, ref, mine, value) for value in (out, missing)]
    assert _snapshot() == before, (name, "wrote with a bad reference")
    _alike(answers, [out, missing])


@pytest.mark.parametrize(("name", "ref"), CASES, ids=[name for name, _ref in CASES])
def test_dues_01_reference_off_the_month_reads_like_missing(client_for, tree, world, name, ref):
    """MA2 of the sibling branch is in the town admin's scope but has no line of the
    branch's month."""
    _out, off, missing, mine = world["api" if ref.api else "web"]
    client = client_for(make_user("town_admin", org=tree.town_a, role="admin"))
    before = _snapshot()
    answers = [_answer(client, ref, mine, value) for value in (off, missing)]
    assert _snapshot() == before, (name, "wrote with a bad reference")
    _alike(answers, [off, missing])
