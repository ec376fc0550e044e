"""The reference matrix (issue 12) for supervision (TASK-01, TASK-02): every id or code
inside a write's body is tried as the branch secretary (admin of CA-T1-B1) with one out of
scope (county CB) and with one that does not exist; the answers read alike and nothing is
written. The org, the item and the extension are in the URL (the path matrix in
tests/test_authorization.py tries those); writes without a reference in their body are
listed with an empty tuple, so a new supervision write fails
`test_supervision_references_cover_every_write` until it is listed here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.test_authorization import MATRIX
from xianfeng.lib.dates import today
from xianfeng.supervision.domain import items as domain
from xianfeng.supervision.models import Extension, Item, ItemFile, Step

pytestmark = pytest.mark.django_db

REF = "{ref}"
MISSING = "NOPE404"


@dataclass(frozen=True)
class Ref:
    """One reference of one web write: `{ref}` in `data` is where it goes."""

    path: str
    field: str
    out: str
    data: tuple[tuple[str, Any], ...] = ()
    user: str = "secretary"


DUE = f"{today() + dt.timedelta(days=30):%Y-%m-%d}"
ITEM = (("kind", "problem"), ("title", "记录不全"), ("origin", "manual"), ("deadline", DUE))
NEW_ITEM = "/supervision/orgs/CA-T1-B1/items/new/"

REFERENCES: dict[str, tuple[Ref, ...]] = {
    "supervision:item_new": (
        Ref(NEW_ITEM, "responsible", "MB1", (*ITEM, ("responsible", REF))),
        # in the county officer's scope, but a member of the sibling branch: not of this org
        Ref(NEW_ITEM, "responsible", "MA2", (*ITEM, ("responsible", REF)), "county_officer"),
    ),
    "supervision:item_start": (),
    "supervision:item_submit": (),
    "supervision:item_accept": (),
    "supervision:item_return": (),
    "supervision:item_extension": (),
    "supervision:extension_decide": (),
}


def test_supervision_references_name_known_writes():
    """Every write listed here is in the path matrix (tests/test_references.py checks that
    every write of the matrix is listed in one of the reference tables)."""
    assert set(REFERENCES) - set(MATRIX) == set()


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Item, ItemFile, Step, Extension))


_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|csrf-token" content=")[^"]*')


def _answer(client, ref: Ref, value: str) -> tuple[int, str]:
    data = {key: cell.replace(REF, value) for key, cell in ref.data}
    response = client.post(ref.path, data)
    return response.status_code, _TOKENS.sub(r"\1", response.content.decode()).replace(value, REF)


CASES = [(name, ref) for name, refs in REFERENCES.items() for ref in refs]


@pytest.mark.parametrize(
    ("name", "ref"), CASES, ids=[f"{name}:{ref.field}:{ref.out}" for name, ref in CASES]
)
def test_supervision_reference_out_of_scope_reads_like_missing(client_for, tree, name, ref):
    client = client_for(tree.users[ref.user])
    before = _counts()
    status_out, body_out = _answer(client, ref, ref.out)
    status_missing, body_missing = _answer(client, ref, MISSING)
    assert _counts() == before, (name, "wrote with a bad reference")
    assert status_out == status_missing == 400
    assert body_out == body_missing


# (what, actor, org, responsible code): the domain function every caller shares
DOMAIN = [
    ("out of scope", "secretary", "branch_a", "MB1"),
    ("in scope, outside the org", "county_officer", "branch_a", "MA2"),
    ("above the org", "county_officer", "group_a", "MA1"),
]


@pytest.mark.parametrize(("what", "who", "org", "code"), DOMAIN, ids=[d[0] for d in DOMAIN])
def test_task_01_create_item_responsible_reads_like_missing(tree, what, who, org, code):
    answers = []
    for value in (code, MISSING):
        with pytest.raises(ValidationError) as refused:
            domain.create_item(
                getattr(tree, org),
                kind="problem",
                title="记录不全",
                deadline=today() + dt.timedelta(days=30),
                responsible=value,
                by=tree.users[who],
            )
        answers.append(refused.value.message_dict["responsible"][0].replace(value, REF))
    assert answers[0] == answers[1]
    assert not Item.objects.exists()
